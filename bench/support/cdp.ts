// A plain DevTools-protocol connection to a browser (its --remote-debugging-port), beside
// Playwright's own pipe, for what Playwright's CDPSession cannot do: flattened child sessions
// (Target.setAutoAttach with flatten: a page's dedicated workers, shared workers), each addressed
// by its sessionId. Used to read the JS heap of a page and of every worker it runs.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SourceMapConsumer } from 'source-map-js';

interface Socket {
  send(data: string): void;
  close(): void;
  addEventListener?(type: string, listener: (event: { data: unknown }) => void): void;
  on?(type: string, listener: (data: unknown) => void): void;
}

async function openSocket(url: string): Promise<Socket> {
  // Node 20 has no global WebSocket without a flag; `ws` (the signaling server's) is installed.
  const Ctor = (globalThis as { WebSocket?: new (url: string) => Socket }).WebSocket
    ?? ((await import('ws' as string)) as { default: new (url: string, options?: unknown) => Socket }).default;
  const socket = new Ctor(url);
  await new Promise<void>((resolve, reject) => {
    if (socket.on) {
      socket.on('open', () => resolve());
      socket.on('error', (e) => reject(e));
    } else {
      socket.addEventListener!('open', () => resolve());
      socket.addEventListener!('error', () => reject(new Error(`cannot open ${url}`)));
    }
  });
  return socket;
}

export interface TargetInfo {
  targetId: string;
  type: string;
  url: string;
  browserContextId?: string;
}

type Handler = (params: Record<string, unknown>, sessionId?: string) => void;

export class Cdp {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly handlers = new Map<string, Handler[]>();

  private constructor(private readonly socket: Socket) {
    const onMessage = (raw: unknown) => {
      const msg = JSON.parse(String(raw)) as { id?: number; result?: unknown; error?: { message: string }; method?: string; params?: Record<string, unknown>; sessionId?: string };
      if (msg.id !== undefined) {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(msg.error.message));
        else p?.resolve(msg.result);
      } else if (msg.method) {
        for (const h of this.handlers.get(msg.method) ?? []) h(msg.params ?? {}, msg.sessionId);
      }
    };
    if (socket.on) socket.on('message', onMessage);
    else socket.addEventListener!('message', (e) => onMessage(e.data));
  }

  /** Connects to the browser endpoint of a Chromium started with --remote-debugging-port=`port`. */
  static async connect(port: number): Promise<Cdp> {
    const version = (await (await fetch(`http://127.0.0.1:${port}/json/version`)).json()) as { webSocketDebuggerUrl: string };
    return new Cdp(await openSocket(version.webSocketDebuggerUrl));
  }

  send<T = Record<string, unknown>>(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<T> {
    const id = this.nextId++;
    this.socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    return new Promise<T>((resolve, reject) => this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject }));
  }

  on(method: string, handler: Handler): void {
    this.handlers.set(method, [...(this.handlers.get(method) ?? []), handler]);
  }

  close(): void {
    this.socket.close();
  }
}

const WORKER_TYPES = new Set(['worker', 'shared_worker']);

/**
 * Watches one page (by target id), taps on it, and every dedicated or shared worker of its browser context:
 * Target.setAutoAttach (flatten) on the browser (shared workers) and on the page's session
 * (dedicated workers); Runtime.getHeapUsage on each session gives its V8 heap in use.
 */
export class PageWatch {
  readonly workers = new Map<string, TargetInfo>(); // sessionId → worker
  private pageSession = '';
  private readonly profiled = new Set<string>();

  private constructor(private readonly cdp: Cdp, private readonly page: TargetInfo) {}

