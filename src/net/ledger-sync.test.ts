import { describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { createEntry, createWebCryptoPort, generateSigner, Ledger, nextEntryTime, toHex, type Signer } from '../core';
import { createMemoryEntryStore, type EntryStore } from './entry-store';
import { ENTRIES_MAP, LedgerSync } from './ledger-sync';
import { sliceUpdate } from './update-slices';

const crypto = createWebCryptoPort(globalThis.crypto.subtle);
const ECONOMY = 'e'.repeat(32);
const SCOPE = { economy: ECONOMY };
let clock = 1_750_000_000_000;
const now = () => clock;

interface TestPeer {
  doc: Y.Doc;
  ledger: Ledger;
  store: EntryStore;
  sync: LedgerSync;
  problems: string[];
}

async function makePeer(founder: string, store: EntryStore = createMemoryEntryStore()): Promise<TestPeer> {
  const doc = new Y.Doc();
  const ledger = new Ledger({ economy: ECONOMY, crypto, founder, now });
  const problems: string[] = [];
  const sync = new LedgerSync({ doc, ledger, crypto, store, economyId: ECONOMY, now, onChange: () => {}, onProblem: (m) => problems.push(m) });
  await sync.loadStored();
  await sync.attach();
  return { doc, ledger, store, sync, problems };
}

/** Two-way full-state exchange, as y-webrtc's sync step does between two connected peers. */
function connect(a: Y.Doc, b: Y.Doc) {
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a), 'remote');
  Y.applyUpdate(a, Y.encodeStateAsUpdate(b), 'remote');
}

/**
 * Waits until the expectations hold: verification, replay and the disk write run in the
 * background, and on a busy machine take longer than any fixed pause. A negative expectation
 * (nothing changed) is only checked after a positive one showed the change was processed.
 */
const eventually = (check: () => void | Promise<void>) => vi.waitFor(check, { timeout: 10_000, interval: 10 });

async function transfer(peer: TestPeer, signer: Signer, to: Signer, amount: number) {
  const author = toHex(signer.publicKey);
  clock += 1000;
  const head = peer.ledger.headOf(author);
  const time = nextEntryTime(head, now());
  const entry = await createEntry(signer, crypto, SCOPE, head, time, 'transfer', {
    to: toHex(to.publicKey), currency: 'MH', amount, memo: 'thanks',
  });
  // Durable before published, as own-writes.ts does it.
  await peer.store.saveOwn(ECONOMY, author, { seq: (head?.seq ?? 0) + 1, hash: entry.id, time, bytes: entry.bytes });
  await peer.sync.publish(entry);
  return entry;
}

