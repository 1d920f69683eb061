// The committed kernel bytes and sandbox page are exactly what `npm run build:kernels` makes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildKernels, kernelBytesSource, sandboxPageSource, KERNEL_IDS } from '../../scripts/build-kernels.mjs';
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

describe('the sandbox page', () => {
  it('matches a fresh build of its sources, and pins its one script by hash', async () => {
    const fresh = (await sandboxPageSource()) as string;
    expect(readFileSync(join(import.meta.dirname, '../../public/sandbox.html'), 'utf8')).toBe(fresh);
    const script = /<script>(.*)<\/script>/s.exec(fresh)![1]!;
    const hash = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(script))).toString('base64');
    expect(fresh).toContain(`script-src 'sha256-${hash}' blob: 'wasm-unsafe-eval'`);
    expect(fresh).toContain("connect-src 'none'");
    expect(fresh.match(/<script/g)).toHaveLength(1);
  });
});
