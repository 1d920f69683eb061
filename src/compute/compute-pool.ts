// createComputePool: runs units in sandboxed kernel workers (sandbox-host.ts), a queue in front.
//
// Invariants:
// - At most `size` units run at once; a unit beyond that waits in FIFO order. pause() stops
//   starting queued units; running ones finish.
// - A unit still unanswered `timeLimitMs` after it was handed to its worker is reported as
//   'timeout' and its worker is killed (the sandbox terminates it) and forgotten; the next unit
//   gets a fresh worker. Nothing a kernel does can block the app: it runs in another thread.
// - A user module is checked (checkModule) once per Uint8Array before it is sent anywhere; the
//   pool is the donor's line of defence against modules that never went through the upload page.
// - The time claimed is measured inside the worker around `run` only (not compile, not transfer),
//   scaled by the speed factor into integer milli-CH (metering.ts).
import { checkModule } from './check-module';
import { kernelWasm } from './catalog';
import { KERNEL_LIMITS } from './limits';
import { chMilliOf, speedFactorOf } from './metering';
import { openSandbox, type Sandbox, type SandboxWorker } from './sandbox-host';
import { UnitError, type ComputePool, type ComputePoolOptions, type KernelRef, type SpeedMeasure, type UnitResult } from './types';

interface Slot { worker: SandboxWorker; loaded: Set<string>; busy: boolean }
interface Unit {
  key: string; bytes: Uint8Array; input: Uint8Array; timeLimitMs: number;
  resolve(value: { output: Uint8Array; ms: number }): void; reject(error: UnitError): void;
}

const BENCH_RUNS = 3;
const BENCH_TIME_LIMIT_MS = 30_000;

export function defaultPoolSize(): number {
  const cores = typeof navigator === 'undefined' ? 1 : navigator.hardwareConcurrency || 1;
  return Math.max(1, cores - 1);
}

const userModules = new WeakMap<Uint8Array, { key: string } | { refused: string }>();
let nextUserKey = 1;

/** The worker-cache key and bytes of a kernel, or the reason a user module is refused. */
function resolveKernel(kernel: KernelRef | 'bench'): { key: string; bytes: Uint8Array } {
  if (typeof kernel === 'string') return { key: `catalog:${kernel}`, bytes: kernelWasm(kernel) };
  let known = userModules.get(kernel);
  if (!known) {
    const check = checkModule(kernel);
    known = check.ok ? { key: `user:${nextUserKey++}` } : { refused: check.reason };
    userModules.set(kernel, known);
  }
  if ('refused' in known) throw new UnitError('refused', known.refused);
  return { key: known.key, bytes: kernel };
}