  /**
   * `profileWorkers`: start the sampling profiler in every worker as it attaches, for the fallback
   * throttling (a worker's busy time, to be multiplied by the rate): see workerBusyMs().
   */
  static async attach(cdp: Cdp, page: TargetInfo, options: { profileWorkers?: boolean } = {}): Promise<PageWatch> {
    const watch = new PageWatch(cdp, page);
    cdp.on('Target.attachedToTarget', (params) => {
      const info = params.targetInfo as TargetInfo;
      const sessionId = params.sessionId as string;
      if (WORKER_TYPES.has(info.type) && (!info.browserContextId || info.browserContextId === page.browserContextId)) {
        watch.workers.set(sessionId, info);
        // Dedicated workers a worker starts are its children: attach to those too.
        void cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: true }, sessionId).catch(() => undefined);
        if (process.env.PHONE_BENCH_PROFILE) {
          // The worker's own console (test builds log their phases there), with wall-clock times.
          void cdp.send('Runtime.enable', {}, sessionId).catch(() => undefined);
        }
        if (options.profileWorkers) {
          watch.profiled.add(sessionId);
          void cdp.send('Profiler.enable', {}, sessionId).then(() => cdp.send('Profiler.start', {}, sessionId)).catch(() => undefined);
        }
      }
    });
    cdp.on('Target.detachedFromTarget', (params) => watch.workers.delete(params.sessionId as string));
    if (process.env.PHONE_BENCH_PROFILE) {
      cdp.on('Runtime.consoleAPICalled', (params) => {
        const args = (params.args as { value?: unknown }[]).map((a) => String(a.value ?? '')).join(' ');
        if (args.startsWith('[ledger-worker]') || args.startsWith('[hourmesh-page]')) console.log(`# ${new Date().toISOString().slice(11, 23)} ${args}`);
      });
    }
    await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: true });
    const { sessionId } = await cdp.send<{ sessionId: string }>('Target.attachToTarget', { targetId: page.targetId, flatten: true });
    watch.pageSession = sessionId;
    if (process.env.PHONE_BENCH_PROFILE) await cdp.send('Runtime.enable', {}, sessionId);
    if (process.env.PHONE_BENCH_PROFILE_PAGE) {
      // The page's main thread too: what keeps it busy while the worker syncs (printed by pageProfile()).
      await cdp.send('Profiler.enable', {}, sessionId);
      await cdp.send('Profiler.start', {}, sessionId);
    }
    await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: true }, sessionId);
    return watch;
  }

  /**
   * A finger's tap at (x, y) CSS px of the page: touchStart then touchEnd, sent at once. The
   * promise settles when the page has handled both (after any task that holds its main thread),
   * so a caller that wants taps on a clock does not await it.
   */
  tap(x: number, y: number): Promise<unknown> {
    const points = [{ x, y, id: 1 }];
    const start = this.cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: points }, this.pageSession);
    const end = this.cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] }, this.pageSession);
    return Promise.all([start, end]);
  }

  /**
   * The page's V8 heap, bytes: in use (live objects and not yet collected garbage) and reserved
   * by V8. The answer waits while the page's main thread is busy.
   */
  async pageHeap(): Promise<{ used: number; total: number }> {
    const r = await this.cdp.send<{ usedSize: number; totalSize: number }>('Runtime.getHeapUsage', {}, this.pageSession);
    return { used: r.usedSize, total: r.totalSize };
  }

  /** The sum over every worker of its V8 heap in use, bytes, and how many answered. */
  async workerHeap(): Promise<{ bytes: number; workers: number }> {
    const sizes = await Promise.all([...this.workers.keys()].map((s) =>
      this.cdp.send<{ usedSize: number }>('Runtime.getHeapUsage', {}, s).then((r) => r.usedSize, () => null)));
    const answered = sizes.filter((s): s is number => s !== null);
    return { bytes: answered.reduce((a, b) => a + b, 0), workers: answered.length };
  }

  /** PHONE_BENCH_PROFILE_PAGE=1: stops the page's profiler and prints its busiest functions. */
  async pageProfile(): Promise<void> {
    if (!process.env.PHONE_BENCH_PROFILE_PAGE) return;
    const r = await this.cdp.send<{ profile: CpuProfile }>('Profiler.stop', {}, this.pageSession).catch(() => null);
    if (r) printProfile(r.profile, 'page');
  }

  /** Stops the workers' profilers; the busy (non-idle) sampled time of all of them, ms. */
  async workerBusyMs(): Promise<number> {
    let busyUs = 0;
    for (const s of this.profiled) {
      const r = await this.cdp.send<{ profile: { nodes: { id: number; callFrame: { functionName: string } }[]; samples: number[]; timeDeltas: number[] } }>('Profiler.stop', {}, s).catch(() => null);
      if (!r) continue;
      const idle = new Set(r.profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
      r.profile.samples.forEach((node, i) => { if (!idle.has(node)) busyUs += r.profile.timeDeltas[i] ?? 0; });
      if (process.env.PHONE_BENCH_PROFILE) printProfile(r.profile as unknown as CpuProfile);
    }
    this.profiled.clear();
    return busyUs / 1000;
  }
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** PHONE_BENCH_PROFILE=1: a worker's (or the page's) busiest functions (self time) and busy time per second. */
function printProfile(profile: CpuProfile, what = 'worker'): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const perSecond: number[] = [];
  let t = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    const n = byId.get(id)!;
    const f = n.callFrame;
    if (f.functionName === '(idle)') return;
    const key = `${f.functionName || '(anonymous)'} ${original(f.url, f.lineNumber, f.columnNumber)}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    const sec = Math.floor(t / 1e6);
    perSecond[sec] = (perSecond[sec] ?? 0) + dt;
  });
  const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 25);
  console.log(`# ${what} profile, self time:`);
  for (const [k, us] of top) console.log(`#   ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
  console.log(`# ${what} busy ms per second: ${perSecond.map((us) => Math.round((us ?? 0) / 1000)).join(' ')}`);
}

const maps = new Map<string, SourceMapConsumer | null>();

/** Where a bundled position comes from (the test build's source maps), else the bundle position. */
function original(url: string, line: number, column: number): string {
  const file = url.split('/').pop() ?? '';
  const bundled = `${file}:${line}:${column}`;
  if (!file.endsWith('.js')) return bundled;
  if (!maps.has(file)) {
    const path = join(process.env.PHONE_BENCH_DIST ?? 'dist-test', 'assets', `${file}.map`);
    maps.set(file, existsSync(path) ? new SourceMapConsumer(JSON.parse(readFileSync(path, 'utf8'))) : null);
  }
  const pos = maps.get(file)?.originalPositionFor({ line: line + 1, column });
  return pos?.source ? `${pos.source.replace(/^(\.\.\/)+/, '')}:${pos.line} (${pos.name ?? '?'})` : bundled;
}
