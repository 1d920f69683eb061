// The committed kernel bytes are exactly what `npm run build:kernels` makes from kernels/*.wat.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildKernels, kernelBytesSource, KERNEL_IDS } from '../../scripts/build-kernels.mjs';
import { KERNEL_WASM } from './kernel-bytes';

describe('kernel bytes', () => {
  it('match a fresh build of kernels/*.wat byte for byte', async () => {
    const built = (await buildKernels()) as Record<string, Uint8Array>;
    for (const id of KERNEL_IDS as (keyof typeof KERNEL_WASM)[]) {
      expect(KERNEL_WASM[id](), id).toEqual(built[id]);
    }
    const committed = readFileSync(join(import.meta.dirname, 'kernel-bytes.ts'), 'utf8');
    expect(committed).toBe(kernelBytesSource(built));
  });
});
