// Honest use never forks an honest account (src/net/own-writes.ts): leaving and rejoining, a full
// disk, a reload in the middle of a write, two tabs writing at once, a key restored on a second
// device. Each person is a browser context of their own; only the two tabs share one.
// Alice founds every economy here, so her payments never depend on credit being vouched.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, Person, test } from './fixtures';

async function twoMembers(openPerson: (name: string) => Promise<Person>, economy: string) {
  const [alice, bob] = [await openPerson('Alice'), await openPerson('Bob')];
  for (const p of [alice, bob]) await p.introduce();
  const bobId = await bob.accountId();
  await alice.shell.open('Economy');
  await alice.economy.create(economy);
  const link = await alice.economy.inviteLink();
  await bob.joinByLink(link);
  await knowsBob(alice);
  return { alice, bob, bobId, link };
}

/**
 * Waits until Alice's ledger holds Bob's profile (her profile and limits, his profile), then opens
 * her Wallet. Until then Bob is an account that never appeared here, and a send asks to confirm
 * paying a stranger; after a reload that lasts until a peer sync brings his profile again.
 */
async function knowsBob(alice: Person) {
  await alice.shell.open('Economy');
  await alice.economy.expectEntries(3);
  await alice.shell.open('Wallet');
}

async function pay(p: Person, toId: string, amount: string, memo = '') {
  await p.wallet.send({ toId, amount, memo });
  // A tab that reaches no peer over WebRTC (only another tab of this browser) says it saved here.
  const amountText = amount.replace('.', '\\.');
  await expect(p.wallet.sendResult()).toContainText(new RegExp(`^(Sent ${amountText} MH|Saved on this device — shared when a peer is reachable \\(${amountText} MH)`));
}

/** Everyone ends with the same balances and entries, and nobody shows a fork. */
async function expectConvergedWithoutFork(people: Person[], entries: number) {
  for (const p of people) {
    await p.shell.open('Economy');
    await p.economy.expectEntries(entries, 30_000);
  }
  const [first, ...rest] = people;
  for (const p of rest) await expect.poll(() => p.economy.balanceRows(), { timeout: 20_000 }).toEqual(await first!.economy.balanceRows());
  for (const p of people) {
    await expect(p.economy.forks()).toHaveCount(0);
    await expect(p.economy.diagnostics()).toHaveCount(0);
  }
}

test('leaving and rejoining continues the account: no fork, the earlier payment stays applied', async ({ openPerson }) => {
  const { alice, bob, bobId, link } = await twoMembers(openPerson, 'Leave and return');
  await pay(alice, bobId, '1', 'before leaving');
  await expect(bob.wallet.balance('MH')).toHaveText('1 MH', { timeout: 20_000 });

  await alice.shell.open('Economy');
  await alice.economy.leave('Leave and return');
  await alice.joinByLink(link);
  // Her own entries stayed on this device: the balance is back before any peer answers.
  await expect(alice.wallet.balance('MH')).toHaveText('-1 MH');
  await pay(alice, bobId, '2', 'after rejoining');
  await expect(bob.wallet.balance('MH')).toHaveText('3 MH', { timeout: 20_000 });
  // profile + credit limits + two transfers of Alice's, Bob's profile
  await expectConvergedWithoutFork([alice, bob], 5);
  await expect(bob.economy.balanceOf(bobId)).resolves.toMatch(/^3 MH/);
});

test('a full disk: the entry is not sent and the person is told; the next send works and a reload shows no fork', async ({ openPerson }) => {
  const { alice, bob, bobId } = await twoMembers(openPerson, 'Full disk');
  // IndexedDB writes of entries (in the ledger worker, test build) fail like a full disk while on.
  const diskFull = (on: boolean) => alice.page.evaluate((on) => window.hourmesh!.economies.active!.session.debugDiskFull(on), on);
  await alice.page.reload();
  await knowsBob(alice);
  await expect(alice.wallet.balance('MH')).toHaveText('0 MH');
  await diskFull(true);

  await alice.wallet.send({ toId: bobId, amount: '1', memo: 'no room' });
  await expect(alice.wallet.sendResult()).toContainText('Not sent: this device\'s storage is full');
  await expect(alice.wallet.balance('MH')).toHaveText('0 MH');
  // An entry of someone else that cannot be saved is kept, and the person hears about it.
  await bob.shell.open('Settings');
  await bob.identity.rename('Bobby');
  await expect(alice.page.getByRole('alert').filter({ hasText: 'saving them is retried' })).toBeVisible({ timeout: 20_000 });

  await diskFull(false);
  await pay(alice, bobId, '2', 'room again');
  await bob.shell.open('Wallet');
  await expect(bob.wallet.balance('MH')).toHaveText('2 MH', { timeout: 20_000 });
  await alice.page.reload();
  await expect(alice.wallet.balance('MH')).toHaveText('-2 MH');
  await pay(alice, bobId, '0.5', 'after the reload');
  await expect(bob.wallet.balance('MH')).toHaveText('2.5 MH', { timeout: 20_000 });
  // Alice: profile, limits, two transfers; Bob: two profiles
  await expectConvergedWithoutFork([alice, bob], 6);
});

