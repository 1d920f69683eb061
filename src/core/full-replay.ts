// A full replay: everything a ledger decides, computed again from the set of entries it keeps and
// the clock horizon (ledger.ts calls it when no cheap path applies; see its header).
//
// Steps, each deterministic on (entries, horizon), so every peer with the same set ends with the
// same result:
//  1. authenticity (authenticity.ts): chains are authenticated from their heads; entries below a
//     verified head are accepted provisionally (`unverified`, checked in the background after);
//  2. entries beyond the horizon get their own signature check; every entry whose check failed
//     is dropped, as if never received, before anything else looks at it;
//  3. forks: a verified fork's droppable entries go (fork-trim.ts);
//  4. chains are linked (replay.ts) and applied in replay order to a fresh state, with
//     checkpoints (replay-order.ts); entries beyond the horizon are held as pending;
//  5. a fork proof per frozen author, in author order.
// Dropping (steps 2 and 3) goes through the caller's `forget`, which owns the dropped-id list.
import { verifyMany, type CryptoPort } from './crypto-port';
import { resolveAuthenticity } from './authenticity';
import type { AccountId } from './encoding';
import { SIG_INVALID, SIG_UNKNOWN, SIG_VALID, type EntryStore, type StoredEntry } from './entry-store';
import { buildForkProof, type ForkProof } from './fork-proof';
import { trimmableEntries } from './fork-trim';
import type { LedgerState } from './ledger-state';
import { findForkSeq, linkChains, pending, rejected, type EntryStatus } from './replay';
import type { ReplayOrder } from './replay-order';

export interface FullReplayInputs {
  store: EntryStore;
  horizon: number;
  crypto: CryptoPort;
  /** A fresh state (nothing applied). */
  state: LedgerState;
  /** An empty replay order to fill. */
  order: ReplayOrder;
  /** Drops an entry that can never count. */
  forget: (e: StoredEntry, status: EntryStatus) => void;
  /** The status of an entry dated beyond the horizon. */
  heldStatus: () => EntryStatus;
}

export interface FullReplayResult {
  state: LedgerState;
  order: ReplayOrder;
  statuses: Map<string, EntryStatus>;
  heads: Map<AccountId, StoredEntry>;
  forkSeqs: Map<AccountId, number>;
  forkProofs: ForkProof[];
  /** Entries dated beyond the horizon (their own signature checked). */
  held: Set<StoredEntry>;
  /** Entries authentic only through a signed successor so far. */
  unverified: Set<StoredEntry>;
}

export async function replayFromScratch(inputs: FullReplayInputs): Promise<FullReplayResult> {
  const { store, horizon, crypto, state, order, forget } = inputs;
  const isIncluded = (e: StoredEntry) => e.env.time <= horizon;
  await resolveAuthenticity(store, isIncluded, crypto);
  const unchecked = [...store.byId.values()].filter((e) => !isIncluded(e) && e.sig === SIG_UNKNOWN);
  const ok = await verifyMany(crypto, unchecked.map((e) => ({ publicKey: e.env.authorKey, signature: e.env.signature, message: e.env.signed })));
  unchecked.forEach((e, i) => (e.sig = ok[i] ? SIG_VALID : SIG_INVALID));
  for (const e of [...store.byId.values()]) if (e.sig === SIG_INVALID) forget(e, rejected('invalid signature'));

  const forkSeqs = new Map<AccountId, number>();
  for (const [author, log] of store.authors) {
    const forkSeq = findForkSeq(log.bySeq, isIncluded);
    if (forkSeq !== undefined) forkSeqs.set(author, forkSeq);
  }
  for (const [author, forkSeq] of forkSeqs) {
    const frozenStatus = rejected(`account frozen: fork at seq ${forkSeq}`);
    for (const x of trimmableEntries(store, author, forkSeq, horizon)) forget(x, frozenStatus);
  }

  const linked = linkChains(store, isIncluded);
  const statuses = linked.statuses;
  const held = new Set<StoredEntry>();
  const unverified = new Set<StoredEntry>();
  for (const e of store.byId.values()) {
    if (isIncluded(e)) {
      if (e.authentic && e.sig === SIG_UNKNOWN) unverified.add(e);
      continue;
    }
    statuses.set(e.id, inputs.heldStatus());
    held.add(e);
  }
  order.applyAll(linked.chain, state, statuses);

  const forkProofs: ForkProof[] = [];
  for (const [author, seq] of [...linked.forkSeqs].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const proof = await buildForkProof(store, author, seq, crypto);
    if (proof) forkProofs.push(proof);
  }
  return { state, order, statuses, heads: linked.heads, forkSeqs: linked.forkSeqs, forkProofs, held, unverified };
}

/** The pending status of an entry dated beyond the clock horizon. */
export function heldBeyondHorizon(skewMs: number): EntryStatus {
  return pending(`dated more than ${skewMs / 60_000} minutes ahead of this device's clock; held until then`);
}
