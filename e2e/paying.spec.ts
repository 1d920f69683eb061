// Paying, as a person expects it (issue 8, "Paying"): a confirmation before signing, an honest
// word for a send no peer has received yet, presence that means reachable now, and the founder's
// credit limits shown as they are in force. Each person is a browser context of their own.
import { expect, test, type Person } from './fixtures';

/** The recipient list's entry for a member: "Bob (1a2b3c4d…) — online" while Bob is reachable. */
function recipientOption(person: Person, name: string) {
  return person.page.getByLabel('To a member').locator('option', { hasText: name });
}

test('a payment is confirmed with the amount as read, and a stranger needs a second confirmation', async ({ openPerson }) => {
  const [alice, bob] = [await openPerson('Alice'), await openPerson('Bob')];
  for (const p of [alice, bob]) await p.introduce();
  const bobId = await bob.accountId();
  await alice.shell.open('Economy');
  await alice.economy.create('Café coders');
  await bob.joinByLink(await alice.economy.inviteLink());
  await alice.shell.open('Wallet');
  await alice.wallet.waitForMember('Bob');

  // "  3 " is read as 3 MH: the confirmation says so, names Bob, and nothing is signed on Cancel.
  await alice.wallet.review({ toName: 'Bob', amount: '  3 ', currency: 'MH' });
  const confirmation = alice.wallet.confirmation();
  await expect(confirmation).toContainText('Send 3 MH to Bob?');
  await expect(confirmation).toContainText('You typed “  3 ”, read as 3 MH.');
  await confirmation.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirmation).toHaveCount(0);
  await expect(alice.wallet.balance('MH')).toHaveText('0 MH');

  // "1,5" is read as 1.5; the press on the confirmation's Send signs.
  await alice.wallet.review({ toName: 'Bob', amount: '1,5', currency: 'CH', memo: 'pairing' });
  await expect(confirmation).toContainText('Send 1.5 CH to Bob — “pairing”?');
  await expect(confirmation).toContainText('You typed “1,5”, read as 1.5 CH.');
  await confirmation.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(alice.wallet.sendResult()).toHaveText('Sent 1.5 CH to Bob.');
  await expect(bob.wallet.historyItems().filter({ hasText: 'pairing' })).toContainText('+1.5 CH', { timeout: 20_000 });

  // An amount the review refuses never reaches a confirmation.
  await alice.wallet.review({ toName: 'Bob', amount: '1,5h' });
  await expect(alice.wallet.sendResult()).toContainText('is not a number of hours');
  await expect(confirmation).toHaveCount(0);

  // An account that never appeared here: a second, explicit confirmation; Cancel signs nothing.
  const stranger = 'ab'.repeat(32);
  await alice.wallet.review({ toId: stranger, amount: '1' });
  await confirmation.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(confirmation.getByRole('alert')).toHaveText('This account has never appeared in Café coders. Send anyway?');
  await confirmation.getByRole('button', { name: 'Cancel' }).click();
  await expect(alice.wallet.balance('MH')).toHaveText('0 MH');
  await alice.wallet.send({ toId: stranger, amount: '1', stranger: true });
  await expect(alice.wallet.sendResult()).toHaveText('Sent 1 MH to abababab…abab.');
  await expect(alice.wallet.balance('MH')).toHaveText('-1 MH');

  // Bob, a member who has written here, needs no second confirmation.
  await alice.wallet.send({ toId: bobId, amount: '0.5' });
  await expect(alice.wallet.sendResult()).toHaveText('Sent 0.5 MH to Bob.');
});

test('on a phone, a send with no peer connected is saved here, with one offline notice', async ({ openPerson }) => {
  const alice = await openPerson('Alice');
  const bob = await openPerson('Bob', { device: 'Pixel 7' });
  for (const p of [alice, bob]) await p.introduce();
  const [aliceId, bobId] = [await alice.accountId(), await bob.accountId()];
  await alice.shell.open('Economy');
  await alice.economy.create('Café coders');
  await bob.joinByLink(await alice.economy.inviteLink());
  await alice.economy.vouch(bobId, '5');
  await bob.shell.open('Economy');
  await expect(bob.economy.balancesTable().locator(`tr[data-account="${bobId}"]`)).toContainText('5 MH', { timeout: 20_000 });
  await bob.shell.waitUntilOfflineReady();

  // Bob's phone loses the network; the reload cuts his peer connection while offline.
  await bob.context.setOffline(true);
  await bob.page.reload();
  await bob.shell.open('Wallet');
  const statusBar = bob.page.getByRole('status').filter({ hasText: 'Offline — working from this device' });
  await expect(statusBar).toBeVisible();
  await bob.wallet.send({ toId: aliceId, amount: '1.25', memo: 'on the train' });
  await bob.wallet.expectSavedHere();
  await expect(bob.wallet.sendResult()).not.toContainText('Sent');
  // One offline notice: the status bar. The connection banner and the send result stay quiet.
  await expect(bob.page.getByLabel('Connection')).toBeHidden();
  await expect(bob.wallet.sendResult()).not.toContainText(/offline/i);
  await expect(bob.page.getByText(/offline/i).filter({ visible: true })).toHaveCount(1);
  const row = bob.wallet.historyItems().filter({ hasText: 'on the train' });
  await expect(row).toContainText('pending: not yet shared');
  await expect(row).not.toContainText('applied');

  // Back online, the entry reaches Alice and stops being pending.
  await bob.context.setOffline(false);
  await alice.shell.open('Wallet');
  await expect(alice.wallet.balance('MH')).toHaveText('1.25 MH', { timeout: 30_000 });
  await expect(row).not.toContainText('pending', { timeout: 30_000 });
});

