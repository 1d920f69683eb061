// Test helper: assembles WebAssembly text with the npm wabt package (tests only, in Node).
import wabtInit from 'wabt';

const wabt = await wabtInit();

export function wat(text: string, features: Record<string, boolean> = {}): Uint8Array<ArrayBuffer> {
  const mod = wabt.parseWat('test.wat', text, features);
  try {
    mod.resolveNames();
    mod.validate();
    return new Uint8Array(mod.toBinary({}).buffer);
  } finally {
    mod.destroy();
  }
}

/** A correct kernel body (echoes its input) with `extra` spliced into the module. */
export function echoKernel(extra = '', memory = '(memory (export "memory") 1 2)'): string {
  return `(module ${memory} ${extra}
    (func (export "input") (param i32) (result i32) (i32.const 0))
    (func (export "output") (result i32) (i32.const 0))
    (func (export "run") (param $n i32) (result i32) (local.get $n)))`;
}
