// Authenticity: which stored entries were really signed by their author, with few signature checks.
//
// Rule (the definition every peer applies, not just an optimisation):
//   an entry E is authentic  iff  E's own signature verifies,
//                            or   some authentic entry by the same author has seq = E.seq + 1
//                                 and prev = id(E).
// A successor's signature covers its prev hash, and that hash covers every byte of E including
// E's signature, so the author vouched for E by signing the successor. Hence verifying one head
// authenticates its whole chain below it: a late joiner with 1,000 authors checks ~1,000
// signatures, not 100,000. Forging anything still needs the key (or a SHA-256 collision).
//
// The algorithm walks each author's entries from the highest seq down. An entry with an authentic
// child is authentic without a check; any other (a head, the top of a piece whose successor is
// missing, or one whose children all failed) needs its own check. Checks are
// batched per round; if a head's signature fails, the next round checks its parent, and so on, so
// one forged head never hides the valid entries below it. Results are cached on the entry.
// The outcome depends only on the set of entries considered, never on arrival order.

import { verifyMany, type CryptoPort } from './crypto-port';
import { sortedSeqs, SIG_INVALID, SIG_UNKNOWN, SIG_VALID, type AuthorLog, type EntryStore, type StoredEntry } from './entry-store';

/** Sets `authentic` on every entry that `isIncluded` accepts (others get undefined). */
export async function resolveAuthenticity(
  store: EntryStore,
  isIncluded: (e: StoredEntry) => boolean,
  crypto: CryptoPort,
): Promise<void> {
  // Each author is walked from its highest seq down; a walk pauses at a seq whose entries need a
  // signature check and resumes after the batch, so children are always decided before parents.
  // Walks visit only the seqs present (descending): seqs go up to 2^53 − 1, so counting down
  // from maxSeq would let one hostile entry stall every peer.
  let walks: Walk[] = [];
  for (const log of store.authors.values()) {
    for (const list of log.bySeq.values()) for (const e of list) e.authentic = undefined;
    const seqs = sortedSeqs(log).reverse();
    walks.push({ log, seqs, i: 0 });
  }
  while (walks.length > 0) {
    const toVerify: StoredEntry[] = [];
    const paused: Walk[] = [];
    for (const walk of walks) {
      if (advanceWalk(walk, isIncluded, toVerify)) paused.push(walk);
    }
    if (toVerify.length > 0) {
      const ok = await verifyMany(
        crypto,
        toVerify.map((e) => ({ publicKey: e.env.authorKey, signature: e.env.signature, message: e.env.signed })),
      );
      toVerify.forEach((e, i) => (e.sig = ok[i] ? SIG_VALID : SIG_INVALID));
    }
    walks = paused;
  }
}

interface Walk {
  log: AuthorLog;
  /** The author's seqs, descending; `i` is the next one to decide. */
  seqs: number[];
  i: number;
}

/** Decides entries from seqs[i] down; returns true when paused for signature checks. */
function advanceWalk(walk: Walk, isIncluded: (e: StoredEntry) => boolean, toVerify: StoredEntry[]): boolean {
  const { bySeq } = walk.log;
  for (; walk.i < walk.seqs.length; walk.i++) {
    const seq = walk.seqs[walk.i]!;
    const list = bySeq.get(seq)!;
    const children = bySeq.get(seq + 1);
    const before = toVerify.length;
    for (const e of list) {
      if (e.authentic !== undefined || !isIncluded(e)) continue;
      if (children && children.some((c) => c.authentic === true && c.env.prev === e.id)) e.authentic = true;
      else if (e.sig === SIG_UNKNOWN) toVerify.push(e);
      else e.authentic = e.sig === SIG_VALID;
    }
    if (toVerify.length > before) return true; // resume at this seq once the checks are back
  }
  return false;
}

/** Checks one entry's own signature (cached); used by the incremental path and fork proofs. */
export async function checkOwnSignature(e: StoredEntry, crypto: CryptoPort): Promise<boolean> {
  if (e.sig === SIG_UNKNOWN) {
    e.sig = (await crypto.verify(e.env.authorKey, e.env.signature, e.env.signed)) ? SIG_VALID : SIG_INVALID;
  }
  return e.sig === SIG_VALID;
}
