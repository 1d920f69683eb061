// Test helper: properly signed ledger entries made in Node with the app's own core, to seed an
// economy (through a ledger file) or to play a hostile peer. Expected balances are computed with
// the same core, so a browser showing them has verified and replayed every entry itself.
import { writeFileSync } from 'node:fs';
import { createEntry, createWebCryptoPort, formatAmount, generateSigner, Ledger, toHex, type Signer } from '../../src/core';
import { appendSignature, decodeEnvelope, encodeSignedPart } from '../../src/core/encoding';
import { encodeLedgerFile } from '../../src/net/ledger-file';

const subtle = globalThis.crypto.subtle;
export const nodeCrypto = createWebCryptoPort(subtle);

export interface Seed {
  entries: Uint8Array[];
  /** Expected balances "MH CH" in the app's format per account, as the core computes them. */
  balances: Map<string, string>;
}

function format(milli: number, unit: string): string {
  return `${formatAmount(milli)} ${unit}`; // as the app's views show amounts
}

/** `count` small transfers among `authors` accounts, dated in the past, all within credit limits. */
export async function seedTransfers(count: number, authors: number, founder: string): Promise<Seed> {
  const signers: Signer[] = await Promise.all(Array.from({ length: authors }, () => generateSigner(subtle)));
  const heads = new Map<string, { seq: number; hash: string; time: number }>();
  const start = Date.now() - 24 * 3600_000;
  const entries: Uint8Array[] = [];
  // Each author's entries form a chain, so they are signed in order, one after another.
  for (let n = 0; n < count; n++) {
    const from = signers[n % authors]!;
    const author = toHex(from.publicKey);
    const k = (n * 7 + 1) % authors;
    const to = toHex(signers[k === n % authors ? (k + 1) % authors : k]!.publicKey); // never oneself
    const head = heads.get(author);
    const time = start + n;
    const entry = await createEntry(from, nodeCrypto, head, time, 'transfer', {
      to, currency: n % 3 === 0 ? 'CH' : 'MH', amount: 1 + (n % 5), memo: '',
    });
    heads.set(author, { seq: (head?.seq ?? 0) + 1, hash: entry.id, time });
    entries.push(entry.bytes);
  }
  const ledger = new Ledger({ crypto: nodeCrypto, founder, now: Date.now });
  await ledger.addEntries(entries);
  const balances = new Map<string, string>();
  for (const [account, b] of ledger.balances) balances.set(account, `${format(b.MH, 'MH')} ${format(b.CH, 'CH')}`);
  return { entries, balances };
}

export function writeLedgerFile(path: string, entries: readonly Uint8Array[]): void {
  writeFileSync(path, encodeLedgerFile(entries));
}

/** The same entry with one signature byte changed: a forgery of its author. */
export function tamperSignature(bytes: Uint8Array): Uint8Array {
  const forged = bytes.slice();
  forged[forged.length - 1] = forged[forged.length - 1]! ^ 0x5a;
  return forged;
}

/**
 * The next entry of `victimEntry`'s author (a big transfer to `beneficiary`), signed with another
 * key: what a peer who knows the room secret but not the victim's key could write.
 */
export async function resignedByWrongKey(victimEntry: Uint8Array, beneficiary: string): Promise<Uint8Array> {
  const decoded = decodeEnvelope(victimEntry);
  if (!decoded.ok) throw new Error(decoded.error);
  const mallory = await generateSigner(subtle);
  const template = decodeEnvelope((await createEntry(mallory, nodeCrypto, undefined, 1, 'transfer', {
    to: beneficiary, currency: 'MH', amount: 9_000, memo: 'forged',
  })).bytes);
  if (!template.ok) throw new Error(template.error);
  const e = decoded.entry;
  const signed = encodeSignedPart({
    authorKey: e.authorKey, seq: e.seq + 1, prev: await nodeCrypto.sha256(victimEntry), time: e.time + 1,
    kindCode: template.entry.kindCode, body: template.entry.body,
  });
  return appendSignature(signed, await mallory.sign(signed));
}
