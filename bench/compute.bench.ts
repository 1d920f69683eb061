// Compute benchmark (issue 9): the kernel runtime's own costs.
// Run: npm run bench  (or: npm run bench -- compute, or node --expose-gc --import tsx bench/compute.bench.ts)
//
// The browser side runs in Debian's Chromium against a tiny server started here on a free port: the
// sandbox page (public/sandbox.html) with the header policy scripts/serve.mjs sends for it, a blank
// page with the app's policy, and the compute runtime bundled from src/compute
// (e2e/support/compute-harness.ts). Units therefore run exactly as a donor's do: in a worker inside
// the opaque-origin sandbox frame, fed through comlink.
//
// Figures (every time a best-of or a median, as said; the machine is shared, so compare ratios):
// 1. compute.bench-kernel-node-ms: the benchmark kernel (kernels/bench.wat) on Node's main thread,
//    best of 15: the reference device's figure (REFERENCE_BENCH_MS in src/compute/metering.ts).
// 2. compute.worker-vs-node: the primes kernel over [0, 3,000,000) in a sandboxed worker, best of
//    5, divided by the same on Node's main thread, best of 5 (target 1.1: a worker runs the same
//    V8 code; only the sandbox's plumbing could cost).
// 3. compute.pool-efficiency-1-to-2: 8 units of ~0.5 s each, on a pool of 1 worker then of 2:
//    T1 / (2 × T2), per core (target ≥ 0.9). Needs two idle cores to mean anything: the machine's
//    load average is printed beside it.
// 4. compute.metering-overhead: over 8 units of ~0.5 s run one after another, (time the host
//    waits for a unit − time metered inside the worker) / metered time: the share of a donor's
//    work that no claim covers (compile, instantiate, copies, messages; target ≤ 2 %).
// 5. compute.wasm-vs-gcc: the primes kernel on Node's main thread against kernels/primes.c built
//    with `gcc -O2`, same range, best of 5 each (target ≤ 1.5×).
// 6. compute.device-speed-factor: measureSpeed() in the browser (the reference is figure 1).
import os from 'node:os';
import http from 'node:http';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { harnessSource } from '../e2e/support/compute-harness-bundle';
import { kernelWasm, primesInput } from '../src/compute/catalog';
import { runKernel } from '../src/compute/kernel-runner';
import { REFERENCE_BENCH_MS } from '../src/compute/metering';
import { SANDBOX_HEADERS, SECURITY_HEADERS } from '../scripts/serve.mjs';
import { line, note } from './support/report';

const root = join(import.meta.dirname, '..');
const PRIMES_TO = 3_000_000;
const POOL_UNITS = 8;
const UNIT_MS = 500;
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];

const now = () => performance.now();
function bestOf(runs: number, f: () => number): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) best = Math.min(best, f());
  return best;
}
function nodeRun(id: 'primes' | 'bench', input: Uint8Array): number {
  const r = runKernel(new WebAssembly.Module(kernelWasm(id)), input, now);
  if (!r.ok) throw new Error(r.message);
  return r.ms;
}

/** A unit of the primes kernel sized to take about `ms` on this machine. */
function primesRangeFor(ms: number, msPerMillion: number): number {
  return Math.max(50_000, Math.round((ms / msPerMillion) * 1_000_000));
}

