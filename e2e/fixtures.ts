// `openPerson(name)` opens the app for one simulated person in a browser context of their own:
// own storage, own BroadcastChannel, own service worker. People only meet through the signaling
// server and WebRTC. Every context is closed at the end of the test.
import { devices, expect, test as base, type BrowserContext, type Page } from '@playwright/test';
import { AppShell } from './pages/app-shell.page';
import { SettingsPage } from './pages/settings.page';
import { IdentityPage } from './pages/identity.page';
import { EconomyPage } from './pages/economy.page';
import { WalletPage } from './pages/wallet.page';
import { ComputePage } from './pages/compute.page';

export class Person {
  readonly shell: AppShell;
  readonly settings: SettingsPage;
  readonly identity: IdentityPage;
  readonly economy: EconomyPage;
  readonly wallet: WalletPage;
  readonly compute: ComputePage;
  constructor(
    readonly name: string,
    readonly context: BrowserContext,
    readonly page: Page,
  ) {
    this.shell = new AppShell(page);
    this.settings = new SettingsPage(page);
    this.identity = new IdentityPage(page);
    this.economy = new EconomyPage(page);
    this.wallet = new WalletPage(page);
    this.compute = new ComputePage(page);
  }

  /** Sets the display name (Settings) so others can pick this person from the member list. */
  async introduce() {
    await this.shell.open('Settings');
    await this.identity.rename(this.name);
  }

  async accountId(): Promise<string> {
    await this.shell.open('Settings');
    return this.identity.fullId();
  }

  /** Opens an invite link in this person's browser and accepts it. */
  async joinByLink(link: string) {
    await this.page.goto(link);
    await this.page.getByRole('button', { name: /^Join / }).click();
    await expect(this.page.getByRole('heading', { level: 1, name: 'Wallet' })).toBeVisible();
  }
}

export interface PersonOptions {
  /** A Playwright device profile for the phone checks, e.g. 'Pixel 7' (412 px wide, touch, mobile). */
  device?: keyof typeof devices;
}

export const test = base.extend<{ openPerson: (name: string, options?: PersonOptions) => Promise<Person> }>({
  openPerson: async ({ browser }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async (name, options = {}) => {
      const context = await browser.newContext(options.device ? devices[options.device] : {});
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (error) => console.log(`[${name}] page error: ${error.message}`));
      await page.goto('/');
      return new Person(name, context, page);
    });
    await Promise.all(contexts.map((c) => c.close()));
  },
});

export { expect } from '@playwright/test';