describe('ledger sync over a shared document', () => {
  it('replicates a published transfer, which the receiver verifies and keeps', async () => {
    const alice = await generateSigner(globalThis.crypto.subtle);
    const bob = await generateSigner(globalThis.crypto.subtle);
    const founder = toHex(alice.publicKey);
    const a = await makePeer(founder);
    const b = await makePeer(founder);
    const entry = await transfer(a, alice, bob, 1500);
    connect(a.doc, b.doc);
    await eventually(async () => {
      expect(b.ledger.balanceOf(toHex(bob.publicKey)).MH).toBe(1500);
      expect(b.ledger.balanceOf(founder).MH).toBe(-1500);
      expect(await b.store.load(ECONOMY)).toEqual([entry.bytes]);
    });
  });

  it('shows stored balances before any peer, and re-publishes entries the document lost', async () => {
    const alice = await generateSigner(globalThis.crypto.subtle);
    const bob = await generateSigner(globalThis.crypto.subtle);
    const founder = toHex(alice.publicKey);
    const store = createMemoryEntryStore();
    const first = await makePeer(founder, store);
    const entry = await transfer(first, alice, bob, 700);
    // A reload: a fresh ledger and an empty document, the same store.
    const again = await makePeer(founder, store);
    expect(again.ledger.balanceOf(toHex(bob.publicKey)).MH).toBe(700);
    expect(again.doc.getMap(ENTRIES_MAP).get(entry.id)).toEqual(entry.bytes);
  });

  it('ignores garbage and forgeries, reports them, and restores deleted or overwritten entries', async () => {
    const alice = await generateSigner(globalThis.crypto.subtle);
    const bob = await generateSigner(globalThis.crypto.subtle);
    const founder = toHex(alice.publicKey);
    const honest = await makePeer(founder);
    const entry = await transfer(honest, alice, bob, 2000);
    const balances = () => JSON.stringify([...honest.ledger.balances]);
    const before = balances();

    // A forgery: Alice's transfer with its signature altered.
    const forged = entry.bytes.slice();
    forged[forged.length - 1]! ^= 0xff;
    const hostile = new Y.Doc();
    Y.applyUpdate(hostile, Y.encodeStateAsUpdate(honest.doc));
    const map = hostile.getMap<unknown>(ENTRIES_MAP);
    hostile.transact(() => {
      map.set('garbage', new Uint8Array([1, 2, 3]));
      map.set('text', 'not bytes');
      map.set(toHex(new Uint8Array(32)), forged);
      map.delete(entry.id);
    });
    Y.applyUpdate(honest.doc, Y.encodeStateAsUpdate(hostile), 'remote');
    await eventually(() => {
      const reasons = honest.sync.diagnostics.map((d) => `${d.key}: ${d.reason}`).join('\n');
      expect(reasons).toMatch(/text: not an entry/);
      expect(reasons).toMatch(/malformed/);
      expect(reasons).toMatch(/invalid signature/);
      expect(reasons).toMatch(/stored under a key that is not its hash/);
      expect(honest.doc.getMap(ENTRIES_MAP).get(entry.id)).toEqual(entry.bytes);
    });
    await honest.sync.settled();
    expect(balances()).toBe(before);
    // What can never be an entry under its key is removed, so the document does not keep growing.
    expect([...honest.doc.getMap(ENTRIES_MAP).keys()].sort()).toEqual([...honest.ledger.validEntries()].map((e) => e.id).sort());

    // Overwriting the value under a valid id is undone too.
    hostile.transact(() => map.set(entry.id, new Uint8Array([9])));
    Y.applyUpdate(honest.doc, Y.encodeStateAsUpdate(hostile), 'remote');
    await eventually(() => expect(honest.doc.getMap(ENTRIES_MAP).get(entry.id)).toEqual(entry.bytes));
    await honest.sync.settled();
    expect(balances()).toBe(before);
  });

  it('reports a full disk without losing a received entry', async () => {
    const alice = await generateSigner(globalThis.crypto.subtle);
    const bob = await generateSigner(globalThis.crypto.subtle);
    const full: EntryStore = { ...createMemoryEntryStore(), save: async () => { throw new Error('This device is out of storage space for hourmesh.'); } };
    const sender = await makePeer(toHex(alice.publicKey));
    const peer = await makePeer(toHex(alice.publicKey), full);
    const entry = await transfer(sender, alice, bob, 100);
    connect(sender.doc, peer.doc);
    await eventually(() => expect(peer.problems[0]).toMatch(/out of storage space/));
    expect(peer.ledger.balanceOf(toHex(bob.publicKey)).MH).toBe(100);
    expect(peer.doc.getMap(ENTRIES_MAP).get(entry.id)).toEqual(entry.bytes);
  });

  it('keeps a signed entry dated ahead of its clock, and restores it if it vanishes before its time', async () => {
    const alice = await generateSigner(globalThis.crypto.subtle);
    const bob = await generateSigner(globalThis.crypto.subtle);
    const founder = toHex(alice.publicKey);
    const store = createMemoryEntryStore();
    const peer = await makePeer(founder, store);
    // Alice's device clock runs an hour ahead of this peer's.
    const early = await createEntry(alice, crypto, SCOPE, undefined, clock + 3_600_000, 'transfer', {
      to: toHex(bob.publicKey), currency: 'MH', amount: 500, memo: 'from the future',
    });
    const remote = new Y.Doc();
    remote.getMap(ENTRIES_MAP).set(early.id, early.bytes);
    Y.applyUpdate(peer.doc, Y.encodeStateAsUpdate(remote), 'remote');
    await eventually(async () => {
      expect(peer.ledger.statusOf(early.id)?.state).toBe('pending');
      expect(await store.load(ECONOMY)).toEqual([early.bytes]);
    });
    expect(peer.ledger.balanceOf(toHex(bob.publicKey)).MH).toBe(0);

    remote.transact(() => remote.getMap(ENTRIES_MAP).delete(early.id));
    Y.applyUpdate(peer.doc, Y.encodeStateAsUpdate(remote), 'remote');
    await eventually(() => expect(peer.doc.getMap(ENTRIES_MAP).get(early.id)).toEqual(early.bytes));
  });
});

