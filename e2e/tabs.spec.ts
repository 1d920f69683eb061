// Two tabs of one person share one ledger (issue 12): the ledger worker is a SharedWorker, so the
// second tab joins the first tab's replay instead of making its own, and what one tab signs
// shows in the other at once, with no peer online to carry it.
import { expect, test } from './fixtures';
import { WalletPage } from './pages/wallet.page';

test('two tabs of one person share one ledger: one replay, and a send in one shows in the other with nobody online', async ({ openPerson }) => {
  const ann = await openPerson('Ann');
  await ann.introduce();
  await ann.shell.open('Economy');
  await ann.economy.create('Two tabs', { limitMH: '10', limitCH: '10' });
  await ann.shell.open('Wallet');
  await expect(ann.wallet.balance('MH')).toHaveText('0 MH');

  const second = await ann.context.newPage();
  await second.goto(ann.page.url());
  const secondWallet = new WalletPage(second);
  await expect(second.getByRole('heading', { level: 1, name: 'Wallet' })).toBeVisible();
  await expect(secondWallet.balance('MH')).toHaveText('0 MH');
  // Both tabs are listeners of the one ledger in the worker.
  const tabs = () => ann.page.evaluate(async () => (await window.hourmesh!.economies.active!.session.debugDocument({ op: 'tabs' })).value as number);
  await expect.poll(tabs).toBe(2);

  // A send signed in the first tab is in the second tab's wallet without any peer.
  await ann.wallet.send({ toId: 'cd'.repeat(32), amount: '2', stranger: true });
  await expect(ann.wallet.sendResult()).toContainText('2 MH to cdcdcdcd…cdcd');
  await expect(secondWallet.balance('MH')).toHaveText('-2 MH');

  // Closing one tab leaves the ledger to the other (the closing page says goodbye to the worker).
  await second.close();
  await expect.poll(tabs).toBe(1);
  await ann.wallet.send({ toId: 'cd'.repeat(32), amount: '1', stranger: false });
  await expect(ann.wallet.sendResult()).toContainText('1 MH to cdcdcdcd');
  await expect(ann.wallet.balance('MH')).toHaveText('-3 MH');
});

test('without SharedWorker (Chrome on Android before it shipped) each tab has its own ledger, and the tabs still sync with each other', async ({ openPerson }) => {
  const ben = await openPerson('Ben');
  await ben.context.addInitScript(() => {
    delete (globalThis as { SharedWorker?: unknown }).SharedWorker;
  });
  await ben.page.reload();
  await ben.introduce();
  await ben.shell.open('Economy');
  await ben.economy.create('Own workers', { limitMH: '10', limitCH: '10' });
  await ben.shell.open('Wallet');
  const second = await ben.context.newPage();
  await second.goto(ben.page.url());
  const secondWallet = new WalletPage(second);
  await expect(secondWallet.balance('MH')).toHaveText('0 MH');
  // Each tab's worker holds its own ledger: one listener each.
  for (const page of [ben.page, second]) {
    expect(await page.evaluate(async () => (await window.hourmesh!.economies.active!.session.debugDocument({ op: 'tabs' })).value)).toBe(1);
  }
  await ben.wallet.send({ toId: 'ef'.repeat(32), amount: '2', stranger: true });
  await expect(ben.wallet.balance('MH')).toHaveText('-2 MH');
  // The tabs connect over WebRTC like two peers, so the other tab's ledger gets the entry.
  await expect(secondWallet.balance('MH')).toHaveText('-2 MH', { timeout: 30_000 });
});
