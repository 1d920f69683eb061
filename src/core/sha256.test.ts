import { describe, expect, it } from 'vitest';
import { sha256Sync } from './sha256';
import { toHex } from './bytes';
import { createRandom } from './random';

describe('sha256Sync', () => {
  it('matches known vectors and crypto.subtle on random inputs of every padding length', async () => {
    expect(toHex(sha256Sync(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(toHex(sha256Sync(new TextEncoder().encode('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const random = createRandom(7);
    for (let len = 0; len < 300; len++) {
      const data = Uint8Array.from({ length: len }, () => Math.floor(random() * 256));
      const expected = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', data));
      expect(toHex(sha256Sync(data))).toBe(toHex(expected));
    }
  });
});
