// A hostile member abuses the peer link: junk the sync guard must keep out of every honest
// document (a 1 MB map key, a 1 MB value, another root), raw frames y-protocols cannot parse, and
// junk on the signaling topic. Honest transfers keep flowing and no honest page throws.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { parseInviteLink } from '../src/net/invite';
import { generationAt, generationRoomName } from '../src/net/generations';

const HUGE_KEY_LENGTH = 1_000_000;
const VALID_KEY = 'ab'.repeat(32);

/** Every data channel the page opens or accepts, reachable as `window.__channels`. */
function recordDataChannels() {
  const w = window as unknown as { __channels: RTCDataChannel[]; RTCPeerConnection: typeof RTCPeerConnection };
  w.__channels = [];
  const Original = w.RTCPeerConnection;
  const originalCreate = Original.prototype.createDataChannel;
  Original.prototype.createDataChannel = function (this: RTCPeerConnection, ...args: Parameters<RTCPeerConnection['createDataChannel']>) {
    const channel = originalCreate.apply(this, args);
    w.__channels.push(channel);
    return channel;
  };
  w.RTCPeerConnection = class extends Original {
    constructor(config?: RTCConfiguration) {
      super(config);
      this.addEventListener('datachannel', (event) => w.__channels.push(event.channel));
    }
  };
}

/** What an honest page's economy document holds that Mallory tried to put there. */
function junkIn(page: Page, mallory: { client: number; clock: number }) {
  return page.evaluate(async ({ client, huge, valid }) => {
    const hm = window.hourmesh!;
    const doc = hm.decodeDocument((await hm.economies.active!.session.debugDocument({ op: 'encode' })).value as Uint8Array);
    const entries = doc.getMap('entries');
    const structs = (doc.store.clients.get(client) ?? []) as { id: { clock: number }; length: number }[];
    const last = structs[structs.length - 1];
    const value = entries.get(valid);
    return {
      // How far Mallory's writes got into this document (integrated, not pending).
      malloryClock: last ? last.id.clock + last.length : 0,
      // Her writes arrived as GC structs, not as items an honest peer then deleted (a deleted
      // item keeps its key for good): only GC has no `content` (class names are minified).
      malloryItems: structs.filter((s) => 'content' in s).length,
      hugeKey: entries.has('k'.repeat(huge)),
      hugeValue: value instanceof Uint8Array && value.byteLength > 4096,
      otherRoots: [...doc.share.keys()].filter((name) => name !== 'entries'),
      longestKey: Math.max(0, ...[...entries.keys()].map((k) => k.length)),
    };
  }, { client: mallory.client, huge: HUGE_KEY_LENGTH, valid: VALID_KEY });
}

