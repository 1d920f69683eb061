import { expect, type Page } from '@playwright/test';

/** The Economy view: create, join, invite, members and balances, diagnostics, ledger file. */
export class EconomyPage {
  constructor(readonly page: Page) {}

  /** `epoch`: the option's label, e.g. '1 minute (for demos and tests)' (default: a day). */
  async create(name: string, options: { secret?: string; limitMH?: string; limitCH?: string; epoch?: string } = {}) {
    await this.page.getByLabel('Name', { exact: true }).fill(name);
    if (options.epoch) await this.page.getByLabel('Epoch length').selectOption({ label: options.epoch });
    if (options.secret) await this.page.getByLabel('Secret', { exact: true }).fill(options.secret);
    if (options.limitMH) await this.page.getByLabel('Credit limit, man-hours').fill(options.limitMH);
    if (options.limitCH) await this.page.getByLabel('Credit limit, cpu-hours').fill(options.limitCH);
    await this.page.getByRole('button', { name: 'Create economy' }).click();
    await expect(this.page.getByRole('heading', { level: 2, name, exact: true })).toBeVisible();
    // The economy opens before its credit limits are signed: the form stays, "Creating…", until then.
    await expect(this.page.getByRole('button', { name: 'Creating…' })).toHaveCount(0);
  }

  /**
   * Opens the create and join forms beside an open economy. Retried until the form shows: a
   * status line appearing above it (e.g. "ready to work offline") can move the button between
   * Playwright's stability check and its click.
   */
  async startAnother() {
    const name = this.page.getByLabel('Name', { exact: true });
    await expect(async () => {
      if (!(await name.isVisible())) await this.page.getByRole('button', { name: 'Create or join another economy' }).click();
      await expect(name).toBeVisible({ timeout: 1_000 });
    }).toPass();
  }

  /** Leaves an economy from the "Your economies" list, confirming it. */
  async leave(name: string) {
    const mine = this.page.getByRole('list', { name: 'Your economies' });
    await mine.getByRole('listitem').filter({ hasText: name }).getByRole('button', { name: 'Leave…' }).click();
    await mine.getByRole('button', { name: `Leave ${name}` }).click();
    await expect(mine.getByRole('listitem').filter({ hasText: name })).toHaveCount(0);
  }

  forks() {
    return this.page.getByRole('alert', { name: 'Forks: accounts frozen' });
  }

  async inviteLink(): Promise<string> {
    return this.page.getByLabel('Invite link').inputValue();
  }

  connection() {
    return this.page.getByRole('status', { name: 'Connection' });
  }

  async expectPeers(atLeast: number) {
    await expect.poll(async () => Number(await this.connection().getAttribute('data-peers')), { timeout: 20_000 }).toBeGreaterThanOrEqual(atLeast);
  }

  balancesTable() {
    return this.page.getByRole('table', { name: 'Member balances' });
  }

  /** Shows the row of one member (the table lists a page of members; its search finds any). */
  async findMember(account: string) {
    await this.page.getByLabel('Find a member').fill(account);
  }

  /** Every member's row: no search, and all rows shown (the table lists a page at first). */
  async showAllMembers() {
    const find = this.page.getByLabel('Find a member');
    if ((await find.inputValue()) !== '') await find.fill('');
    const all = this.page.getByRole('button', { name: /^Show all \d+$/ });
    if (await all.isVisible()) await all.click();
  }

  /** The table as text rows "name | account | MH | CH", sorted, with "(you)" and tags removed. */
  async balanceRows(): Promise<string[]> {
    await this.showAllMembers();
    const rows = await this.balancesTable().locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => `${tr.getAttribute('data-account')} ${[...tr.querySelectorAll('td.num')].map((td) => td.textContent?.trim()).join(' ')}`),
    );
    return rows.sort();
  }

  async balanceOf(account: string): Promise<string> {
    await this.findMember(account);
    const row = this.balancesTable().locator(`tr[data-account="${account}"]`);
    return (await row.locator('td.num').allTextContents()).map((t) => t.trim()).join(' ');
  }

  /**
   * Stakes `amount` hours on a member from the balances table (the member must be listed: online,
   * or known to the ledger), and waits until the table shows the stake.
   */
  async vouch(account: string, amount: string, currency: 'MH' | 'CH' = 'MH') {
    await this.findMember(account);
    const row = this.balancesTable().locator(`tr[data-account="${account}"]`);
    await expect(row).toBeVisible({ timeout: 20_000 });
    await row.getByRole('button', { name: 'Vouch…' }).click();
    await row.getByLabel('Stake amount').fill(amount);
    await row.getByLabel('Stake currency').selectOption(currency);
    await row.getByRole('button', { name: 'Vouch', exact: true }).click();
    await expect(row).toContainText(`you vouch`);
  }

  /** Gives back `amount` hours of the stake a member holds on me (the caller checks the outcome). */
  async giveBack(account: string, amount: string, currency: 'MH' | 'CH' = 'MH') {
    await this.findMember(account);
    const row = this.balancesTable().locator(`tr[data-account="${account}"]`);
    await row.getByRole('button', { name: 'Give back…' }).click();
    await row.getByLabel('Stake amount').fill(amount);
    await row.getByLabel('Stake currency').selectOption(currency);
    await row.getByRole('button', { name: 'Give back', exact: true }).click();
  }

  stakeResult(account: string) {
    return this.balancesTable().locator(`tr[data-account="${account}"]`).getByLabel('Stake result');
  }

  async expectEntries(atLeast: number, timeout = 20_000) {
    const summary = this.page.getByLabel('Ledger summary');
    await expect.poll(async () => Number(await summary.getAttribute('data-entries')), { timeout }).toBeGreaterThanOrEqual(atLeast);
  }

  diagnostics() {
    return this.page.getByRole('list', { name: 'Rejected content' });
  }

  async importLedger(path: string) {
    await this.page.getByLabel('Import a ledger file').setInputFiles(path);
  }

  importStatus() {
    return this.page.getByRole('status', { name: 'Ledger import' });
  }
}
