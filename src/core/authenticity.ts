// Authenticity: which stored entries were really signed by their author, with few signature checks.
//
// Rule (the definition every peer applies): an entry is authentic iff its OWN signature verifies
// under the strict Ed25519 rules (ed25519-strict.ts). An entry whose signature fails is
// equivalent to an entry never received: the Ledger drops it (nothing can make it count later,
// so nobody needs to keep it), and its successors wait for a valid entry at that seq.
//
// Fast load (an optimisation whose result is provisional until checked): a successor's
// signature covers its prev hash, and that hash covers every byte of the predecessor including
// its signature; so an honest author's chain is authentic below any head that verifies, and a
// late joiner with 1,000 authors checks ~1,000 signatures before it shows balances, not 100,000.
// Entries accepted that way keep `sig === SIG_UNKNOWN` and are listed by the caller; the Ledger
// then checks them in the background (Ledger.whenVerified). Only an author who signs a successor
// of an entry with a broken signature makes the provisional state differ from the final one,
// and only until that check reaches it: then the broken entry is dropped and everything is
// replayed, on every peer alike — the final state depends on the set of entries only.
//
// The walk goes over each author's entries from the highest seq down. An entry with an
// authentic child is (provisionally) authentic without a check; any other (a head, the top of a
// piece whose successor is missing, or one whose children all failed) needs its own check.
// Checks are batched per round; if a head's signature fails, the next round checks its parent,
// and so on, so one forged head never hides the valid entries below it. Results are cached.

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
      // A known-bad signature is never vouched for: it is as if the entry were absent.
      if (e.sig === SIG_INVALID) e.authentic = false;
      else if (children && children.some((c) => c.authentic === true && c.env.prev === e.id)) e.authentic = true;
      else if (e.sig === SIG_UNKNOWN) toVerify.push(e);
      else e.authentic = true;
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
