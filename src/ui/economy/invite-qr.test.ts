import { describe, expect, it } from 'vitest';
import { inviteQrSvg } from './invite-qr';

describe('the invite QR code', () => {
  it('is an SVG made once per link, and another link gets its own', async () => {
    const a = inviteQrSvg('https://example.org/#/join/AAAA');
    expect(inviteQrSvg('https://example.org/#/join/AAAA')).toBe(a);
    const svg = await a;
    expect(svg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    const b = inviteQrSvg('https://example.org/#/join/BBBB');
    expect(b).not.toBe(a);
    expect(await b).not.toBe(svg);
  });
});