test('a reload in the middle of a write never forks: whatever was saved is sent, the chain goes on', async ({ openPerson }) => {
  const { alice, bob, bobId } = await twoMembers(openPerson, 'Reload');
  // Reload at different moments after the click: before signing, between saving and publishing, after.
  for (const [i, delay] of [0, 5, 20, 60].entries()) {
    await alice.wallet.send({ toId: bobId, amount: `0.${i + 1}`, memo: `reload ${i}` });
    if (delay) await alice.page.waitForTimeout(delay);
    await alice.page.reload();
    await expect(alice.page.getByRole('heading', { level: 1, name: 'Wallet' })).toBeVisible();
    await expect(alice.wallet.balance('MH')).toBeVisible();
  }
  await pay(alice, bobId, '1', 'after the reloads');
  await alice.shell.open('Economy');
  const entries = Number(await alice.page.getByLabel('Ledger summary').getAttribute('data-entries'));
  await expectConvergedWithoutFork([alice, bob], entries);
  await expect(bob.economy.balanceOf(bobId)).resolves.toBe(await alice.economy.balanceOf(bobId));
});

test('two tabs of one person writing at once, one of them behind a slow tab-to-tab channel: every entry applies, no fork', async ({ openPerson }) => {
  const { alice, bob, bobId } = await twoMembers(openPerson, 'Two tabs');
  // The tabs' BroadcastChannel hop is slow, and the second tab has no other way to hear the first
  // (it reaches no signaling server, so no WebRTC): it often writes before it has seen the first
  // tab's last entry. Only the head record in IndexedDB can tell it where the chain is.
  await alice.context.addInitScript(() => {
    const post = BroadcastChannel.prototype.postMessage;
    BroadcastChannel.prototype.postMessage = function (this: BroadcastChannel, message: unknown) {
      setTimeout(() => post.call(this, message), 1000);
    };
  });
  await alice.page.reload();
  const tab = new Person('Alice (tab 2)', alice.context, await alice.context.newPage());
  await tab.page.addInitScript(() => {
    const Native = WebSocket;
    window.WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(String(url).includes('/signal') ? 'ws://127.0.0.1:9/' : url, protocols);
      }
    };
  });
  await tab.page.goto('/#/wallet');
  await expect(tab.wallet.balance('MH')).toHaveText('0 MH');
  await expect(alice.wallet.balance('MH')).toHaveText('0 MH');

  await pay(alice, bobId, '0.1', 'tab one');
  await pay(tab, bobId, '0.2', 'tab two, right after'); // tab one's entry is still on its way
  const sendAll = async (p: Person, amounts: string[]) => {
    for (const amount of amounts) await pay(p, bobId, amount, p.name);
  };
  await Promise.all([sendAll(alice, ['0.3', '0.4']), sendAll(tab, ['0.5', '0.6'])]);

  await expect(bob.wallet.balance('MH')).toHaveText('2.1 MH', { timeout: 20_000 });
  await expect(alice.wallet.balance('MH')).toHaveText('-2.1 MH', { timeout: 20_000 });
  await expect(tab.wallet.balance('MH')).toHaveText('-2.1 MH', { timeout: 20_000 });
  // Alice: profile, limits, six transfers; Bob: profile
  await expectConvergedWithoutFork([alice, tab, bob], 9);
});

test('a key restored on a second device waits for a sync, also after a reload and after leaving and rejoining', async ({ openPerson }) => {
  test.setTimeout(120_000);
  const [laptop, bob] = [await openPerson('Alice'), await openPerson('Bob')];
  for (const p of [laptop, bob]) await p.introduce();
  const bobId = await bob.accountId();
  const backup = join(mkdtempSync(join(tmpdir(), 'hourmesh-no-fork-')), 'alice.json');
  await laptop.identity.downloadBackup('move to the phone', backup);
  await laptop.shell.open('Economy');
  await laptop.economy.create('Moving house');
  const link = await laptop.economy.inviteLink();
  await bob.joinByLink(link);
  await knowsBob(laptop);
  // The laptop writes after the backup was made: entries the phone does not know yet.
  await pay(laptop, bobId, '1', 'from the laptop');

  const phone = await openPerson('Alice (phone)');
  await phone.shell.open('Settings');
  await phone.identity.restore(backup, 'move to the phone');
  await expect(phone.identity.card().getByRole('status').filter({ hasText: 'Restored.' })).toBeVisible();
  await phone.joinByLink(link);
  await expect(phone.wallet.balance('MH')).toHaveText('-1 MH', { timeout: 20_000 });
  await pay(phone, bobId, '0.5', 'from the phone');
  await phone.page.reload();
  await expect(phone.wallet.balance('MH')).toHaveText('-1.5 MH');
  await pay(phone, bobId, '0.25', 'after a reload');

  // The phone leaves; the laptop (which has seen everything) writes more meanwhile.
  await phone.shell.open('Economy');
  await phone.economy.leave('Moving house');
  await expect(laptop.wallet.balance('MH')).toHaveText('-1.75 MH', { timeout: 20_000 });
  await pay(laptop, bobId, '0.125', 'while the phone is away');
  await expect(bob.wallet.balance('MH')).toHaveText('1.875 MH', { timeout: 20_000 });

  // The phone rejoins while no other member is online: it must not write before a sync.
  for (const p of [laptop, bob]) await p.page.goto('about:blank');
  await phone.joinByLink(link);
  await expect(phone.wallet.balance('MH')).toHaveText('-1.75 MH');
  await phone.wallet.send({ toId: bobId, amount: '0.1', memo: 'too early' });
  await expect(phone.wallet.sendResult()).toContainText('has not synced with a peer of this economy yet');

  for (const p of [laptop, bob]) await p.page.goto('/#/wallet');
  await expect(phone.wallet.balance('MH')).toHaveText('-1.875 MH', { timeout: 30_000 });
  await pay(phone, bobId, '0.1', 'after the sync');
  await expect(bob.wallet.balance('MH')).toHaveText('1.975 MH', { timeout: 20_000 });
  // Alice: profile, limits, five transfers; Bob: profile
  await expectConvergedWithoutFork([laptop, phone, bob], 8);
});
