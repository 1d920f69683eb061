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
// child is authentic without a check; an entry whose children are all non-authentic (or that has
// none: a head, or the top of a piece whose successor is missing) needs its own check. Checks are
// batched per round; if a head's signature fails, the next round checks its parent, and so on, so
// one forged head never hides the valid entries below it. Results are cached on the entry.
// The outcome depends only on the set of entries considered, never on arrival order.

import { verifyMany, type CryptoPort } from './crypto-port';
import { SIG_INVALID, SIG_UNKNOWN, SIG_VALID, type EntryStore, type StoredEntry } from './entry-store';

/** Sets `authentic` on every entry that `isIncluded` accepts (others get undefined). */
export async function resolveAuthenticity(
  store: EntryStore,
  isIncluded: (e: StoredEntry) => boolean,
  crypto: CryptoPort,
): Promise<void> {
  const childrenOf = new Map<string, StoredEntry[]>();
  // Undetermined entries, highest seq first, so children are decided before their parents.
  let open: StoredEntry[] = [];
  for (const log of store.authors.values()) {
    for (const list of log.bySeq.values()) {
      for (const e of list) {
        e.authentic = undefined;
        if (!isIncluded(e)) continue;
        open.push(e);
        if (e.env.seq > 1) {
          const kids = childrenOf.get(e.env.prev);
          if (kids) kids.push(e);
          else childrenOf.set(e.env.prev, [e]);
        }
      }
    }
  }
  open.sort((a, b) => b.env.seq - a.env.seq);

  while (open.length > 0) {
    const toVerify: StoredEntry[] = [];
    const stillOpen: StoredEntry[] = [];
    for (const e of open) {
      const decided = decideFromChildren(e, childrenOf.get(e.id));
      if (decided === 'wait') stillOpen.push(e);
      else if (decided === 'check') {
        if (e.sig === SIG_UNKNOWN) {
          toVerify.push(e);
          stillOpen.push(e);
        } else e.authentic = e.sig === SIG_VALID;
      } else e.authentic = true;
    }
    if (toVerify.length > 0) {
      const ok = await verifyMany(
        crypto,
        toVerify.map((e) => ({ publicKey: e.env.authorKey, signature: e.env.signature, message: e.env.signed })),
      );
      toVerify.forEach((e, i) => (e.sig = ok[i] ? SIG_VALID : SIG_INVALID));
    } else if (stillOpen.length === open.length) {
      break; // cannot happen (children always have a higher seq); guards against an endless loop
    }
    open = stillOpen;
  }
}

function decideFromChildren(e: StoredEntry, kids: StoredEntry[] | undefined): 'authentic' | 'check' | 'wait' {
  if (!kids) return 'check';
  let waiting = false;
  for (const k of kids) {
    if (k.authentic === true) return 'authentic';
    if (k.authentic === undefined) waiting = true;
  }
  return waiting ? 'wait' : 'check';
}

/** Checks one entry's own signature (cached); used by the incremental path and fork proofs. */
export async function checkOwnSignature(e: StoredEntry, crypto: CryptoPort): Promise<boolean> {
  if (e.sig === SIG_UNKNOWN) {
    e.sig = (await crypto.verify(e.env.authorKey, e.env.signature, e.env.signed)) ? SIG_VALID : SIG_INVALID;
  }
  return e.sig === SIG_VALID;
}
