import { expect, type Page } from '@playwright/test';

/** The Wallet view: balances, the send form, history. */
export class WalletPage {
  constructor(readonly page: Page) {}

  balance(currency: 'MH' | 'CH') {
    const label = currency === 'MH' ? 'Man-hours balance' : 'Cpu-hours balance';
    return this.page.getByRole('region', { name: label }).locator('.amount');
  }

  /** On a phone the send form is behind a "Send hours" button; opens it if so. */
  async openSendForm() {
    const toggle = this.page.getByRole('button', { name: 'Send hours', exact: true });
    if (await toggle.isVisible()) await toggle.click();
  }

  /**
   * Fills the send form, reviews it and presses the confirmation's Send (the press that signs);
   * `stranger` also confirms paying an account never seen in the economy. A send the review
   * refuses stops at its message (sendResult).
   */
  async send(options: { toName?: string; toId?: string; amount: string; currency?: 'MH' | 'CH'; memo?: string; stranger?: boolean }) {
    await this.review(options);
    const confirmation = this.confirmation();
    await expect(confirmation.or(this.sendResult())).toBeVisible();
    if (!(await confirmation.isVisible())) return;
    await confirmation.getByRole('button', { name: 'Send', exact: true }).click();
    const anyway = confirmation.getByRole('button', { name: 'Send anyway' });
    if (options.stranger) await anyway.click();
    // Said at once (the press re-renders before the next command): a test that meant to pay a
    // member its ledger has not heard of yet would otherwise wait for a result that never comes.
    else if (await anyway.isVisible()) throw new Error(`Asked to confirm paying a stranger: ${await confirmation.innerText()}`);
  }

  /** Fills the send form and presses "Review payment"; nothing is signed yet. */
  async review(options: { toName?: string; toId?: string; amount: string; currency?: 'MH' | 'CH'; memo?: string }) {
    await this.openSendForm();
    if (options.toName) {
      const select = this.page.getByLabel('To a member');
      const value = await select.locator('option', { hasText: options.toName }).first().getAttribute('value');
      await select.selectOption(value!);
    }
    if (options.toId) await this.page.getByLabel('…or paste an account id').fill(options.toId);
    await this.page.getByLabel('Amount').fill(options.amount);
    await this.page.getByLabel('Currency').selectOption(options.currency ?? 'MH');
    await this.page.getByLabel('Memo (optional)').fill(options.memo ?? '');
    await this.page.getByRole('button', { name: 'Review payment' }).click();
  }

  /** The confirmation shown before signing: recipient, amount as read, currency. */
  confirmation() {
    return this.page.getByRole('region', { name: 'Confirm payment' });
  }

  sendResult() {
    return this.page.getByLabel('Send result');
  }

  async expectSent() {
    await expect(this.sendResult()).toContainText('Sent ');
  }

  /** A send made while no peer was connected: kept on this device, not yet "Sent". */
  async expectSavedHere() {
    await expect(this.sendResult()).toContainText('Saved on this device — shared when a peer is reachable');
  }

  historyItems() {
    return this.page.getByRole('list', { name: 'History entries' }).getByRole('listitem');
  }

  /** Narrows the history: currency ('all', 'MH', 'CH'), member (a name or 'everyone'), kind, memo text. */
  async filterHistory(filter: { currency?: string; member?: string; kind?: 'all' | 'payments' | 'stakes'; text?: string }) {
    const group = this.page.getByRole('group', { name: 'Filter history' });
    if (filter.currency) await group.getByLabel('Which hours').selectOption(filter.currency);
    if (filter.member) await group.getByLabel('With member').selectOption({ label: filter.member });
    if (filter.kind) await group.getByLabel('Kind').selectOption({ label: filter.kind });
    if (filter.text !== undefined) await group.getByLabel('Search memos').fill(filter.text);
  }

  accountChanges() {
    return this.page.getByRole('list', { name: 'Profile and settings changes' }).getByRole('listitem');
  }

  statement(name: string) {
    return this.page.getByRole('region', { name: `Statement with ${name}` });
  }

  incomingNotice() {
    return this.page.getByRole('status', { name: 'Incoming hours' });
  }

  /** Waits until a member with this name is in the send list (their profile or presence arrived). */
  async waitForMember(name: string) {
    await expect(this.page.getByLabel('To a member').locator('option', { hasText: name })).toHaveCount(1, { timeout: 20_000 });
  }
}
