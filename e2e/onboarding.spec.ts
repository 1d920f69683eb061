// First use and joining (issue 8, "Onboarding and joining"): a name asked at the join, the join
// view following the address, a founder alone told it is normal, the short invite and its QR
// code, and a backup that brings the economies back. The phone people use a phone profile.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Person } from './fixtures';
import { readQrCode } from './support/qr';
import { inviteLink, parseInviteLink } from '../src/net/invite';

/** The phone people use a phone profile (Pixel 7: 412 px wide, touch, mobile). */
const PHONE = { device: 'Pixel 7' } as const;

/** Leaves `url` as the person's only signaling server (whatever else Settings lists). */
async function useOnlySignaling(person: Person, url: string) {
  await person.shell.open('Settings');
  await person.settings.addSignaling(url);
  const list = person.settings.signalingList();
  await expect(list).toContainText(url);
  const others = list.getByRole('listitem').filter({ hasNotText: url });
  for (let n = await others.count(); n > 0; n--) await others.first().getByRole('button', { name: /^Remove / }).click();
  await expect(list.getByRole('listitem')).toHaveCount(1);
}

/** The join form's name and colour, then its button. An empty name skips the question. */
async function joinAs(person: Person, link: string, name: string, colour?: string) {
  await person.page.goto(link);
  const field = person.page.getByLabel('Your name in this economy');
  await expect(field).toBeVisible();
  await field.fill(name);
  if (colour) await person.page.getByRole('radio', { name: colour }).check();
  await person.page.getByRole('button', { name: /^Join / }).click();
  await expect(person.page.getByRole('heading', { level: 1, name: 'Wallet' })).toBeVisible();
}

test('joining on a phone asks for a name and colour, and payments then read that name', async ({ openPerson }) => {
  const ana = await openPerson('Ana');
  await ana.introduce();
  await ana.shell.open('Economy');
  await ana.economy.create('Café coders', { limitMH: '5' });
  const link = await ana.economy.inviteLink();

  // Kim never chose a name: the field is empty, and its hint says what others would see instead.
  const kim = await openPerson('Kim', PHONE);
  await kim.page.goto(link);
  await expect(kim.page.getByLabel('Your name in this economy')).toHaveValue('');
  await expect(kim.page.getByText('Optional. Members see it beside your payments')).toContainText(/without one you are\s+“Member [0-9a-f]{4}”/);
  await joinAs(kim, link, 'Kim', 'Violet');
  await kim.shell.open('Settings');
  await expect(kim.identity.nameInput()).toHaveValue('Kim');
  await expect(kim.identity.card().getByRole('radio', { name: 'Violet' })).toBeChecked();

  // Ana pays Kim: her confirmation names Kim, not "Member …".
  await ana.shell.open('Wallet');
  await ana.wallet.waitForMember('Kim');
  await ana.wallet.send({ toName: 'Kim', amount: '2.5', currency: 'MH' });
  await expect(ana.wallet.sendResult()).toContainText('Sent 2.5 MH to Kim');

  // Someone who already chose a name finds it filled in; skipping keeps it.
  const lou = await openPerson('Lou', PHONE);
  await lou.introduce();
  await lou.page.goto(link);
  await expect(lou.page.getByLabel('Your name in this economy')).toHaveValue('Lou');
  await lou.page.getByRole('button', { name: 'Join Café coders' }).click();
  await expect(lou.page.getByRole('heading', { level: 1, name: 'Wallet' })).toBeVisible();
  await ana.wallet.waitForMember('Lou');
});

test('the join view follows the address: a damaged invite, then a good one, then a second economy, with no reload', async ({ openPerson }) => {
  const [ana, ben] = [await openPerson('Ana'), await openPerson('Ben')];
  await ana.shell.open('Economy');
  await ana.economy.create('Night shift');
  const first = await ana.economy.inviteLink();
  await ben.shell.open('Economy');
  await ben.economy.create('Day shift');
  const second = await ben.economy.inviteLink();

  const kim = await openPerson('Kim', PHONE);
  await kim.page.goto(first.slice(0, -12));
  await expect(kim.page.getByRole('alert')).toContainText('damaged');
  // A marker on the page's window survives hash navigation and is gone after a reload.
  await kim.page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));

  await kim.page.goto(first);
  await expect(kim.page.getByRole('alert')).toHaveCount(0);
  await kim.page.getByRole('button', { name: 'Join Night shift' }).click();
  await expect(kim.page.getByRole('heading', { level: 1, name: 'Wallet' })).toBeVisible();

  await kim.page.goto(second);
  await kim.page.getByRole('button', { name: 'Join Day shift' }).click();
  await expect(kim.page.getByRole('heading', { level: 1, name: 'Wallet' })).toBeVisible();
  expect(await kim.page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
  await kim.shell.open('Economy');
  const mine = kim.page.getByRole('list', { name: 'Your economies' });
  await expect(mine.getByRole('listitem')).toHaveText([/Night shift/, /Day shift/]);
  await kim.economy.expectPeers(1);
});

