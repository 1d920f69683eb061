// prepareUserModule: NaN canonicalization with Binaryen, and the refusals around it.
import { describe, expect, it } from 'vitest';
import { canonicalizeNaNs, loadBinaryen, prepareUserModule } from './prepare-module';
import { runKernel } from './kernel-runner';
import { kernelWasm } from './catalog';
import { echoKernel, wat } from './wat.test-kit';

// Writes 0/0 (f64) and sqrt(-1) (f32): NaNs whose bits the engine chooses.
const NAN_MAKER = `(module (memory (export "memory") 1 1)
  (func (export "input") (param i32) (result i32) (i32.const 0))
  (func (export "output") (result i32) (i32.const 16))
  (func (export "run") (param i32) (result i32)
    (f64.store (i32.const 16) (f64.div (f64.const 0) (f64.load (i32.const 0))))
    (f32.store (i32.const 24) (f32.sqrt (f32.neg (f32.load (i32.const 8)))))
    (i32.const 12)))`;

describe('prepareUserModule', () => {
  it('rewrites float results so that a NaN comes out as 0 on every engine', async () => {
    const bytes = wat(NAN_MAKER);
    const input = new Uint8Array(16);
    new DataView(input.buffer).setFloat32(8, 1, true);
    const raw = runKernel(new WebAssembly.Module(bytes), input, () => 0);
    expect(raw.ok && Number.isNaN(new DataView(raw.output.buffer).getFloat64(0, true))).toBe(true);
    const prepared = await prepareUserModule(bytes);
    expect(prepared).toMatchObject({ ok: true, denan: 'applied' });
    const fixed = runKernel(new WebAssembly.Module(prepared.ok ? prepared.bytes as Uint8Array<ArrayBuffer> : new Uint8Array()), input, () => 0);
    expect(fixed).toMatchObject({ ok: true, output: new Uint8Array(12) });
  }, 60_000);

  it('posts an integer-only module exactly as uploaded', async () => {
    const bytes = kernelWasm('primes');
    const prepared = await prepareUserModule(bytes);
    expect(prepared).toMatchObject({ ok: true, denan: 'not-needed' });
    expect(prepared.ok && prepared.bytes).toBe(bytes);
  }, 60_000);

  it('keeps catalog-style float kernels computing the same thing', async () => {
    const prepared = await prepareUserModule(kernelWasm('mandelbrot'));
    expect(prepared).toMatchObject({ ok: true, denan: 'applied' });
  }, 60_000);

  it('refuses relaxed SIMD, whose results differ between devices', async () => {
    const bytes = wat(echoKernel(`(func (export "relaxed") (param v128) (result v128) (i32x4.relaxed_trunc_f32x4_s (local.get 0)))`), { relaxed_simd: true, simd: true });
    // Node 20's engine already refuses it as invalid; Chromium's accepts it, and Binaryen refuses it.
    expect(await prepareUserModule(bytes)).toMatchObject({ ok: false, reason: expect.stringMatching(/relaxed SIMD|relaxed-simd/) });
    const info = { bytes: bytes.length, functions: 4, memoryMaxPages: 2, tableElements: 0, usesFloats: true };
    expect(canonicalizeNaNs(await loadBinaryen(), bytes, info)).toMatchObject({ ok: false, reason: expect.stringMatching(/^It uses relaxed SIMD/) });
  }, 60_000);

  it('refuses what checkModule refuses, before loading anything', async () => {
    let loaded = false;
    const load = async () => { loaded = true; throw new Error('unused'); };
    expect(await prepareUserModule(wat(echoKernel('', '(memory (export "memory") 1)')), load)).toMatchObject({ ok: false, reason: expect.stringMatching(/no maximum/) });
    expect(loaded).toBe(false);
  });

  it('says why when Binaryen cannot be loaded (offline)', async () => {
    const load = async () => { throw new Error('Failed to fetch dynamically imported module'); };
    expect(await prepareUserModule(wat(NAN_MAKER), load)).toMatchObject({ ok: false, reason: expect.stringMatching(/could not be loaded .*connect to the internet/) });
  });
});
