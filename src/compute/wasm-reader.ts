// A reader of the few sections of a WebAssembly binary that the upload checks need: types,
// imports, functions, tables, memories, exports. It does not decode code; WebAssembly.validate
// vouches for the rest. Anything it does not understand is an error (a sentence for the owner):
// a module we cannot read is a module we do not run.
//
// Binary format: https://webassembly.github.io/spec/core/binary/modules.html

export interface FuncType { params: number[]; results: number[] }
export interface Limits { min: number; max: number | null; shared: boolean }
export interface WasmImport { module: string; name: string; kind: number }
export interface WasmExport { name: string; kind: number; index: number }

export interface WasmSummary {
  types: FuncType[];
  imports: WasmImport[];
  /** Type index of each defined function. */
  functions: number[];
  tables: Limits[];
  memories: Limits[];
  exports: WasmExport[];
  /** True when a float value type (f32, f64, v128) appears in a function type or a local: a hint
   *  only (a float constant converted to an integer leaves no such trace). */
  floatTypes: boolean;
}

export const EXPORT_KIND = { func: 0, table: 1, memory: 2, global: 3, tag: 4 } as const;
export const VAL = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b } as const;

export class WasmReadError extends Error {}

class Reader {
  pos = 0;
  constructor(readonly bytes: Uint8Array, readonly end = bytes.length) {}
  byte(): number {
    if (this.pos >= this.end) throw new WasmReadError('the module ends in the middle of a section');
    return this.bytes[this.pos++]!;
  }
  /** Unsigned LEB128 of at most 32 bits. */
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) break;
      shift += 7;
      if (shift > 28) throw new WasmReadError('a number in the module is malformed');
    }
    if (result > 0xffff_ffff) throw new WasmReadError('a number in the module is malformed');
    return result;
  }
  /** Signed LEB128 (value unused: only skipped). */
  skipSigned(): void {
    for (let i = 0; i < 10; i++) if (!(this.byte() & 0x80)) return;
    throw new WasmReadError('a number in the module is malformed');
  }
  name(): string {
    const length = this.u32();
    if (this.pos + length > this.end) throw new WasmReadError('a name runs past its section');
    const text = new TextDecoder().decode(this.bytes.subarray(this.pos, this.pos + length));
    this.pos += length;
    return text;
  }
  /** A value type; reference types with a heap type (0x63, 0x64) carry one more number. */
  valType(): number {
    const t = this.byte();
    if (t === 0x63 || t === 0x64) this.skipSigned();
    return t;
  }
  limits(what: string): Limits {
    const flags = this.byte();
    if (flags & 0x04) throw new WasmReadError(`the ${what} uses 64-bit addresses, which kernels may not`);
    if (flags & ~0x03) throw new WasmReadError(`the ${what} has limits this checker does not accept (flags ${flags})`);
    const min = this.u32();
    const max = flags & 0x01 ? this.u32() : null;
    return { min, max, shared: (flags & 0x02) !== 0 };
  }
}

const isFloat = (t: number) => t === VAL.f32 || t === VAL.f64 || t === VAL.v128;

export function readWasm(bytes: Uint8Array): WasmSummary {
  const r = new Reader(bytes);
  const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (bytes.length < 8 || magic.some((b, i) => bytes[i] !== b)) throw new WasmReadError('it is not a WebAssembly module (wrong magic number or version)');
  r.pos = 8;
  const out: WasmSummary = { types: [], imports: [], functions: [], tables: [], memories: [], exports: [], floatTypes: false };
  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const end = r.pos + size;
    if (end > bytes.length) throw new WasmReadError('a section runs past the end of the module');
    const s = new Reader(bytes, end);
    s.pos = r.pos;
    readSection(id, s, out);
    r.pos = end;
  }
  return out;
}

function readSection(id: number, s: Reader, out: WasmSummary): void {
  switch (id) {
    case 1: // types
      for (let n = s.u32(); n > 0; n--) {
        const form = s.byte();
        if (form !== 0x60) throw new WasmReadError('the module declares garbage-collected or recursive types, which kernels may not use');
        const params = Array.from({ length: s.u32() }, () => s.valType());
        const results = Array.from({ length: s.u32() }, () => s.valType());
        if ([...params, ...results].some(isFloat)) out.floatTypes = true;
        out.types.push({ params, results });
      }
      return;
    case 2: // imports (any import is refused; all are read so the message can name them)
      for (let n = s.u32(); n > 0; n--) {
        const module = s.name();
        const name = s.name();
        const kind = s.byte();
        if (kind === 0x00) s.u32(); // function: type index
        else if (kind === 0x01) { s.valType(); s.limits('imported table'); }
        else if (kind === 0x02) s.limits('imported memory');
        else if (kind === 0x03) { s.valType(); s.byte(); }
        else if (kind === 0x04) { s.byte(); s.u32(); } // tag: attribute, type index
        else throw new WasmReadError(`the module imports something of an unknown kind (${kind})`);
        out.imports.push({ module, name, kind });
      }
      return;
    case 3: // functions
      for (let n = s.u32(); n > 0; n--) out.functions.push(s.u32());
      return;
    case 4: // tables
      for (let n = s.u32(); n > 0; n--) {
        const first = s.byte();
        if (first === 0x40) throw new WasmReadError('the module has a table with an initializer expression, which kernels may not use');
        s.pos--;
        s.valType();
        out.tables.push(s.limits('table'));
      }
      return;
    case 5: // memories
      for (let n = s.u32(); n > 0; n--) out.memories.push(s.limits('memory'));
      return;
    case 7: // exports
      for (let n = s.u32(); n > 0; n--) out.exports.push({ name: s.name(), kind: s.byte(), index: s.u32() });
      return;
    case 10: // code: only the local declarations are read (floats)
      return void scanLocals(s, out);
    default:
      return; // custom, start, element, data, data count, tag: not needed here
  }
}

function scanLocals(s: Reader, out: WasmSummary): void {
  for (let n = s.u32(); n > 0; n--) {
    const size = s.u32();
    const end = s.pos + size;
    for (let groups = s.u32(); groups > 0; groups--) {
      s.u32();
      if (isFloat(s.valType())) out.floatTypes = true;
    }
    s.pos = end;
  }
}
