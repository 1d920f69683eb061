// The wallet's history and statements (issue 8): filters and memo search, profile and settings
// changes apart from payments, a statement per member, CSV exports, a notice for incoming hours,
// the phone layout, and amounts in the browser's locale with one minus sign.
import { readFile } from 'node:fs/promises';
import type { Browser, Download } from '@playwright/test';
import { expect, Person, test } from './fixtures';

async function downloaded(download: Promise<Download>): Promise<{ name: string; text: string }> {
  const d = await download;
  return { name: d.suggestedFilename(), text: await readFile((await d.path())!, 'utf8') };
}

/** A person whose browser runs in another locale (the fixture's people use en-US). */
async function openInLocale(browser: Browser, name: string, locale: string): Promise<Person> {
  const context = await browser.newContext({ locale });
  const page = await context.newPage();
  page.on('pageerror', (error) => console.log(`[${name}] page error: ${error.message}`));
  await page.goto('/');
  return new Person(name, context, page);
}

test('history: filters, memo search, profile rows apart, statement and CSV, amounts in the locale', async ({ openPerson, browser }) => {
  const alice = await openPerson('Alice');
  const bob = await openInLocale(browser, 'Bob', 'de-DE');
  try {
    for (const p of [alice, bob]) await p.introduce();
    const [aliceId, bobId] = [await alice.accountId(), await bob.accountId()];
    await alice.shell.open('Economy');
    await alice.economy.create('Big hours', { limitMH: '5000', limitCH: '10' });
    await bob.joinByLink(await alice.economy.inviteLink());
    await alice.economy.vouch(bobId, '3', 'CH');
    // A rename and a colour change in one go: one row in the profile changes, not two.
    await alice.shell.open('Settings');
    await alice.identity.rename('Alice B');
    await alice.identity.rename('Alice');

    await alice.shell.open('Wallet');
    await alice.wallet.waitForMember('Bob');
    await alice.wallet.send({ toName: 'Bob', amount: '1234.5', currency: 'MH', memo: 'Code review, "big" one' });
    await alice.wallet.expectSent();
    await alice.wallet.send({ toName: 'Bob', amount: '1', currency: 'CH', memo: 'render job' });
    await alice.wallet.expectSent();
    await bob.wallet.waitForMember('Alice');
    await expect(bob.wallet.balance('MH')).toHaveText('1.234,5 MH', { timeout: 20_000 });
    await bob.wallet.send({ toName: 'Alice', amount: '0.5', currency: 'MH', memo: '=café' });
    await bob.wallet.expectSent();

    // Numbers: grouped in the browser's locale, ASCII minus, supply explained.
    await expect(alice.wallet.balance('MH')).toHaveText('-1,234 MH', { timeout: 20_000 });
    await expect(alice.wallet.historyItems().filter({ hasText: 'to Bob' }).filter({ hasText: 'MH' })).toContainText('-1,234.5 MH');
    await bob.shell.open('Economy');
    await expect.poll(() => bob.economy.balanceOf(aliceId), { timeout: 20_000 }).toBe('-1.234 MH -1 CH');
    await expect(bob.page.getByText('Why the total is 0: this is mutual credit.')).toBeVisible();

    // History: one row per payment or stake, no "applied" badge, profile changes apart.
    const history = alice.wallet.historyItems();
    await expect(history).toHaveCount(4, { timeout: 20_000 });
    await expect(alice.page.getByRole('list', { name: 'History entries' })).not.toContainText('applied');
    await alice.page.getByText('Profile and settings changes').click();
    await expect(alice.wallet.accountChanges().filter({ hasText: 'profile updated' })).toHaveCount(1);
    await expect(alice.wallet.accountChanges().filter({ hasText: 'economy settings changed' })).toHaveCount(1);

    await alice.wallet.filterHistory({ currency: 'CH' });
    await expect(history).toHaveCount(2); // the CH payment and the CH stake
    await alice.wallet.filterHistory({ kind: 'payments' });
    await expect(history).toHaveCount(1);
    await expect(history).toContainText('render job');
    await alice.wallet.filterHistory({ currency: 'all', kind: 'stakes' });
    await expect(history).toHaveCount(1);
    await expect(history).toContainText('you vouch for Bob: stake 3 CH');
    await alice.wallet.filterHistory({ kind: 'all', text: 'CAFE' });
    await expect(history).toHaveCount(1);
    await expect(history).toContainText('from Bob');
    await alice.wallet.filterHistory({ text: 'nothing like this' });
    await expect(history).toHaveCount(0);
    await expect(alice.page.getByRole('status').filter({ hasText: 'No entries match these filters.' })).toBeVisible();
    await alice.wallet.filterHistory({ text: '' });

    // History CSV: RFC 4180 quoting, decimal hours, ISO times, a formula disarmed.
    const historyCsv = await downloaded(Promise.all([alice.page.waitForEvent('download'), alice.page.getByRole('button', { name: 'Download history (CSV)' }).click()]).then(([d]) => d));
    expect(historyCsv.name).toBe('hourmesh-history-Big-hours.csv');
    const lines = historyCsv.text.split('\r\n');
    expect(lines[0]).toBe('time (UTC),kind,counterparty,counterparty account,currency,amount (hours),stake after (hours),memo,status,reason,entry id');
    expect(historyCsv.text).toContain(`,transfer,Bob,${bobId},MH,-1234.5,,"Code review, ""big"" one",applied,,`);
    expect(historyCsv.text).toContain(`,transfer,Bob,${bobId},MH,0.5,,'=café,applied,,`);
    expect(historyCsv.text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z,profile,/m);

    // A statement, reached from the member's row.
    await alice.shell.open('Economy');
    await alice.economy.balancesTable().locator(`tr[data-account="${bobId}"]`).getByRole('link', { name: 'Statement with Bob' }).click();
    const statement = alice.wallet.statement('Bob');
    await expect(statement).toBeVisible();
    await expect(statement.getByRole('table', { name: 'Transfers with Bob' }).locator('tbody tr')).toHaveCount(3);
    const totals = statement.getByRole('table', { name: 'Totals with Bob' });
    await expect(totals.locator('tr[data-currency="MH"]')).toHaveText(/MH\s*1,234.5 MH\s*0.5 MH\s*-1,234 MH/);
    await expect(totals.locator('tr[data-currency="CH"]')).toHaveText(/CH\s*1 CH\s*0 CH\s*-1 CH/);
    await expect(statement).toContainText('you vouch for Bob: 3 CH');
    await expect(statement).toContainText('not in the totals');
    await expect(alice.page.getByLabel('With member')).toHaveValue(bobId);
    const statementCsv = await downloaded(Promise.all([alice.page.waitForEvent('download'), statement.getByRole('button', { name: 'Download statement (CSV)' }).click()]).then(([d]) => d));
    expect(statementCsv.text.trim().split('\r\n')).toHaveLength(4);

    // …and from the history: pick a member, then "Statement with".
    await statement.getByRole('button', { name: 'Close statement' }).click();
    await expect(statement).toHaveCount(0);
    await alice.wallet.filterHistory({ member: 'everyone' });
    await alice.wallet.filterHistory({ member: 'Bob' });
    await alice.page.getByRole('button', { name: 'Statement with Bob' }).click();
    await expect(statement).toBeVisible();

    // Members' balances as CSV.
    await alice.shell.open('Economy');
    const balances = await downloaded(Promise.all([alice.page.waitForEvent('download'), alice.page.getByRole('button', { name: 'Download balances (CSV)' }).click()]).then(([d]) => d));
    expect(balances.text.split('\r\n')).toEqual(expect.arrayContaining([
      'name,account,MH,CH (static),credit MH,credit CH',
      `Alice,${aliceId},-1234,-1,5000,10`,
      `Bob,${bobId},1234,1,0,3`,
    ]));
  } finally {
    await bob.context.close();
  }
});

