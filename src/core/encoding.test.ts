import { describe, expect, it } from 'vitest';
import { appendSignature, decodeEnvelope, encodeSignedPart, MAX_ENTRY_BYTES } from './encoding';
import { ByteReader, ByteWriter, toHex } from './bytes';
import { decodeKindBody, encodeKindBody } from './kinds';

const key = new Uint8Array(32).fill(7);
const economy = new Uint8Array(16).fill(0xec);
const ECONOMY = toHex(economy);
const zero = new Uint8Array(32);
const sig = new Uint8Array(64).fill(9);

function entryBytes(seq = 1, prev = zero, time = 1_700_000_000_000, authorKey = key, ack = 0): Uint8Array {
  const body = encodeKindBody('transfer', { to: 'ab'.repeat(32), currency: 'MH', amount: 1500, memo: '' });
  return appendSignature(encodeSignedPart({ economy, authorKey, seq, prev, time, ack, kindCode: 2, body }), sig);
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
    const d = decodeEnvelope(bytes, ECONOMY);
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(d.entry.economy).toBe(ECONOMY);
    expect(d.entry.author).toBe(toHex(key));
    expect(d.entry.seq).toBe(1);
    expect(d.entry.time).toBe(1_700_000_000_000);
    expect(d.entry.signed.length).toBe(bytes.length - 64);
    expect(decodeKindBody(2, d.entry.body, d.entry.author)).toEqual({
      ok: true,
      body: { to: 'ab'.repeat(32), currency: 'MH', amount: 1500, memo: '' },
    });
  });

  it('entries of one author share one author key array (not a view into each entry: memory per entry)', () => {
    const [a, b] = [entryBytes(), entryBytes(2, new Uint8Array(32).fill(7))].map((bytes) => decodeEnvelope(bytes, ECONOMY));
    if (!a!.ok || !b!.ok) throw new Error('did not decode');
    expect(a!.entry.authorKey).toBe(b!.entry.authorKey);
    expect(a!.entry.authorKey).toEqual(key);
  });

  it('rejects unknown versions, truncation, oversize and bad prev rules', () => {
    const bytes = entryBytes();
    const v3 = bytes.slice();
    v3[0] = 3;
    expect(decodeEnvelope(v3)).toEqual({ ok: false, error: 'unknown encoding version 3' });
    expect(decodeEnvelope(bytes.subarray(0, 100)).ok).toBe(false);
    expect(decodeEnvelope(new Uint8Array(MAX_ENTRY_BYTES + 1)).ok).toBe(false);
    expect(decodeEnvelope(entryBytes(2, zero)).ok).toBe(false);
    expect(decodeEnvelope(entryBytes(1, new Uint8Array(32).fill(1))).ok).toBe(false);
  });

  it('refuses format 1 entries (no economy id) with a reason a person can read', () => {
    const old = entryBytes().subarray(16).slice(); // the v1 layout: no economy id after the version byte
    old[0] = 1;
    expect(decodeEnvelope(old)).toEqual({ ok: false, error: 'entry in format 1, from an older version of hourmesh (format 2 names its economy)' });
  });

  it('an entry names its economy: the same bytes are refused in any other economy', () => {
    const bytes = entryBytes();
    expect(decodeEnvelope(bytes, ECONOMY).ok).toBe(true);
    expect(decodeEnvelope(bytes, 'ab'.repeat(16))).toEqual({ ok: false, error: `entry of another economy (${ECONOMY})` });
    // Changing the economy bytes changes the signed part, so the signature no longer covers it.
    const moved = bytes.slice();
    moved.set(new Uint8Array(16).fill(0xab), 1);
    const d = decodeEnvelope(moved, 'ab'.repeat(16));
    expect(d.ok && toHex(d.entry.signed.subarray(1, 17))).toBe('ab'.repeat(16));
  });

  it('refuses small-order and non-canonical author keys before any signature check', () => {
    const identity = new Uint8Array(32);
    identity[0] = 1; // the identity point (0, 1): with R = identity and S = 0 it "signs" anything
    expect(decodeEnvelope(entryBytes(1, zero, 1_700_000_000_000, identity))).toMatchObject({ ok: false });
    const nonCanonical = new Uint8Array(32).fill(0xff);
    nonCanonical[31] = 0x7f; // y = 2^255 − 1 ≥ p
    expect(decodeEnvelope(entryBytes(1, zero, 1_700_000_000_000, nonCanonical))).toMatchObject({ ok: false });
  });

  it('carries the settings acknowledgement', () => {
    const d = decodeEnvelope(entryBytes(1, zero, 1_700_000_000_000, key, 300));
    expect(d.ok && d.entry.ack).toBe(300);
  });

  it('rejects an overlong seq varint', () => {
    const bytes = entryBytes();
    // seq 1 re-encoded as 0x81 0x00: same value, non-canonical form.
    const forged = new Uint8Array(bytes.length + 1);
    forged.set(bytes.subarray(0, 49));
    forged.set([0x81, 0x00], 49);
    forged.set(bytes.subarray(50), 51);
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
