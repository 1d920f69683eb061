// checkModule: refuses a user WebAssembly module that breaks KERNEL_LIMITS or the calling
// convention (docs/KERNELS.md), with a sentence saying which. Pure (no DOM): the owner's browser
// runs it at upload, and every donor's pool runs it again before running a module, since a hostile
// owner can post bytes that never went through the upload page.
//
// Order of the checks: size first (cheap, and bounds the rest), then validity (the engine's own
// verdict), then structure (imports, memory, functions, tables, exports) read by wasm-reader.ts.
import { KERNEL_LIMITS } from './limits';
import type { ModuleCheck } from './types';
import { EXPORT_KIND, VAL, WasmReadError, readWasm, type FuncType, type WasmSummary } from './wasm-reader';

const KIND_NAMES = ['function', 'table', 'memory', 'global', 'tag'];
const kib = (n: number) => `${Math.ceil(n / 1024)} KiB`;
const pagesText = (p: number) => `${p} pages (${(p * 64) / 1024} MiB)`;

/** The exported functions a kernel must have, and their signatures. */
const REQUIRED_FUNCTIONS: Record<string, FuncType> = {
  input: { params: [VAL.i32], results: [VAL.i32] },
  run: { params: [VAL.i32], results: [VAL.i32] },
  output: { params: [], results: [VAL.i32] },
};

function validationError(bytes: Uint8Array): string {
  try {
    new WebAssembly.Module(bytes as BufferSource);
    return 'the engine refuses it';
  } catch (error) {
    return (error as Error).message;
  }
}

const sameType = (a: FuncType, b: FuncType) =>
  a.params.length === b.params.length && a.results.length === b.results.length &&
  a.params.every((t, i) => t === b.params[i]) && a.results.every((t, i) => t === b.results[i]);

function structureProblem(m: WasmSummary): string | null {
  const L = KERNEL_LIMITS;
  if (m.imports.length > 0) {
    const names = m.imports.map((i) => `${i.module}.${i.name} (${KIND_NAMES[i.kind] ?? 'unknown'})`).join(', ');
    return `It has imports: ${names}. A kernel may import nothing.`;
  }
  if (m.memories.length === 0) return 'It has no memory. A kernel must define one and export it as "memory".';
  if (m.memories.length > 1) return `It has ${m.memories.length} memories. A kernel may have only one.`;
  const memory = m.memories[0]!;
  if (memory.shared) return 'Its memory is shared. A kernel’s memory may not be shared.';
  if (memory.max === null) return `Its memory declares no maximum. Declare one of at most ${pagesText(L.memoryPages)}.`;
  if (memory.max > L.memoryPages) return `Its memory may grow to ${pagesText(memory.max)}; the limit is ${pagesText(L.memoryPages)}.`;
  if (m.functions.length > L.functions) return `It defines ${m.functions.length} functions; the limit is ${L.functions}.`;
  if (m.tables.length > 1) return `It has ${m.tables.length} tables. A kernel may have at most one.`;
  const table = m.tables[0];
  if (table && table.max === null) return `Its table declares no maximum. Declare one of at most ${L.tableElements} elements.`;
  if (table && table.max! > L.tableElements) return `Its table may hold ${table.max} elements; the limit is ${L.tableElements}.`;
  const memoryExport = m.exports.find((e) => e.name === 'memory');
  if (!memoryExport || memoryExport.kind !== EXPORT_KIND.memory) return 'It does not export its memory as "memory".';
  for (const [name, type] of Object.entries(REQUIRED_FUNCTIONS)) {
    const e = m.exports.find((x) => x.name === name);
    const typeIndex = e && e.kind === EXPORT_KIND.func ? m.functions[e.index] : undefined;
    const actual = typeIndex === undefined ? undefined : m.types[typeIndex];
    if (!actual) return `It does not export a function "${name}".`;
    if (!sameType(actual, type)) {
      const sig = type.params.length ? '(i32) → i32' : '() → i32';
      return `Its export "${name}" has the wrong signature; it must be ${sig}.`;
    }
  }
  return null;
}

export function checkModule(bytes: Uint8Array): ModuleCheck {
  const L = KERNEL_LIMITS;
  if (bytes.length > L.moduleBytes) return { ok: false, reason: `The module is ${kib(bytes.length)}; the limit is ${kib(L.moduleBytes)}.` };
  if (!WebAssembly.validate(bytes as BufferSource)) return { ok: false, reason: `It is not valid WebAssembly: ${validationError(bytes)}.` };
  let summary: WasmSummary;
  try {
    summary = readWasm(bytes);
  } catch (error) {
    if (error instanceof WasmReadError) return { ok: false, reason: `It cannot be checked: ${error.message}.` };
    throw error;
  }
  const problem = structureProblem(summary);
  if (problem) return { ok: false, reason: problem };
  return {
    ok: true,
    info: {
      bytes: bytes.length,
      functions: summary.functions.length,
      memoryMaxPages: summary.memories[0]!.max!,
      tableElements: summary.tables[0]?.max ?? 0,
      usesFloats: summary.floatTypes,
    },
  };
}
