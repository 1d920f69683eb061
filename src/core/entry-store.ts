// Every decodable entry a ledger has received, indexed by id and by (author, seq).
//
// Invariants:
// - An entry is stored once (same bytes = same id = idempotent).
// - Entries whose own signature failed are removed (removeEntry): under the authenticity rule
//   (authenticity.ts) such an entry can never count, so it is equivalent to an entry never
//   received, and keeping it would let anyone who knows the room secret (no key needed) fill
//   every peer's memory. Undecodable inputs are never stored. The Ledger keeps only a bounded
//   list of the ids of what it dropped, so a re-sent one costs a hash, not a signature check.
// - Seqs go up to 2^53 − 1: walk an author's entries with sortedSeqs, never by counting to maxSeq.
// - `sig` caches the result of checking the entry's own signature so it is never checked twice.

import type { AccountId, EntryEnvelope } from './encoding';

export const SIG_UNKNOWN = 0;
export const SIG_VALID = 1;
export const SIG_INVALID = 2;

export interface StoredEntry {
  readonly id: string;
  readonly bytes: Uint8Array;
  readonly env: EntryEnvelope;
  sig: typeof SIG_UNKNOWN | typeof SIG_VALID | typeof SIG_INVALID;
  /** Result of the last authenticity pass; undefined while the entry is dated in the future. */
  authentic: boolean | undefined;
}

export interface AuthorLog {
  readonly bySeq: Map<number, StoredEntry[]>;
  maxSeq: number;
}

export interface EntryStore {
  readonly byId: Map<string, StoredEntry>;
  readonly authors: Map<AccountId, AuthorLog>;
}

export function createEntryStore(): EntryStore {
  return { byId: new Map(), authors: new Map() };
}

/** Adds an entry; returns false when it was already there. */
export function insertEntry(store: EntryStore, entry: StoredEntry): boolean {
  if (store.byId.has(entry.id)) return false;
  store.byId.set(entry.id, entry);
  const author = entry.env.author;
  let log = store.authors.get(author);
  if (!log) store.authors.set(author, (log = { bySeq: new Map(), maxSeq: 0 }));
  const atSeq = log.bySeq.get(entry.env.seq);
  if (atSeq) atSeq.push(entry);
  else log.bySeq.set(entry.env.seq, [entry]);
  if (entry.env.seq > log.maxSeq) log.maxSeq = entry.env.seq;
  return true;
}

/**
 * Forgets an entry (one whose signature failed, or a frozen author's entry that can never count).
 * `maxSeq` may stay above the highest stored seq: it is only an upper bound (sortedSeqs and the
 * seq walks cope with gaps).
 */
export function removeEntry(store: EntryStore, entry: StoredEntry): void {
  if (store.byId.get(entry.id) !== entry) return;
  store.byId.delete(entry.id);
  const log = store.authors.get(entry.env.author)!;
  const list = log.bySeq.get(entry.env.seq)!;
  const rest = list.filter((e) => e !== entry);
  if (rest.length > 0) log.bySeq.set(entry.env.seq, rest);
  else log.bySeq.delete(entry.env.seq);
  if (log.bySeq.size === 0) store.authors.delete(entry.env.author);
}

/** The author's stored seqs in ascending order (usually 1..maxSeq, with no sort needed). */
export function sortedSeqs(log: AuthorLog): number[] {
  if (log.bySeq.size === log.maxSeq) {
    const seqs = new Array<number>(log.maxSeq);
    for (let i = 0; i < log.maxSeq; i++) seqs[i] = i + 1;
    return seqs;
  }
  return [...log.bySeq.keys()].sort((a, b) => a - b);
}

/** Calls `visit` for each stored seq of the author in [from, to], ascending (sparse-safe). */
export function forEachSeqIn(log: AuthorLog, from: number, to: number, visit: (seq: number, list: StoredEntry[]) => void): void {
  to = Math.min(to, log.maxSeq);
  if (from > to) return;
  if (to - from < log.bySeq.size) {
    for (let s = from; s <= to; s++) {
      const list = log.bySeq.get(s);
      if (list) visit(s, list);
    }
  } else {
    for (const s of sortedSeqs(log)) if (s >= from && s <= to) visit(s, log.bySeq.get(s)!);
  }
}
