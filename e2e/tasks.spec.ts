// Tasks end to end: three people in separate browser contexts (the developer on a phone), real
// signaling and WebRTC. The estimate is settled through the session API with honestly committed
// votes (the live estimation session has its own spec); everything else goes through the UI.
// A hostile member (a key made in Node, writing straight into the shared document) signs an
// acceptance of someone else's task: every honest peer rejects it and shows the ledger's reason.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test, type Person } from './fixtures';
import { TasksPage } from './pages/tasks.page';
import { createEntry, generateSigner, toHex } from '../src/core';
import { nodeCrypto } from './support/signed-entries';

type Session = {
  me: string;
  record: { id: string };
  ledger: { taskOf(id: string): { status: string; rounds: { commits: unknown[] }[] } | undefined };
  commitVote(input: { task: string; round: number; value: number; salt: string }): Promise<{ ok: boolean; error?: string }>;
  settleEstimate(input: { task: string; round: number; reveals: { voter: string; value: number; salt: string }[] }): Promise<{ ok: boolean; error?: string }>;
};
declare global {
  interface Window {
    __session: () => Session;
  }
}

async function withSession(p: Person) {
  await p.page.waitForFunction(() => window.hourmesh?.economies.active !== undefined);
  await p.page.evaluate(() => {
    window.__session = () => (window.hourmesh!.economies.active as unknown as { session: Session }).session;
  });
}

