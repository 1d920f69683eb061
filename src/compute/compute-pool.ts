// createComputePool: a pool of sandboxed workers (see sandbox-host.ts) that runs units.
import type { ComputePool, ComputePoolOptions } from './types';

export function createComputePool(options: ComputePoolOptions = {}): ComputePool {
  void options;
  throw new Error('createComputePool: not implemented yet');
}
