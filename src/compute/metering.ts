// Metering: a unit's time, measured inside the worker, scaled into the reference device's time.
//
// The reference device is this project's build machine's Node 20 main thread running the benchmark
// kernel (kernels/bench.wat): REFERENCE_BENCH_MS is its time for one run (measured with
// `npm run bench -- compute`, recorded in docs/KERNELS.md). A device's factor is
// REFERENCE_BENCH_MS ÷ its own time for the same run in a worker, so a device twice as fast as the
// reference has factor 2 and its 1 s of work claims 2 s of reference time.
//
// Claims are integers of milli-CH (1 milli-CH = 3.6 s of reference time), rounded UP: a unit that
// did any work claims at least 1 milli-CH. The job's per-unit ceiling and the quorum's lowest claim
// bound what is paid (the ledger's rule, not this file's).

/** One run of the benchmark kernel on the reference device, in ms. */
export const REFERENCE_BENCH_MS = 100;

const MS_PER_MILLI_CH = 3_600;

/** The integer claim for `ms` of this device's time at speed `factor` (≥ 1 for any work). */
export function chMilliOf(ms: number, factor: number): number {
  if (!(ms >= 0) || !(factor > 0) || !Number.isFinite(ms) || !Number.isFinite(factor)) {
    throw new RangeError(`chMilliOf: bad time ${ms} or factor ${factor}`);
  }
  return Math.max(1, Math.ceil((ms * factor) / MS_PER_MILLI_CH));
}

/** The device factor from one benchmark time (ms, in a worker). */
export function speedFactorOf(benchMs: number): number {
  if (!(benchMs > 0) || !Number.isFinite(benchMs)) throw new RangeError(`speedFactorOf: bad time ${benchMs}`);
  return REFERENCE_BENCH_MS / benchMs;
}
