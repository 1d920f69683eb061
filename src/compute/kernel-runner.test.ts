// runKernel enforces the calling convention against modules that misbehave at run time.
import { describe, expect, it } from 'vitest';
import { runKernel } from './kernel-runner';
import { KERNEL_LIMITS } from './limits';
import { echoKernel, wat } from './wat.test-kit';

const now = () => performance.now();
const moduleOf = (text: string) => new WebAssembly.Module(wat(text));
const kernel = (input: string, run: string, output: string, memory = '(memory (export "memory") 1 2)') => moduleOf(`(module ${memory}
  (func (export "input") (param $n i32) (result i32) ${input})
  (func (export "output") (result i32) ${output})
  (func (export "run") (param $n i32) (result i32) ${run}))`);

describe('runKernel', () => {
  it('echoes through an honest module and times the run', () => {
    const r = runKernel(moduleOf(echoKernel()), new Uint8Array([1, 2, 3]), now);
    expect(r).toMatchObject({ ok: true, output: new Uint8Array([1, 2, 3]) });
    expect(r.ok && r.ms).toBeGreaterThanOrEqual(0);
  });

  it('gives every unit a fresh instance: state left by one unit does not reach the next', () => {
    const m = moduleOf(`(module (memory (export "memory") 1 1) (global $runs (mut i32) (i32.const 0))
      (func (export "input") (param i32) (result i32) (i32.const 0))
      (func (export "output") (result i32) (i32.const 0))
      (func (export "run") (param i32) (result i32)
        (global.set $runs (i32.add (global.get $runs) (i32.const 1)))
        (i32.store8 (i32.const 0) (global.get $runs)) (i32.const 1)))`);
    expect(runKernel(m, new Uint8Array(1), now)).toMatchObject({ ok: true, output: new Uint8Array([1]) });
    expect(runKernel(m, new Uint8Array(1), now)).toMatchObject({ ok: true, output: new Uint8Array([1]) });
  });

  it('reports a trap as a trap', () => {
    expect(runKernel(kernel('(i32.const 0)', '(unreachable)', '(i32.const 0)'), new Uint8Array(1), now))
      .toMatchObject({ ok: false, reason: 'trap', message: expect.stringMatching(/unreachable/) });
  });

  it('refuses pointers and lengths outside the memory or the output limit', () => {
    const input = new Uint8Array(8);
    expect(runKernel(kernel('(i32.const 65535)', '(i32.const 0)', '(i32.const 0)'), input, now)).toMatchObject({ ok: false, reason: 'bad-output' });
    expect(runKernel(kernel('(i32.const -1)', '(i32.const 0)', '(i32.const 0)'), input, now)).toMatchObject({ ok: false, reason: 'bad-output' });
    expect(runKernel(kernel('(i32.const 0)', '(i32.const 65537)', '(i32.const 0)'), input, now)).toMatchObject({ ok: false, reason: 'bad-output' });
    expect(runKernel(kernel('(i32.const 0)', '(i32.const 8)', '(i32.const 65530)'), input, now)).toMatchObject({ ok: false, reason: 'bad-output' });
    expect(runKernel(kernel('(i32.const 0)', '(i32.const -5)', '(i32.const 0)'), input, now))
      .toMatchObject({ ok: false, reason: 'bad-output', message: expect.stringMatching(/returned -5/) });
    const big = kernel('(i32.const 0)', `(drop (memory.grow (i32.const 40))) (i32.const ${KERNEL_LIMITS.outputBytes + 1})`, '(i32.const 0)', '(memory (export "memory") 1 64)');
    expect(runKernel(big, input, now)).toMatchObject({ ok: false, reason: 'bad-output', message: expect.stringMatching(/over the limit/) });
  });

  it('lets input() grow the memory before the input is written', () => {
    const m = kernel('(drop (memory.grow (i32.const 1))) (i32.const 65536)', '(local.get $n)', '(i32.const 65536)');
    expect(runKernel(m, new Uint8Array([9, 8]), now)).toMatchObject({ ok: true, output: new Uint8Array([9, 8]) });
  });

  it('refuses an input over the limit without running anything', () => {
    expect(runKernel(moduleOf(echoKernel()), new Uint8Array(KERNEL_LIMITS.inputBytes + 1), now)).toMatchObject({ ok: false, reason: 'refused' });
  });
});
