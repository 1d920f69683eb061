// checkModule against hand-made hostile modules: each refusal must name the limit it breaks.
import { describe, expect, it } from 'vitest';
import { checkModule } from './check-module';
import { kernelWasm } from './catalog';
import { KERNEL_LIMITS } from './limits';
import { echoKernel, wat } from './wat.test-kit';

const reasonOf = (bytes: Uint8Array) => {
  const r = checkModule(bytes);
  return r.ok ? 'accepted' : r.reason;
};

describe('checkModule', () => {
  it('accepts every catalog kernel and a minimal honest module', () => {
    for (const id of ['primes', 'mandelbrot', 'monte-carlo-pi', 'bench'] as const) {
      expect(reasonOf(kernelWasm(id)), id).toBe('accepted');
    }
    const r = checkModule(wat(echoKernel()));
    expect(r).toMatchObject({ ok: true, info: { functions: 3, memoryMaxPages: 2, tableElements: 0 } });
  });

  it('refuses a module over the size limit, saying the size and the limit', () => {
    // A valid module padded with a data segment past the limit.
    const big = wat(echoKernel(`(data (i32.const 0) "${'\\00'.repeat(KERNEL_LIMITS.moduleBytes)}")`));
    expect(reasonOf(big)).toMatch(/^The module is 25\d KiB; the limit is 256 KiB\.$/);
  });

  it('refuses bytes that do not validate, with the engine’s reason', () => {
    expect(reasonOf(new TextEncoder().encode('<html>not wasm</html>'))).toMatch(/^It is not valid WebAssembly: .+/);
    const honest = wat(echoKernel());
    expect(reasonOf(honest.subarray(0, honest.length - 3))).toMatch(/^It is not valid WebAssembly/);
  });

  it('refuses imports and names every one of them', () => {
    const bytes = wat(`(module (import "env" "log" (func (param i32))) (import "js" "mem" (memory 1 2))
      (func (export "input") (param i32) (result i32) (i32.const 0))
      (func (export "output") (result i32) (i32.const 0))
      (func (export "run") (param i32) (result i32) (local.get 0))
      (export "memory" (memory 0)))`);
    expect(reasonOf(bytes)).toBe('It has imports: env.log (function), js.mem (memory). A kernel may import nothing.');
  });

  it('refuses a memory without a declared maximum, over the cap, or shared', () => {
    expect(reasonOf(wat(echoKernel('', '(memory (export "memory") 1)')))).toMatch(/declares no maximum/);
    expect(reasonOf(wat(echoKernel('', '(memory (export "memory") 1 513)'))))
      .toBe('Its memory may grow to 513 pages (32.0625 MiB); the limit is 512 pages (32 MiB).');
    // wabt will not write a shared memory without threads: set the flag by hand (limits 0x01 → 0x03).
    const bytes = wat(echoKernel('', '(memory (export "memory") 1 2)'));
    const at = bytes.findIndex((b, i) => b === 0x05 && bytes[i + 2] === 0x01 && bytes[i + 3] === 0x01 && bytes[i + 4] === 0x01 && bytes[i + 5] === 0x02);
    bytes[at + 3] = 0x03;
    expect(WebAssembly.validate(bytes)).toBe(true);
    expect(reasonOf(bytes)).toBe('Its memory is shared. A kernel’s memory may not be shared.');
    expect(reasonOf(wat(echoKernel('', '(memory (export "memory") i64 1 2)'), { memory64: true }))).toMatch(/64-bit|memory64/); // Node 20's engine refuses it as invalid; Chromium reads it
  });

  it('refuses a module without memory', () => {
    const bytes = wat(`(module (func (export "input") (param i32) (result i32) (i32.const 0))
      (func (export "output") (result i32) (i32.const 0)) (func (export "run") (param i32) (result i32) (local.get 0)))`);
    expect(reasonOf(bytes)).toMatch(/has no memory/);
  });

  it('refuses too many functions', () => {
    const many = Array.from({ length: KERNEL_LIMITS.functions }, () => '(func)').join(' ');
    expect(reasonOf(wat(echoKernel(many)))).toBe(`It defines ${KERNEL_LIMITS.functions + 3} functions; the limit is ${KERNEL_LIMITS.functions}.`);
  });

  it('refuses a table without a maximum or too large', () => {
    expect(reasonOf(wat(echoKernel('(table 1 funcref)')))).toMatch(/table declares no maximum/);
    expect(reasonOf(wat(echoKernel('(table 1 5000 funcref)')))).toBe('Its table may hold 5000 elements; the limit is 1000.');
    expect(reasonOf(wat(echoKernel('(table 1 10 funcref)')))).toBe('accepted');
  });

  it('refuses missing exports and wrong signatures, naming the export', () => {
    expect(reasonOf(wat(`(module (memory 1 2)
      (func (export "input") (param i32) (result i32) (i32.const 0))
      (func (export "output") (result i32) (i32.const 0))
      (func (export "run") (param i32) (result i32) (local.get 0)))`))).toBe('It does not export its memory as "memory".');
    expect(reasonOf(wat(`(module (memory (export "memory") 1 2)
      (func (export "input") (param i32) (result i32) (i32.const 0))
      (func (export "output") (result i32) (i32.const 0)))`))).toBe('It does not export a function "run".');
    expect(reasonOf(wat(`(module (memory (export "memory") 1 2)
      (func (export "input") (param i32) (result i32) (i32.const 0))
      (func (export "output") (result i32) (i32.const 0))
      (func (export "run") (param f64) (result i32) (i32.const 0)))`))).toBe('Its export "run" has the wrong signature; it must be (i32) → i32.');
    expect(reasonOf(wat(`(module (memory (export "memory") 1 2) (global (export "run") i32 (i32.const 0))
      (func (export "input") (param i32) (result i32) (i32.const 0))
      (func (export "output") (result i32) (i32.const 0)))`))).toBe('It does not export a function "run".');
  });

  it('flags float types as a hint', () => {
    expect(checkModule(kernelWasm('mandelbrot'))).toMatchObject({ ok: true, info: { usesFloats: true } });
    expect(checkModule(kernelWasm('primes'))).toMatchObject({ ok: true, info: { usesFloats: false } });
  });
});
