import { describe, expect, it } from 'vitest';
import { checkInviteAgainstKnown, inviteLink, isJoinHash, newEconomyKeys, parseInviteLink, roomNameOf } from './invite';
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
    // A crafted invite that keeps the id field of a real economy but names another founder
    // is a different economy (another id), not a new founder of the known one.
    const mallory = 'd'.repeat(64);
    const crafted = inviteLink('http://h/', { ...invite, founder: mallory });
    const parsed = parseInviteLink(crafted);
    expect(parsed.ok && parsed.invite.id).toBe(economyIdOf(mallory, nonce));
    expect(parsed.ok && parsed.invite.id).not.toBe(invite.id);
    const payload = JSON.parse(atob(new URL(inviteLink('http://h/', invite)).hash.slice('#/join/'.length).replace(/-/g, '+').replace(/_/g, '/')));
    expect(payload).not.toHaveProperty('id');
  });

  it('refuses an invite whose secret disagrees with a known economy of the same id', () => {
    expect(checkInviteAgainstKnown(invite, undefined)).toBeNull();
    expect(checkInviteAgainstKnown(invite, { name: 'Café', founder, secret: invite.secret })).toBeNull();
    expect(checkInviteAgainstKnown(invite, { name: 'Café', founder, secret: 'another secret' })).toContain('different secret');
  });
});
