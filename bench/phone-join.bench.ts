// Phone-join benchmark (issue 12): a phone-class page opens an invite to a 100,000-entry economy.
// Run: npm run bench phone-join  (or node --import tsx bench/phone-join.bench.ts)
//
// Set-up (not timed): 100,000 entries by 1,000 authors are signed in Node
// (e2e/support/signed-entries.ts) and their balances computed there with the app's own core; a
// serving member, in a browser of its own at full speed, imports them as a ledger file and checks
// every signature (bench/support/people.ts). The phone is another Chromium: Playwright's Pixel 7
// profile (touch, isMobile, its user agent) with a 412 × 915 viewport, a fresh browser context per
// run (new identity, empty storage), joining through the invite link and the Join button, synced
// by real WebRTC from the serving member only. It runs at CPU ×1 and ×4 in the same run.
//
// Throttling (the method the README quotes). A phone's workers are as slow as its main thread, so
// the whole phone browser runs under an operating-system CPU quota: a Linux cgroup v1 CPU group
// (bench/support/cpu-quota.ts; needs root, as in CI) holding every process of that browser — the
// page's main thread, its workers, the network and GPU processes. ×1 = no quota. ×4 = a quota of
// 1/4 of one core (2.5 ms per 10 ms period; short periods keep the slowdown even) for the whole
// browser, calibrated at the start: a fixed JavaScript loop in a page of that browser is timed
// without and with the quota (best of several runs) and the quota adjusted (within 0.7–1.3× of
// that) until the loop takes 4× as long; the calibration is printed. On a busy machine other processes slow
// both rates alike (the load average is printed too). DevTools' Emulation.setCPUThrottlingRate
// is NOT used then: it slows only the page's main thread. Where no cgroup can be made (not root,
// no cgroup v1 cpu controller) or with PHONE_BENCH_THROTTLE=cdp, it falls back to DevTools
// throttling of the page plus each worker's busy time (sampling profiler, non-idle samples)
// × (rate − 1) added to the invite → balances figure (as if all worker work were on the critical
// path); the output says which method ran.
//
// Figures, per rate (times are wall-clock ms on the machine's one clock: Node's Date.now() and the
// page's performance.timeOrigin + performance.now()):
// - invite-to-balances: Node's clock just before the phone opens the invite link → the page sees
//   ENTRY_COUNT ≥ the server's count AND every seeded account's balance in MEMBERS equal to Node's
//   (checked every 50 ms inside the page: bench/support/app-probes.ts, the one place that reads
//   the app). Target ≤ 6 s at ×4, ≤ 2.5 s at ×1.
// - longest-task: the longest main-thread task (PerformanceObserver 'longtask') from the invite
//   opened to the right balances. Target ≤ 100 ms (the ×4 target, shown at ×1 too).
// - tap-to-heading-p50/-max: from the Join click until the right balances, a touch tap (CDP
//   Input.dispatchTouchEvent) on the next link of the navigation (Economy, Wallet, Tasks,
//   Dashboard) every 300 ms, or once the page has handled the previous tap if that takes longer
//   (one tap outstanding at most: a tap that lands in a frozen stretch waits for its end); each
//   sample runs from Node's clock just before the tap is sent to the first animation frame after
//   its view's h1 is in the DOM (the frame that paints it). Target ≤ 150 ms. A tap whose view's
//   heading never came before the next tap to that view is counted in taps-unanswered (target 0):
//   seen today, a tap sent during a long task is handled after it but no click follows.
// - page-heap-peak: the largest Runtime.getHeapUsage().usedSize of the page, sampled every 250 ms
//   over the sync and 3 s after it (a sample waits while the main thread is busy, so a peak inside
//   one long task can be missed). Target ≤ 60 MB.
// - worker-heap-peak: the largest sum over the page's dedicated workers and its context's shared
//   workers (CDP Target.setAutoAttach, flatten) of their Runtime.getHeapUsage().usedSize, sampled
//   likewise. Target ≤ 150 MB ("no worker" when the page runs none: the app before issue 12).
// Env: PHONE_BENCH_ENTRIES (100000), PHONE_BENCH_RATES (1,4), PHONE_BENCH_THROTTLE (cgroup|cdp),
// PHONE_BENCH_DIST (dist-test), PHONE_BENCH_SKIP_BUILD=1, PHONE_BENCH_PROFILE=1 (the worker's and
// both pages' phases with wall-clock times — src/net/page-trace.ts — and, with cdp, the worker's
// busiest functions), PHONE_BENCH_DEBUG_TAPS=1 (each tap, heading painted and long task, in
// seconds from the Join click).
import os from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { devices, type Browser, type Page } from '@playwright/test';
import { seedEconomy, type SeededEconomy } from '../e2e/support/signed-entries';
import { inviteLink } from '../src/net/invite';
import { NAV, NAV_VIEWS, phoneJoinInitScript } from './support/app-probes';
import { buildTestBundle, freePort, launchChromium, percentile, sleep, startServer, stopServer, type Server, runBench } from './support/browser';
import { Cdp, PageWatch, type TargetInfo } from './support/cdp';
import { browserPid, CpuQuota, PERIOD_US } from './support/cpu-quota';
import { Mesh, serveLedger } from './support/people';
import { line, note } from './support/report';
import { balancesOf } from './support/seed-balances';

