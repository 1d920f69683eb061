// Canonical entry encoding: one entry has exactly one byte string, hence one id.
//
// Wire format (version 2), byte by byte:
//   [0]          version, always 0x02 (version 1 had no economy id; it is refused with a clear reason)
//   [1..17)      economy id: 16 bytes (see economy-id.ts); an entry is worth nothing in another economy
//   [17..49)     author: 32-byte Ed25519 public key (the account id is its lowercase hex)
//   varuint      seq: 1 for an author's first entry, then +1 per entry
//   32 bytes     prev: SHA-256 of the author's previous entry's full bytes; 32 zero bytes when seq = 1
//   varuint      time: milliseconds since the Unix epoch, as claimed by the author
//   varuint      ack: the founder seq of the newest economy-settings entry the author had seen (0 = none)
//   varuint      kind code (see kinds.ts)
//   ...          body: kind-specific, runs up to the signature (its codec must consume it exactly)
//   last 64      signature: Ed25519 over every byte before it (version .. end of body)
// varuint = minimal unsigned LEB128 (bytes.ts). Total size is capped at MAX_ENTRY_BYTES.
//
// What is signed: the bytes from the version byte to the end of the body ("signed part").
// What is hashed: the whole encoding, signature included; entry id = lowercase hex of that
// SHA-256, and `prev` carries the same hash. Because prev commits to the predecessor's signature
// too, a valid signature on a later entry vouches for every byte of the chain below it.
//
// The envelope decoder checks only the envelope; an unknown kind code or a malformed body is a
// semantic rejection decided at replay, so such an entry still links its author's chain.
// Because the economy id is inside the signed part, copying an entry (or a whole exported ledger)
// into another economy gives bytes that the decoder refuses there before any signature check.

import { ByteReader, ByteWriter, toHex } from './bytes';
import { checkPublicKey } from './ed25519-strict';

export const ENTRY_VERSION = 2;
export const ECONOMY_ID_BYTES = 16;
export const KEY_BYTES = 32;
export const HASH_BYTES = 32;
export const SIGNATURE_BYTES = 64;
export const MAX_ENTRY_BYTES = 4096;
export const ZERO_HASH_HEX = '0'.repeat(HASH_BYTES * 2);

/** Lowercase hex of the 32-byte Ed25519 public key. */
export type AccountId = string;

export interface EntryEnvelope {
  /** Economy id, 32 lowercase hex characters. */
  economy: string;
  author: AccountId;
  authorKey: Uint8Array;
  seq: number;
  prev: string; // hex
  time: number;
  /** Founder seq of the newest economy-settings entry the author had seen when signing (0 = none). */
  ack: number;
  kindCode: number;
  body: Uint8Array;
  signed: Uint8Array; // the signed part (a view into the entry's bytes)
  signature: Uint8Array;
}

export interface UnsignedFields {
  economy: Uint8Array;
  authorKey: Uint8Array;
  seq: number;
  prev: Uint8Array;
  time: number;
  ack: number;
  kindCode: number;
  body: Uint8Array;
}