/** axe's findings in both colour schemes (no rule disabled), one line per violation. */
async function axeFindings(page: Page, where: string): Promise<string[]> {
  const found: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    const { violations } = await new AxeBuilder({ page }).analyze();
    for (const v of violations) found.push(`${where} (${colorScheme}): ${v.id} at ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
  }
  await page.emulateMedia({ colorScheme: null });
  return found;
}

/** True when nothing on the page is wider than the viewport (no sideways scrolling). */
const fitsWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

/** Waits until this person's ledger has the task with the given status and votes in round 1. */
async function waitForTask(p: Person, task: string, status: string, votes = 0) {
  await p.page.waitForFunction(({ task, status, votes }) => {
    const t = window.__session().ledger.taskOf(task);
    return t !== undefined && t.status === status && (t.rounds[0]?.commits.length ?? 0) >= votes;
  }, { task, status, votes }, { timeout: 20_000 });
}

test('a developer on a phone claims an estimated task, marks it done, is paid on acceptance; a hostile acceptance is rejected everywhere', async ({ openPerson }) => {
  test.setTimeout(120_000); // three people and a hostile one over WebRTC, then axe twice on a phone
  const alice = await openPerson('Alice');
  const bob = await openPerson('Bob', { device: 'Pixel 7' });
  const carol = await openPerson('Carol');
  for (const p of [alice, bob, carol]) await p.introduce();
  const [bobId, carolId] = [await bob.accountId(), await carol.accountId()];
  await alice.shell.open('Economy');
  await alice.economy.create('Workshop');
  const link = await alice.economy.inviteLink();
  await bob.joinByLink(link);
  await carol.joinByLink(link);
  // Carol may vote once someone stakes on her (the founder may vote anyway): docs/TASKS.md "Who counts".
  await alice.shell.open('Economy');
  await alice.economy.vouch(carolId, '1');
  for (const p of [alice, bob, carol]) await withSession(p);

  // Alice posts the task and starts estimating, through the Tasks view.
  const aliceTasks = new TasksPage(alice.page);
  await aliceTasks.open();
  const task = await aliceTasks.post({ title: 'Fix the login form', project: 'web', description: 'The name is lost on reload.', criteria: 'The name survives a reload.' });
  await aliceTasks.openTask('Fix the login form');
  await aliceTasks.expectStatus('Open');
  await aliceTasks.startEstimating();
  await aliceTasks.expectStatus('Estimating');

  // Alice and Carol commit hidden votes (3 h and 3.5 h); Alice settles with both reveals: 3.25 h.
  const aliceVote = { value: 3000, salt: '11'.repeat(16) };
  const carolVote = { value: 3500, salt: '22'.repeat(16) };
  await waitForTask(carol, task, 'estimating');
  expect(await alice.page.evaluate(({ task, v }) => window.__session().commitVote({ task, round: 1, ...v }), { task, v: aliceVote })).toEqual({ ok: true, entryId: expect.any(String) });
  await waitForTask(carol, task, 'estimating', 1);
  expect(await carol.page.evaluate(({ task, v }) => window.__session().commitVote({ task, round: 1, ...v }), { task, v: carolVote })).toMatchObject({ ok: true });
  await waitForTask(alice, task, 'estimating', 2);
  const aliceId = await alice.page.evaluate(() => window.__session().me);
  const settled = await alice.page.evaluate(({ task, reveals }) => window.__session().settleEstimate({ task, round: 1, reveals }), {
    task, reveals: [{ voter: aliceId, ...aliceVote }, { voter: carolId, ...carolVote }],
  });
  expect(settled).toMatchObject({ ok: true });
  await aliceTasks.expectStatus('Estimated');
  await expect(aliceTasks.estimate()).toHaveText('3.25 MH');

  // Bob, on the phone: finds it by search, claims it, marks it done with a link.
  const bobTasks = new TasksPage(bob.page);
  await bobTasks.open();
  await expect(bobTasks.list().getByRole('link', { name: 'Fix the login form' })).toBeVisible({ timeout: 20_000 });
  expect(await bobTasks.filter({ text: 'login', status: 'Estimated', project: 'web' })).toEqual(['Fix the login form']);
  await bobTasks.openTask('Fix the login form');
  await bobTasks.expectStatus('Estimated');
  // The poster sees no claim button on her own task; Bob does.
  await expect(alice.page.getByRole('button', { name: 'Claim this task' })).toHaveCount(0);
  await bobTasks.claim();
  await bobTasks.expectStatus('Claimed');
  await bobTasks.markDone('https://example.org/pull/7');
  await bobTasks.expectStatus('Done');
  expect(await fitsWidth(bob.page)).toBe(true);

  // Mallory knows the link and has a key of her own: she signs an acceptance of Alice's task.
  const mallory = await openPerson('Mallory');
  await mallory.page.waitForFunction(() => window.hourmesh !== undefined);
  await mallory.page.evaluate((l) => {
    (window as unknown as { raw: unknown }).raw = window.hourmesh!.openRawDocument(l);
  }, link);
  await mallory.page.waitForFunction(() => {
    const { doc } = (window as unknown as { raw: { doc: import('yjs').Doc } }).raw;
    return doc.getMap('entries').size >= 8;
  }, undefined, { timeout: 20_000 });
  const economyId = await alice.page.evaluate(() => window.__session().record.id);
  const malloryKey = await generateSigner(globalThis.crypto.subtle);
  const hostile = await createEntry(malloryKey, nodeCrypto, { economy: economyId }, undefined, Date.now(), 'task-step', { task, action: 'accept', text: '' });
  await mallory.page.evaluate(({ id, bytes }) => {
    const { doc } = (window as unknown as { raw: { doc: import('yjs').Doc } }).raw;
    doc.getMap('entries').set(id, new Uint8Array(bytes));
  }, { id: hostile.id, bytes: Array.from(hostile.bytes) });
  const reason = 'Rejected by the ledger: only the poster or a reviewer the task names can accept it';
  const carolTasks = new TasksPage(carol.page);
  await carolTasks.open();
  await carolTasks.openTask('Fix the login form');
  for (const t of [aliceTasks, bobTasks, carolTasks]) {
    await expect(t.history().locator('li[data-status="rejected"]')).toContainText(reason, { timeout: 20_000 });
    await t.expectStatus('Done');
  }
  expect(toHex(malloryKey.publicKey)).not.toBe(aliceId);
  // The detail with a rejected entry, and the list, pass axe and fit a 360 px phone.
  await bob.page.setViewportSize({ width: 360, height: 780 });
  expect(await fitsWidth(bob.page)).toBe(true);
  const found = await axeFindings(bob.page, 'phone task detail');
  await bobTasks.open();
  expect(await fitsWidth(bob.page)).toBe(true);
  found.push(...(await axeFindings(bob.page, 'phone task list')));
  expect(found).toEqual([]);
  await bobTasks.openTask('Fix the login form');

  // Alice accepts: 3.25 MH from her account to Bob's, the same on every peer.
  await aliceTasks.accept('3.25 MH');
  await aliceTasks.expectStatus('Accepted');
  for (const t of [bobTasks, carolTasks]) await t.expectStatus('Accepted');
  const expected = new Map([[aliceId, '-3.25 MH 0 CH'], [bobId, '3.25 MH 0 CH'], [carolId, '0 MH 0 CH']]);
  for (const p of [alice, bob, carol]) {
    await p.shell.open('Economy');
    for (const [account, balance] of expected) await expect.poll(() => p.economy.balanceOf(account), { timeout: 20_000 }).toBe(balance);
  }
  const rows = await alice.economy.balanceRows();
  expect(await bob.economy.balanceRows()).toEqual(rows);
  expect(await carol.economy.balanceRows()).toEqual(rows);
  // Bob's wallet history shows the payment.
  await bob.shell.open('Wallet');
  await expect(bob.page.getByRole('main')).toContainText('task: Fix the login form');
});

test('on a phone: the post form says what is wrong before signing; search and filters; a task links to its estimation session', async ({ openPerson }) => {
  const ann = await openPerson('Ann', { device: 'Pixel 7' });
  await ann.introduce();
  await ann.shell.open('Economy');
  await ann.economy.create('Solo');
  const tasks = new TasksPage(ann.page);
  await tasks.open();
  await ann.page.getByRole('button', { name: 'Post a task' }).click();
  await ann.page.getByLabel('Title').fill('   ');
  await ann.page.getByRole('button', { name: 'Review task' }).click();
  await expect(ann.page.getByLabel('Post result')).toHaveText('Give the task a title.');
  await expect(ann.page.getByLabel('Title')).toHaveAttribute('aria-invalid', 'true');
  // Nothing was signed: no task exists.
  await expect(tasks.list()).toHaveCount(0);

  await tasks.post({ title: 'Translate the wallet', project: 'i18n', description: 'German and French.' });
  await tasks.post({ title: 'Fix the QR scanner', project: 'mobile', criteria: 'Scans on a Pixel 7.' });
  await tasks.post({ title: 'Translate the tasks view', project: 'i18n' });
  await expect(ann.page.getByLabel('Task count')).toHaveText('3 tasks');
  expect(await tasks.filter({ project: 'i18n' })).toEqual(['Translate the tasks view', 'Translate the wallet']);
  expect(await tasks.filter({ text: 'FRENCH' })).toEqual(['Translate the wallet']);
  await expect(ann.page.getByLabel('Task count')).toHaveText('1 of 3 tasks');
  expect(await tasks.filter({ text: '', project: 'Any project', status: 'Estimating' })).toEqual([]);
  expect(await tasks.filter({ status: 'Open' })).toHaveLength(3);

  await tasks.openTask('Fix the QR scanner');
  await expect(ann.page.getByRole('link', { name: 'Open the estimation session' })).toHaveAttribute('href', /^#\/estimate\/task\/[0-9a-f]{64}$/);
  // The poster sees start estimating, and no claim button (nobody claims their own task).
  await tasks.startEstimating();
  await tasks.expectStatus('Estimating');
  await expect(ann.page.getByRole('button', { name: 'Claim this task' })).toHaveCount(0);
  await expect(tasks.history()).toContainText('You posted the task');
  expect(await fitsWidth(ann.page)).toBe(true);
});
