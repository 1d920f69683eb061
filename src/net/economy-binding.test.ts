// Finding 1 of issue 7: a member of two economies (or anyone holding an exported ledger file)
// copies Alice's entries from one economy into another. Every entry names its economy in its
// signed bytes, so the copies are refused wherever they arrive — through the shared document or
// a ledger file — and nothing of them is kept, shown, saved or re-published.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createEntry, createWebCryptoPort, economyIdOf, generateSigner, Ledger, toHex } from '../core';
import { createMemoryEntryStore } from './entry-store';
import { decodeLedgerFile, encodeLedgerFile } from './ledger-file';
import { ENTRIES_MAP, LedgerSync } from './ledger-sync';

const crypto = createWebCryptoPort(globalThis.crypto.subtle);
const now = () => 1_750_000_000_000;

async function economyOf(founder: string, nonce: string) {
  const id = economyIdOf(founder, nonce)!;
  const doc = new Y.Doc();
  const store = createMemoryEntryStore();
  const ledger = new Ledger({ crypto, economy: id, founder, now });
  const sync = new LedgerSync({ doc, ledger, crypto, store, economyId: id, now, onChange: () => {}, onProblem: () => {} });
  await sync.loadStored();
  await sync.attach();
  return { id, doc, store, ledger, sync };
}

describe('entries are bound to their economy', () => {
  it('a payment copied from economy X into Y is refused from the document and from a ledger file', async () => {
    const alice = await generateSigner(globalThis.crypto.subtle);
    const bob = await generateSigner(globalThis.crypto.subtle);
    const [A, B] = [toHex(alice.publicKey), toHex(bob.publicKey)];
    const x = await economyOf(A, '11'.repeat(16));
    const y = await economyOf(A, '22'.repeat(16)); // same founder, another economy
    expect(x.id).not.toBe(y.id);
    const paid = await createEntry(alice, crypto, { economy: x.id }, undefined, now() - 1000, 'transfer', { to: B, currency: 'MH', amount: 2500, memo: 'once' });
    await x.sync.publish(paid);
    expect(x.ledger.balanceOf(B).MH).toBe(2500);

    // Through the document: Mallory writes the bytes into Y's document under their id.
    y.doc.transact(() => y.doc.getMap(ENTRIES_MAP).set(paid.id, paid.bytes), 'mallory');
    await y.sync.settled();
    expect(y.ledger.balanceOf(B).MH).toBe(0);
    expect(y.ledger.statusOf(paid.id)).toEqual({ state: 'rejected', reason: `malformed entry: entry of another economy (${x.id})` });
    expect(y.doc.getMap(ENTRIES_MAP).has(paid.id)).toBe(false); // junk: honest peers delete it
    expect(await y.store.load(y.id)).toEqual([]);

    // Through a ledger file exported from X, imported on another member's device in Y.
    const file = decodeLedgerFile(encodeLedgerFile([...x.ledger.validEntries()].map((e) => e.bytes)));
    if (!file.ok) throw new Error(file.error);
    const y2 = await economyOf(A, '22'.repeat(16));
    const report = await y2.sync.importEntries(file.entries);
    expect(report.added).toEqual([]);
    expect(report.rejected.map((r) => r.reason)).toEqual([`malformed entry: entry of another economy (${x.id})`]);
    expect(y2.ledger.balanceOf(B).MH).toBe(0);
    expect(y2.doc.getMap(ENTRIES_MAP).size).toBe(0); // not published
    expect(await y2.store.load(y2.id)).toEqual([]);
  });
});
