// Authoring and auditing single entries: createEntry signs a new entry after an author's head;
// verifyEntry checks one entry on its own (decoding, id, signature, body), for fork proofs and
// audits. Neither touches ledger state.
//
// Invariants: createEntry validates the body with the same rules the replay uses, so an honest
// client never publishes an entry that is rejected for its shape; it refuses a time that is not
// after the head's time (the replay would reject it) — use nextEntryTime to pick one.

import { parseHex, toHex } from './bytes';
import type { CryptoPort, Signer } from './crypto-port';
import { appendSignature, decodeEnvelope, ECONOMY_ID_BYTES, encodeSignedPart, HASH_BYTES, type AccountId } from './encoding';
import { decodeKindBody, encodeKindBody, findKindByName, kindNameOf, type KindBodies, type KindName } from './kinds';

export interface EntryHead {
  seq: number;
  /** Entry id (hex SHA-256) of the author's latest entry. */
  hash: string;
  time: number;
}

/** What binds an entry to its economy and to the settings its author saw (see encoding.ts). */
export interface EntryScope {
  /** Economy id, 32 lowercase hex characters. */
  economy: string;
  /** Founder seq of the newest economy-settings entry the author has seen (Ledger.settingsAck); 0 = none. */
  ack?: number;
}

export interface SignedEntry {
  id: string;
  bytes: Uint8Array;
}

/** A time for the next entry: now, or 1 ms after the head if the clock has not moved past it. */
export function nextEntryTime(head: EntryHead | undefined, now: number): number {
  return head && now <= head.time ? head.time + 1 : now;
}

export async function createEntry<K extends KindName>(
  signer: Signer,
  crypto: CryptoPort,
  scope: EntryScope,
  head: EntryHead | undefined,
  time: number,
  kind: K,
  body: KindBodies[K],
): Promise<SignedEntry> {
  const spec = findKindByName(kind);
  const author = toHex(signer.publicKey);
  const invalid = spec.validateBody(body, author);
  if (invalid) throw new Error(`invalid ${kind}: ${invalid}`);
  if (head && time <= head.time) throw new Error('entry time must be after the previous entry');
  const economy = parseHex(scope.economy);
  if (!economy || economy.length !== ECONOMY_ID_BYTES) throw new Error('economy id must be 32 hexadecimal characters');
  const signed = encodeSignedPart({
    economy,
    ack: scope.ack ?? 0,
    authorKey: signer.publicKey,
    seq: head ? head.seq + 1 : 1,
    prev: head ? (parseHex(head.hash) ?? new Uint8Array(HASH_BYTES)) : new Uint8Array(HASH_BYTES),
    time,
    kindCode: spec.code,
    body: encodeKindBody(kind, body),
  });
  const bytes = appendSignature(signed, await signer.sign(signed));
  return { id: toHex(await crypto.sha256(bytes)), bytes };
}

export type VerifyEntryResult =
  | { ok: true; id: string; economy: string; author: AccountId; seq: number; time: number; kind: string; body: unknown }
  | { ok: false; error: string };

/**
 * Checks one entry on its own: canonical envelope, own signature, and a well-formed body. With
 * `economy`, an entry of another economy is refused.
 */
export async function verifyEntry(crypto: CryptoPort, bytes: Uint8Array, economy?: string): Promise<VerifyEntryResult> {
  const decoded = decodeEnvelope(bytes, economy);
  if (!decoded.ok) return decoded;
  const e = decoded.entry;
  if (!(await crypto.verify(e.authorKey, e.signature, e.signed))) return { ok: false, error: 'invalid signature' };
  const body = decodeKindBody(e.kindCode, e.body, e.author);
  if (!body.ok) return body;
  const kind = kindNameOf(e.kindCode);
  return { ok: true, id: toHex(await crypto.sha256(bytes)), economy: e.economy, author: e.author, seq: e.seq, time: e.time, kind, body: body.body };
}
