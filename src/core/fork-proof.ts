// Fork proofs: self-contained evidence that an author signed two different entries for one seq.
//
// A proof holds both entries' bytes. Each side also carries "witnesses": when a side's own
// signature does not verify but it is authentic through a signed successor (authenticity.ts),
// the successors up to the first one whose own signature verifies. Honest signers produce valid
// signatures, so witnesses are almost always empty. verifyForkProof needs nothing but the proof.
// Which two entries form the proof when there are more: the two with the lowest ids (any choice
// would do; this one is the same on every peer).

import { toHex } from './bytes';
import { checkOwnSignature } from './authenticity';
import type { CryptoPort } from './crypto-port';
import { decodeEnvelope, type AccountId } from './encoding';
import type { EntryStore, StoredEntry } from './entry-store';

export interface ForkProof {
  author: AccountId;
  seq: number;
  first: Uint8Array;
  second: Uint8Array;
  firstWitnesses: Uint8Array[];
  secondWitnesses: Uint8Array[];
}

export async function buildForkProof(
  store: EntryStore,
  author: AccountId,
  seq: number,
  crypto: CryptoPort,
): Promise<ForkProof | undefined> {
  const candidates = (store.authors.get(author)?.bySeq.get(seq) ?? [])
    .filter((e) => e.authentic)
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  const [a, b] = candidates;
  if (!a || !b) return undefined;
  return {
    author,
    seq,
    first: a.bytes,
    second: b.bytes,
    firstWitnesses: await collectWitnesses(store, a, crypto),
    secondWitnesses: await collectWitnesses(store, b, crypto),
  };
}

async function collectWitnesses(store: EntryStore, e: StoredEntry, crypto: CryptoPort): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  let current = e;
  while (!(await checkOwnSignature(current, crypto))) {
    const next = (store.authors.get(e.env.author)?.bySeq.get(current.env.seq + 1) ?? [])
      .filter((c) => c.authentic && c.env.prev === current.id)
      .sort((x, y) => (x.id < y.id ? -1 : 1))[0];
    if (!next) break;
    out.push(next.bytes);
    current = next;
  }
  return out;
}

/** True when the proof shows two different entries, same author and seq, both signed by the author. */
export async function verifyForkProof(proof: ForkProof, crypto: CryptoPort): Promise<boolean> {
  const sides = [
    [proof.first, ...proof.firstWitnesses],
    [proof.second, ...proof.secondWitnesses],
  ];
  const heads = [];
  let economy: string | undefined; // both sides (and witnesses) must name one economy
  for (const side of sides) {
    let prevId: string | undefined;
    let first: { author: string; seq: number; id: string } | undefined;
    let lastValid = false;
    for (let i = side.length - 1; i >= 0; i--) {
      const d = decodeEnvelope(side[i]!);
      if (!d.ok) return false;
      if ((economy ??= d.entry.economy) !== d.entry.economy) return false;
      const id = toHex(await crypto.sha256(side[i]!));
      if (prevId !== undefined && prevId !== id) return false; // witness must name this entry as prev
      if (i === side.length - 1) lastValid = await crypto.verify(d.entry.authorKey, d.entry.signature, d.entry.signed);
      prevId = d.entry.prev;
      first = { author: d.entry.author, seq: d.entry.seq, id };
      if (d.entry.author !== proof.author || d.entry.seq !== proof.seq + i) return false;
    }
    if (!lastValid || !first) return false;
    heads.push(first);
  }
  return heads[0]!.id !== heads[1]!.id;
}
