import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, Person, test } from './fixtures';

test('one key on two devices: a restored device waits for a sync, and a real fork is shown and frozen everywhere', async ({ openPerson }) => {
  const [laptop, bob] = [await openPerson('Alice'), await openPerson('Bob')];
  for (const p of [laptop, bob]) await p.introduce();
  const ids = { alice: await laptop.accountId(), bob: await bob.accountId() };
  const backup = join(mkdtempSync(join(tmpdir(), 'hourmesh-fork-')), 'alice.json');
  await laptop.identity.downloadBackup('laptop and phone', backup);

  await laptop.shell.open('Economy');
  await laptop.economy.create('Two devices');
  const link = await laptop.economy.inviteLink();
  await bob.joinByLink(link);
  // Bob's profile in the laptop's ledger (with Alice's profile and limits): else he is an account
  // never seen here, and the send would first ask to confirm paying a stranger.
  await laptop.economy.expectEntries(3);
  await laptop.shell.open('Wallet');
  await laptop.wallet.send({ toId: ids.bob, amount: '1', memo: 'before the phone' });
  await laptop.wallet.expectSent();

  // Alice restores her key on her phone and joins: it syncs before writing anything, so no fork yet.
  const phone = await openPerson('Alice (phone)');
  await phone.shell.open('Settings');
  await phone.identity.restore(backup, 'laptop and phone');
  await expect(phone.identity.card().getByRole('status').filter({ hasText: 'Restored.' })).toBeVisible();
  await phone.joinByLink(link);
  await expect(phone.wallet.balance('MH')).toHaveText('-1 MH', { timeout: 20_000 });
  await phone.shell.open('Economy');
  await phone.economy.expectPeers(1);
  // Had the phone written its profile before syncing, that entry would sit at seq 1 beside the
  // laptop's and show up here as a fork within a moment of the sync; give it that moment.
  await phone.page.waitForTimeout(1500);
  await expect(phone.page.getByRole('alert', { name: 'Forks: accounts frozen' })).toHaveCount(0);
  await phone.shell.waitUntilOfflineReady();

  // The phone goes offline and both devices write the next entry of the same chain: a fork.
  await phone.context.setOffline(true);
  await phone.page.reload();
  await phone.shell.open('Wallet');
  await phone.wallet.send({ toId: ids.bob, amount: '0.5', memo: 'from the phone' });
  await phone.wallet.expectSavedHere(); // offline: no peer has it yet
  await laptop.wallet.send({ toId: ids.bob, amount: '0.25', memo: 'from the laptop' });
  await laptop.wallet.expectSent();
  await phone.context.setOffline(false);

  for (const p of [laptop, bob, phone]) {
    await p.shell.open('Economy');
    const forks = p.page.getByRole('alert', { name: 'Forks: accounts frozen' });
    await expect(forks).toContainText(ids.alice.slice(0, 8), { timeout: 30_000 });
  }
  await laptop.shell.open('Wallet');
  await laptop.wallet.send({ toId: ids.bob, amount: '0.1' });
  await expect(laptop.wallet.sendResult()).toContainText('Your account is frozen');
  for (const p of [laptop, phone]) await p.shell.open('Economy');
  await expect.poll(() => phone.economy.balanceRows()).toEqual(await bob.economy.balanceRows());
  await expect.poll(() => laptop.economy.balanceRows()).toEqual(await bob.economy.balanceRows());
});

test('one person sending from two tabs at the same moment does not fork their account', async ({ openPerson }) => {
  const [alice, bob] = [await openPerson('Alice'), await openPerson('Bob')];
  for (const p of [alice, bob]) await p.introduce();
  const bobId = await bob.accountId();
  await alice.shell.open('Economy');
  await alice.economy.create('Two tabs');
  await bob.joinByLink(await alice.economy.inviteLink());

  // A second tab of Alice's browser: same storage, same key, same economy.
  const tab = new Person('Alice (tab 2)', alice.context, await alice.context.newPage());
  await tab.page.goto('/#/wallet');
  await expect(tab.wallet.balance('MH')).toHaveText('0 MH');
  await alice.shell.open('Wallet');
  await Promise.all([
    alice.wallet.send({ toId: bobId, amount: '1', memo: 'tab one' }),
    tab.wallet.send({ toId: bobId, amount: '2', memo: 'tab two' }),
  ]);
  await alice.wallet.expectSent();
  await tab.wallet.expectSent();

  await bob.shell.open('Wallet');
  await expect(bob.wallet.balance('MH')).toHaveText('3 MH', { timeout: 20_000 });
  await bob.shell.open('Economy');
  await expect(bob.economy.diagnostics()).toHaveCount(0);
  await expect(bob.page.getByRole('alert', { name: 'Forks: accounts frozen' })).toHaveCount(0);
});
