import { describe, expect, it } from 'vitest';
import { checkInvite, checkInviteAgainstKnown, decodeInvite, encodeInvite, inviteLink, isJoinHash, newEconomyKeys, parseInviteLink, roomNameOf } from './invite';
import { economyIdOf } from '../core';

const founder = 'b'.repeat(64);
const nonce = 'c'.repeat(32);
const invite = { id: economyIdOf(founder, nonce)!, name: 'Café coders ☕', founder, nonce, secret: 's3cret-with/odd+chars' };

describe('invite links', () => {
  it('round-trip through a link, unicode included, with the secret only in the fragment', () => {
    const link = inviteLink('http://192.168.1.4:8080/#/wallet', invite);
    const url = new URL(link);
    expect(url.pathname + url.search).toBe('/');
    expect(url.hash.startsWith('#/join/')).toBe(true);
    expect(link).not.toContain(invite.secret);
    expect(parseInviteLink(link)).toEqual({ ok: true, invite });
    expect(parseInviteLink(url.hash)).toEqual({ ok: true, invite });
    expect(isJoinHash(url.hash)).toBe(true);
  });

  it('explains what is wrong with a bad link', () => {
    expect(parseInviteLink('https://example.org/')).toMatchObject({ ok: false, error: expect.stringContaining('not a hourmesh invite') });
    const link = inviteLink('http://h/', invite);
    expect(parseInviteLink(link.slice(0, -10))).toMatchObject({ ok: false, error: expect.stringContaining('damaged') });
    expect(parseInviteLink('http://h/#/join/%%%')).toMatchObject({ ok: false, error: expect.stringContaining('damaged') });
    const noSecret = inviteLink('http://h/', { ...invite, secret: 'short' });
    expect(parseInviteLink(noSecret)).toMatchObject({ ok: false, error: expect.stringContaining('secret') });
  });

  it('derives a versioned room name and fresh random keys', () => {
    expect(roomNameOf(invite.id)).toBe(`hourmesh:v2:${invite.id}`);
    let n = 0;
    const keys = newEconomyKeys((len) => Uint8Array.from({ length: len }, () => n++));
    expect(keys.nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(keys.secret.length).toBe(24);
  });

  it('binds the founder: the id is derived from founder and nonce, never read from the link', () => {
    // A crafted invite that names another founder for the nonce of a real economy is a different
    // economy (another id), not a new founder of the known one.
    const mallory = 'd'.repeat(64);
    const crafted = inviteLink('http://h/', { ...invite, founder: mallory });
    const parsed = parseInviteLink(crafted);
    expect(parsed.ok && parsed.invite.id).toBe(economyIdOf(mallory, nonce));
    expect(parsed.ok && parsed.invite.id).not.toBe(invite.id);
  });

  it('is short and binary: a generated secret as its 18 bytes, the byte table of PROTOCOL.md §10', () => {
    let n = 0;
    const { secret } = newEconomyKeys((len) => Uint8Array.from({ length: len }, () => n++ % 256));
    const generated = { ...invite, name: 'Team hours', secret };
    const bytes = encodeInvite(generated);
    // version, founder, nonce, secret kind + 18 bytes, name length + 10 bytes
    expect(bytes.length).toBe(1 + 32 + 16 + 1 + 18 + 1 + 10);
    expect(bytes[0]).toBe(3);
    expect([...bytes.subarray(1, 33)]).toEqual(Array(32).fill(0xbb));
    expect([...bytes.subarray(33, 49)]).toEqual(Array(16).fill(0xcc));
    expect(bytes[49]).toBe(0);
    expect(bytes[68]).toBe(10);
    const link = inviteLink('http://192.168.1.4:8080/', generated);
    expect(link.length).toBeLessThan(140);
    expect(parseInviteLink(link)).toEqual({ ok: true, invite: generated });
    // A typed secret travels as UTF-8 with its length.
    const typed = encodeInvite(invite);
    expect(typed[49]).toBe(1);
    expect(typed[50]).toBe(new TextEncoder().encode(invite.secret).length);
  });

  it('carries signaling servers only when given, and checks them', () => {
    const withServers = { ...invite, signaling: ['wss://signal.example.org/signal', 'ws://10.0.0.2:4444'] };
    const link = inviteLink('http://h/', withServers);
    expect(parseInviteLink(link)).toEqual({ ok: true, invite: withServers });
    expect(parseInviteLink(inviteLink('http://h/', invite))).toEqual({ ok: true, invite });
    const bad = encodeInvite({ ...invite, signaling: ['https://not-a-socket.example'] });
    expect(decodeInvite(bad)).toMatchObject({ ok: false, error: expect.stringContaining('signaling server') });
  });

  it('parses strictly: wrong version, truncation, trailing bytes, bad UTF-8, old JSON links', () => {
    const bytes = encodeInvite(invite);
    expect(decodeInvite(Uint8Array.from([2, ...bytes.subarray(1)]))).toMatchObject({ ok: false, error: expect.stringContaining('different version') });
    for (const cut of [1, 20, 49, 50, 60, bytes.length - 1]) {
      expect(decodeInvite(bytes.subarray(0, cut))).toMatchObject({ ok: false, error: expect.stringContaining('damaged') });
    }
    expect(decodeInvite(Uint8Array.from([...bytes, 0]))).toMatchObject({ ok: false, error: expect.stringContaining('damaged') });
    expect(decodeInvite(Uint8Array.from([...bytes, 1, 1, 0xff]))).toMatchObject({ ok: false });
    const badKind = Uint8Array.from(bytes);
    badKind[49] = 7;
    expect(decodeInvite(badKind)).toMatchObject({ ok: false, error: expect.stringContaining('secret') });
    const badUtf8 = Uint8Array.from(bytes);
    badUtf8[51] = 0xff;
    expect(decodeInvite(badUtf8)).toMatchObject({ ok: false, error: expect.stringContaining('damaged') });
    // A version 2 link (base64url JSON) is refused as another version's.
    const json = btoa(JSON.stringify({ v: 2, name: 'x', founder, nonce, secret: 'abcdefgh' })).replace(/=+$/, '');
    expect(parseInviteLink(`http://h/#/join/${json}`)).toMatchObject({ ok: false, error: expect.stringContaining('different version') });
    expect(parseInviteLink('http://h/#/join/')).toMatchObject({ ok: false, error: expect.stringContaining('damaged') });
  });

  it('checks invite fields from elsewhere (a backup) with the same rules, deriving the id', () => {
    expect(checkInvite({ ...invite, id: 'f'.repeat(64) })).toEqual({ ok: true, invite });
    expect(checkInvite({ ...invite, secret: 'short' })).toMatchObject({ ok: false });
    expect(checkInvite({ ...invite, signaling: 'wss://x' })).toMatchObject({ ok: false });
    expect(checkInvite(null)).toMatchObject({ ok: false });
  });

  it('refuses an invite whose secret disagrees with a known economy of the same id', () => {
    expect(checkInviteAgainstKnown(invite, undefined)).toBeNull();
    expect(checkInviteAgainstKnown(invite, { name: 'Café', founder, secret: invite.secret })).toBeNull();
    expect(checkInviteAgainstKnown(invite, { name: 'Café', founder, secret: 'another secret' })).toContain('different secret');
  });
});
