// Test helpers for credit: a few keyed authors that sign entries on their own chains at chosen
// times and acks, and a ledger of one economy. Used by kind-vouch.test.ts,
// kind-economy-settings.test.ts and credit.sim.test.ts (never by the app).

import { createEntry, type EntryHead, type SignedEntry } from './create-entry';
import type { CryptoPort, Signer } from './crypto-port';
import { toHex } from './bytes';
import type { KindBodies, KindName } from './kinds';
import { Ledger } from './ledger';
import type { EconomySettings } from './ledger-state';

export const TEST_ECONOMY = 'ec'.repeat(16);

export class TestAuthor {
  readonly id: string;
  head: EntryHead | undefined;

  constructor(readonly signer: Signer, private readonly crypto: CryptoPort) {
    this.id = toHex(signer.publicKey);
  }

  /** Signs the next entry of this author's chain (time must be after its head's). */
  async sign<K extends KindName>(time: number, kind: K, body: KindBodies[K], ack = 0): Promise<SignedEntry> {
    const e = await createEntry(this.signer, this.crypto, { economy: TEST_ECONOMY, ack }, this.head, time, kind, body);
    this.head = { seq: (this.head?.seq ?? 0) + 1, hash: e.id, time };
    return e;
  }
}

export function testLedger(crypto: CryptoPort, founder: string, now: number, initialSettings?: EconomySettings): Ledger {
  return new Ledger({ economy: TEST_ECONOMY, crypto, founder, now: () => now, ...(initialSettings ? { initialSettings } : {}) });
}

/** Waits for the ledger's deferred signature checks, where it has them. */
export async function settled(ledger: Ledger): Promise<Ledger> {
  const l = ledger as Ledger & { whenVerified?: () => Promise<void> };
  if (typeof l.whenVerified === 'function') await l.whenVerified();
  return ledger;
}

/** A ledger fed `entries` in one batch, settled. */
export async function ledgerOf(crypto: CryptoPort, founder: string, now: number, entries: SignedEntry[], initialSettings?: EconomySettings): Promise<Ledger> {
  const l = testLedger(crypto, founder, now, initialSettings);
  await l.addEntries(entries.map((e) => e.bytes));
  return settled(l);
}
