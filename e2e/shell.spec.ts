import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from './fixtures';

test('the app opens offline after the first visit and says it is offline', async ({ openPerson }) => {
  const dana = await openPerson('dana');
  await expect(dana.shell.connectivity()).toHaveText('Online');
  await dana.shell.waitUntilOfflineReady();

  await dana.context.setOffline(true);
  await dana.page.reload();
  await expect(dana.shell.navigation()).toBeVisible();
  await expect(dana.shell.connectivity()).toContainText('Offline');
  await dana.shell.open('Settings');
});

test('every view is reachable, and before joining an economy Compute says where to start', async ({ openPerson }) => {
  const erin = await openPerson('erin');
  for (const view of ['Tasks', 'Releases', 'Estimate', 'Compute', 'Economy', 'Dashboard', 'Settings', 'Wallet'] as const) {
    await erin.shell.open(view);
  }
  await erin.shell.open('Compute');
  await erin.page.getByRole('link', { name: 'Create an economy or join one' }).click();
  await expect(erin.page.getByRole('heading', { level: 1, name: 'Economy' })).toBeVisible();
});

test('the layout fits a 360 px phone without sideways scrolling', async ({ openPerson }) => {
  const frank = await openPerson('frank');
  await frank.page.setViewportSize({ width: 360, height: 740 });
  const overflow = () => frank.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await frank.shell.open('Settings');
  expect(await overflow()).toBeLessThanOrEqual(0);
  await frank.shell.open('Economy');
  await frank.economy.create('A rather long economy name for a small phone screen');
  expect(await overflow()).toBeLessThanOrEqual(0);
  await frank.shell.open('Wallet');
  // A founder's first rows are its settings and profile, listed apart from payments.
  await expect(frank.wallet.balance('MH')).toBeVisible();
  await expect(frank.page.getByText('Profile and settings changes')).toBeVisible();
  expect(await overflow()).toBeLessThanOrEqual(0);
  await expect(frank.shell.navigation()).toBeInViewport();
});

test('signaling servers are validated and kept across reloads', async ({ openPerson }) => {
  const gus = await openPerson('gus');
  await gus.shell.open('Settings');
  await expect(gus.settings.signalingList()).toContainText('/signal');

  await gus.settings.addSignaling('https://not-a-websocket.example');
  await expect(gus.page.getByRole('alert')).toContainText('must start with ws:// or wss://');

  await expect(gus.page.getByLabel('Add a signaling server')).toHaveAttribute('aria-invalid', 'true');
  await expect(gus.page.getByLabel('Add a signaling server')).toHaveAccessibleDescription(/must start with ws:\/\/ or wss:\/\//);

  // Adding keeps the default; the default can be removed like any other, and restored.
  const servers = gus.settings.signalingList().getByRole('listitem');
  await gus.settings.addSignaling('wss://signal.example.org');
  await expect(servers).toHaveCount(2);
  await expect(servers.nth(0)).toContainText('default');
  await expect(servers.nth(1)).toContainText('wss://signal.example.org');
  await gus.settings.removeDefaultSignaling();
  await expect(servers).toHaveCount(1);
  await gus.page.reload();
  await gus.shell.open('Settings');
  await expect(servers).toHaveCount(1);
  await expect(gus.settings.signalingList()).toContainText('wss://signal.example.org');
  await gus.settings.removeSignaling('wss://signal.example.org');
  await expect(gus.page.getByRole('alert').filter({ hasText: 'Keep at least one signaling server' })).toBeVisible();
  await gus.page.getByRole('button', { name: 'Restore defaults' }).click();
  await expect(servers).toHaveCount(1);
  await expect(servers).toContainText('/signal');
  await expect(servers).toContainText('default');
  await expect(gus.page.getByRole('button', { name: 'Restore defaults' })).toHaveCount(0);
});

test('a new version is offered in the app, and applied only when the person asks', async ({ openPerson }) => {
  const hana = await openPerson('hana');
  await hana.shell.waitUntilOfflineReady();
  // Publish a "new version": any change to the service worker script makes the browser install it.
  // The e2e server serves the test build (playwright.config.ts: HOURMESH_DIST).
  const sw = join(process.cwd(), process.env.HOURMESH_E2E_DIST ?? 'dist-test', 'sw.js');
  const original = readFileSync(sw, 'utf8');
  try {
    writeFileSync(sw, `${original}\n// new version ${Date.now()}\n`);
    await hana.page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
    const prompt = hana.page.getByRole('alert').filter({ hasText: 'A new version of hourmesh is available.' });
    await expect(prompt).toBeVisible();
    const reloaded = hana.page.waitForEvent('load');
    await prompt.getByRole('button', { name: 'Reload to update' }).click();
    await reloaded;
    await expect(hana.shell.navigation()).toBeVisible();
    await expect(prompt).toHaveCount(0);
  } finally {
    writeFileSync(sw, original);
  }
});
