// Issue 12: a phone joins a large economy and stays usable while the history syncs. Bob is a
// Pixel 7 profile (412 px wide, touch, mobile) with its main thread throttled 4× by DevTools;
// Alice (a desktop page) serves 20,000 entries signed in Node. While Bob's page receives and
// replays them he taps through the navigation: every view must answer with its heading, the app
// must show sync progress at some point, and in the end every balance shown equals Node's.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { seedEconomy, writeLedgerFile } from './support/signed-entries';
import { inviteLink } from '../src/net/invite';

const ENTRIES = 20_000;
const AUTHORS = 200;
const VIEWS = ['Tasks', 'Dashboard', 'Estimate', 'Settings', 'Wallet', 'Economy'] as const;
/**
 * Sync progress in a status (role="status"): "Receiving entries from peers: 4,000 so far…" while the
 * history arrives in slices, "Verifying 20,000 entries received from
 * peers…" (the Connection banner), or the streamed "verified 8,000 of 20,000 entries".
 */
const PROGRESS = /Receiving entries from peers: [\d,]+ so far|Verifying [\d,]+ entries|verified [\d,]+ of [\d,]+ entries/i;

/**
 * Runs in Bob's page: remembers the first sync progress any status (role="status") showed, so a
 * short-lived message counts as much as a long one (a MutationObserver sees every change of the
 * DOM; polling from the test could miss it between two looks), and the moment the page first
 * holds `count` entries (page clock = wall clock, as the test's Date.now()).
 */
const SYNC_WATCH = (count: number) => `(() => {
  if (window.__sync) return;
  const S = window.__sync = { progress: null, doneAt: null };
  new MutationObserver(() => {
    if (S.progress !== null) return;
    for (const el of document.querySelectorAll('[role="status"]')) {
      if (${PROGRESS}.test(el.textContent || '')) { S.progress = el.textContent.trim(); return; }
    }
  }).observe(document, { subtree: true, childList: true, characterData: true });
  const timer = setInterval(() => {
    const active = window.hourmesh && window.hourmesh.economies && window.hourmesh.economies.active;
    if (active && active.entryCount >= ${count}) { S.doneAt = performance.timeOrigin + performance.now(); clearInterval(timer); }
  }, 50);
})();`;

interface SyncWatch { progress: string | null; doneAt: number | null }

test('a throttled phone joins 20,000 entries, taps through every view while it syncs, and shows the right balances', async ({ openPerson }) => {
  test.setTimeout(240_000);
  const seed = await seedEconomy(ENTRIES, AUTHORS, 'Large join');
  const file = join(tmpdir(), `hourmesh-large-join-${process.pid}-${Date.now()}.bin`);
  writeLedgerFile(file, seed.entries);

  const alice = await openPerson('Alice');
  const link = inviteLink(alice.page.url(), seed.invite);
  await alice.joinByLink(link);
  await alice.shell.open('Economy');
  await alice.economy.importLedger(file);
  await expect(alice.economy.importStatus()).toContainText(`${ENTRIES} new entries verified and shared`, { timeout: 90_000 });

  const bob = await openPerson('Bob', { device: 'Pixel 7' });
  // The invite link only changes the URL's fragment (no new document): watch in the open page,
  // and in any page loaded later.
  await bob.page.evaluate(SYNC_WATCH(ENTRIES));
  await bob.context.addInitScript({ content: SYNC_WATCH(ENTRIES) });
  const cdp = await bob.context.newCDPSession(bob.page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await bob.joinByLink(link);
  const watch = () => bob.page.evaluate(() => (window as { __sync?: SyncWatch }).__sync!);

  // Bob taps as soon as he has joined, while the history arrives; every tap answers with its
  // view's heading (today only once the page is free again: generous bounds, no sleeps).
  const nav = bob.shell.navigation();
  const taps: number[] = [];
  const tap = async (view: string) => {
    taps.push(Date.now());
    await nav.getByRole('link', { name: view, exact: true }).tap({ timeout: 60_000 });
    await expect(bob.page.getByRole('heading', { level: 1, name: view, exact: true })).toBeVisible({ timeout: 60_000 });
  };
  // First between the two views with the connection banner (Economy, Wallet), until it has shown
  // sync progress or the history is in: the progress shows whichever of them is on screen.
  for (let i = 0; i < 100; i++) {
    await tap(i % 2 === 0 ? 'Economy' : 'Wallet');
    const { progress, doneAt } = await watch();
    if (progress !== null || doneAt !== null) break;
  }
  // Then through every view.
  for (const view of VIEWS) await tap(view);
  await expect.poll(async () => (await watch()).doneAt, { timeout: 120_000 }).not.toBeNull();
  const { progress, doneAt } = await watch();
  expect(progress, 'the app showed sync progress').toMatch(PROGRESS);
  expect(taps[0], 'the first tap was made before the page held the whole history').toBeLessThan(doneAt!);

  // Every seeded account's balance as Bob's Economy view shows it, as Node's core computed it.
  await bob.economy.expectEntries(ENTRIES, 120_000);
  const shown = new Map((await bob.economy.balanceRows()).map((row) => {
    const [account, ...amounts] = row.split(' ');
    return [account!, amounts.join(' ')];
  }));
  for (const [account, expected] of seed.balances) expect(shown.get(account), account).toBe(expected);
});
