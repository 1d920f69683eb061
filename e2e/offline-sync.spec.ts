import { expect, test } from './fixtures';

test('a person sends while offline, keeps it across an offline reload, and everyone converges online', async ({ openPerson }) => {
  const [alice, bob] = [await openPerson('Alice'), await openPerson('Bob')];
  for (const p of [alice, bob]) await p.introduce();
  const ids = { alice: await alice.accountId(), bob: await bob.accountId() };
  await alice.shell.open('Economy');
  await alice.economy.create('Flaky network');
  await bob.joinByLink(await alice.economy.inviteLink());
  await bob.shell.open('Economy');
  await bob.economy.expectPeers(1);
  // Alice, the founder, vouches for Bob so he can pay before he has received anything.
  await alice.economy.vouch(ids.bob, '5');
  await expect(bob.economy.balancesTable().locator(`tr[data-account="${ids.bob}"]`)).toContainText('5 MH', { timeout: 20_000 });
  await bob.shell.waitUntilOfflineReady();

  // Bob loses the network; a reload cuts his peer connection for good while offline.
  await bob.context.setOffline(true);
  await bob.page.reload();
  await bob.shell.open('Wallet');
  await expect(bob.page.getByRole('status').filter({ hasText: 'Offline — working from this device' })).toBeVisible();
  await bob.wallet.send({ toId: ids.alice, amount: '1.25', currency: 'MH', memo: 'sent offline' });
  await bob.wallet.expectSavedHere();
  await expect(bob.wallet.historyItems().filter({ hasText: 'sent offline' })).toContainText('pending: not yet shared');

  await bob.page.reload();
  await bob.shell.open('Wallet');
  await expect(bob.wallet.balance('MH')).toHaveText('-1.25 MH');
  await expect(bob.wallet.historyItems().filter({ hasText: 'sent offline' })).toContainText('pending: not yet shared');

  // Meanwhile Alice, online, pays Bob; neither sees the other's entry yet.
  await alice.shell.open('Wallet');
  await alice.wallet.send({ toId: ids.bob, amount: '2', currency: 'CH', memo: 'while you were away' });
  await alice.wallet.expectSavedHere();
  await expect(alice.wallet.balance('MH')).toHaveText('0 MH');

  await bob.context.setOffline(false);
  await expect(alice.wallet.balance('MH')).toHaveText('1.25 MH', { timeout: 30_000 });
  await expect(bob.wallet.historyItems().filter({ hasText: 'while you were away' })).toHaveCount(1, { timeout: 30_000 });
  await expect(bob.wallet.historyItems().filter({ hasText: 'sent offline' })).not.toContainText('pending');
  for (const p of [alice, bob]) await p.shell.open('Economy');
  await expect.poll(() => bob.economy.balanceRows()).toEqual(await alice.economy.balanceRows());
});
