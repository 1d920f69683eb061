// Bundles e2e/support/compute-harness.ts (esbuild, in memory) and serves it into a page at a path
// of the page's own origin (Playwright's route), so the app's CSP (script-src 'self') admits it
// exactly as it admits the app's own scripts: the test does not weaken any policy.
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Page } from '@playwright/test';

export const HARNESS_PATH = '/__e2e/compute-harness.js';
let bundled: Promise<string> | null = null;

export function harnessSource(): Promise<string> {
  bundled ??= build({
    entryPoints: [join(import.meta.dirname, 'compute-harness.ts')], bundle: true, format: 'iife',
    target: 'es2022', write: false, logLevel: 'warning',
  }).then((r) => r.outputFiles[0]!.text);
  return bundled;
}

/** Serves the harness at HARNESS_PATH for this page, then loads it; resolves when it is there. */
export async function loadComputeHarness(page: Page): Promise<void> {
  const source = await harnessSource();
  await page.route(`**${HARNESS_PATH}`, (route) => route.fulfill({ contentType: 'text/javascript', body: source }));
  await page.addScriptTag({ url: HARNESS_PATH });
  await page.waitForFunction(() => '__hourmeshCompute' in globalThis);
}
