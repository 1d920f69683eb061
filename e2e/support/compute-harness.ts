// The compute runtime, bundled by e2e/support/compute-harness-bundle.ts for tests and the
// benchmark: it puts the pool on `window.__hourmeshCompute` in a page of the app's origin, the way
// the app's Compute view uses it (the app's own bundle need not expose anything for this).
import { createComputePool } from '../../src/compute/compute-pool';
import { checkModule } from '../../src/compute/check-module';
import { kernelWasm, mandelbrotInput, monteCarloInput, primesInput } from '../../src/compute/catalog';
import { UnitError } from '../../src/compute/types';

const api = { createComputePool, checkModule, kernelWasm, primesInput, mandelbrotInput, monteCarloInput, UnitError };
export type ComputeHarness = typeof api;
(globalThis as unknown as { __hourmeshCompute: ComputeHarness }).__hourmeshCompute = api;