test('phone: history before the send form, and a notice when hours arrive', async ({ openPerson }) => {
  const alice = await openPerson('Alice');
  const bob = await openPerson('Bob', { device: 'Pixel 7' });
  for (const p of [alice, bob]) await p.introduce();
  const bobId = await bob.accountId();
  await alice.shell.open('Economy');
  await alice.economy.create('Phone hours', { limitMH: '10' });
  await bob.joinByLink(await alice.economy.inviteLink());
  await alice.economy.vouch(bobId, '2', 'MH');

  // Bob's phone: balances, a "Send hours" button, then the history, all in the first screen.
  const sendButton = bob.page.getByRole('button', { name: 'Send hours', exact: true });
  await expect(sendButton).toBeVisible();
  await expect(bob.page.getByLabel('Amount')).toHaveCount(0);
  const historyTitle = bob.page.getByRole('heading', { level: 2, name: 'History' });
  const box = await historyTitle.boundingBox();
  expect(box!.y + box!.height).toBeLessThan(bob.page.viewportSize()!.height);

  // Hours arrive while the page is open: a polite live region says so.
  const notice = bob.wallet.incomingNotice();
  await expect(notice).toHaveAttribute('aria-live', 'polite');
  await expect(notice).toHaveText('');
  await alice.shell.open('Wallet');
  await alice.wallet.waitForMember('Bob');
  await alice.wallet.send({ toName: 'Bob', amount: '2', currency: 'MH', memo: 'thanks for the fix' });
  await alice.wallet.expectSent();
  await expect(notice).toContainText('Alice sent you 2 MH — “thanks for the fix”', { timeout: 20_000 });
  await expect(notice).toBeInViewport();
  await notice.getByRole('button', { name: 'Dismiss' }).click();
  await expect(notice).toHaveText('');

  // What was already there when the page opened is no news.
  await bob.page.reload();
  await expect(bob.wallet.balance('MH')).toHaveText('2 MH', { timeout: 20_000 });
  await expect(bob.wallet.historyItems()).toHaveCount(2);
  await expect(notice).toHaveText('');

  // The form opens on demand, focused, and sends as on a desktop.
  await sendButton.click();
  await expect(bob.page.getByLabel('To a member')).toBeFocused();
  await bob.wallet.waitForMember('Alice');
  await bob.wallet.send({ toName: 'Alice', amount: '0.5', currency: 'MH' });
  await bob.wallet.expectSent();
  await expect(alice.wallet.incomingNotice()).toContainText('Bob sent you 0.5 MH', { timeout: 20_000 });
});
