import { readQrCode } from './support/qr';
import { expect, test } from './fixtures';

test('three people in one economy send MH and CH and all show the same balances and histories', async ({ openPerson }) => {
  const [alice, bob, carol] = [await openPerson('Alice'), await openPerson('Bob'), await openPerson('Carol')];
  for (const p of [alice, bob, carol]) await p.introduce();
  const ids = { alice: await alice.accountId(), bob: await bob.accountId(), carol: await carol.accountId() };

  await alice.shell.open('Economy');
  await alice.economy.create('Team hours', { limitMH: '5', limitCH: '5' });
  const link = await alice.economy.inviteLink();
  expect(link).toContain('#/join/');
  await bob.joinByLink(link);
  await carol.joinByLink(link);
  // New members have no credit until someone vouches: Alice, the founder, vouches for both.
  await alice.economy.vouch(ids.bob, '5', 'CH');
  await alice.economy.vouch(ids.carol, '5', 'MH');

  await alice.shell.open('Wallet');
  await alice.wallet.waitForMember('Bob');
  await alice.wallet.send({ toName: 'Bob', amount: '2', currency: 'MH', memo: 'code review' });
  await alice.wallet.expectSent();

  await bob.wallet.waitForMember('Carol');
  await expect(bob.wallet.balance('MH')).toHaveText('2 MH');
  await bob.wallet.send({ toName: 'Carol', amount: '1.5', currency: 'CH', memo: 'render job' });
  await bob.wallet.expectSent();

  await carol.wallet.waitForMember('Alice');
  await carol.wallet.send({ toId: ids.alice, amount: '0.25', currency: 'MH' });
  await carol.wallet.expectSent();

  // A malformed amount is refused with the reason, before anything is signed.
  await carol.wallet.send({ toName: 'Bob', amount: '1,5h', currency: 'MH' });
  await expect(carol.wallet.sendResult()).toContainText('is not a number of hours');

  // Over the credit limit: refused with the amount one can still send, nothing signed.
  await carol.wallet.send({ toName: 'Bob', amount: '6', currency: 'MH' });
  await expect(carol.wallet.sendResult()).toContainText('over your credit limit');

  const expected = [
    `${ids.alice} -1.75 MH 0 CH`,
    `${ids.bob} 2 MH -1.5 CH`,
    `${ids.carol} -0.25 MH 1.5 CH`,
  ].sort();
  for (const p of [alice, bob, carol]) {
    await p.shell.open('Economy');
    await expect.poll(() => p.economy.balanceRows(), { timeout: 20_000 }).toEqual(expected);
  }
  await expect(bob.wallet.page.getByRole('heading', { level: 2, name: 'Team hours', exact: true })).toBeVisible();
  for (const p of [alice, bob, carol]) await p.shell.open('Wallet');
  await expect(alice.wallet.historyItems().filter({ hasText: 'to Bob' })).toContainText('-2 MH');
  await expect(alice.wallet.historyItems().filter({ hasText: 'from Carol' })).toContainText('+0.25 MH');
  await expect(bob.wallet.historyItems().filter({ hasText: 'from Alice' })).toContainText('+2 MH');
  await expect(bob.wallet.historyItems().filter({ hasText: 'to Carol' })).toContainText('-1.5 CH');
  await expect(carol.wallet.historyItems().filter({ hasText: 'from Bob' })).toContainText('render job');
});