test('a hostile member’s junk never reaches honest documents, and honest transfers keep flowing', async ({ openPerson }) => {
  const [alice, bob] = [await openPerson('Alice'), await openPerson('Bob')];
  const pageErrors: string[] = [];
  for (const p of [alice, bob]) p.page.on('pageerror', (error) => pageErrors.push(`${p.name}: ${error.message}`));
  for (const p of [alice, bob]) await p.introduce();
  await alice.shell.open('Economy');
  await alice.economy.create('Abused', { limitMH: '5', limitCH: '5' });
  const link = await alice.economy.inviteLink();
  await bob.joinByLink(link);
  await alice.shell.open('Wallet');
  await alice.wallet.waitForMember('Bob');
  await alice.wallet.send({ toName: 'Bob', amount: '2', currency: 'MH', memo: 'before' });
  await alice.wallet.expectSent();
  await expect(bob.wallet.balance('MH')).toHaveText('2 MH', { timeout: 20_000 });

  // Mallory knows the link and plays a modified client: a bare document, no ledger, no guard on
  // what she sends, and a hand on her data channels.
  const mallory = await openPerson('Mallory');
  await mallory.page.addInitScript(recordDataChannels);
  await mallory.page.reload();
  await mallory.page.waitForFunction(() => window.hourmesh !== undefined);
  await mallory.page.evaluate((l) => {
    (window as unknown as { raw: unknown }).raw = window.hourmesh!.openRawDocument(l);
  }, link);
  await expect.poll(() => mallory.page.evaluate(() =>
    (window as unknown as { raw: { doc: import('yjs').Doc } }).raw.doc.getMap('entries').size), { timeout: 20_000 }).toBeGreaterThanOrEqual(3);

  const written = await mallory.page.evaluate(({ huge, valid }) => {
    const { doc } = (window as unknown as { raw: { doc: import('yjs').Doc } }).raw;
    doc.transact(() => {
      doc.getMap('entries').set('k'.repeat(huge), new Uint8Array([1, 2, 3]));
      doc.getMap('entries').set(valid, new Uint8Array(1_000_000).fill(7));
      doc.getMap('junk').set('x', new Uint8Array(4));
    });
    const structs = doc.store.clients.get(doc.clientID)!;
    const last = structs[structs.length - 1]!;
    return { client: doc.clientID, clock: last.id.clock + last.length };
  }, { huge: HUGE_KEY_LENGTH, valid: VALID_KEY });

  // Both honest documents took in Mallory's update (her clock advanced there: no gap, nothing
  // pending) and kept none of it.
  for (const p of [alice, bob]) {
    await expect.poll(async () => (await junkIn(p.page, written)).malloryClock, { timeout: 20_000 }).toBe(written.clock);
    expect(await junkIn(p.page, written)).toEqual({
      malloryClock: written.clock, malloryItems: 0, hugeKey: false, hugeValue: false, otherRoots: [], longestKey: 64,
    });
  }

  // Raw frames y-protocols cannot parse: [1,0,0] then [0,9,9,9], each as one last frame (flag 0).
  const sent = await mallory.page.evaluate(() => {
    const open = (window as unknown as { __channels: RTCDataChannel[] }).__channels.filter((c) => c.readyState === 'open');
    for (const channel of open) {
      channel.send(new Uint8Array([0, 1, 0, 0]));
      channel.send(new Uint8Array([0, 0, 9, 9, 9]));
    }
    return open.length;
  });
  expect(sent).toBeGreaterThanOrEqual(2);

  // Junk on the signaling topic, which anyone who knows the economy's id can publish: a burst of
  // non-envelopes and of well-formed envelopes under another key. The honest flag stays down.
  const parsed = parseInviteLink(link);
  if (!parsed.ok) throw new Error(parsed.error);
  await mallory.page.evaluate(async (topic) => {
    const ws = new WebSocket(`ws://${location.host}/signal`);
    await new Promise((resolve) => ws.addEventListener('open', resolve, { once: true }));
    ws.send(JSON.stringify({ type: 'subscribe', topics: [topic] }));
    const envelope = (bytes: number) => {
      const body = [7, ...new TextEncoder().encode('AES-GCM'), 12, ...new Uint8Array(12), bytes, ...crypto.getRandomValues(new Uint8Array(bytes))];
      return btoa(String.fromCharCode(...body));
    };
    for (let i = 0; i < 5; i++) {
      ws.send(JSON.stringify({ type: 'publish', topic, data: 'not an envelope' }));
      ws.send(JSON.stringify({ type: 'publish', topic, data: envelope(76) }));
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    ws.close();
  }, generationRoomName(parsed.invite.id, generationAt(Date.now())));

  // Honest transfers still arrive, after all of it.
  await bob.wallet.waitForMember('Alice');
  await bob.wallet.send({ toName: 'Alice', amount: '0.5', currency: 'MH', memo: 'after' });
  await bob.wallet.expectSent();
  await expect(alice.wallet.balance('MH')).toHaveText('-1.5 MH', { timeout: 20_000 });
  for (const p of [alice, bob]) {
    expect(await p.page.evaluate(() => window.hourmesh!.economies.active!.session.roomStatus.secretMismatch)).toBe(false);
    expect((await junkIn(p.page, written)).hugeKey).toBe(false);
  }
  expect(pageErrors).toEqual([]);
});
