// Every decodable entry a ledger has received, indexed by id and by (author, seq).
//
// Invariants:
// - The store only grows; an entry is stored once (same bytes = same id = idempotent).
// - Entries with invalid signatures are kept too: a later entry by the same author may commit to
//   them through `prev` (see authenticity.ts), and forgetting them would make the outcome depend
//   on arrival order. They are never re-published (validEntries filters them).
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
