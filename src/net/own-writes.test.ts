// The own write path never forks an honest account: a full disk, two tabs, a reload between save
// and publish, leaving and rejoining. Tabs of one browser share one entry store; their documents
// are connected (the BroadcastChannel hop) only when a test says so.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createEntry, createWebCryptoPort, generateSigner, Ledger, nextEntryTime, toHex, type Signer } from '../core';
import { createMemoryEntryStore, type EntryStore } from './entry-store';
import { ENTRIES_MAP, LedgerSync } from './ledger-sync';
import { OwnWriter, type Exclusive } from './own-writes';

const crypto = createWebCryptoPort(globalThis.crypto.subtle);
const ECONOMY = 'ec'.repeat(16);
let clock = 1_750_000_000_000;
const now = () => (clock += 10);
/** Every tab opened by this file: `settle` waits until each has verified what reached it. */
const opened: Tab[] = [];
/** Waits for state, not for time: every tab's document changes verified into its ledger. */
const settle = () => Promise.all(opened.map((tab) => tab.sync.settled()));

interface Tab {
  doc: Y.Doc;
  ledger: Ledger;
  sync: LedgerSync;
  writer: OwnWriter;
  problems: string[];
}

/** A store whose writes throw a quota error while `full` is set, like IndexedDB on a full disk. */
function fillableStore(inner: EntryStore = createMemoryEntryStore()) {
  const quota = () => new Error('This device is out of storage space for hourmesh.', { cause: new DOMException('full', 'QuotaExceededError') });
  const store = {
    full: false,
    ...inner,
    async save(...args: Parameters<EntryStore['save']>) {
      if (store.full) throw quota();
      return inner.save(...args);
    },
    async saveOwn(...args: Parameters<EntryStore['saveOwn']>) {
      if (store.full) throw quota();
      return inner.saveOwn(...args);
    },
  };
  return store;
}

/** One lock shared by the tabs of one simulated browser (what navigator.locks is across tabs). */
function sharedLock(): Exclusive {
  let tail: Promise<unknown> = Promise.resolve();
  return (_name, work) => {
    const run = tail.then(work);
    tail = run.catch(() => undefined);
    return run;
  };
}

async function openTab(signer: Signer, founder: string, store: EntryStore, exclusive?: Exclusive, blocked: () => string | null = () => null): Promise<Tab> {
  const doc = new Y.Doc();
  const ledger = new Ledger({ crypto, economy: ECONOMY, founder, now: () => clock });
  const problems: string[] = [];
  const sync = new LedgerSync({ doc, ledger, crypto, store, economyId: ECONOMY, now: () => clock, onChange: () => {}, onProblem: (m) => problems.push(m) });
  await sync.loadStored();
  await sync.attach();
  const writer = new OwnWriter({
    economyId: ECONOMY, signer, crypto, store, ledger, sync, now, scope: () => ({ economy: ECONOMY }), blocked, exclusive,
  });
  const tab = { doc, ledger, sync, writer, problems };
  opened.push(tab);
  return tab;
}

function connect(a: Y.Doc, b: Y.Doc) {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a), 'remote');
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b), 'remote');
}

async function people() {
  const alice = await generateSigner(globalThis.crypto.subtle);
  const bob = await generateSigner(globalThis.crypto.subtle);
  return { alice, bob, founder: toHex(alice.publicKey), bobId: toHex(bob.publicKey) };
}

const pay = (tab: Tab, to: string, amount: number, memo = '') => tab.writer.write('transfer', { to, currency: 'MH', amount, memo });

