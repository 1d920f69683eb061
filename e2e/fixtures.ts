// `openPerson(name)` opens the app for one simulated person in a browser context of their own:
// own storage, own BroadcastChannel, own service worker. People only meet through the signaling
// server and WebRTC. Every context is closed at the end of the test.
import { test as base, type BrowserContext, type Page } from '@playwright/test';
import { AppShell } from './pages/app-shell.page';
import { SettingsPage } from './pages/settings.page';
import { IdentityPage } from './pages/identity.page';

export class Person {
  readonly shell: AppShell;
  readonly settings: SettingsPage;
  readonly identity: IdentityPage;
  constructor(
    readonly name: string,
    readonly context: BrowserContext,
    readonly page: Page,
  ) {
    this.shell = new AppShell(page);
    this.settings = new SettingsPage(page);
    this.identity = new IdentityPage(page);
  }
}

export const test = base.extend<{ openPerson: (name: string) => Promise<Person> }>({
  openPerson: async ({ browser }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async (name) => {
      const context = await browser.newContext();
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