describe('a held document (a peer sends its document in slices)', () => {
  it('counts what arrives, verifies nothing until the hold ends, then verifies all of it as one batch', async () => {
    const alice = await generateSigner(globalThis.crypto.subtle);
    const bob = await generateSigner(globalThis.crypto.subtle);
    const founder = toHex(alice.publicKey);
    const a = await makePeer(founder);
    for (let i = 1; i <= 40; i++) await transfer(a, alice, bob, i);
    const b = await makePeer(founder);
    const adds = vi.spyOn(b.ledger, 'addEntries');
    const link = { link: 'alice' };
    b.sync.hold(b.doc, link, true);
    const slices = sliceUpdate(Y.encodeStateAsUpdate(a.doc), 2_048);
    expect(slices.length).toBeGreaterThan(3);
    for (const slice of slices) {
      Y.applyUpdate(b.doc, slice, link);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await eventually(() => expect(b.sync.receiving).toBe(40));
    expect(adds).not.toHaveBeenCalled();
    expect(b.ledger.balanceOf(toHex(bob.publicKey)).MH).toBe(0);
    // settled() means "everything seen is verified": it waits for the hold to end.
    let settled = false;
    const done = b.sync.settled().then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    b.sync.hold(b.doc, link, false);
    await done;
    expect(adds).toHaveBeenCalledTimes(1);
    expect(adds.mock.calls[0]![0]).toHaveLength(40);
    expect(b.ledger.balanceOf(toHex(bob.publicKey)).MH).toBe(820);
    expect(b.sync.receiving).toBe(0);
    await eventually(async () => expect(await b.store.load(ECONOMY)).toHaveLength(40));
  });

  it('a document removed while held wakes settled() and keeps nothing waiting', async () => {
    const alice = await generateSigner(globalThis.crypto.subtle);
    const bob = await generateSigner(globalThis.crypto.subtle);
    const founder = toHex(alice.publicKey);
    const a = await makePeer(founder);
    await transfer(a, alice, bob, 5);
    const b = await makePeer(founder);
    const link = { link: 'alice' };
    b.sync.hold(b.doc, link, true);
    Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(a.doc), link);
    await eventually(() => expect(b.sync.receiving).toBe(1));
    const done = b.sync.settled();
    b.sync.removeDocument(b.doc);
    await done;
    expect(b.sync.receiving).toBe(0);
  });

  it('holds only what the holding peer brings: another peer\'s entries are verified meanwhile', async () => {
    const alice = await generateSigner(globalThis.crypto.subtle);
    const bob = await generateSigner(globalThis.crypto.subtle);
    const founder = toHex(alice.publicKey);
    const a = await makePeer(founder);
    await transfer(a, alice, bob, 5);
    // Another peer, with an entry of its own that depends on nothing a holds: Bob names himself.
    const c = await makePeer(founder);
    clock += 1000;
    const profile = await createEntry(bob, crypto, SCOPE, undefined, now(), 'profile', { name: 'Bob', colour: '#123456' });
    await c.store.saveOwn(ECONOMY, toHex(bob.publicKey), { seq: 1, hash: profile.id, time: now(), bytes: profile.bytes });
    await c.sync.publish(profile);
    const b = await makePeer(founder);
    // A peer that starts sending its document and never finishes holds only its own bytes.
    const stalling = { link: 'stalling' };
    b.sync.hold(b.doc, stalling, true);
    Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(a.doc), stalling);
    Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(c.doc), { link: 'honest' });
    await eventually(() => expect(b.ledger.profileOf(toHex(bob.publicKey))?.name).toBe('Bob'));
    expect(b.ledger.balanceOf(toHex(bob.publicKey)).MH).toBe(0);
    expect(b.sync.receiving).toBe(1);
    b.sync.hold(b.doc, stalling, false);
    await eventually(() => expect(b.ledger.balanceOf(toHex(bob.publicKey)).MH).toBe(5));
  });
});