test('on a phone, online means reachable now: not after the tab closed, not while this device is offline', async ({ openPerson }) => {
  const alice = await openPerson('Alice', { device: 'Pixel 7' });
  const [bob, carol] = [await openPerson('Bob'), await openPerson('Carol')];
  for (const p of [alice, bob, carol]) await p.introduce();
  await alice.shell.open('Economy');
  await alice.economy.create('Café coders');
  const link = await alice.economy.inviteLink();
  await bob.joinByLink(link);
  await carol.joinByLink(link);
  await alice.shell.waitUntilOfflineReady();
  await alice.shell.open('Wallet');
  await alice.wallet.openSendForm();
  await expect(recipientOption(alice, 'Bob')).toContainText('— online', { timeout: 20_000 });
  await expect(recipientOption(alice, 'Carol')).toContainText('— online', { timeout: 20_000 });

  // Bob closes his tab. His awareness state would linger for 30 s; his connection is gone at once.
  await bob.page.close();
  await expect(recipientOption(alice, 'Bob')).not.toContainText('online', { timeout: 10_000 });
  await expect(recipientOption(alice, 'Carol')).toContainText('— online');

  // Alice's phone goes offline: nobody is reachable from it, whatever the last states said.
  await alice.context.setOffline(true);
  await expect(recipientOption(alice, 'Carol')).not.toContainText('online', { timeout: 10_000 });
  await alice.context.setOffline(false);
  await expect(recipientOption(alice, 'Carol')).toContainText('— online', { timeout: 20_000 });
});

test('the founder\'s form shows the limit in force, and a member hears that the founder lowered it', async ({ openPerson }) => {
  const [alice, bob] = [await openPerson('Alice'), await openPerson('Bob')];
  for (const p of [alice, bob]) await p.introduce();
  const [aliceId, bobId] = [await alice.accountId(), await bob.accountId()];
  await alice.shell.open('Economy');
  await alice.economy.create('Café coders');
  await bob.joinByLink(await alice.economy.inviteLink());
  await alice.economy.vouch(bobId, '5');
  await bob.shell.open('Wallet');
  await expect(bob.page.getByRole('region', { name: 'Man-hours balance' })).toContainText(/down to [-−]5 MH/, { timeout: 20_000 });
  await bob.wallet.send({ toId: aliceId, amount: '4' });
  await bob.wallet.expectSent();

  // A second tab of Alice's browser shows the form; the first lowers the limit to 2 MH.
  const tab = alice.context.newPage();
  const second = await tab;
  await second.goto('/#/economy');
  const field = second.getByLabel('Man-hours', { exact: true });
  await expect(field).toHaveValue('10');
  await alice.page.getByLabel('Man-hours', { exact: true }).fill('2');
  await alice.page.getByRole('button', { name: 'Save credit limits' }).click();
  await expect(alice.page.getByRole('status').filter({ hasText: 'Credit limits saved' })).toBeVisible();
  // The other tab follows the limit in force instead of keeping the value it opened with.
  await expect(field).toHaveValue('2', { timeout: 20_000 });
  await expect(alice.page.getByLabel('Man-hours', { exact: true })).toHaveValue('2');

  // Bob owes 4 and may now go down to 2 only: he is told the founder lowered it, and when.
  await expect(bob.page.getByRole('region', { name: 'Man-hours balance' })).toContainText(/down to [-−]2 MH/, { timeout: 20_000 });
  await bob.wallet.send({ toId: aliceId, amount: '0.5' });
  await expect(bob.wallet.sendResult()).toHaveText(
    /^The founder lowered the credit limit to 2 MH on \d{1,2} [A-Z][a-z]{2} at \d\d:\d\d; you can send at most 0 MH now\.$/,
  );
});