const ENTRIES = Number(process.env.PHONE_BENCH_ENTRIES ?? 100_000);
const AUTHORS = 1_000;
const RATES = (process.env.PHONE_BENCH_RATES ?? '1,4').split(',').map(Number);
const DIST = process.env.PHONE_BENCH_DIST ?? 'dist-test';
const GIVE_UP_MS = 180_000;
const TAP_EVERY_MS = 300;
const SAMPLE_EVERY_MS = 250;
const SETTLE_MS = 3_000;
const MB = 1_048_576;
const TARGETS = { balances: { 1: 2_500, 4: 6_000 } as Record<number, number>, task: 100, tap: 150, pageHeap: 60, workerHeap: 150 };
const PHONE = { ...devices['Pixel 7'], viewport: { width: 412, height: 915 }, locale: 'en-US' };

/** A fixed loop in a page: its duration is what the quota is calibrated on. */
const LOOP = `(() => { const t = performance.now(); let x = 0; for (let i = 0; i < 30000000; i++) x = (x + i * 7) % 1000003; return [performance.now() - t, x]; })()`;

/**
 * The loop's best time of `runs`: the least disturbed by other processes on a shared machine (a
 * median would mix the quota's slowdown with whatever else was running at the time).
 */
async function loopMs(page: Page, runs = 3): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < runs; i++) best = Math.min(best, ((await page.evaluate(LOOP)) as [number, number])[0]);
  return best;
}

interface Throttle {
  method: 'cgroup' | 'cdp';
  /** Applies `rate` to the phone browser (and, for cdp, to `page`). */
  apply(rate: number, page: Page): Promise<void>;
  describe(): string;
  close(): void;
  /** cgroup: moves any new process of the browser into the group; how many it holds. */
  adopt?(): number;
  /** cgroup: throttled periods so far (cpu.stat). */
  stat?(): { throttled: number; throttledMs: number };
}

/** The cgroup quota, calibrated per rate on a page of the phone browser; or the DevTools fallback. */
async function setUpThrottle(browser: Browser, url: string, cdpPort: number): Promise<Throttle> {
  const pid = browserPid(`--remote-debugging-port=${cdpPort}`);
  const quota = process.env.PHONE_BENCH_THROTTLE === 'cdp' ? 'PHONE_BENCH_THROTTLE=cdp' : pid === undefined ? 'no browser process id' : CpuQuota.create();
  if (typeof quota === 'string' || pid === undefined) {
    note(`throttling: DevTools Emulation.setCPUThrottlingRate on the page + worker busy time × (rate − 1) (fallback: ${quota})`);
    return {
      method: 'cdp',
      async apply(rate, page) {
        const session = await page.context().newCDPSession(page);
        await session.send('Emulation.setCPUThrottlingRate', { rate });
      },
      describe: () => 'DevTools throttling of the page main thread; worker busy time × (rate − 1) added',
      close() {},
    };
  }
  const quotas = new Map<number, number | null>([[1, null]]);
  const calibration: string[] = [];
  const adopted = quota.adopt(pid);
  const context = await browser.newContext({ ...PHONE, baseURL: url });
  const page = await context.newPage();
  await page.goto('/');
  quota.adopt(pid);
  const base = await loopMs(page, 5);
  for (const rate of RATES.filter((r) => r !== 1)) {
    // Start at 1/rate of a core (exact on an idle machine) and adjust from the measured slowdown.
    // On a busy machine others slow the unthrottled loop too, so ×4 of that would need less, but
    // the load changes during a run: bounded to 0.7–1.3 of 1/rate of a core, so neither noise nor
    // a passing load runs away with it; the closest one tried is kept.
    const nominal = PERIOD_US / rate;
    let q = nominal;
    let best = { q, error: Infinity };
    for (let attempt = 0; attempt < 4; attempt++) {
      quota.set(q);
      const ratio = (await loopMs(page)) / base;
      calibration.push(`quota ${(q / 1000).toFixed(2)} ms per ${PERIOD_US / 1000} ms → loop ×${ratio.toFixed(2)}`);
      const error = Math.abs(ratio / rate - 1);
      if (error < best.error) best = { q, error };
      if (error < 0.08) break;
      q = Math.min(nominal * 1.3, Math.max(nominal * 0.7, q * (ratio / rate)));
    }
    quotas.set(rate, best.q);
    calibration.push(`×${rate} uses ${(best.q / 1000).toFixed(2)} ms`);
    quota.set(null);
  }
  await context.close();
  const text = `cgroup v1 CPU quota on the whole phone browser (${adopted} processes at launch, ${quota.dir}); a fixed loop ${base.toFixed(0)} ms unthrottled (best of 5); ${calibration.join('; ')}; load average ${os.loadavg()[0]!.toFixed(1)}`;
  note(`throttling: ${text}`);
  return {
    method: 'cgroup',
    async apply(rate) {
      quota.set(quotas.get(rate) ?? PERIOD_US / rate);
      quota.adopt(pid);
    },
    describe: () => text,
    close: () => quota.destroy(),
    adopt: () => quota.adopt(pid),
    stat: () => quota.stat(),
  };
}

