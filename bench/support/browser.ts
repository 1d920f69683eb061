// The browser set-up every browser benchmark shares (mesh, estimation, tasks, phone-join): the
// test build of the app, scripts/serve.mjs (app + signaling server) on free ports, Debian's
// Chromium with the e2e suite's arguments, and small polling helpers. One copy, so a change of
// ports, arguments or build flags reaches every benchmark.
import net from 'node:net';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { chromium, type Browser, type LaunchOptions } from '@playwright/test';

export const root = join(import.meta.dirname, '..', '..');

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Nearest-rank percentile of `values` (any order). */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

/** Polls `check` every `everyMs` until it is true; throws after `timeoutMs`. */
export async function until(what: string, timeoutMs: number, check: () => Promise<boolean>, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

const CHROMIUM_ARGS_FALLBACK = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

/** The e2e suite's Chromium arguments (playwright.config.ts), so benchmarks run the browser the tests do. */
export async function chromiumArgs(): Promise<string[]> {
  try {
    const config = (await import('../../playwright.config')).default as { use?: { launchOptions?: { args?: string[] } } };
    return config.use?.launchOptions?.args ?? CHROMIUM_ARGS_FALLBACK;
  } catch {
    return CHROMIUM_ARGS_FALLBACK;
  }
}

/** Debian's Chromium (Playwright cannot download browsers here) with the e2e arguments plus `extraArgs`. */
export async function launchChromium(extraArgs: string[] = [], options: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', ...options, args: [...(await chromiumArgs()), ...extraArgs] });
}

/** Builds the test bundle (production build + the window.hourmesh handle) so the current code is measured. */
export function buildTestBundle(outDir: string): void {
  const r = spawnSync('npx', ['vite', 'build', '--mode', 'test', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('vite build failed');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export interface Server {
  child: ChildProcess;
  url: string;
}

/** scripts/serve.mjs serving `dist` with its signaling server, both on free ports. */
export async function startServer(dist = 'dist-test'): Promise<Server> {
  const port = await freePort();
  let signalPort = await freePort();
  while (signalPort === port) signalPort = await freePort();
  const child = spawn(process.execPath, [join(root, 'scripts/serve.mjs')], {
    cwd: root,
    env: { ...process.env, HOURMESH_PORT: String(port), HOURMESH_SIGNAL_PORT: String(signalPort), HOURMESH_HOST: '127.0.0.1', HOURMESH_DIST: dist },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`scripts/serve.mjs exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/`)).ok) return { child, url };
    } catch { /* not up yet */ }
    if (Date.now() > deadline) throw new Error(`the server did not answer at ${url} within 30 s`);
    await sleep(100);
  }
}

export async function stopServer(server: Server | null): Promise<void> {
  if (!server || server.child.exitCode !== null) return;
  const exited = new Promise((r) => server.child.once('exit', r));
  server.child.kill('SIGTERM');
  await Promise.race([exited, sleep(3_000)]);
  if (server.child.exitCode === null) server.child.kill('SIGKILL');
}

/** Runs a benchmark's main and exits with its code (1 on a throw, after printing it). */
export function runBench(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
