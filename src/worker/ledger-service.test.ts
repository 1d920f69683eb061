// The ledger worker's service, in-process: two browsers (two services), each a page that talks to
// it only through the API (ledger-api.ts), with the rooms' links replaced by an in-memory relay
// that carries exactly the bytes a data channel would. What a page can rely on: its first view
// holds the stored entries; writes come back with the view that shows them; a late joiner gets
// everything through sync step 1 / step 2; updates flow both ways; hostile bytes are guarded.
import { describe, expect, it, vi } from 'vitest';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { createWebCryptoPort, generateSigner, LedgerView, toHex, type Signer } from '../core';
import { createMemoryEntryStore, type EntryStore } from '../net/entry-store';
import type { EconomyRecord } from '../net/db';
import { LedgerService } from './ledger-service';
import { inProcessLedger, type LedgerClient } from './ledger-client';
import type { HostEvent, RelayAnswer, ViewEvent } from './ledger-api';

const crypto = createWebCryptoPort(globalThis.crypto.subtle);
const ECONOMY = 'e'.repeat(32);
const now = () => Date.now();

interface Tab {
  client: LedgerClient;
  tab: string;
  events: HostEvent[];
  view(): LedgerView;
  me: string;
}

function record(founder: string): EconomyRecord {
  return { id: ECONOMY, name: 'Test', founder, nonce: '00', secret: 's', joinedAt: 0 };
}

async function openTab(service: LedgerService, signer: Signer, founder: string): Promise<Tab> {
  const client = inProcessLedger(service);
  const events: HostEvent[] = [];
  const me = toHex(signer.publicKey);
  const tab = await client.open({ record: record(founder), me, persistDocument: false, key: signer }, (e) => events.push(e));
  await vi.waitFor(() => expect(events.some((e) => e.type === 'view')).toBe(true));
  const view = () => {
    const last = [...events].reverse().find((e): e is ViewEvent => e.type === 'view')!;
    return new LedgerView(last.snapshot, now);
  };
  return { client, tab, events, view, me };
}

function service(entries: EntryStore = createMemoryEntryStore()): LedgerService {
  return new LedgerService({ crypto, entries: async () => entries, now, debug: true });
}

/**
 * Links two tabs' generation rooms the way two pages' data channel would: A's step 1 to B and B's
 * to A, answers back, then every update event of one side to the other (not back to its sender).
 */
async function link(a: Tab, b: Tab, generation: number): Promise<() => void> {
  let open = true;
  const forward = (from: Tab, to: Tab, name: string) => {
    let seen = from.events.length;
    const timer = setInterval(() => {
      if (!open) return;
      for (; seen < from.events.length; seen++) {
        const e = from.events[seen]!;
        if (e.type === 'update' && e.generation === generation && e.except !== `${from.tab}/${name}`) {
          void to.client.receive(ECONOMY, generation, `${to.tab}/${name}`, e.update.slice());
        }
      }
    }, 5);
    return () => clearInterval(timer);
  };
  const stopAB = forward(a, b, 'from-a');
  const stopBA = forward(b, a, 'from-b');
  for (const [from, to, name] of [[a, b, 'from-a'], [b, a, 'from-b']] as const) {
    const step1 = (await from.client.syncStep1(ECONOMY, generation))!;
    const answer = await to.client.receive(ECONOMY, generation, `${to.tab}/${name}`, step1);
    // The step 2 goes back on the same link, to the side that asked.
    const back = name === 'from-a' ? 'from-b' : 'from-a';
    let got: RelayAnswer = {};
    for (const reply of answer.replies!) got = await from.client.receive(ECONOMY, generation, `${from.tab}/${back}`, reply);
    expect(got.step2).toBe(true);
  }
  return () => {
    open = false;
    stopAB();
    stopBA();
  };
}

function generationOf(tab: Tab): number {
  const g = [...tab.events].reverse().find((e) => e.type === 'generations');
  if (!g || g.type !== 'generations') throw new Error('no generations event');
  return g.list[g.list.length - 1]!;
}

