import { expect, type Page } from '@playwright/test';

/** The Wallet view: balances, the send form, history. */
export class WalletPage {
  constructor(readonly page: Page) {}

  balance(currency: 'MH' | 'CH') {
    const label = currency === 'MH' ? 'Man-hours balance' : 'Cpu-hours balance';
    return this.page.getByRole('region', { name: label }).locator('.amount');
  }

  async send(options: { toName?: string; toId?: string; amount: string; currency?: 'MH' | 'CH'; memo?: string }) {
    if (options.toName) {
      const select = this.page.getByLabel('To a member');
      const value = await select.locator('option', { hasText: options.toName }).first().getAttribute('value');
      await select.selectOption(value!);
    }
    if (options.toId) await this.page.getByLabel('…or paste an account id').fill(options.toId);
    await this.page.getByLabel('Amount').fill(options.amount);
    await this.page.getByLabel('Currency').selectOption(options.currency ?? 'MH');
    await this.page.getByLabel('Memo (optional)').fill(options.memo ?? '');
    await this.page.getByRole('button', { name: 'Send' }).click();
  }

  sendResult() {
    return this.page.getByLabel('Send result');
  }

  async expectSent() {
    await expect(this.sendResult()).toContainText('Sent ');
  }

  historyItems() {
    return this.page.getByRole('list', { name: 'History entries' }).getByRole('listitem');
  }

  /** Waits until a member with this name is in the send list (their profile or presence arrived). */
  async waitForMember(name: string) {
    await expect(this.page.getByLabel('To a member').locator('option', { hasText: name })).toHaveCount(1, { timeout: 20_000 });
  }
}
