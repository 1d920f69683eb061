import { describe, expect, it } from 'vitest';
import { createEntry } from './create-entry';
import { createWebCryptoPort, generateSigner } from './crypto-port';
import { validateProfile } from './kind-profile';
import { toHex } from './bytes';

/** The one economy these entries belong to (16 bytes as hex). */
const ECONOMY = 'ec'.repeat(16);
const SCOPE = { economy: ECONOMY };

describe('profile name rule (docs/LEDGER.md)', () => {
  const named = (name: string) => validateProfile({ name, colour: '#123456' });

  it('refuses at either end exactly what String.prototype.trim() removes', () => {
    for (const c of ['\t', '\n', '\v', '\f', '\r', ' ', '\u00a0', '\u1680', '\u2000', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff']) {
      expect(named(`${c}Ann`), `U+${c.codePointAt(0)!.toString(16)}`).toBe('profile name has leading or trailing spaces');
      expect(named(`Ann${c}`)).toBeDefined();
    }
    expect(named('Ann Lee')).toBeUndefined();
    expect(named('Ann\u00a0Lee')).toBeUndefined();
    expect(named('\u200bAnn')).toBeUndefined(); // zero-width space is not white space for trim()
    expect(named('\u0085Ann')).toBeUndefined(); // C1 control / NEL: not trimmed, not refused
  });

  it('refuses U+0000–U+001F and U+007F anywhere, and counts code points', () => {
    expect(named('A\u0000B')).toBe('profile name contains control characters');
    expect(named('A\u001fB')).toBe('profile name contains control characters');
    expect(named('A\u007fB')).toBe('profile name contains control characters');
    expect(named('A\u0080B')).toBeUndefined();
    expect(named('😀'.repeat(64))).toBeUndefined();
    expect(named('😀'.repeat(65))).toBe('profile name is longer than 64 characters');
    expect(named('')).toBe('profile name is empty');
  });
});

describe('transfer size (docs/LEDGER.md)', () => {
  it('is 189 bytes without memo for amounts ≤ 127 milli and 190 up to 16,383 milli', async () => {
    const crypto = createWebCryptoPort(globalThis.crypto.subtle);
    const [a, b] = await Promise.all([generateSigner(globalThis.crypto.subtle), generateSigner(globalThis.crypto.subtle)]);
    const to = toHex(b!.publicKey);
    const time = 1_700_000_000_000; // 6-byte varuint; seq 1 is 1 byte
    const size = async (amount: number) => (await createEntry(a!, crypto, SCOPE, undefined, time, 'transfer', { to, currency: 'MH', amount, memo: '' })).bytes.length;
    // 172/173 in format 1, plus 16 bytes of economy id and 1 byte of settings ack (ack ≤ 127).
    expect(await size(127)).toBe(189);
    expect(await size(128)).toBe(190);
    expect(await size(1000)).toBe(190);
    expect(await size(16_383)).toBe(190);
    expect(await size(16_384)).toBe(191);
  });
});
