import { describe, expect, it } from 'vitest';
import { inviteLink, isJoinHash, newEconomyKeys, parseInviteLink, roomNameOf } from './invite';

const invite = { id: 'a'.repeat(32), name: 'Café coders ☕', founder: 'b'.repeat(64), secret: 's3cret-with/odd+chars' };

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
    expect(roomNameOf(invite.id)).toBe(`hourmesh:v1:${invite.id}`);
    let n = 0;
    const keys = newEconomyKeys((len) => Uint8Array.from({ length: len }, () => n++));
    expect(keys.id).toMatch(/^[0-9a-f]{32}$/);
    expect(keys.secret.length).toBe(24);
  });
});
