// Document generations shed tombstones (src/net/generations.ts): the shared document is rotated
// and refilled from the honest peers' stores, so junk a hostile member wrote (and honest peers
// deleted) never reaches a later generation. Generations last GENERATION_MS here instead of a
// week: the test build reads `__hourmeshGenerations`, set before the page loads in every context.
import type { Browser, BrowserContext } from '@playwright/test';
import { expect, Person, test as base } from './fixtures';

const GENERATION_MS = 40_000;
const OVERLAP_MS = 6_000;
const JUNK = 300;

const test = base.extend<{ openShortLived: (name: string) => Promise<Person> }>({
  openShortLived: async ({ browser }: { browser: Browser }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async (name) => {
      const context = await browser.newContext();
      contexts.push(context);
      await context.addInitScript((clock) => {
        (globalThis as { __hourmeshGenerations?: unknown }).__hourmeshGenerations = clock;
      }, { generationMs: GENERATION_MS, overlapMs: OVERLAP_MS });
      const page = await context.newPage();
      page.on('pageerror', (error) => console.log(`[${name}] page error: ${error.message}`));
      await page.goto('/');
      return new Person(name, context, page);
    });
    await Promise.all(contexts.map((c) => c.close()));
  },
});



/** What a document generation a person follows holds: entries, tombstones, junk items, bytes. */
function census(person: Person, junkKeys: string[]) {
  return person.page.evaluate(async (junk) => {
    const hm = window.hourmesh!;
    const session = hm.economies.active!.session;
    const newest = Math.max(...session.generations);
    const doc = hm.decodeDocument((await session.debugDocument({ op: 'encode' }, newest)).value as Uint8Array);
    const junkSet = new Set(junk);
    let tombstones = 0;
    let junkItems = 0;
    for (const structs of doc.store.clients.values()) {
      for (const s of structs as unknown as Array<{ deleted: boolean; length: number; parentSub?: string | null }>) {
        if (s.deleted) tombstones += s.length;
        if (s.parentSub && junkSet.has(s.parentSub)) junkItems++;
      }
    }
    const verified = (await session.debugDocument({ op: 'entry-ids' })).keys!;
    const keys = new Set(doc.getMap('entries').keys());
    return {
      generation: newest,
      tombstones,
      junkItems,
      entries: keys.size,
      missing: verified.filter((id) => !keys.has(id)).length,
      verified: verified.length,
    };
  }, junkKeys);
}