test('a person belongs to several economies, switches between them, and leaves one', async ({ openPerson }) => {
  const ivy = await openPerson('Ivy');
  await ivy.shell.open('Economy');
  await ivy.economy.create('Garden club');
  await ivy.economy.startAnother();
  await ivy.economy.create('Chess club');
  const mine = ivy.page.getByRole('list', { name: 'Your economies' });
  await expect(mine.getByRole('listitem')).toHaveCount(2);

  await mine.getByRole('button', { name: 'Switch to Garden club' }).click();
  await expect(ivy.page.getByRole('heading', { level: 2, name: 'Garden club', exact: true })).toBeVisible();
  await ivy.page.reload();
  await ivy.shell.open('Economy');
  await expect(ivy.page.getByRole('heading', { level: 2, name: 'Garden club', exact: true })).toBeVisible();

  await mine.getByRole('listitem').filter({ hasText: 'Garden club' }).getByRole('button', { name: 'Leave…' }).click();
  await expect(ivy.page.getByRole('alert').filter({ hasText: 'forgets its secret' })).toBeVisible();
  await mine.getByRole('button', { name: 'Leave Garden club' }).click();
  await expect(mine.getByRole('listitem')).toHaveCount(1);
  await expect(ivy.page.getByRole('heading', { level: 2, name: 'Chess club', exact: true })).toBeVisible();
  await ivy.page.reload();
  await ivy.shell.open('Economy');
  await expect(mine.getByRole('listitem')).toHaveText([/Chess club/]);
});

test('the invite QR code decodes to the invite link, which a phone opens to join', async ({ openPerson }) => {
  const jo = await openPerson('Jo');
  await jo.shell.open('Economy');
  await jo.economy.create('Scan me');
  const link = await jo.economy.inviteLink();

  // What a phone camera sees: the QR rendered as pixels, decoded by a QR reader.
  const qr = jo.page.getByRole('figure', { name: 'Invite QR code' }).locator('svg');
  await expect(qr).toBeVisible();
  const scanned = await readQrCode(qr);
  expect(scanned).toBe(link);

  const phone = await openPerson('Kim');
  await phone.page.setViewportSize({ width: 360, height: 740 });
  await phone.joinByLink(scanned!);
  await phone.shell.open('Economy');
  await phone.economy.expectPeers(1);
});

test('the founder changes the credit limits and every member is held to them', async ({ openPerson }) => {
  const [lea, max] = [await openPerson('Lea'), await openPerson('Max')];
  const [leaId, maxId] = [await lea.accountId(), await max.accountId()];
  await lea.shell.open('Economy');
  await lea.economy.create('Tight budget', { limitMH: '1' });
  await max.joinByLink(await lea.economy.inviteLink());
  // A newcomer has no credit until a member vouches; the founder's stake is capped by the limit.
  await expect(max.page.getByRole('note', { name: 'No credit yet' })).toBeVisible();
  await max.wallet.send({ toId: leaId, amount: '1', currency: 'MH' });
  await expect(max.wallet.sendResult()).toContainText('You have no credit yet: a member can vouch for you');
  await lea.economy.vouch(maxId, '10');
  await expect(max.page.getByRole('region', { name: 'Man-hours balance' })).toContainText('down to -1 MH', { timeout: 20_000 });
  // Only the founder sees the form.
  await max.shell.open('Economy');
  await expect(max.page.getByRole('button', { name: 'Save credit limits' })).toHaveCount(0);

  await lea.page.getByLabel('Man-hours', { exact: true }).fill('4');
  await lea.page.getByRole('button', { name: 'Save credit limits' }).click();
  await expect(lea.page.getByRole('status').filter({ hasText: 'Credit limits saved' })).toBeVisible();

  await max.shell.open('Wallet');
  await expect(max.page.getByRole('region', { name: 'Man-hours balance' })).toContainText('down to -4 MH', { timeout: 20_000 });
  await max.wallet.send({ toId: leaId, amount: '3', currency: 'MH' });
  await max.wallet.expectSent();
  await max.wallet.send({ toId: leaId, amount: '1.5', currency: 'MH' });
  await expect(max.wallet.sendResult()).toContainText('you can send at most 1 MH');

  // Max gives back part of Lea's stake, never the part that still covers his debt of 3.
  await max.shell.open('Economy');
  await max.economy.giveBack(leaId, '8');
  await expect(max.economy.stakeResult(leaId)).toContainText('the stake still covers what you owe');
  await max.economy.giveBack(leaId, '6');
  await expect(max.economy.balancesTable().locator(`tr[data-account="${leaId}"]`)).toContainText('vouches for you 4 MH');
  await lea.shell.open('Economy');
  await expect(lea.economy.balancesTable().locator(`tr[data-account="${maxId}"]`)).toContainText('you vouch 4 MH', { timeout: 20_000 });
});
