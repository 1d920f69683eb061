// The compute runtime: sandboxed WebAssembly kernels in a worker pool, metered in reference CH.
//
// What a caller uses (state/ and ui/ import from here, nothing deeper):
// - createComputePool({ size }) → ComputePool: runUnit(kernel, input, timeLimitMs) → { output, ms,
//   chMilli }, measureSpeed(), setSize, pause/resume, terminate. Runs in the browser only.
// - CATALOG / catalogKernel(id): the built-in kernels with their input encoders and output
//   decoders (pure, also usable in Node).
// - checkModule(bytes): structural checks of a user module, message says which limit fails (pure).
// - prepareUserModule(bytes): checkModule + NaN canonicalization (loads binaryen lazily).
// - KERNEL_LIMITS, chMilliOf(ms, factor).
// The calling convention of a kernel is in docs/KERNELS.md.
export type {
  CatalogKernelId, KernelRef, UnitResult, UnitFailure, ModuleInfo, ModuleCheck, PreparedModule,
  SpeedMeasure, ComputePool, ComputePoolOptions,
} from './types';
export { UnitError } from './types';
export { KERNEL_LIMITS } from './limits';
export { checkModule } from './check-module';
export { prepareUserModule } from './prepare-module';
export {
  CATALOG, catalogKernel, kernelWasm, primesInput, mandelbrotInput, monteCarloInput,
  type CatalogKernel, type ResultRow, type PrimesParams, type MandelbrotParams, type MonteCarloParams,
} from './catalog';
export { chMilliOf, REFERENCE_BENCH_MS } from './metering';
export { createComputePool } from './compute-pool';
