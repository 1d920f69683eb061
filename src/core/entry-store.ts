// Every decodable entry a ledger has received, indexed by id and by (author, seq).
//
// Invariants:
// - The store only grows; an entry is stored once (same bytes = same id = idempotent).
// - Entries with invalid signatures are kept too, bytes and all, with no bound — decided so
//   because they take part in the outcome: (1) a later entry signed by the same author may name
//   one as prev and so vouch for it (authenticity.ts), after which it applies; a peer that had
//   forgotten it would hold that successor pending while the others apply it, so an author could
//   split peers on purpose (publish a broken entry, flood until some peers drop it, then sign the
//   successor); (2) its status ("invalid signature") is part of serialize(). Each costs what any
//   stored entry costs (≤ MAX_ENTRY_BYTES, its signature checked once) and comes only from the
//   shared document, which needs the room secret to write. They are never re-published
//   (validEntries filters them). Undecodable inputs are not stored at all: Ledger keeps only a
//   bounded list of their ids (they can never take part in anything).
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

/** The author's stored seqs in ascending order (usually 1..maxSeq, with no sort needed). */
export function sortedSeqs(log: AuthorLog): number[] {
  if (log.bySeq.size === log.maxSeq) {
    const seqs = new Array<number>(log.maxSeq);
    for (let i = 0; i < log.maxSeq; i++) seqs[i] = i + 1;
    return seqs;
  }
  return [...log.bySeq.keys()].sort((a, b) => a - b);
}
