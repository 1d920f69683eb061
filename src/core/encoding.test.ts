import { describe, expect, it } from 'vitest';
import { appendSignature, decodeEnvelope, encodeSignedPart, MAX_ENTRY_BYTES } from './encoding';
import { ByteReader, ByteWriter, toHex } from './bytes';
import { decodeKindBody, encodeKindBody } from './kinds';

const key = new Uint8Array(32).fill(7);
const zero = new Uint8Array(32);
const sig = new Uint8Array(64).fill(9);

function entryBytes(seq = 1, prev = zero, time = 1_700_000_000_000): Uint8Array {
  const body = encodeKindBody('transfer', { to: 'ab'.repeat(32), currency: 'MH', amount: 1500, memo: '' });
  return appendSignature(encodeSignedPart({ authorKey: key, seq, prev, time, kindCode: 2, body }), sig);
}

describe('varuint', () => {
  it('round-trips and rejects overlong forms', () => {
    for (const n of [0, 1, 127, 128, 300, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER]) {
      const w = new ByteWriter();
      w.writeVarUint(n);
      expect(new ByteReader(w.toBytes()).readVarUint()).toBe(n);
    }
    expect(new ByteReader(new Uint8Array([0x81, 0x00])).readVarUint()).toBeUndefined();
    expect(new ByteReader(new Uint8Array([0x80])).readVarUint()).toBeUndefined();
    expect(new ByteReader(new Uint8Array(9).fill(0xff)).readVarUint()).toBeUndefined();
  });
});

describe('entry envelope', () => {
  it('decodes what it encodes; a transfer without memo is ≤ 200 bytes', () => {
    const bytes = entryBytes();
    expect(bytes.length).toBeLessThanOrEqual(200);
    const d = decodeEnvelope(bytes);
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(d.entry.author).toBe(toHex(key));
    expect(d.entry.seq).toBe(1);
    expect(d.entry.time).toBe(1_700_000_000_000);
    expect(d.entry.signed.length).toBe(bytes.length - 64);
    expect(decodeKindBody(2, d.entry.body, d.entry.author)).toEqual({
      ok: true,
      body: { to: 'ab'.repeat(32), currency: 'MH', amount: 1500, memo: '' },
    });
  });

  it('rejects unknown versions, truncation, oversize and bad prev rules', () => {
    const bytes = entryBytes();
    const v2 = bytes.slice();
    v2[0] = 2;
    expect(decodeEnvelope(v2)).toEqual({ ok: false, error: 'unknown encoding version 2' });
    expect(decodeEnvelope(bytes.subarray(0, 100)).ok).toBe(false);
    expect(decodeEnvelope(new Uint8Array(MAX_ENTRY_BYTES + 1)).ok).toBe(false);
    expect(decodeEnvelope(entryBytes(2, zero)).ok).toBe(false);
    expect(decodeEnvelope(entryBytes(1, new Uint8Array(32).fill(1))).ok).toBe(false);
  });

  it('rejects an overlong seq varint', () => {
    const bytes = entryBytes();
    // seq 1 re-encoded as 0x81 0x00: same value, non-canonical form.
    const forged = new Uint8Array(bytes.length + 1);
    forged.set(bytes.subarray(0, 33));
    forged.set([0x81, 0x00], 33);
    forged.set(bytes.subarray(34), 35);
    expect(decodeEnvelope(forged)).toEqual({ ok: false, error: 'malformed seq' });
  });

  it('body codecs reject trailing bytes and malformed fields', () => {
    const body = encodeKindBody('transfer', { to: 'ab'.repeat(32), currency: 'CH', amount: 5, memo: 'hi' });
    const trailing = new Uint8Array([...body, 0]);
    expect(decodeKindBody(2, trailing, 'cd'.repeat(32))).toEqual({ ok: false, error: 'transfer body has 1 trailing bytes' });
    const badCurrency = body.slice();
    badCurrency[32] = 9;
    expect(decodeKindBody(2, badCurrency, 'cd'.repeat(32))).toEqual({ ok: false, error: 'malformed transfer body' });
    expect(decodeKindBody(99, body, 'cd'.repeat(32))).toEqual({ ok: false, error: 'unknown kind code 99' });
    const badUtf8 = new Uint8Array([...body.subarray(0, body.length - 3), 2, 0xc3, 0x28]);
    expect(decodeKindBody(2, badUtf8, 'cd'.repeat(32)).ok).toBe(false);
  });

  it('profile and settings bodies round-trip and validate', () => {
    const p = encodeKindBody('profile', { name: 'Ada', colour: '#1f6f5c' });
    expect(decodeKindBody(1, p, 'cd'.repeat(32))).toEqual({ ok: true, body: { name: 'Ada', colour: '#1f6f5c' } });
    const long = encodeKindBody('profile', { name: 'x'.repeat(65), colour: '#000000' });
    expect(decodeKindBody(1, long, 'cd'.repeat(32))).toMatchObject({ ok: false });
    const s = encodeKindBody('economy-settings', { creditLimit: { MH: 5000, CH: 0 } });
    expect(decodeKindBody(3, s, 'cd'.repeat(32))).toEqual({ ok: true, body: { creditLimit: { MH: 5000, CH: 0 } } });
  });
});