describe('own writes', () => {
  it('a full disk: nothing is published, the person reads why, and the next entry takes the seq without a fork', async () => {
    const { alice, founder, bobId } = await people();
    const store = fillableStore();
    const tab = await openTab(alice, founder, store);
    store.full = true;
    const refused = await pay(tab, bobId, 1000, 'too big for the disk');
    expect(refused).toEqual({ ok: false, error: expect.stringMatching(/^Not sent: this device's storage is full/) });
    expect(tab.ledger.headOf(founder)).toBeUndefined();
    expect(tab.doc.getMap(ENTRIES_MAP).size).toBe(0);

    store.full = false;
    const sent = await pay(tab, bobId, 500);
    expect(sent.ok).toBe(true);
    expect(tab.ledger.headOf(founder)?.seq).toBe(1);
    const reloaded = await openTab(alice, founder, store);
    expect(reloaded.ledger.headOf(founder)?.seq).toBe(1);
    expect(reloaded.ledger.forks).toEqual([]);
    expect(reloaded.ledger.balanceOf(bobId).MH).toBe(500);
  });

  it('two tabs: the second builds on the first one\'s entry before its document update arrives', async () => {
    const { alice, founder, bobId } = await people();
    const store = createMemoryEntryStore();
    const lock = sharedLock();
    const [one, two] = [await openTab(alice, founder, store, lock), await openTab(alice, founder, store, lock)];
    const results = await Promise.all([pay(one, bobId, 1000), pay(two, bobId, 2000), pay(one, bobId, 3000)]);
    expect(results.every((r) => r.ok)).toBe(true);
    connect(one.doc, two.doc);
    await settle();
    for (const tab of [one, two]) {
      expect(tab.ledger.forks).toEqual([]);
      expect(tab.ledger.headOf(founder)?.seq).toBe(3);
      expect(tab.ledger.balanceOf(bobId).MH).toBe(6000);
    }
  });

  it('two tabs without any lock: the stored head refuses the second seq, which is rebuilt on the first', async () => {
    const { alice, founder, bobId } = await people();
    const store = createMemoryEntryStore();
    const noLock: Exclusive = (_name, work) => work();
    const [one, two] = [await openTab(alice, founder, store, noLock), await openTab(alice, founder, store, noLock)];
    const results = await Promise.all([pay(one, bobId, 1000), pay(two, bobId, 2000)]);
    expect(results.every((r) => r.ok)).toBe(true);
    connect(one.doc, two.doc);
    await settle();
    expect(two.ledger.forks).toEqual([]);
    expect(two.ledger.balanceOf(bobId).MH).toBe(3000);
  });

  it('a reload between save and publish: the saved entry is published on the next start and the chain goes on', async () => {
    const { alice, founder, bobId } = await people();
    const store = createMemoryEntryStore();
    // The tab died right after saving: the entry and its head are on disk, nowhere else.
    const time = now();
    const entry = await createEntry(alice, crypto, { economy: ECONOMY }, undefined, time, 'transfer', { to: bobId, currency: 'MH', amount: 700, memo: '' });
    expect(await store.saveOwn(ECONOMY, founder, { seq: 1, hash: entry.id, time, bytes: entry.bytes })).toBe('saved');

    const tab = await openTab(alice, founder, store);
    expect(tab.doc.getMap(ENTRIES_MAP).get(entry.id)).toEqual(entry.bytes);
    expect((await pay(tab, bobId, 300)).ok).toBe(true);
    expect(tab.ledger.headOf(founder)?.seq).toBe(2);
    expect(tab.ledger.balanceOf(bobId).MH).toBe(1000);
  });

  it('a stored head the ledger has not seen (another tab, a reload) is adopted before writing', async () => {
    const { alice, founder, bobId } = await people();
    const store = createMemoryEntryStore();
    const tab = await openTab(alice, founder, store);
    // Another tab saved seq 1 after this tab loaded the store; its document update is still on its way.
    const time = now();
    const other = await createEntry(alice, crypto, { economy: ECONOMY }, undefined, time, 'transfer', { to: bobId, currency: 'MH', amount: 100, memo: '' });
    await store.saveOwn(ECONOMY, founder, { seq: 1, hash: other.id, time, bytes: other.bytes });
    expect((await pay(tab, bobId, 200)).ok).toBe(true);
    expect(tab.ledger.headOf(founder)?.seq).toBe(2);
    expect(tab.ledger.forks).toEqual([]);
    expect(tab.doc.getMap(ENTRIES_MAP).get(other.id)).toEqual(other.bytes);
  });

  it('leaving keeps this identity\'s entries and head: rejoining continues the chain, earlier payments stay applied', async () => {
    const { alice, bob, founder, bobId } = await people();
    const carol = await generateSigner(globalThis.crypto.subtle);
    const [aliceStore, bobStore] = [createMemoryEntryStore(), createMemoryEntryStore()];
    const a = await openTab(alice, founder, aliceStore);
    const b = await openTab(bob, founder, bobStore);
    expect((await pay(a, bobId, 1000, 'before leaving')).ok).toBe(true);
    expect((await b.writer.write('profile', { name: 'Bob', colour: '#336699' })).ok).toBe(true);
    connect(a.doc, b.doc);
    await settle();

    await aliceStore.removeEconomy(ECONOMY, founder);
    const kept = await aliceStore.load(ECONOMY);
    expect(kept).toHaveLength(1); // Alice's transfer; Bob's profile is forgotten
    expect(await aliceStore.loadHead(ECONOMY, founder)).toMatchObject({ seq: 1 });

    const rejoined = await openTab(alice, founder, aliceStore);
    expect((await pay(rejoined, toHex(carol.publicKey), 500, 'after rejoining')).ok).toBe(true);
    expect(rejoined.ledger.headOf(founder)?.seq).toBe(2);
    connect(rejoined.doc, b.doc);
    await settle();
    expect(b.ledger.forks).toEqual([]);
    expect(b.ledger.balanceOf(bobId).MH).toBe(1000);
    expect(b.ledger.balanceOf(founder).MH).toBe(-1500);
  });

  it('leaving without a keeper forgets everything, heads included', async () => {
    const { alice, founder, bobId } = await people();
    const store = createMemoryEntryStore();
    const tab = await openTab(alice, founder, store);
    await pay(tab, bobId, 1000);
    await store.removeEconomy(ECONOMY);
    expect(await store.load(ECONOMY)).toEqual([]);
    expect(await store.loadHead(ECONOMY, founder)).toBeUndefined();
  });

  it('a blocked writer (restored key before its first sync) signs nothing, whatever the kind', async () => {
    const { alice, founder } = await people();
    const store = createMemoryEntryStore();
    const tab = await openTab(alice, founder, store, undefined, () => 'wait for a sync');
    expect(await tab.writer.write('economy-settings', { creditLimit: { MH: 1000, CH: 0 } })).toEqual({ ok: false, error: 'wait for a sync' });
    expect(await store.loadHead(ECONOMY, founder)).toBeUndefined();
  });

  it('entries of others that fail to save are kept, reported once, and saved with the next save', async () => {
    const { alice, bob, founder, bobId } = await people();
    const store = fillableStore();
    const mine = await openTab(alice, founder, store);
    const theirs = await openTab(bob, founder, createMemoryEntryStore());
    store.full = true;
    expect((await theirs.writer.write('profile', { name: 'Bob', colour: '#336699' })).ok).toBe(true);
    connect(mine.doc, theirs.doc);
    await settle();
    expect(mine.problems).toHaveLength(1);
    expect(mine.problems[0]).toMatch(/out of storage space.*retried/);
    expect(mine.sync.unsaved).toBe(1);
    expect(mine.ledger.profileOf(bobId)?.name).toBe('Bob');

    store.full = false;
    expect((await theirs.writer.write('profile', { name: 'Bobby', colour: '#336699' })).ok).toBe(true);
    connect(mine.doc, theirs.doc);
    await settle();
    expect(mine.sync.unsaved).toBe(0);
    expect(await store.load(ECONOMY)).toHaveLength(2);
  });
});