function gccPrimesMs(): number | null {
  const dir = mkdtempSync(join(os.tmpdir(), 'hourmesh-primes-'));
  try {
    const exe = join(dir, 'primes');
    const cc = spawnSync('gcc', ['-O2', '-o', exe, join(root, 'kernels/primes.c')], { encoding: 'utf8' });
    if (cc.status !== 0) { note(`gcc failed: ${cc.stderr || cc.error}`); return null; }
    const run = spawnSync(exe, ['0', String(PRIMES_TO), '5'], { encoding: 'utf8' });
    const [count, ms] = run.stdout.trim().split(' ');
    if (Number(count) !== 216_816) throw new Error(`the C build counted ${count} primes below ${PRIMES_TO}`);
    return Number(ms);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function startPageServer() {
  const harness = await harnessSource();
  const sandbox = readFileSync(join(root, 'public/sandbox.html'));
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/sandbox.html') res.writeHead(200, { ...SANDBOX_HEADERS, 'Content-Type': 'text/html' }).end(sandbox);
    else if (path === '/harness.js') res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/javascript' }).end(harness);
    else if (path === '/') res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/html' }).end('<!doctype html><title>compute bench</title><script src="/harness.js"></script>');
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

async function main() {
  note(`${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} at start`);

  // Node's main thread: the reference figure, the primes kernel, and native code.
  for (let i = 0; i < 3; i++) nodeRun('bench', new Uint8Array(0)); // tier-up
  const benchNode = bestOf(15, () => nodeRun('bench', new Uint8Array(0)));
  line('compute.bench-kernel-node-ms', benchNode, 'ms', REFERENCE_BENCH_MS, 1);
  note(`the reference (REFERENCE_BENCH_MS) is ${REFERENCE_BENCH_MS} ms: this run's device factor on Node is ${(REFERENCE_BENCH_MS / benchNode).toFixed(2)}`);
  const primesInputBytes = primesInput(0, PRIMES_TO);
  nodeRun('primes', primesInputBytes);
  const primesNode = bestOf(5, () => nodeRun('primes', primesInputBytes));
  const gcc = gccPrimesMs();
  if (gcc !== null) {
    note(`primes below ${PRIMES_TO}: WebAssembly on Node ${primesNode.toFixed(1)} ms, gcc -O2 ${gcc.toFixed(1)} ms`);
    line('compute.wasm-vs-gcc', primesNode / gcc, '×', 1.5, 2);
  }

  const { server, url } = await startPageServer();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => note(`page error: ${e.message}`));
    await page.goto(url);
    await page.waitForFunction(() => '__hourmeshCompute' in globalThis);
    // tsx compiles this file with esbuild's keepNames, whose __name() helper then appears inside
    // the functions handed to page.evaluate: give the page a no-op one.
    await page.evaluate('globalThis.__name = (f) => f');

    // 2. The same kernel in a sandboxed worker.
    const primesWorker = await page.evaluate(async (to) => {
      const c = (globalThis as any).__hourmeshCompute;
      const pool = c.createComputePool({ size: 1 });
      let best = Infinity;
      await pool.runUnit('primes', c.primesInput(0, to), 120_000); // compile and tier-up
      for (let i = 0; i < 5; i++) best = Math.min(best, (await pool.runUnit('primes', c.primesInput(0, to), 120_000)).ms);
      pool.terminate();
      return best;
    }, PRIMES_TO);
    note(`primes below ${PRIMES_TO}: sandboxed worker ${primesWorker.toFixed(1)} ms, Node main thread ${primesNode.toFixed(1)} ms (the worker's clock has 0.1–1 ms steps)`);
    line('compute.worker-vs-node', primesWorker / primesNode, '×', 1.1, 2);

    // 6. The device factor.
    const speed = await page.evaluate(async () => {
      const pool = (globalThis as any).__hourmeshCompute.createComputePool({ size: 1 });
      const s = await pool.measureSpeed();
      pool.terminate();
      return s;
    });
    note(`measureSpeed(): the benchmark kernel took ${speed.ms.toFixed(1)} ms in a sandboxed worker`);
    line('compute.device-speed-factor', speed.factor, '×', 1, 2);

    // 3 and 4. Pool scaling and metering overhead, with units of ~0.5 s.
    const msPerMillion = primesNode / (PRIMES_TO / 1_000_000);
    const unitTo = primesRangeFor(UNIT_MS, msPerMillion);
    const pool = await page.evaluate(async ({ units, to }) => {
      const c = (globalThis as any).__hourmeshCompute;
      const inputs = Array.from({ length: units }, (_, i) => c.primesInput(i * 7, to + i * 7));
      const wave = async (size: number) => {
        const pool = c.createComputePool({ size });
        await Promise.all(Array.from({ length: size }, () => pool.runUnit('primes', c.primesInput(0, to), 120_000))); // spawn, compile, tier up
        const t0 = performance.now();
        await Promise.all(inputs.map((input: Uint8Array) => pool.runUnit('primes', input, 120_000)));
        const wall = performance.now() - t0;
        pool.terminate();
        return wall;
      };
      const one = await wave(1);
      const two = await wave(2);
      // Metering: one unit at a time, host wall time against the time metered in the worker.
      const serial = c.createComputePool({ size: 1 });
      await serial.runUnit('primes', c.primesInput(0, to), 120_000);
      let waited = 0;
      let metered = 0;
      for (const input of inputs) {
        const t0 = performance.now();
        const r = await serial.runUnit('primes', input, 120_000);
        waited += performance.now() - t0;
        metered += r.ms;
      }
      serial.terminate();
      return { one, two, waited, metered };
    }, { units: POOL_UNITS, to: unitTo });
    note(`${POOL_UNITS} units of primes over ~${unitTo.toLocaleString('en-US')} numbers: 1 worker ${pool.one.toFixed(0)} ms, 2 workers ${pool.two.toFixed(0)} ms; load average now ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores`);
    line('compute.pool-efficiency-1-to-2', pool.one / (2 * pool.two), '', 0.9, 2);
    note(`one unit at a time: the host waited ${pool.waited.toFixed(0)} ms, the worker metered ${pool.metered.toFixed(0)} ms`);
    line('compute.metering-overhead', (100 * (pool.waited - pool.metered)) / pool.metered, '%', 2, 2);
  } finally {
    await browser.close();
    server.close();
  }
}

await main();