interface Trace {
  longTasks: [number, number][];
  headings: [string | null, number][];
  doneAt: number | null;
  sawCount: number;
  error: string | null;
}

async function phoneRun(phoneBrowser: Browser, cdpPort: number, url: string, throttle: Throttle, rate: number, seed: SeededEconomy, count: number, expected: [string, number, number][]): Promise<void> {
  const tag = `phone-join.x${rate}`;
  const mesh = new Mesh(phoneBrowser, url);
  const phone = await mesh.open(`Phone ×${rate}`, { initScript: phoneJoinInitScript(count, expected), goto: false, context: PHONE });
  const cdp = await Cdp.connect(cdpPort);
  try {
    await throttle.apply(rate, phone.page);
    const self = await (await phone.context.newCDPSession(phone.page)).send('Target.getTargetInfo');
    const watch = await PageWatch.attach(cdp, self.targetInfo as TargetInfo, { profileWorkers: throttle.method === 'cdp' });
    const t0 = Date.now();
    let done = false;
    let settledAt = Infinity;
    let pagePeak = 0;
    let pageReserved = 0;
    let workerPeak = 0;
    let workersSeen = 0;
    const sampler = (async () => {
      let n = 0;
      while (Date.now() < settledAt) {
        const [p, w] = await Promise.all([watch.pageHeap().catch(() => ({ used: 0, total: 0 })), watch.workerHeap()]);
        pagePeak = Math.max(pagePeak, p.used);
        pageReserved = Math.max(pageReserved, p.total);
        workerPeak = Math.max(workerPeak, w.bytes);
        workersSeen = Math.max(workersSeen, w.workers);
        if (++n % 4 === 0) throttle.adopt?.(); // a process started since (a new renderer) joins the group
        await sleep(SAMPLE_EVERY_MS);
      }
    })();

    await phone.page.goto(link(url, seed));
    // The navigation's links, where a finger taps them, measured on the Join page before joining
    // (the shell's navigation does not move between views), so the taps start with the sync.
    const nav = phone.page.getByRole(NAV.role, { name: NAV.name });
    const boxes = new Map<string, { x: number; y: number }>();
    for (const view of NAV_VIEWS) {
      const box = await nav.getByRole('link', { name: view, exact: true }).boundingBox({ timeout: 60_000 });
      if (box) boxes.set(view, { x: box.x + box.width / 2, y: box.y + box.height / 2 });
    }
    await phone.page.getByRole('button', { name: /^Join / }).click({ timeout: 60_000 });
    const joinedAt = Date.now();
    if (boxes.size < NAV_VIEWS.length) note(`${tag}: only ${[...boxes.keys()].join(', ')} of the navigation's links are on screen`);
    // A tap every 300 ms, but never two outstanding: the next is sent once the page has handled
    // the previous one's touch events (the CDP call returns then) and 300 ms have passed. A tap
    // that lands in a frozen stretch so waits for its end, as a person's would; the page is not
    // handed a pile of taps to work through afterwards. Each tap is matched afterwards to the
    // first paint of its view's heading after it was sent (consecutive taps go to different views).
    const sent: [string, number][] = [];
    const tapper = (async () => {
      for (let i = 0; !done; i++) {
        const view = NAV_VIEWS[i % NAV_VIEWS.length]!;
        const at = boxes.get(view);
        const handled = at ? (sent.push([view, Date.now()]), watch.tap(at.x, at.y).catch(() => undefined)) : undefined;
        await Promise.all([handled, sleep(TAP_EVERY_MS)]);
      }
    })();
    let failure: string | null = null;
    await phone.page.waitForFunction('window.__phone.doneAt !== null', undefined, { polling: 100, timeout: GIVE_UP_MS - (Date.now() - t0) })
      .catch((error) => { failure = error instanceof Error ? error.message.split('\n')[0]! : String(error); });
    done = true;
    await tapper;
    settledAt = Date.now() + SETTLE_MS;
    await sampler;
    const busyMs = throttle.method === 'cdp' ? await watch.workerBusyMs() : 0;
    await watch.pageProfile();
    const trace = (await phone.page.evaluate('window.__phone')) as Trace;
    // Tap k's answer: the first paint of its view's heading after it was sent and before the next
    // tap to the same view was sent (so a tap whose click was lost stays unanswered, and does not
    // take a later tap's answer).
    const taps: number[] = [];
    const lost: string[] = [];
    sent.forEach(([view, sentAt], k) => {
      const until = sent[k + NAV_VIEWS.length]?.[1] ?? Infinity;
      const painted = trace.headings.find(([text, at]) => text === view && at >= sentAt && at < until);
      if (painted) taps.push(painted[1] - sentAt);
      else lost.push(`${view} at ${((sentAt - joinedAt) / 1000).toFixed(2)} s`);
    });
    const unanswered = lost.length;
    if (process.env.PHONE_BENCH_DEBUG_TAPS) note(`${tag}: long tasks ${longTaskTimes(trace, joinedAt)}; taps sent: ${sent.map(([v, at]) => `${v}@${((at - joinedAt) / 1000).toFixed(2)}`).join(' ')}; headings: ${trace.headings.map(([t, at]) => `${t}@${((at - joinedAt) / 1000).toFixed(2)}`).join(' ')}`);
    if (trace.doneAt === null) {
      console.log(`${`${tag}.invite-to-balances`.padEnd(42)}     FAILED after ${((Date.now() - t0) / 1000).toFixed(1)} s: saw ${trace.sawCount} of ${count} entries (${failure})`);
      return;
    }
    const inSync = trace.longTasks.filter(([start]) => start >= t0 && start <= trace.doneAt!);
    const after = trace.longTasks.filter(([start]) => start > trace.doneAt!);
    const balancesMs = trace.doneAt - t0 + busyMs * (rate - 1);
    line(`${tag}.invite-to-balances`, balancesMs, 'ms', TARGETS.balances[rate], 0);
    line(`${tag}.longest-task`, Math.max(0, ...inSync.map(([, d]) => d)), 'ms', TARGETS.task, 0);
    if (taps.length) {
      line(`${tag}.tap-to-heading-p50`, percentile(taps, 0.5), 'ms', TARGETS.tap, 0);
      line(`${tag}.tap-to-heading-max`, Math.max(...taps), 'ms', TARGETS.tap, 0);
    } else {
      console.log(`${`${tag}.tap-to-heading`.padEnd(42)}     FAILED: no tap landed during the sync`);
    }
    // A tap whose view never came (seen today: a tap sent during a long task is handled after it,
    // but no click follows): the person tapped and nothing happened. Target 0.
    console.log(`${`${tag}.taps-unanswered`.padEnd(42)} ${String(unanswered).padStart(10)} of ${sent.length}  (target 0)`);
    line(`${tag}.page-heap-peak`, pagePeak / MB, 'MB', TARGETS.pageHeap, 1);
    line(`${tag}.worker-heap-peak`, workerPeak / MB, 'MB', TARGETS.workerHeap, 1);
    const busy = inSync.reduce((s, [, d]) => s + d, 0);
    note(`${tag}: ${count.toLocaleString('en-US')} entries, right balances of ${expected.length} accounts; Join clicked at ${((joinedAt - t0) / 1000).toFixed(2)} s; ` +
      `main thread: ${inSync.length} long tasks, ${(busy / 1000).toFixed(2)} s in all; ${after.length} more (longest ${Math.max(0, ...after.map(([, d]) => d)).toFixed(0)} ms) in the ${SETTLE_MS / 1000} s after`);
    note(`${tag}: ${sent.length} taps during the sync, ${unanswered} never answered (no heading of their view before the next tap to it${unanswered ? `: ${lost.join(', ')} after the Join click` : ''}): ${taps.map((t) => t.toFixed(0)).join(', ')} ms`);
    note(`${tag}: page heap peak ${(pagePeak / MB).toFixed(1)} MB in use, ${(pageReserved / MB).toFixed(1)} MB reserved by V8 (samples every ${SAMPLE_EVERY_MS} ms between tasks)`);
    note(`${tag}: ${workersSeen === 0 ? 'no worker' : `${workersSeen} worker(s): ${[...watch.workers.values()].map((w) => `${w.type} ${w.url.replace(url, '')}`).join(', ')}`}` +
      (throttle.method === 'cdp' ? `; worker busy ${busyMs.toFixed(0)} ms × ${rate - 1} added` : ''));
    const stat = throttle.stat?.();
    if (stat) note(`${tag}: cgroup throttled ${stat.throttled} periods, ${(stat.throttledMs / 1000).toFixed(1)} s in all so far`);
    if (trace.error) note(`${tag}: ${trace.error}`);
  } finally {
    cdp.close();
    await mesh.close(phone);
  }
}

