// Test helper: properly signed ledger entries made in Node with the app's own core, to seed an
// economy (through a ledger file) or to play a hostile peer. Expected balances are computed with
// the same core, so a browser showing them has verified and replayed every entry itself.
import { writeFileSync } from 'node:fs';
import {
  createEntry, createWebCryptoPort, generateSigner, Ledger, MAX_AMOUNT_MILLI, toHex, type EntryHead, type KindBodies, type Signer,
} from '../../src/core';
import { economyIdOf } from '../../src/core';
import { hours } from '../../src/ui/format';
import type { EconomyInvite } from '../../src/net/invite';
import { appendSignature, decodeEnvelope, encodeSignedPart } from '../../src/core/encoding';
import { encodeLedgerFile } from '../../src/net/ledger-file';

const subtle = globalThis.crypto.subtle;
export const nodeCrypto = createWebCryptoPort(subtle);

export interface Seed {
  entries: Uint8Array[];
  /** Expected balances "MH CH" in the app's format per account, as the core computes them. */
  balances: Map<string, string>;
}

function format(milli: number, unit: 'MH' | 'CH'): string {
  // As the app's views show amounts, in the locale the e2e browsers use (playwright.config.ts).
  return hours(milli, unit, 'en-US');
}

export interface SeededEconomy extends Seed {
  /** The invite of the seeded economy (founded by a key made in Node, not by a browser person). */
  invite: EconomyInvite;
  /** The founder's key and its chain head after the seed, to write more of its entries. */
  founder: Signer;
  founderHead: EntryHead;
}

/**
 * An economy founded in Node with `count` entries: the founder raises its own credit limit, pays
 * each of `authors` accounts 1,000 MH and 1,000 CH, and the authors then pay each other small
 * amounts (1–5 milli) from those balances, all dated in the past. New accounts get no credit of
 * their own (docs/LEDGER.md), so every payment is covered by what its author received. Join it
 * with `inviteLink(baseURL, seed.invite)` and import `seed.entries` as a ledger file.
 */
export async function seedEconomy(count: number, authors: number, name = 'Seeded economy'): Promise<SeededEconomy> {
  const founder = await generateSigner(subtle);
  const founderId = toHex(founder.publicKey);
  const nonce = toHex(globalThis.crypto.getRandomValues(new Uint8Array(16)));
  const invite: EconomyInvite = { id: economyIdOf(founderId, nonce)!, name, founder: founderId, nonce, secret: 'seeded-economy-secret' };
  const signers: Signer[] = await Promise.all(Array.from({ length: authors }, () => generateSigner(subtle)));
  const heads = new Map<string, { seq: number; hash: string; time: number }>();
  let time = Date.now() - 24 * 3600_000;
  const entries: Uint8Array[] = [];
  // ack 1: every seeded entry was made having seen the founder's settings entry (its seq 1).
  const scope = { economy: invite.id, ack: 1 };
  const sign = async <K extends 'economy-settings' | 'transfer'>(from: Signer, kind: K, body: KindBodies[K]) => {
    const author = toHex(from.publicKey);
    const head = heads.get(author);
    time += 1;
    const entry = await createEntry(from, nodeCrypto, scope, head, time, kind, body);
    heads.set(author, { seq: (head?.seq ?? 0) + 1, hash: entry.id, time });
    entries.push(entry.bytes);
  };
  await sign(founder, 'economy-settings', { creditLimit: { MH: MAX_AMOUNT_MILLI, CH: MAX_AMOUNT_MILLI } });
  for (const s of signers) {
    const to = toHex(s.publicKey);
    await sign(founder, 'transfer', { to, currency: 'MH', amount: 1_000_000, memo: '' });
    await sign(founder, 'transfer', { to, currency: 'CH', amount: 1_000_000, memo: '' });
  }
  // Each author's entries form a chain, so they are signed in order, one after another.
  for (let n = 0; entries.length < count; n++) {
    const from = signers[n % authors]!;
    const k = (n * 7 + 1) % authors;
    const to = toHex(signers[k === n % authors ? (k + 1) % authors : k]!.publicKey); // never oneself
    await sign(from, 'transfer', { to, currency: n % 3 === 0 ? 'CH' : 'MH', amount: 1 + (n % 5), memo: '' });
  }
  const ledger = new Ledger({ crypto: nodeCrypto, economy: invite.id, founder: founderId, now: Date.now });
  const report = await ledger.addEntries(entries);
  if (report.rejected.length || report.pending.length) throw new Error(`seed: ${report.rejected[0]?.reason ?? report.pending[0]?.reason}`);
  const balances = new Map<string, string>();
  for (const [account, b] of ledger.balances) balances.set(account, `${format(b.MH, 'MH')} ${format(b.CH, 'CH')}`);
  return { entries, balances, invite, founder, founderHead: heads.get(founderId)! };
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
  const template = decodeEnvelope((await createEntry(mallory, nodeCrypto, { economy: decoded.entry.economy }, undefined, 1, 'transfer', {
    to: beneficiary, currency: 'MH', amount: 9_000, memo: 'forged',
  })).bytes);
  if (!template.ok) throw new Error(template.error);
  const e = decoded.entry;
  const signed = encodeSignedPart({
    economy: e.signed.subarray(1, 17), ack: e.ack, authorKey: e.authorKey, seq: e.seq + 1, prev: await nodeCrypto.sha256(victimEntry), time: e.time + 1,
    kindCode: template.entry.kindCode, body: template.entry.body,
  });
  return appendSignature(signed, await mallory.sign(signed));
}