export function createComputePool(options: ComputePoolOptions = {}): ComputePool {
  let size = Math.max(1, Math.floor(options.size ?? defaultPoolSize()));
  let speedFactor = options.speedFactor ?? 1;
  let paused = false;
  let terminated = false;
  let sandbox: Promise<Sandbox> | null = null;
  const queue: Unit[] = [];
  const slots: Slot[] = [];
  const running = new Set<Unit>();

  const openOnce = () => {
    sandbox ??= openSandbox(options.sandboxUrl ?? new URL('sandbox.html', document.baseURI).href, options.container ?? document.body);
    return sandbox;
  };

  function retire(slot: Slot) {
    slot.worker.kill();
    const at = slots.indexOf(slot);
    if (at >= 0) slots.splice(at, 1); // already gone when terminate() came first
  }

  async function start(unit: Unit, slot: Slot) {
    running.add(unit);
    let settled = false;
    const finish = (after: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      running.delete(unit);
      after();
      pump();
    };
    const timer = setTimeout(() => finish(() => {
      retire(slot);
      unit.reject(new UnitError('timeout', `the unit ran past its time bound of ${unit.timeLimitMs} ms and was stopped`));
    }), unit.timeLimitMs);
    void slot.worker.failed.then((message) => finish(() => {
      retire(slot);
      unit.reject(new UnitError('trap', `the kernel worker could not start: ${message}`));
    }));
    try {
      const first = !slot.loaded.has(unit.key);
      const outcome = await slot.worker.api.run(unit.key, first ? unit.bytes : null, unit.input);
      if (first) slot.loaded.add(unit.key);
      finish(() => {
        slot.busy = false;
        if (slots.length > size) retire(slot);
        if (outcome.ok) unit.resolve({ output: outcome.output, ms: outcome.ms });
        else unit.reject(new UnitError(outcome.reason, outcome.message));
      });
    } catch (error) {
      finish(() => {
        retire(slot);
        unit.reject(new UnitError('trap', `the kernel worker failed: ${(error as Error).message}`));
      });
    }
  }

  function pump() {
    if (terminated || paused || queue.length === 0 || running.size >= size) return;
    void openOnce().then((box) => {
      while (!terminated && !paused && queue.length > 0 && running.size < size) {
        let slot = slots.find((s) => !s.busy);
        if (!slot) {
          if (slots.length >= size) return;
          slot = { worker: box.spawn(), loaded: new Set(), busy: false };
          slots.push(slot);
        }
        slot.busy = true;
        void start(queue.shift()!, slot);
      }
    }, (error: Error) => {
      // The sandbox page could not load: every waiting unit learns why; the next try reloads it.
      sandbox = null;
      for (const unit of queue.splice(0)) unit.reject(new UnitError('trap', error.message));
    });
  }

  function enqueue(kernel: KernelRef | 'bench', input: Uint8Array, timeLimitMs: number, first = false): Promise<{ output: Uint8Array; ms: number }> {
    return new Promise((resolve, reject) => {
      if (terminated) throw new UnitError('cancelled', 'the compute pool was stopped');
      if (input.length > KERNEL_LIMITS.inputBytes) {
        throw new UnitError('refused', `the input is ${input.length} bytes, over the limit of ${KERNEL_LIMITS.inputBytes}`);
      }
      if (!(timeLimitMs > 0)) throw new RangeError(`runUnit: the time limit must be positive, not ${timeLimitMs}`);
      const { key, bytes } = resolveKernel(kernel);
      const unit = { key, bytes, input, timeLimitMs, resolve, reject };
      if (first) queue.unshift(unit);
      else queue.push(unit);
      pump();
    });
  }

  return {
    get size() { return size; },
    get running() { return running.size; },
    get speedFactor() { return speedFactor; },
    get paused() { return paused; },
    setSize(n: number) {
      size = Math.max(1, Math.floor(n));
      for (const slot of slots.filter((s) => !s.busy).slice(0, Math.max(0, slots.length - size))) retire(slot);
      pump();
    },
    async runUnit(kernel: KernelRef, input: Uint8Array, timeLimitMs: number): Promise<UnitResult> {
      const { output, ms } = await enqueue(kernel, input, timeLimitMs);
      return { output, ms, chMilli: chMilliOf(ms, speedFactor) };
    },
    async measureSpeed(): Promise<SpeedMeasure> {
      // Best of a few runs: the first includes V8's baseline tier before its optimizing one.
      let best = Infinity;
      for (let i = 0; i < BENCH_RUNS; i++) best = Math.min(best, (await enqueue('bench', new Uint8Array(0), BENCH_TIME_LIMIT_MS, true)).ms);
      speedFactor = speedFactorOf(Math.max(best, 0.1));
      return { factor: speedFactor, ms: best };
    },
    pause() { paused = true; },
    resume() {
      paused = false;
      pump();
    },
    terminate() {
      terminated = true;
      for (const unit of [...queue.splice(0), ...running]) unit.reject(new UnitError('cancelled', 'the compute pool was stopped'));
      running.clear();
      for (const slot of [...slots]) retire(slot);
      void sandbox?.then((box) => box.destroy(), () => {});
    },
  };
}
