// The dashboard: epochs, supply and the audit, on a phone; the audit reports a discrepancy after a
// test-only corruption of this peer's replayed state (through the test build's debug handle).
import { expect, test } from './fixtures';

test('the dashboard shows the epoch, no flow yet, and an audit without discrepancy, on a 360 px phone', async ({ openPerson }) => {
  const ida = await openPerson('ida');
  await ida.page.setViewportSize({ width: 360, height: 740 });
  await ida.shell.open('Economy');
  await ida.economy.create('Dashboard economy');
  await ida.shell.open('Dashboard');
  await expect(ida.page.getByText(/epochs of 1 day/)).toBeVisible();
  await expect(ida.page.getByTestId('no-flow')).toBeVisible();
  await expect(ida.page.getByTestId('supply-mh')).toHaveText('0 MH');
  expect(await ida.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await expect(ida.shell.navigation()).toBeInViewport();

  await ida.page.getByRole('button', { name: 'Audit everything' }).click();
  await expect(ida.page.locator('[data-audit="ok"]')).toContainText(/No discrepancy: \d+ entries verified/);

  // Test-only corruption: a balance changed behind the ledger's back.
  await ida.page.evaluate(() => window.hourmesh!.economies.active!.session.debugCorrupt({ balance: { account: 'f'.repeat(64), MH: 5_000, CH: 0 } }));
  await ida.page.getByRole('button', { name: 'Audit everything' }).click();
  await expect(ida.page.locator('[data-audit="discrepancy"]')).toBeVisible();
  await expect(ida.page.getByText('1 balances differ from a fresh replay.')).toBeVisible();
});

test('flow records of past epochs are charted and minted; the audit notices they are not backed by entries', async ({ openPerson }) => {
  const jo = await openPerson('jo');
  await jo.shell.open('Economy');
  await jo.economy.create('Charted economy');
  // Test-only: flow records pushed behind the ledger's back (the compute and task kinds push
  // such records when they exist), in the six days before today, growing.
  await jo.page.evaluate(async () => {
    const session = window.hourmesh!.economies.active!.session;
    const flows: import('../src/core').FlowRecord[] = [];
    const day = 86_400_000;
    const today = Math.floor(Date.now() / day);
    const id = (c: string, n: number) => c + String(n).padStart(63, '0');
    for (let k = 6; k >= 1; k--) {
      for (let i = 0; i < 4 * (7 - k); i++) {
        const time = (today - k) * day + i * 1_000;
        // Everyone earns from others; "me" delivers to two of them.
        flows.push({ entryId: `${k}-${i}-a`, time, currency: 'MH', payer: id('a', i % 4), payee: id('a', (i + 1) % 4), amount: 1_000, source: 'task' });
        flows.push({ entryId: `${k}-${i}-b`, time: time + 1, currency: 'MH', payer: id('a', i % 2), payee: session.me, amount: 2_000 + 100 * i, source: 'task' });
      }
    }
    await session.debugCorrupt({ flows });
  });
  await jo.shell.open('Dashboard');
  await expect(jo.page.getByRole('figure')).toHaveCount(4);
  await expect(jo.page.locator('figure canvas').first()).toBeVisible();
  await expect(jo.page.getByRole('table').getByRole('row')).toHaveCount(7); // header + 6 epochs
  await expect(jo.page.getByTestId('supply-mh')).not.toHaveText('0 MH');
  await expect(jo.page.getByTestId('mine-mh')).not.toHaveText('0 MH');
  await jo.page.getByRole('button', { name: 'Audit everything' }).click();
  await expect(jo.page.locator('[data-audit="discrepancy"]')).toBeVisible();
  await expect(jo.page.getByText('The epochs or mints shown differ from a recomputation.')).toBeVisible();
});
