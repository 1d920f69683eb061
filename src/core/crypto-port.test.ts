import { describe, expect, it } from 'vitest';
import { createWebCryptoPort, generateSigner, hashMany, verifyMany } from './crypto-port';
import { toHex } from './bytes';

const subtle = globalThis.crypto.subtle;

describe('web crypto port', () => {
  const port = createWebCryptoPort(subtle);

  it('hashes like SHA-256', async () => {
    const h = await port.sha256(new TextEncoder().encode('abc'));
    expect(toHex(h)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('signs and verifies, and rejects tampering and junk without throwing', async () => {
    const signer = await generateSigner(subtle);
    const msg = new Uint8Array([1, 2, 3]);
    const sig = await signer.sign(msg);
    expect(sig.length).toBe(64);
    expect(await port.verify(signer.publicKey, sig, msg)).toBe(true);
    expect(await port.verify(signer.publicKey, sig, new Uint8Array([1, 2, 4]))).toBe(false);
    const bad = sig.slice();
    bad[0]! ^= 1;
    expect(await port.verify(signer.publicKey, bad, msg)).toBe(false);
    expect(await port.verify(new Uint8Array(32), sig, msg)).toBe(false);
    expect(await port.verify(new Uint8Array(5), sig, msg)).toBe(false);
    expect(await port.verify(signer.publicKey, new Uint8Array(3), msg)).toBe(false);
  });

  it('batches', async () => {
    const msgs = Array.from({ length: 5000 }, (_, i) => new Uint8Array([i & 255, i >> 8]));
    const hashes = await hashMany(port, msgs);
    expect(hashes.length).toBe(5000);
    expect(toHex(hashes[4999]!)).toBe(toHex(await port.sha256(msgs[4999]!)));
    const signer = await generateSigner(subtle);
    const sig = await signer.sign(msgs[0]!);
    const ok = await verifyMany(port, [
      { publicKey: signer.publicKey, signature: sig, message: msgs[0]! },
      { publicKey: signer.publicKey, signature: sig, message: msgs[1]! },
    ]);
    expect(ok).toEqual([true, false]);
  });
});
