// People of a browser benchmark: each a browser context of its own (own IndexedDB, own
// BroadcastChannel), as in e2e/fixtures.ts, driven through the UI by the e2e page objects; and the
// serving member of a large seeded economy (bench/mesh.bench.ts's late joiner, bench/phone-join).
import type { Browser, BrowserContext, BrowserContextOptions, Page } from '@playwright/test';
import { AppShell } from '../../e2e/pages/app-shell.page';
import { EconomyPage } from '../../e2e/pages/economy.page';
import { WalletPage } from '../../e2e/pages/wallet.page';
import { writeLedgerFile } from '../../e2e/support/signed-entries';
import { APP_LOADED, ENTRY_COUNT, SERVER_VERIFIED } from './app-probes';
import { sleep } from './browser';

export interface Person {
  name: string;
  context: BrowserContext;
  page: Page;
  shell: AppShell;
  economy: EconomyPage;
  wallet: WalletPage;
  id: string;
}

export class Mesh {
  readonly contexts: BrowserContext[] = [];
  constructor(readonly browser: Browser, readonly url: string) {}

  async open(name: string, options: { initScript?: string; goto?: boolean; context?: BrowserContextOptions } = {}): Promise<Person> {
    // bypassCSP: the probes pass JavaScript as strings (page.evaluate, waitForFunction), which
    // the app's Content-Security-Policy (no unsafe-eval) would refuse; the app itself is unchanged.
    const context = await this.browser.newContext({ ...options.context, baseURL: this.url, bypassCSP: true });
    this.contexts.push(context);
    if (options.initScript) await context.addInitScript({ content: options.initScript });
    const page = await context.newPage();
    page.on('pageerror', (error) => console.log(`# [${name}] page error: ${error.message}`));
    const person: Person = {
      name, context, page, shell: new AppShell(page), economy: new EconomyPage(page), wallet: new WalletPage(page), id: '',
    };
    if (options.goto !== false) {
      await page.goto('/');
      await page.waitForFunction(APP_LOADED);
    }
    return person;
  }

  async close(person: Person): Promise<void> {
    await person.context.close().catch(() => undefined);
  }
}

export async function joinByLink(person: Person, link: string): Promise<void> {
  await person.page.goto(link);
  await person.page.getByRole('button', { name: /^Join / }).click();
  await person.page.getByRole('heading', { level: 1, name: 'Wallet' }).waitFor({ timeout: 30_000 });
  await person.page.waitForFunction('window.hourmesh.economies.active !== null', undefined, { timeout: 30_000 });
}

export async function activeId(person: Person): Promise<string> {
  return person.page.evaluate('window.hourmesh.economies.active.me') as Promise<string>;
}

export interface Served {
  /** Entries the serving member's ledger holds afterwards. */
  count: number;
  /** Entries the import added. */
  fresh: number;
  fileBytes: number;
  importMs: number;
  verifiedMs: number;
}

/**
 * Makes `server` a member of the seeded economy at `link` holding `entries`: it joins (once),
 * imports them as a ledger file through the Economy view, and waits until every signature is
 * checked and its writes settle, so a joiner is then timed on its own, not beside a busy neighbour.
 */
export async function serveLedger(server: Person, link: string, entries: readonly Uint8Array[], file: string): Promise<Served> {
  writeLedgerFile(file, entries);
  const before = (await server.page.evaluate(`window.hourmesh.economies.active ? ${ENTRY_COUNT} : 0`).catch(() => 0)) as number;
  if (before === 0) await joinByLink(server, link);
  await server.shell.open('Economy');
  const importStart = Date.now();
  await server.economy.importLedger(file);
  await server.page.waitForFunction(`${ENTRY_COUNT} >= ${entries.length}`, undefined, { timeout: 180_000, polling: 200 });
  const importMs = Date.now() - importStart;
  // The import is a head-first load: the serving page checks every other signature in the background.
  await server.page.waitForFunction(SERVER_VERIFIED, undefined, { timeout: 300_000, polling: 200 });
  const verifiedMs = Date.now() - importStart;
  const count = (await server.page.evaluate(ENTRY_COUNT)) as number;
  await sleep(4_000); // its IndexedDB writes and document persistence of the import settle too
  return { count, fresh: entries.length - before, fileBytes: entries.reduce((s, e) => s + e.length, 0), importMs, verifiedMs };
}