const link = (url: string, seed: SeededEconomy) => inviteLink(url, seed.invite);

async function main(): Promise<number> {
  const started = Date.now();
  if (process.env.PHONE_BENCH_SKIP_BUILD !== '1') {
    note(`building the test bundle: npx vite build --mode test --outDir ${DIST}`);
    buildTestBundle(DIST);
  }
  let server: Server | null = null;
  let serverBrowser: Browser | null = null;
  let phoneBrowser: Browser | null = null;
  let throttle: Throttle | null = null;
  const dir = mkdtempSync(join(os.tmpdir(), 'hourmesh-phone-bench-'));
  try {
    server = await startServer(DIST);
    const genStart = Date.now();
    const seed = await seedEconomy(ENTRIES, AUTHORS, 'Phone bench');
    const balances = await balancesOf(seed.entries, seed.invite.id, seed.invite.founder);
    const expected: [string, number, number][] = [...balances.milli].map(([a, [mh, ch]]) => [a, mh, ch]);
    note(`signed ${ENTRIES} entries by ${AUTHORS} authors in Node in ${((Date.now() - genStart) / 1000).toFixed(1)} s (set-up, not timed)`);

    serverBrowser = await launchChromium();
    const cpu = os.cpus();
    note(`machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, Node ${process.versions.node}, Chromium ${serverBrowser.version()}`);
    const founder = await new Mesh(serverBrowser, server.url).open('Server');
    if (process.env.PHONE_BENCH_PROFILE) {
      // The serving member's page phases too (src/net/page-trace.ts), marked as its own.
      await founder.page.evaluate('globalThis.__hourmeshTrace = true');
      founder.page.on('console', (m) => {
        if (m.text().startsWith('[hourmesh-page]')) console.log(`# ${new Date().toISOString().slice(11, 23)} server ${m.text()}`);
      });
    }
    const served = await serveLedger(founder, link(server.url, seed), seed.entries, join(dir, 'seed.bin'));
    note(`the serving member (full speed, a browser of its own) imported ${served.fresh} entries in ${(served.importMs / 1000).toFixed(1)} s, all signatures checked after ${(served.verifiedMs / 1000).toFixed(1)} s`);

    const cdpPort = await freePort();
    phoneBrowser = await launchChromium([`--remote-debugging-port=${cdpPort}`]);
    throttle = await setUpThrottle(phoneBrowser, server.url, cdpPort);
    const quota = throttle;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => { quota.close(); process.exit(130); }); // leave no group behind
    for (const rate of RATES) {
      try {
        await phoneRun(phoneBrowser, cdpPort, server.url, throttle, rate, seed, served.count, expected);
      } catch (error) {
        console.log(`${`phone-join.x${rate}`.padEnd(42)}     FAILED: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      }
    }
    note(`total ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return 0;
  } finally {
    throttle?.close();
    await phoneBrowser?.close().catch(() => undefined);
    await serverBrowser?.close().catch(() => undefined);
    await stopServer(server);
    rmSync(dir, { recursive: true, force: true });
  }
}

runBench(main);

/** Long tasks as "start+duration", start in seconds from the Join click, duration in ms. */
function longTaskTimes(trace: Trace, joinedAt: number): string {
  return trace.longTasks.map(([start, d]) => `${((start - joinedAt) / 1000).toFixed(2)}+${d.toFixed(0)}`).join(' ');
}
