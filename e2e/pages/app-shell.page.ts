import { expect, type Page } from '@playwright/test';

export class AppShell {
  constructor(readonly page: Page) {}

  navigation() {
    return this.page.getByRole('navigation', { name: 'Main' });
  }

  async open(view: 'Wallet' | 'Tasks' | 'Releases' | 'Estimate' | 'Compute' | 'Economy' | 'Dashboard' | 'Settings') {
    await this.navigation().getByRole('link', { name: view }).click();
    await expect(this.page.getByRole('heading', { level: 1, name: view })).toBeVisible();
  }

  connectivity() {
    return this.page.getByRole('status').filter({ hasText: /^(Online|Offline)/ });
  }

  /**
   * Resolves once the service worker is active: it installs only after precaching the whole app
   * shell, so from then on a reload is served from the cache even without a network.
   */
  async waitUntilOfflineReady() {
    await expect(this.page.getByRole('status').filter({ hasText: 'ready to work offline' })).toBeVisible();
    await this.page.evaluate(() => navigator.serviceWorker.ready);
  }
}
