// The decisions behind the ledger's cheap paths (ledger.ts header, "Fast paths"): does a new
// entry only extend its author's chain head, and can an entry of a frozen author be settled
// without a replay? Each says when adding the entry changes nothing any other entry's
// authenticity or link depends on. Read-only on the store and the ledger's heads and fork seqs;
// the ledger applies the verdicts.
import { checkOwnSignature } from './authenticity';
import type { CryptoPort } from './crypto-port';
import type { AccountId } from './encoding';
import { forEachSeqIn, type EntryStore, type StoredEntry } from './entry-store';
import { isForkVerified, trimmableEntries } from './fork-trim';
import { rejected, type EntryStatus } from './replay';

/**
 * True when `e` only extends its author's head. What adding it could change, and why each is
 * excluded here:
 *  - a fork at its seq: any other counted entry there that is or may be authentic → no;
 *  - an entry above that names it as prev: it would stop waiting (or be rejected for naming
 *    the wrong seq) → no, unless it is in this same batch (`unprocessed`: checked in its turn);
 *  - its successor vouching for it: such a successor names it, as above (also at or above the
 *    fork seq of a frozen author, where nothing else matters);
 *  - entries below the head: the one authentic entry at each seq there is on the chain and
 *    names its parent; any other is not authentic (else a fork), its status fixed.
 * Entries above that name something else keep their status: authenticity flows only downward,
 * and their own prev decides their link. The caller checks `e`'s own signature.
 */
export function extendsHeadOnly(
  store: EntryStore,
  heads: ReadonlyMap<AccountId, StoredEntry>,
  forkSeqs: ReadonlyMap<AccountId, number>,
  e: StoredEntry,
  unprocessed: ReadonlySet<StoredEntry>,
  horizon: number,
): boolean {
  const { author, seq, prev, time } = e.env;
  const log = store.authors.get(author)!;
  const head = heads.get(author);
  if (seq === 1 ? head !== undefined : !(head && head.id === prev && head.env.seq === seq - 1 && time > head.env.time)) return false;
  for (const other of log.bySeq.get(seq)!) {
    if (other !== e && other.env.time <= horizon && other.authentic !== false) return false;
  }
  const forkSeq = forkSeqs.get(author) ?? Infinity;
  let blocked = false;
  // At or above a fork seq an entry's status is decided by its authenticity alone; only a
  // successor there (seq + 1) could still vouch for this one.
  forEachSeqIn(log, seq + 1, Math.max(forkSeq - 1, seq + 1), (_, list) => {
    for (const above of list) {
      if (above.env.prev !== e.id || unprocessed.has(above)) continue;
      if (above.env.time <= horizon && above.authentic !== false) blocked = true;
    }
  });
  return !blocked;
}

/** What to do with a frozen author's entry: replay everything, or drop it / keep it with a status. */
export type FrozenVerdict = 'replay' | { drop: boolean; status: EntryStatus };

/**
 * An entry of an author frozen at F with seq ≥ F never applies. Settles it without a replay when
 * nothing else can change ('replay' otherwise). What it could change:
 *  - above F, once the fork is verified: nothing — such entries are dropped (fork-trim.ts), so
 *    that an author frozen for good cannot keep filling every peer's memory;
 *  - at F: the fork proof (a third branch with a lower id replaces one side) and which two
 *    entries are kept there → replay (rare), unless it is one a verified fork drops anyway;
 *  - an entry of the author below F that names it as prev (pending → "prev is the author's
 *    entry …"): only authentic entries between the chain head and F can be waiting, so those
 *    are searched → replay;
 *  - nothing above it and no other author (authenticity does not flow; chains are per author).
 * It cannot move F: that needs a second authentic entry below F. A bad own signature drops it.
 */
export async function settleFrozenEntry(
  store: EntryStore,
  heads: ReadonlyMap<AccountId, StoredEntry>,
  forkSeqs: ReadonlyMap<AccountId, number>,
  e: StoredEntry,
  horizon: number,
  crypto: CryptoPort,
): Promise<FrozenVerdict> {
  const { author, seq } = e.env;
  const forkSeq = forkSeqs.get(author)!;
  const frozen = { drop: true, status: rejected(`account frozen: fork at seq ${forkSeq}`) };
  if (seq > forkSeq && isForkVerified(store, author, forkSeq, horizon)) return frozen;
  if (seq === forkSeq) {
    // A further branch at F: dropped at once when the two entries kept there (the proof, the
    // lowest ids) stay the same; otherwise which entries exist at F changes → replay.
    if (!isForkVerified(store, author, forkSeq, horizon) || !(await checkOwnSignature(e, crypto))) return 'replay';
    return trimmableEntries(store, author, forkSeq, horizon).includes(e) ? frozen : 'replay';
  }
  const log = store.authors.get(author)!;
  const headSeq = heads.get(author)?.env.seq ?? 0;
  let named = false;
  forEachSeqIn(log, headSeq + 1, forkSeq - 1, (_, list) => {
    for (const x of list) if (x.env.prev === e.id && x.env.time <= horizon && x.authentic !== false) named = true;
  });
  if (named) return 'replay';
  if (!(await checkOwnSignature(e, crypto))) return { drop: true, status: rejected('invalid signature') };
  return { drop: false, status: frozen.status };
}