test('junk a hostile member wrote is shed when the document rotates; a late joiner downloads none of it', async ({ openShortLived }) => {
  test.setTimeout(240_000);
  const [alice, bob] = [await openShortLived('Alice'), await openShortLived('Bob')];
  for (const p of [alice, bob]) await p.introduce();
  const ids = { alice: await alice.accountId(), bob: await bob.accountId() };
  await alice.shell.open('Economy');
  await alice.economy.create('Rotating');
  const link = await alice.economy.inviteLink();
  await bob.joinByLink(link);
  await alice.shell.open('Wallet');
  await alice.wallet.waitForMember('Bob');
  await alice.wallet.send({ toName: 'Bob', amount: '3', currency: 'MH', memo: 'before the junk' });
  await alice.wallet.expectSent();
  await bob.shell.open('Economy');
  await expect.poll(() => bob.economy.balanceOf(ids.bob), { timeout: 20_000 }).toBe('3 MH 0 CH');
  await alice.shell.open('Economy');
  const honestRows = async (p: Person) => (await p.economy.balanceRows()).filter((r) => r.startsWith(ids.alice) || r.startsWith(ids.bob));
  const honest = await honestRows(alice);
  expect(honest).toHaveLength(2);
  await expect.poll(() => honestRows(bob)).toEqual(honest);

  // Mallory joins one generation with a bare document, early in it (so the honest peers stay in
  // it while they delete her junk), and writes JUNK values under 64-hex keys.
  const mallory = await openShortLived('Mallory');
  await mallory.page.waitForFunction(() => window.hourmesh !== undefined);
  // Just after the previous generation's overlap ends: by then the honest peers have refilled
  // this one (they entered it OVERLAP_MS before it began), and they stay in it for a whole
  // generation while Mallory writes and they delete.
  const sinceStart = await mallory.page.evaluate((g) => Date.now() % g, GENERATION_MS);
  const wait = OVERLAP_MS + 500 - sinceStart;
  await mallory.page.waitForTimeout(wait >= 0 ? wait : wait + GENERATION_MS);
  const junkGeneration = await mallory.page.evaluate((l) => {
    const raw = window.hourmesh!.openRawDocument(l);
    (window as unknown as { raw: unknown }).raw = raw;
    return raw.generation;
  }, link);
  await expect.poll(() => mallory.page.evaluate(() =>
    (window as unknown as { raw: { doc: import('yjs').Doc } }).raw.doc.getMap('entries').size), { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
  const junkKeys = await mallory.page.evaluate((count) => {
    const { doc } = (window as unknown as { raw: { doc: import('yjs').Doc } }).raw;
    const map = doc.getMap('entries');
    const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
    const keys: string[] = [];
    doc.transact(() => {
      for (let i = 0; i < count; i++) {
        const key = hex(crypto.getRandomValues(new Uint8Array(32)));
        keys.push(key);
        map.set(key, crypto.getRandomValues(new Uint8Array(60)));
      }
    });
    return keys;
  }, JUNK);
  // The honest peers delete it: in Mallory's copy of that generation it is now tombstones.
  await expect.poll(() => mallory.page.evaluate((keys) => {
    const { doc } = (window as unknown as { raw: { doc: import('yjs').Doc } }).raw;
    return keys.filter((k) => doc.getMap('entries').has(k)).length;
  }, junkKeys), { timeout: 15_000 }).toBe(0);
  const vandalised = await mallory.page.evaluate(() => {
    const { doc } = (window as unknown as { raw: { doc: import('yjs').Doc } }).raw;
    let tombstones = 0;
    for (const structs of doc.store.clients.values()) for (const s of structs as unknown as Array<{ deleted: boolean; length: number }>) if (s.deleted) tombstones += s.length;
    return { tombstones };
  });
  expect(vandalised.tombstones).toBeGreaterThanOrEqual(JUNK);
  for (const p of [alice, bob]) expect(await honestRows(p)).toEqual(honest);

  // A later generation: the honest peers refill it from their stores, without the junk. Carol
  // joins then, and downloads it.
  await expect.poll(() => alice.page.evaluate(() => Date.now()), { timeout: 2 * GENERATION_MS, intervals: [1_000] })
    .toBeGreaterThan((junkGeneration + 1) * GENERATION_MS + OVERLAP_MS + 500);
  const carol = await openShortLived('Carol');
  await carol.introduce();
  await carol.joinByLink(link);
  await carol.shell.open('Economy');

  // Asserted as end states (polled, one person at a time: right after each rotation a newest
  // generation is still being refilled): each honest peer's newest generation is later than the
  // junk's, holds every entry its ledger verified, and not one item of the junk; tombstones there
  // are at most the rare duplicate refill writes (src/net/refill.ts), far fewer than the junk.
  // Carol sees the honest balances; Alice's and Bob's never changed.
  for (const p of [alice, bob, carol]) {
    const view = async () => {
      const v = await census(p, junkKeys);
      return { laterGeneration: v.generation > junkGeneration, complete: v.missing === 0 && v.verified >= 4, junkItems: v.junkItems, fewTombstones: v.tombstones <= v.entries };
    };
    await expect.poll(view, { timeout: 4 * GENERATION_MS, intervals: [250], message: p.name })
      .toEqual({ laterGeneration: true, complete: true, junkItems: 0, fewTombstones: true });
  }
  await expect.poll(() => honestRows(carol), { timeout: 20_000 }).toEqual(honest);
  for (const p of [alice, bob]) expect(await honestRows(p)).toEqual(honest);

  // The junk's generation was left and its cached document deleted from Alice's browser.
  await expect.poll(() => alice.page.evaluate(async (g) =>
    (await indexedDB.databases()).some((d) => d.name?.endsWith(`-g${g}`)), junkGeneration), { timeout: 2 * GENERATION_MS }).toBe(false);
});
