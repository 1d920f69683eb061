// What a verified fork lets a peer forget (see Ledger's header and docs/LEDGER.md "Fork rule").
//
// Rule: once two counted entries at an author's fork seq F have verified signatures (not merely
// provisional ones, which could still turn out forged and move F), nothing the author signs above
// F can ever count or prove anything, and at F only the two entries with the lowest ids are needed
// (the proof). Everything else is droppable, held entries above F included. Pure and deterministic
// on the set of entries and the clock horizon, so every peer forgets the same entries.
import { forEachSeqIn, SIG_VALID, type EntryStore, type StoredEntry } from './entry-store';
import type { AccountId } from './encoding';

/** True when at least two counted entries at the author's fork seq have verified signatures. */
export function isForkVerified(store: EntryStore, author: AccountId, forkSeq: number, horizon: number): boolean {
  const atFork = store.authors.get(author)?.bySeq.get(forkSeq) ?? [];
  return atFork.filter((x) => x.sig === SIG_VALID && x.env.time <= horizon).length >= 2;
}

/** The frozen author's entries that can be dropped (see the header); none while the fork is unverified. */
export function trimmableEntries(store: EntryStore, author: AccountId, forkSeq: number, horizon: number): StoredEntry[] {
  if (!isForkVerified(store, author, forkSeq, horizon)) return [];
  const log = store.authors.get(author)!;
  const drop: StoredEntry[] = [];
  forEachSeqIn(log, forkSeq + 1, Number.MAX_SAFE_INTEGER, (_, list) => drop.push(...list));
  const counted = log.bySeq.get(forkSeq)!.filter((x) => x.sig === SIG_VALID && x.env.time <= horizon);
  const proof = counted.sort((a, b) => (a.id < b.id ? -1 : 1)).slice(0, 2);
  for (const x of counted) if (!proof.includes(x)) drop.push(x);
  return drop;
}
