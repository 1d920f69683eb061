// Runs one unit of a kernel: the calling convention of docs/KERNELS.md, enforced. Used inside the
// sandbox worker (sandbox-worker.ts) and, for the benchmark's reference figure, on Node's main
// thread. Every unit gets a FRESH instance, so nothing a previous unit left in memory or globals
// can change a result (replicas must agree byte for byte).
//
// Outcome instead of exceptions: comlink carries an Error's message but not its fields, and the
// host needs the reason (trap, bad output…) to report it.
import { KERNEL_LIMITS } from './limits';
import type { UnitFailure } from './types';

export type RunOutcome =
  | { ok: true; output: Uint8Array; ms: number }
  | { ok: false; reason: UnitFailure; message: string };

type KernelExports = {
  memory: WebAssembly.Memory;
  input: (len: number) => number;
  run: (len: number) => number;
  output: () => number;
};

function kernelExports(instance: WebAssembly.Instance): KernelExports | string {
  const e = instance.exports as Record<string, unknown>;
  if (!(e.memory instanceof WebAssembly.Memory)) return 'the module does not export its memory as "memory"';
  for (const name of ['input', 'run', 'output']) {
    if (typeof e[name] !== 'function') return `the module does not export a function "${name}"`;
  }
  return e as unknown as KernelExports;
}

const fail = (reason: UnitFailure, message: string): RunOutcome => ({ ok: false, reason, message });

/** Runs `input` through a fresh instance of `module`; `now` is the clock (performance.now). */
export function runKernel(module: WebAssembly.Module, input: Uint8Array, now: () => number): RunOutcome {
  if (input.length > KERNEL_LIMITS.inputBytes) return fail('refused', `the input is ${input.length} bytes, over the limit of ${KERNEL_LIMITS.inputBytes}`);
  let exports: KernelExports | string;
  try {
    exports = kernelExports(new WebAssembly.Instance(module, {}));
  } catch (error) {
    return fail('trap', `the module could not start: ${(error as Error).message}`);
  }
  if (typeof exports === 'string') return fail('refused', exports);
  try {
    const at = exports.input(input.length) >>> 0;
    // Read the buffer after the call: input() may have grown the memory.
    const memory = new Uint8Array(exports.memory.buffer);
    if (at + input.length > memory.length) return fail('bad-output', `input(${input.length}) returned ${at}, outside the module's memory`);
    memory.set(input, at);
    const start = now();
    const length = exports.run(input.length);
    const ms = now() - start;
    if (length < 0) return fail('bad-output', `the kernel refused its input (run returned ${length})`);
    if (length > KERNEL_LIMITS.outputBytes) return fail('bad-output', `the output is ${length} bytes, over the limit of ${KERNEL_LIMITS.outputBytes}`);
    const from = exports.output() >>> 0;
    const after = new Uint8Array(exports.memory.buffer);
    if (from + length > after.length) return fail('bad-output', `output() returned ${from}, and ${length} bytes from there leave the module's memory`);
    return { ok: true, output: after.slice(from, from + length), ms };
  } catch (error) {
    return fail('trap', `the kernel trapped: ${(error as Error).message}`);
  }
}