export function encodeSignedPart(f: UnsignedFields): Uint8Array {
  if (f.economy.length !== ECONOMY_ID_BYTES) throw new RangeError('economy id must be 16 bytes');
  if (f.authorKey.length !== KEY_BYTES) throw new RangeError('author key must be 32 bytes');
  if (f.prev.length !== HASH_BYTES) throw new RangeError('prev must be 32 bytes');
  for (const [name, n] of [['seq', f.seq], ['time', f.time], ['ack', f.ack], ['kind', f.kindCode]] as const) {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${name} must be a non-negative integer`);
  }
  if (f.seq < 1) throw new RangeError('seq starts at 1');
  const w = new ByteWriter();
  w.writeByte(ENTRY_VERSION);
  w.writeBytes(f.economy);
  w.writeBytes(f.authorKey);
  w.writeVarUint(f.seq);
  w.writeBytes(f.prev);
  w.writeVarUint(f.time);
  w.writeVarUint(f.ack);
  w.writeVarUint(f.kindCode);
  w.writeBytes(f.body);
  return w.toBytes();
}

export function appendSignature(signed: Uint8Array, signature: Uint8Array): Uint8Array {
  if (signature.length !== SIGNATURE_BYTES) throw new RangeError('signature must be 64 bytes');
  const out = new Uint8Array(signed.length + SIGNATURE_BYTES);
  out.set(signed);
  out.set(signature, signed.length);
  return out;
}

export type DecodeResult = { ok: true; entry: EntryEnvelope } | { ok: false; error: string };

/** The smallest envelope: every fixed field, one-byte varuints and an empty body. */
export const MIN_ENTRY_BYTES = 1 + ECONOMY_ID_BYTES + KEY_BYTES + 1 + HASH_BYTES + 1 + 1 + 1 + SIGNATURE_BYTES;

/** One id string and one key array per author (see decodeEnvelope); forgotten wholesale past a bound. */
const authors = new Map<string, { id: string; key: Uint8Array }>();
const MAX_INTERNED_AUTHORS = 20_000; // a flood of fresh keys costs at most ~5 MB here

function internAuthor(key: Uint8Array): { id: string; key: Uint8Array } {
  const id = toHex(key);
  const known = authors.get(id);
  if (known !== undefined) return known;
  if (authors.size >= MAX_INTERNED_AUTHORS) authors.clear();
  const interned = { id, key: key.slice() };
  authors.set(id, interned);
  return interned;
}

/**
 * Strict envelope decoder: never throws; rejects anything that is not the one canonical form.
 * With `economy` (32 hex), an entry of any other economy is refused too: that is how an entry
 * copied from another economy (or another economy's ledger file) is kept out.
 */
export function decodeEnvelope(bytes: Uint8Array, economy?: string): DecodeResult {
  if (!(bytes instanceof Uint8Array)) return { ok: false, error: 'not a byte array' };
  if (bytes.length > MAX_ENTRY_BYTES) return { ok: false, error: `entry larger than ${MAX_ENTRY_BYTES} bytes` };
  if (bytes.length >= 1 && bytes[0] === 1) return { ok: false, error: 'entry in format 1, from an older version of hourmesh (format 2 names its economy)' };
  if (bytes.length < MIN_ENTRY_BYTES) return { ok: false, error: 'entry too short' };
  const signedLength = bytes.length - SIGNATURE_BYTES;
  const signed = bytes.subarray(0, signedLength);
  const r = new ByteReader(signed);
  const version = r.readByte();
  if (version !== ENTRY_VERSION) return { ok: false, error: `unknown encoding version ${version}` };
  const economyHex = toHex(r.readBytes(ECONOMY_ID_BYTES)!);
  if (economy !== undefined && economyHex !== economy) return { ok: false, error: `entry of another economy (${economyHex})` };
  const authorKey = r.readBytes(KEY_BYTES)!;
  const badKey = checkPublicKey(authorKey);
  if (badKey) return { ok: false, error: `author is not a valid account key: ${badKey}` };
  const seq = r.readVarUint();
  if (seq === undefined) return { ok: false, error: 'malformed seq' };
  if (seq < 1) return { ok: false, error: 'seq must be at least 1' };
  const prev = r.readBytes(HASH_BYTES);
  if (!prev) return { ok: false, error: 'truncated prev hash' };
  const time = r.readVarUint();
  if (time === undefined) return { ok: false, error: 'malformed time' };
  const ack = r.readVarUint();
  if (ack === undefined) return { ok: false, error: 'malformed ack' };
  const kindCode = r.readVarUint();
  if (kindCode === undefined) return { ok: false, error: 'malformed kind' };
  const prevHex = toHex(prev);
  if (seq === 1 && prevHex !== ZERO_HASH_HEX) return { ok: false, error: 'first entry (seq 1) must have a zero prev hash' };
  if (seq > 1 && prevHex === ZERO_HASH_HEX) return { ok: false, error: `seq ${seq} has a zero prev hash` };
  const author = internAuthor(authorKey);
  return {
    ok: true,
    entry: {
      // Shared strings and key arrays, not one copy per entry: 100,000 entries of 1,000 authors
      // in one economy would otherwise keep ~20 MB of equal strings and views.
      economy: economy ?? economyHex,
      author: author.id,
      authorKey: author.key,
      seq,
      prev: prevHex,
      time,
      ack,
      kindCode,
      body: signed.subarray(r.pos),
      signed,
      signature: bytes.subarray(signedLength),
    },
  };
}