test('a person who goes to another view while joining stays there when the economy opens', async ({ openPerson }) => {
  const ana = await openPerson('Ana');
  await ana.shell.open('Economy');
  await ana.economy.create('Slow start');
  const link = await ana.economy.inviteLink();

  const kim = await openPerson('Kim', PHONE);
  await kim.page.goto(link);
  const joinButton = kim.page.getByRole('button', { name: 'Join Slow start' });
  await expect(joinButton).toBeVisible();
  await kim.page.waitForFunction(() => window.hourmesh !== undefined);
  // A slow phone: the economy opens only when the test lets it, and the test hears when the join
  // view's own continuation after it has run (a timer fires after the promise's continuations).
  await kim.page.evaluate(() => {
    const w = window as unknown as { letJoin?: () => void; joinDone?: boolean };
    const economies = window.hourmesh!.economies;
    const join = economies.join.bind(economies);
    economies.join = async (invite) => {
      await new Promise<void>((go) => (w.letJoin = go));
      const problem = await join(invite);
      setTimeout(() => (w.joinDone = true), 0);
      return problem;
    };
  });
  await joinButton.click();
  await kim.shell.open('Tasks');
  await kim.page.evaluate(() => (window as unknown as { letJoin: () => void }).letJoin());
  await expect.poll(() => kim.page.evaluate(() => (window as unknown as { joinDone?: boolean }).joinDone === true)).toBe(true);
  await expect(kim.page.getByRole('heading', { level: 1, name: 'Tasks' })).toBeVisible();
  expect(await kim.page.evaluate(() => location.hash)).toBe('#/tasks');
  await kim.shell.open('Wallet');
  await expect(kim.page.getByText('Economy: Slow start')).toBeVisible();
});

test('a founder alone is told to share the invite; the warnings wait until they are likely', async ({ openPerson }) => {
  const ana = await openPerson('Ana');
  await ana.shell.open('Economy');
  await ana.economy.create('Just me');
  const banner = ana.economy.connection();
  await expect(banner).toHaveAttribute('data-state', 'nobody-yet');
  await expect(banner).toHaveText('Nobody else is here yet — share the invite (Economy → Invite people).');
  await expect(banner).not.toHaveClass(/warn/);

  // A member who finds nobody of a known economy: first "looking", the warnings only later.
  const link = await ana.economy.inviteLink();
  await ana.page.goto('about:blank');
  const kim = await openPerson('Kim', PHONE);
  await kim.joinByLink(link);
  await kim.shell.open('Economy');
  await expect(kim.economy.connection()).toHaveAttribute('data-state', 'searching');
  await expect(kim.economy.connection()).not.toHaveClass(/warn/);
  await expect(kim.economy.connection()).toHaveAttribute('data-state', 'alone', { timeout: 30_000 });
  await expect(kim.economy.connection()).toContainText('firewall');
  await expect(kim.economy.connection()).toHaveClass(/warn/);

  // Ana is back: both connected.
  await ana.page.goto('/#/economy');
  await kim.economy.expectPeers(1);
});

test('the invite is short, its QR code is large and scans, and it carries the inviter’s own signaling server', async ({ openPerson, baseURL }) => {
  const ana = await openPerson('Ana');
  // Ana reaches the signaling server under another name than her page's host: a joiner's
  // default would not find it, so the invite must carry it.
  const server = `ws://localhost:${new URL(baseURL!).port}/signal`;
  await useOnlySignaling(ana, server);
  await ana.shell.open('Economy');
  await ana.economy.create('Far away');
  const link = await ana.economy.inviteLink();
  expect(link.length).toBeLessThan(200);
  const parsed = parseInviteLink(link);
  expect(parsed.ok && parsed.invite.signaling).toEqual([server]);

  const qr = ana.page.getByRole('figure', { name: 'Invite QR code' }).locator('svg');
  const box = (await qr.boundingBox())!;
  expect(box.width).toBeGreaterThanOrEqual(256);
  expect(await readQrCode(qr)).toBe(link);

  // Kim's own list has only a dead server: she finds Ana through the invite's one alone.
  const kim = await openPerson('Kim', PHONE);
  await useOnlySignaling(kim, 'ws://127.0.0.1:9/signal');
  await kim.joinByLink(link);
  await kim.shell.open('Economy');
  await kim.economy.expectPeers(1);
  // For this room only: her settings are unchanged.
  await kim.shell.open('Settings');
  await expect(kim.settings.signalingList().getByRole('listitem')).toHaveCount(1);
});

