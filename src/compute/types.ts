// The types of the compute API (src/compute/index.ts), shared by the pool, the sandbox worker
// and the callers in state/ and ui/. Amounts follow the ledger's rule: integers of milli-units.

/** The built-in, deterministic kernels (WebAssembly built from kernels/*.wat, see docs/KERNELS.md). */
export type CatalogKernelId = 'primes' | 'mandelbrot' | 'monte-carlo-pi';

/** What a unit runs: a catalog kernel by id, or the bytes of a (checked) user module. */
export type KernelRef = CatalogKernelId | Uint8Array;

/** A unit that finished. */
export interface UnitResult {
  /** The kernel's output bytes (what replicas compare, byte for byte). */
  output: Uint8Array;
  /** Milliseconds measured inside the worker around the kernel's `run` (this device's time). */
  ms: number;
  /**
   * The claim: `ms` scaled by the pool's speed factor into the reference device's time, in
   * integer milli-CH (1 milli-CH = 3.6 s of the reference device), rounded UP so that any work
   * claims at least 1; the job's per-unit ceiling bounds what is paid (see docs/KERNELS.md).
   */
  chMilli: number;
}

/** Why a unit did not produce a result. */
export type UnitFailure =
  | 'timeout' //      ran past its time bound; its worker was killed and replaced
  | 'refused' //      the module breaks a limit (checkModule) or the input is too large
  | 'trap' //         the kernel trapped (unreachable, out-of-bounds, division by zero…)
  | 'bad-output' //   the kernel returned an output length or pointer outside its memory or the limit
  | 'cancelled'; //   the pool was terminated, or resized under the unit

export class UnitError extends Error {
  readonly reason: UnitFailure;
  constructor(reason: UnitFailure, message: string) {
    super(message);
    this.name = 'UnitError';
    this.reason = reason;
  }
}

/** What checkModule learned about a module that passed. */
export interface ModuleInfo {
  bytes: number;
  functions: number;
  memoryMaxPages: number;
  tableElements: number;
  /** True when the code uses any float instruction (so NaN canonicalization matters). */
  usesFloats: boolean;
}

export type ModuleCheck = { ok: true; info: ModuleInfo } | { ok: false; reason: string };

/** A user module ready to post: NaNs canonicalized (or the module refused). */
export type PreparedModule =
  | { ok: true; bytes: Uint8Array; info: ModuleInfo; denan: 'applied' | 'not-needed' }
  | { ok: false; reason: string };

/** The device's speed against the reference device (docs/KERNELS.md, "Metering"). */
export interface SpeedMeasure {
  /** Reference time ÷ this device's time for the benchmark kernel: 2 means twice as fast. */
  factor: number;
  /** This device's time for one benchmark run, in a worker, in ms. */
  ms: number;
}

export interface ComputePoolOptions {
  /** Workers; default: navigator.hardwareConcurrency − 1, at least 1. */
  size?: number;
  /** Initial speed factor until measureSpeed() runs (default 1). */
  speedFactor?: number;
  /** URL of the sandbox page (default: `sandbox.html` beside the app). */
  sandboxUrl?: string;
  /** Where the sandbox iframe is attached (default: document.body). */
  container?: HTMLElement;
}

export interface ComputePool {
  /** Workers the pool runs at most (units beyond it wait in a queue). */
  readonly size: number;
  /** Changes the size at runtime; shrinking lets running units finish, then stops those workers. */
  setSize(size: number): void;
  /** Units running now. */
  readonly running: number;
  /** The factor used for chMilli (last measureSpeed(), or the option). */
  readonly speedFactor: number;
  /**
   * Runs one unit in a sandboxed worker. Resolves with the output and the metered time; rejects
   * with a UnitError (reason 'timeout' after `timeLimitMs` of running, the worker then replaced).
   */
  runUnit(kernel: KernelRef, input: Uint8Array, timeLimitMs: number): Promise<UnitResult>;
  /** Runs the benchmark kernel in a worker and adopts the factor it gives. */
  measureSpeed(): Promise<SpeedMeasure>;
  /** Stops starting queued units (running ones finish); resume() starts them again. */
  pause(): void;
  resume(): void;
  readonly paused: boolean;
  /** Kills every worker and the sandbox; pending and running units reject with 'cancelled'. */
  terminate(): void;
}
