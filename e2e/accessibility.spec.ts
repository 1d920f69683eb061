// Accessibility across the app (issue 8, "Settings and accessibility"): axe over every view, empty
// and populated, on a desktop and on a phone profile, in the light and the dark colour scheme; the
// keyboard path (skip link, navigation before the content); and the layout points checked from
// element boxes and computed styles, never from screenshots.
//
// No axe rule is disabled or excluded: every view passes the full default rule set.
import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from '@playwright/test';
import { expect, test, type Person } from './fixtures';

const views = ['Wallet', 'Tasks', 'Releases', 'Estimate', 'Compute', 'Economy', 'Dashboard', 'Settings'] as const;

/** axe's findings on the page as it is now, in both colour schemes, one line per violation. */
async function axeFindings(page: Page, where: string): Promise<string[]> {
  const found: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    const { violations } = await new AxeBuilder({ page }).analyze();
    for (const v of violations) {
      found.push(`${where} (${colorScheme}): ${v.id} at ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
    }
  }
  await page.emulateMedia({ colorScheme: null });
  return found;
}

async function axeEveryView(person: Person, where: string): Promise<string[]> {
  const found: string[] = [];
  for (const view of views) {
    await person.shell.open(view);
    found.push(...(await axeFindings(person.page, `${where} ${view}`)));
  }
  return found;
}

async function expectNoHorizontalOverflow(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

/** The element's box lies within `outer`'s box and within the viewport (half a pixel of rounding). */
async function expectBoxWithin(inner: Locator, outer: Locator) {
  const [a, b] = [await inner.boundingBox(), await outer.boundingBox()];
  const width = inner.page().viewportSize()!.width;
  expect(a && b).toBeTruthy();
  expect(a!.x).toBeGreaterThanOrEqual(Math.max(b!.x, 0) - 0.5);
  expect(a!.x + a!.width).toBeLessThanOrEqual(Math.min(b!.x + b!.width, width) + 0.5);
}

/** A select is at least as wide as its longest option, measured on an unconstrained copy. */
async function expectPickerNotClipped(select: Locator) {
  const { width, natural } = await select.evaluate((el) => {
    const copy = el.cloneNode(true) as HTMLElement;
    copy.style.cssText = 'position:absolute;visibility:hidden;width:auto;min-width:0;max-width:none';
    el.parentElement!.append(copy);
    const natural = copy.getBoundingClientRect().width;
    copy.remove();
    return { width: el.getBoundingClientRect().width, natural };
  });
  expect(width).toBeGreaterThanOrEqual(natural - 0.5);
  await expectBoxWithin(select, select.page().locator('main'));
}

/** At the page's current width: the members table keeps MH and CH in view, nothing overflows the page. */
async function expectMembersTableFits(person: Person) {
  await person.shell.open('Economy');
  const table = person.economy.balancesTable();
  const box = person.page.getByRole('region', { name: 'Member balances (scrolls sideways)' });
  await expectNoHorizontalOverflow(person.page);
  await expectBoxWithin(box, person.page.locator('main'));
  for (const column of ['Member', 'MH', 'CH (static)']) {
    await expectBoxWithin(table.getByRole('columnheader', { name: column }), box);
  }
  await expect(table.getByRole('columnheader', { name: 'Member' })).toHaveCSS('position', 'sticky');
}

test('every view passes axe with nothing in it, on a desktop and on a phone', async ({ openPerson }) => {
  test.setTimeout(120_000);
  const found: string[] = [];
  for (const device of [undefined, 'Pixel 7'] as const) {
    const where = device ?? 'desktop';
    const person = await openPerson(`Empty ${where}`, { device });
    found.push(...(await axeEveryView(person, `${where} empty`)));
    await person.page.goto('/#/join/not-an-invite');
    await expect(person.page.getByRole('heading', { level: 1, name: 'Join an economy' })).toBeVisible();
    found.push(...(await axeFindings(person.page, `${where} join view, damaged invite`)));
  }
  expect(found).toEqual([]);
});

test('a field with an error is marked invalid and described by its message', async ({ openPerson }) => {
  const dan = await openPerson('Dan');
  await dan.shell.open('Economy');
  await dan.page.getByLabel('Name', { exact: true }).fill('Errors');
  await dan.page.getByLabel('Credit limit, man-hours').fill('lots');
  await dan.page.getByRole('button', { name: 'Create economy' }).click();
  const limit = dan.page.getByLabel('Credit limit, man-hours');
  await expect(limit).toHaveAttribute('aria-invalid', 'true');
  await expect(limit).toHaveAccessibleDescription(/lots/);
  await expect(dan.page.getByLabel('Credit limit, cpu-hours')).not.toHaveAttribute('aria-invalid', 'true');
  await dan.page.getByLabel('Invite link').fill('https://example.org/#/join/garbage');
  await dan.page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(dan.page.getByLabel('Invite link')).toHaveAttribute('aria-invalid', 'true');
  expect(await axeFindings(dan.page, 'economy forms with errors')).toEqual([]);

  await dan.shell.open('Settings');
  await dan.page.getByLabel('Display name').fill('   ');
  await dan.page.getByRole('button', { name: 'Save name' }).click();
  await expect(dan.page.getByLabel('Display name')).toHaveAttribute('aria-invalid', 'true');
  await expect(dan.page.getByLabel('Display name')).toHaveAccessibleDescription(/\S/);
  await dan.page.getByLabel('Backup passphrase').fill('short');
  await dan.page.getByLabel('Repeat the passphrase').fill('short');
  await dan.page.getByRole('button', { name: 'Download a backup' }).click();
  await expect(dan.page.getByLabel('Backup passphrase')).toHaveAttribute('aria-invalid', 'true');
  await expect(dan.page.getByLabel('Backup passphrase')).toHaveAccessibleDescription(/\S/);
  expect(await axeFindings(dan.page, 'settings with an error')).toEqual([]);

  // The send form marks the field its refusal is about.
  await dan.shell.open('Economy');
  await dan.economy.create('Errors', { limitMH: '10' });
  await dan.shell.open('Wallet');
  await dan.wallet.openSendForm();
  await dan.page.getByLabel('…or paste an account id').fill('ab'.repeat(32));
  await dan.page.getByLabel('Amount').fill('lots');
  await dan.page.getByRole('button', { name: 'Review payment' }).click();
  const amount = dan.page.getByLabel('Amount');
  await expect(amount).toHaveAttribute('aria-invalid', 'true');
  await expect(amount).toHaveAccessibleDescription(/\S/);
  await expect(dan.page.getByLabel('Memo (optional)')).not.toHaveAttribute('aria-invalid', 'true');
  expect(await axeFindings(dan.page, 'send form with an error')).toEqual([]);
});

test('keyboard: a skip link comes first, and the navigation before the content', async ({ openPerson }) => {
  const kim = await openPerson('Kim');
  await kim.page.goto('/#/settings');
  await expect(kim.page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
  await kim.page.keyboard.press('Tab');
  const skip = kim.page.getByRole('link', { name: 'Skip to main content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();

  // Tab on: the navigation is reached before anything inside main.
  let reachedNav = false;
  for (let i = 0; i < 8 && !reachedNav; i++) {
    await kim.page.keyboard.press('Tab');
    const where = await kim.page.evaluate(() => (document.activeElement?.closest('nav') ? 'nav' : document.activeElement?.closest('main') ? 'main' : 'other'));
    expect(where).not.toBe('main');
    reachedNav = where === 'nav';
  }
  expect(reachedNav).toBe(true);

  // The skip link moves focus into the view, and the view stays the same.
  await kim.page.keyboard.press('Shift+Tab');
  for (let i = 0; i < 8 && !(await skip.evaluate((el) => el === document.activeElement)); i++) await kim.page.keyboard.press('Shift+Tab');
  await kim.page.keyboard.press('Enter');
  await expect(kim.page.locator('main')).toBeFocused();
  await expect(kim.page.getByRole('heading', { level: 1, name: 'Settings' })).toBeVisible();
  await kim.page.keyboard.press('Tab');
  expect(await kim.page.evaluate(() => document.activeElement?.closest('main') !== null)).toBe(true);
});

test('dark mode follows the system setting', async ({ openPerson }) => {
  const lea = await openPerson('Lea');
  await lea.shell.open('Settings');
  const card = lea.page.locator('.card').first();
  await lea.page.emulateMedia({ colorScheme: 'light' });
  await expect(lea.page.locator('html')).toHaveCSS('background-color', 'rgb(247, 247, 242)');
  await expect(card).toHaveCSS('background-color', 'rgb(255, 255, 255)');
  await lea.page.emulateMedia({ colorScheme: 'dark' });
  await expect(lea.page.locator('html')).toHaveCSS('background-color', 'rgb(17, 23, 21)');
  await expect(lea.page.locator('html')).toHaveCSS('color', 'rgb(228, 235, 231)');
  await expect(card).toHaveCSS('background-color', 'rgb(26, 34, 32)');
  await expect(lea.page.getByLabel('Add a signaling server')).toHaveCSS('color', 'rgb(228, 235, 231)');
});

test('populated: two members and a payment pass axe everywhere, and fit a 412 px and a 360 px phone', async ({ openPerson }) => {
  test.setTimeout(180_000); // two people over WebRTC, then axe twice over seven views each
  const alice = await openPerson('Alice');
  const bob = await openPerson('Bob', { device: 'Pixel 7' });
  await alice.introduce();
  await bob.introduce();
  await alice.shell.open('Economy');
  await alice.economy.create('Accessible hours', { limitMH: '5', limitCH: '5' });
  const link = await alice.economy.inviteLink();

  const found: string[] = [];
  // The join view with a good invite, on a desktop (someone who only looks) and on the phone.
  const carol = await openPerson('Carol');
  await carol.page.goto(link);
  await expect(carol.page.getByRole('button', { name: /^Join / })).toBeVisible();
  found.push(...(await axeFindings(carol.page, 'desktop join view, good invite')));
  await carol.context.close();
  await bob.page.goto(link);
  await expect(bob.page.getByRole('button', { name: /^Join / })).toBeVisible();
  found.push(...(await axeFindings(bob.page, 'phone join view, good invite')));
  await bob.page.getByRole('button', { name: /^Join / }).click();
  await expect(bob.page.getByRole('heading', { level: 1, name: 'Wallet' })).toBeVisible();

  await alice.shell.open('Wallet');
  await alice.wallet.waitForMember('Bob');
  await alice.wallet.send({ toName: 'Bob', amount: '2', currency: 'MH', memo: 'review' });
  await alice.wallet.expectSent();
  await expect(bob.wallet.balance('MH')).toHaveText('2 MH', { timeout: 20_000 });
  await bob.shell.open('Economy');
  await expect(bob.economy.balancesTable().locator('tbody tr')).toHaveCount(2, { timeout: 20_000 });

  found.push(...(await axeEveryView(alice, 'desktop populated')));
  found.push(...(await axeEveryView(bob, 'phone populated')));
  // The stake form open in the members table.
  await alice.shell.open('Economy');
  await alice.economy.balancesTable().getByRole('button', { name: 'Vouch…' }).click();
  await expect(alice.economy.balancesTable().getByLabel('Stake amount')).toBeVisible();
  found.push(...(await axeFindings(alice.page, 'desktop stake form')));
  expect(found).toEqual([]);

  for (const width of [412, 360]) {
    await bob.page.setViewportSize({ width, height: 800 });
    await expectMembersTableFits(bob);
    await bob.shell.open('Wallet');
    // On a phone the send form may sit behind a "Send hours" button.
    const toggle = bob.page.getByRole('button', { name: 'Send hours', exact: true });
    if (await toggle.isVisible()) await toggle.click();
    await expectPickerNotClipped(bob.page.getByRole('combobox', { name: 'Currency', exact: true }));
    await expectNoHorizontalOverflow(bob.page);
  }
});