describe('LedgerService (the ledger worker, in-process)', () => {
  it('a founder writes, a late joiner syncs through relayed step 1 / step 2 and sees the same balances; a member writes back', async () => {
    const [founderKey, bobKey] = await Promise.all([generateSigner(globalThis.crypto.subtle), generateSigner(globalThis.crypto.subtle)]);
    const founderId = toHex(founderKey.publicKey);
    const alice = await openTab(service(), founderKey, founderId);
    const bobId = toHex(bobKey.publicKey);
    for (let i = 1; i <= 5; i++) {
      const { result, viewSeq } = await alice.client.write(ECONOMY, 'transfer', { to: bobId, currency: 'MH', amount: 100 * i, memo: `#${i}` });
      expect(result).toEqual({ ok: true, entryId: expect.stringMatching(/^[0-9a-f]{64}$/) });
      // The answer names a view that holds the write, and that view has been sent.
      await vi.waitFor(() => expect(alice.events.some((e) => e.type === 'view' && e.seq >= viewSeq)).toBe(true));
    }
    expect(alice.view().balanceOf(bobId).MH).toBe(1_500);
    expect(alice.view().historyOf(founderId)).toHaveLength(5);

    const bob = await openTab(service(), bobKey, founderId);
    expect(bob.view().entryCount).toBe(0);
    const generation = generationOf(alice);
    expect(generationOf(bob)).toBe(generation);
    const unlink = await link(alice, bob, generation);
    await vi.waitFor(() => expect(bob.view().entryCount).toBe(5), { timeout: 5_000 });
    expect(bob.view().balanceOf(bobId)).toEqual(alice.view().balanceOf(bobId));
    // Bob's own history travels to his page; Alice's stays in the worker.
    expect(bob.view().historyOf(bobId)).toHaveLength(5);
    expect(bob.view().historyOf(founderId)).toEqual([]);

    const { result } = await bob.client.write(ECONOMY, 'transfer', { to: founderId, currency: 'MH', amount: 250, memo: 'back' });
    expect(result.ok).toBe(true);
    await vi.waitFor(() => expect(alice.view().balanceOf(bobId).MH).toBe(1_250), { timeout: 5_000 });
    unlink();
    await alice.client.close(ECONOMY, alice.tab);
    await bob.client.close(ECONOMY, bob.tab);
  });

  it('two tabs of one browser share one ledger: the second gets the view at once, and both see a write', async () => {
    const key = await generateSigner(globalThis.crypto.subtle);
    const me = toHex(key.publicKey);
    const shared = service();
    const first = await openTab(shared, key, me);
    await first.client.write(ECONOMY, 'profile', { name: 'Ann', colour: '#123456' });
    const second = await openTab(shared, key, me);
    expect(second.view().profileOf(me)).toEqual({ name: 'Ann', colour: '#123456' });
    await second.client.write(ECONOMY, 'transfer', { to: 'a'.repeat(64), currency: 'MH', amount: 500, memo: '' });
    await vi.waitFor(() => expect(first.view().balanceOf(me).MH).toBe(-500));
    // Closing one tab keeps the ledger for the other.
    await first.client.close(ECONOMY, first.tab);
    const { result } = await second.client.write(ECONOMY, 'transfer', { to: 'a'.repeat(64), currency: 'MH', amount: 500, memo: '' });
    expect(result.ok).toBe(true);
    await second.client.close(ECONOMY, second.tab);
    const { result: closed } = await second.client.write(ECONOMY, 'transfer', { to: 'a'.repeat(64), currency: 'MH', amount: 500, memo: '' });
    expect(closed).toEqual({ ok: false, error: 'Not sent: this economy is not open any more.' });
  });

  it('hostile relayed bytes are guarded in the worker: junk keys never reach the ledger, garbage is refused with a reason', async () => {
    const key = await generateSigner(globalThis.crypto.subtle);
    const me = toHex(key.publicKey);
    const tab = await openTab(service(), key, me);
    const generation = generationOf(tab);
    // Not even a sync message.
    expect((await tab.client.receive(ECONOMY, generation, `${tab.tab}/x`, new Uint8Array([0, 7, 1, 2]))).problem).toMatch(/sync guard dropped/);
    // A well-formed update writing a value outside the schema: rewritten, nothing applied.
    const mallory = new Y.Doc();
    mallory.getMap('entries').set('not-an-entry-id', new Uint8Array([1, 2, 3]));
    mallory.getMap('other-root').set('x', 1);
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 0);
    syncProtocol.writeUpdate(encoder, Y.encodeStateAsUpdate(mallory));
    const answer = await tab.client.receive(ECONOMY, generation, `${tab.tab}/x`, encoding.toUint8Array(encoder));
    expect(answer.problem).toMatch(/sync guard/);
    const keys = (await tab.client.debugDocument(ECONOMY, generation, { op: 'keys' })).keys;
    expect(keys).toEqual([]);
    const roots = (await tab.client.debugDocument(ECONOMY, generation, { op: 'roots' })).keys;
    expect(roots).not.toContain('other-root');
    // A step 1 repeated on one link within the rate limit is dropped (as on a page before).
    const step1 = (await tab.client.syncStep1(ECONOMY, generation))!;
    expect((await tab.client.receive(ECONOMY, generation, `${tab.tab}/y`, step1)).replies).toBeDefined();
    expect((await tab.client.receive(ECONOMY, generation, `${tab.tab}/y`, step1)).problem).toMatch(/repeated too soon/);
    // A generation the worker does not follow.
    expect((await tab.client.receive(ECONOMY, generation + 5, `${tab.tab}/z`, step1)).problem).toMatch(/not followed/);
    await tab.client.close(ECONOMY, tab.tab);
  });

  it('a production build refuses the debug calls (they can read and change the worker\'s state)', async () => {
    const key = await generateSigner(globalThis.crypto.subtle);
    const production = new LedgerService({ crypto, entries: async () => createMemoryEntryStore(), now, debug: false });
    const tab = await openTab(production, key, toHex(key.publicKey));
    await expect(tab.client.debugDocument(ECONOMY, null, { op: 'keys' })).rejects.toThrow(/refused in a production build/);
    await expect(tab.client.debugCorrupt(ECONOMY, { flows: [] })).rejects.toThrow(/refused in a production build/);
    await tab.client.close(ECONOMY, tab.tab);
  });

  it('a reopened economy shows its stored entries in the first view, before any peer', async () => {
    const key = await generateSigner(globalThis.crypto.subtle);
    const me = toHex(key.publicKey);
    const store = createMemoryEntryStore();
    const first = await openTab(service(store), key, me);
    await first.client.write(ECONOMY, 'transfer', { to: 'b'.repeat(64), currency: 'MH', amount: 750, memo: '' });
    await first.client.close(ECONOMY, first.tab);
    const again = await openTab(service(store), key, me);
    expect(again.view().balanceOf(me).MH).toBe(-750);
    expect(again.view().entryCount).toBe(1);
    await again.client.close(ECONOMY, again.tab);
  });
});