test('a backup brings the economies back on a new phone, and says which', async ({ openPerson }) => {
  const ana = await openPerson('Ana');
  await ana.introduce();
  await ana.shell.open('Economy');
  await ana.economy.create('Café coders');
  const cafe = await ana.economy.inviteLink();
  await ana.economy.startAnother();
  await ana.economy.create('Night shift');
  await ana.shell.open('Settings');
  const backup = join(mkdtempSync(join(tmpdir(), 'hourmesh-onboarding-')), 'ana.json');
  await ana.identity.downloadBackup('two economies inside', backup);

  const phone = await openPerson('Ana (phone)', PHONE);
  await phone.shell.open('Settings');
  await phone.identity.restore(backup, 'two economies inside');
  const status = phone.identity.card().getByRole('status').filter({ hasText: 'Restored' });
  await expect(status).toContainText('Restored your key and 2 economies: Café coders, Night shift.');
  await phone.shell.open('Economy');
  const mine = phone.page.getByRole('list', { name: 'Your economies' });
  await expect(mine.getByRole('listitem')).toHaveText([/Café coders/, /Night shift/]);
  // The restored secret is the right one: in the economy Ana has open, the two devices meet.
  await mine.getByRole('button', { name: 'Switch to Night shift' }).click();
  await phone.economy.expectPeers(1);

  // A device that already belongs to Café coders with another secret keeps it, and is told so.
  const parsed = parseInviteLink(cafe);
  if (!parsed.ok) throw new Error(parsed.error);
  const other = await openPerson('Ana (tablet)', PHONE);
  await other.joinByLink(inviteLink(cafe, { ...parsed.invite, secret: 'a-different-secret' }));
  await other.shell.open('Settings');
  await other.identity.restore(backup, 'two economies inside');
  const told = other.identity.card().getByRole('status').filter({ hasText: 'Restored' });
  await expect(told).toContainText('Restored your key and 1 economy: Night shift.');
  await expect(told).toContainText('You already belong to Café coders, with a different secret');
});

test('a second economy’s form stays open while the person types, however long the first one takes to finish', async ({ openPerson }) => {
  const ana = await openPerson('Ana', PHONE);
  await ana.introduce();
  await ana.shell.open('Economy');
  // A slow phone: this device's own writes (here the new economy's credit limits) wait until the
  // test lets them go. The ledger worker holds back the Web Lock every own write takes
  // (src/net/own-writes.ts; a test-build debug call).
  await ana.page.evaluate(() => window.hourmesh!.ledger.debugHoldWrites(true));
  await ana.page.getByLabel('Name', { exact: true }).fill('Café coders');
  await ana.page.getByRole('button', { name: 'Create economy' }).click();
  // The economy is open, but not finished: its form says so and stays, and nothing offers a second.
  await expect(ana.page.getByRole('heading', { level: 2, name: 'Café coders', exact: true })).toBeVisible();
  await expect(ana.page.getByRole('button', { name: 'Creating…' })).toBeDisabled();
  await expect(ana.page.getByRole('button', { name: 'Create or join another economy' })).toHaveCount(0);
  await ana.page.evaluate(() => window.hourmesh!.ledger.debugHoldWrites(false));
  await expect(ana.page.getByRole('button', { name: 'Creating…' })).toHaveCount(0);

  // Once it has finished, the person opens the form again and types; nothing closes it under them.
  await ana.economy.startAnother();
  const name = ana.page.getByLabel('Name', { exact: true });
  await name.fill('Night shift');
  await expect(name).toHaveValue('Night shift');
  await ana.page.getByRole('button', { name: 'Create economy' }).click();
  await expect(ana.page.getByRole('heading', { level: 2, name: 'Night shift', exact: true })).toBeVisible();
  await expect(ana.page.getByRole('list', { name: 'Your economies' }).getByRole('listitem')).toHaveText([/Café coders/, /Night shift/]);
});
