// Shared by the ledger's test files: one economy, three people, and helpers that build entries
// (honest ones through createEntry, hostile ones through signRaw) and reference replays.
import { Ledger, type LedgerOptions } from './ledger';
import { createEntry } from './create-entry';
import { createWebCryptoPort, generateSigner, type Signer } from './crypto-port';
import { appendSignature, encodeSignedPart } from './encoding';
import { parseHex, toHex } from './bytes';

/** The one economy these entries belong to (16 bytes as hex). */
export const ECONOMY = 'ec'.repeat(16);
export const SCOPE = { economy: ECONOMY };

export const subtle = globalThis.crypto.subtle;
export const crypto = createWebCryptoPort(subtle);
export const T0 = 1_700_000_000_000;

export interface People {
  alice: Signer;
  bob: Signer;
  carol: Signer;
  A: string;
  B: string;
  C: string;
}

/** Alice (the founder), Bob and Carol, with fresh keys. */
export async function makePeople(): Promise<People> {
  const [alice, bob, carol] = await Promise.all([generateSigner(subtle), generateSigner(subtle), generateSigner(subtle)]);
  return { alice, bob, carol, A: toHex(alice.publicKey), B: toHex(bob.publicKey), C: toHex(carol.publicKey) };
}

/**
 * Every key has the whole credit limit without a vouch (a newcomer credit above any limit), as
 * before credit had to be vouched for: these tests are about the replay; credit has its own
 * (kind-vouch.test.ts, credit.sim.test.ts).
 */
export const OPEN = { creditLimit: { MH: 10_000, CH: 10_000 }, newcomerCredit: { MH: 10 ** 12, CH: 10 ** 12 } };

export function makeLedger(founder: string, now = T0 + 60_000, tuning: Partial<LedgerOptions> = {}): Ledger & { clock: { now: number } } {
  const clock = { now };
  const ledger = new Ledger({ economy: ECONOMY, crypto, founder, now: () => clock.now, initialSettings: OPEN, ...tuning });
  return Object.assign(ledger, { clock });
}

/** A fresh ledger fed every entry in one batch: the reference the fast paths must match. */
export async function replayInOneBatch(founder: string, entries: Uint8Array[], now = T0 + 60_000): Promise<string> {
  const l = makeLedger(founder, now);
  await l.addEntries(entries);
  await l.whenVerified();
  return l.serialize();
}

/** Signs arbitrary fields, bypassing createEntry's checks, to build hostile entries. */
export async function signRaw(signer: Signer, seq: number, prev: string | undefined, time: number, kindCode: number, body: Uint8Array) {
  const signed = encodeSignedPart({
    economy: parseHex(ECONOMY)!, ack: 0, authorKey: signer.publicKey, seq, prev: prev ? parseHex(prev)! : new Uint8Array(32), time, kindCode, body,
  });
  const bytes = appendSignature(signed, await signer.sign(signed));
  return { id: toHex(await crypto.sha256(bytes)), bytes };
}

export const pay = (to: string, amount: number, currency: 'MH' | 'CH' = 'MH') => ({ to, currency, amount, memo: '' });

export const head = (id: string, seq: number, time: number) => ({ hash: id, seq, time });

/** `n` chained profile entries of `carol`: padding that pushes a batch past the incremental limit. */
export async function profilesOf(carol: Signer, n: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  let h: ReturnType<typeof head> | undefined;
  for (let i = 0; i < n; i++) {
    const p = await createEntry(carol, crypto, SCOPE, h, T0 + 100 + i, 'profile', { name: `Carol ${i}`, colour: '#123456' });
    out.push(p.bytes);
    h = head(p.id, i + 1, T0 + 100 + i);
  }
  return out;
}
