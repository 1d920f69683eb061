// Replay: from a set of authentic entries to statuses and state, in one deterministic order.
//
// Chain rule (per author, after authenticity.ts):
//   - seq 1 has a zero prev (checked by the decoder); seq n > 1 must name an entry of seq n-1 of
//     the same author that is itself on the chain, and its time must be strictly later than that
//     predecessor's. Strictly: equal times would let the (time, id) order below put a child before
//     its parent.
//   - If the predecessor is not (yet) known the entry is `pending`, not rejected: it may arrive.
//     If the predecessor is known but rejected, the entry is rejected with it. If prev names a
//     stored entry of the same author at another seq than seq-1, the entry is rejected: that
//     cannot change, and linking it would let one author grow two branches that the fork rule
//     (same seq) does not see. (A prev naming another author's entry never links: it stays
//     pending, like any unknown predecessor.)
// Fork rule: two different authentic entries with the same author and seq are a fork. With F the
//   lowest forked seq, none of that author's entries with seq >= F apply ("account frozen");
//   entries below F apply as usual. The author can no longer pay (paying needs an entry of its
//   own); transfers TO the frozen account still apply (see kind-transfer.ts).
// Order: chain entries sorted by (time, id). Tie-break: equal times across authors are ordered
//   by entry id (the hex of its hash, compared as a string) — arbitrary but identical on every
//   peer, and not controllable by anyone short of grinding hashes, which only reorders
//   simultaneous entries. Within one author the order is the chain order, because times strictly
//   increase along a chain.
// Apply: each entry in order goes through its kind's decoder, validator and reducer; a rejection
//   leaves the state untouched and still keeps the entry on its author's chain (a refused
//   overdraft must not block the author's later entries). Nothing here throws on bad input.

import type { AccountId } from './encoding';
import { sortedSeqs, type EntryStore, type StoredEntry } from './entry-store';
import { decodeKindBody, findKindByCode, kindNameOf } from './kinds';
import { recordHistory, type LedgerState } from './ledger-state';
import { releaseExpiredJobs } from './compute-apply';

export type EntryStatus =
  | { state: 'applied' }
  | { state: 'rejected'; reason: string }
  | { state: 'pending'; reason: string };

export const APPLIED: EntryStatus = Object.freeze({ state: 'applied' });

export function rejected(reason: string): EntryStatus {
  return { state: 'rejected', reason };
}

export function pending(reason: string): EntryStatus {
  return { state: 'pending', reason };
}

export interface ChainResult {
  /** Entries on their author's chain and not frozen, in replay order. */
  chain: StoredEntry[];
  /** Statuses decided before the replay (invalid signature, frozen, broken chain, pending). */
  statuses: Map<string, EntryStatus>;
  /** Each author's last chain entry (the head to write after). */
  heads: Map<AccountId, StoredEntry>;
  /** Lowest forked seq per forked author. */
  forkSeqs: Map<AccountId, number>;
}

/** Applies the chain and fork rules to every included entry whose `authentic` is decided. */
export function linkChains(store: EntryStore, isIncluded: (e: StoredEntry) => boolean): ChainResult {
  const result: ChainResult = { chain: [], statuses: new Map(), heads: new Map(), forkSeqs: new Map() };
  for (const [author, log] of store.authors) {
    const forkSeq = findForkSeq(log.bySeq, isIncluded);
    if (forkSeq !== undefined) result.forkSeqs.set(author, forkSeq);
    const onChain = new Map<string, StoredEntry>();
    // The seqs actually present, ascending: a seq can be as large as 2^53 − 1, so counting up to
    // maxSeq would let one hostile entry stall every peer.
    for (const seq of sortedSeqs(log)) {
      for (const e of log.bySeq.get(seq)!) {
        if (!isIncluded(e)) continue;
        const status = linkEntry(e, store, onChain, result.statuses, forkSeq);
        if (status) {
          result.statuses.set(e.id, status);
          continue;
        }
        onChain.set(e.id, e);
        result.chain.push(e);
        result.heads.set(author, e);
      }
    }
  }
  result.chain.sort(compareReplayOrder);
  return result;
}

function linkEntry(
  e: StoredEntry,
  store: EntryStore,
  onChain: Map<string, StoredEntry>,
  decided: Map<string, EntryStatus>,
  forkSeq: number | undefined,
): EntryStatus | undefined {
  if (!e.authentic) return rejected('invalid signature');
  if (forkSeq !== undefined && e.env.seq >= forkSeq) return rejected(`account frozen: fork at seq ${forkSeq}`);
  if (e.env.seq === 1) return undefined;
  const named = store.byId.get(e.env.prev);
  if (named && named.env.author === e.env.author && named.env.seq !== e.env.seq - 1) {
    // prev names another seq of the same author: that can never become valid.
    return rejected(`prev is the author's entry ${named.env.seq}, not ${e.env.seq - 1}`);
  }
  const parent = onChain.get(e.env.prev);
  if (!parent) {
    // Only the same author's entry n−1 (decided just before, seqs ascend) can reject it. A prev
    // naming another author's entry never links; that author's status must not leak in, since
    // whether it was decided yet depends on the order authors were first seen (arrival order).
    const parentStatus = named?.env.author === e.env.author ? decided.get(e.env.prev) : undefined;
    return parentStatus?.state === 'rejected'
      ? rejected('predecessor was rejected')
      : pending(`waiting for the author's entry ${e.env.seq - 1} (prev ${e.env.prev.slice(0, 12)}…)`);
  }
  if (e.env.time <= parent.env.time) return rejected('time is not after the predecessor\'s time');
  return undefined;
}

export function findForkSeq(bySeq: Map<number, StoredEntry[]>, isIncluded: (e: StoredEntry) => boolean): number | undefined {
  let lowest: number | undefined;
  for (const [seq, list] of bySeq) {
    if (list.length < 2 || (lowest !== undefined && seq >= lowest)) continue;
    if (list.filter((e) => isIncluded(e) && e.authentic).length >= 2) lowest = seq;
  }
  return lowest;
}

/** Replay order: (time, id); see the header for why this tie-break. */
export function compareReplayOrder(a: StoredEntry, b: StoredEntry): number {
  if (a.env.time !== b.env.time) return a.env.time - b.env.time;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Applies one chain entry to the state and returns its status; never throws. */
export function applyEntry(state: LedgerState, e: StoredEntry): EntryStatus {
  const meta = { id: e.id, author: e.env.author, seq: e.env.seq, time: e.env.time, ack: e.env.ack, kind: kindNameOf(e.env.kindCode) };
  // Compute jobs close at their expiry: every entry (any kind) dated at or after it sees the job
  // closed and its escrow free (compute-apply.ts). Time order makes this the same everywhere.
  releaseExpiredJobs(state, meta.time);
  let reason: string | undefined;
  const body = decodeKindBody(e.env.kindCode, e.env.body, e.env.author);
  if (!body.ok) reason = body.error;
  else {
    try {
      reason = findKindByCode(e.env.kindCode)!.applyBody(state, meta, body.body);
    } catch (err) {
      // A reducer bug must not break the ledger for everyone; it is reported like any rejection.
      reason = `internal error in ${meta.kind}: ${String(err)}`;
    }
  }
  if (reason === undefined) return APPLIED;
  recordHistory(state, e.env.author, { entryId: e.id, time: e.env.time, kind: meta.kind, status: 'rejected', reason });
  return rejected(reason);
}
