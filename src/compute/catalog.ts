// The built-in kernels: their WebAssembly (built from kernels/*.wat, see kernel-bytes.ts), how a
// job's parameters split into unit inputs, and how a unit's output reads back. Pure: usable in the
// browser and in Node. Byte layouts (little-endian) are documented in docs/KERNELS.md, "Catalog".
import type { CatalogKernelId } from './types';
import { KERNEL_WASM } from './kernel-bytes';

/** One unit's decoded result, a row of the owner's JSON/CSV download. */
export type ResultRow = Record<string, number | string>;

export interface CatalogKernel<P = unknown> {
  id: CatalogKernelId;
  title: string;
  /** One sentence for the owner choosing a kernel. */
  description: string;
  /** The job parameters a form starts from. */
  defaults: P;
  /** Checks job parameters; a sentence the owner reads, or null when they are fine. */
  checkParams(params: P): string | null;
  /** The unit inputs of a job, in unit order. */
  splitJob(params: P): Uint8Array[];
  /** A unit's output as a row (the input tells which range/tile it was). */
  readResult(input: Uint8Array, output: Uint8Array): ResultRow;
  /** Image kernels: where a unit's RGBA pixels go in the job's image. */
  image?: (params: P) => { width: number; height: number };
  placeTile?: (input: Uint8Array) => { x: number; y: number; width: number; height: number };
  /** Combines every unit's row into the job's answer (e.g. the estimate of pi). */
  summarize?: (rows: ResultRow[]) => ResultRow;
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

// ---- primes: count primes p with from ≤ p < to (trial division by odd numbers) ----
export interface PrimesParams { from: number; to: number; units: number }

export function primesInput(from: number, to: number): Uint8Array {
  const b = new Uint8Array(8);
  view(b).setUint32(0, from, true);
  view(b).setUint32(4, to, true);
  return b;
}

const primes: CatalogKernel<PrimesParams> = {
  id: 'primes',
  title: 'Count primes',
  description: 'Counts the prime numbers in a range, split into equal sub-ranges.',
  defaults: { from: 0, to: 20_000_000, units: 20 },
  checkParams({ from, to, units }) {
    if (![from, to, units].every(Number.isSafeInteger)) return 'The range and the number of units must be whole numbers.';
    if (from < 0 || to > 0xffff_ffff || from >= to) return 'The range must satisfy 0 ≤ from < to ≤ 4,294,967,295.';
    if (units < 1 || units > to - from) return 'There must be at least one unit and no more units than numbers.';
    return null;
  },
  splitJob({ from, to, units }) {
    const inputs: Uint8Array[] = [];
    for (let i = 0; i < units; i++) {
      const a = from + Math.floor(((to - from) * i) / units);
      const b = from + Math.floor(((to - from) * (i + 1)) / units);
      inputs.push(primesInput(a, b));
    }
    return inputs;
  },
  readResult(input, output) {
    return { from: view(input).getUint32(0, true), to: view(input).getUint32(4, true), primes: view(output).getUint32(0, true) };
  },
  summarize(rows) {
    return { primes: rows.reduce((s, r) => s + Number(r.primes), 0) };
  },
};

// ---- mandelbrot: one RGBA tile of an image of the Mandelbrot set ----
export interface MandelbrotParams {
  width: number; height: number; tile: number; maxIter: number;
  centerX: number; centerY: number; /** Width of the image in the complex plane. */ span: number;
}

export const MANDELBROT_INPUT_BYTES = 56;

export function mandelbrotInput(p: MandelbrotParams, x0: number, y0: number, w: number, h: number): Uint8Array {
  const b = new Uint8Array(MANDELBROT_INPUT_BYTES);
  const v = view(b);
  [p.width, p.height, x0, y0, w, h, p.maxIter, 0].forEach((n, i) => v.setUint32(i * 4, n, true));
  v.setFloat64(32, p.centerX, true);
  v.setFloat64(40, p.centerY, true);
  v.setFloat64(48, p.span / p.width, true);
  return b;
}

const mandelbrot: CatalogKernel<MandelbrotParams> = {
  id: 'mandelbrot',
  title: 'Mandelbrot image',
  description: 'Renders an image of the Mandelbrot set, tile by tile; the picture assembles as tiles arrive.',
  defaults: { width: 640, height: 480, tile: 160, maxIter: 2_000, centerX: -0.5, centerY: 0, span: 3 },
  checkParams(p) {
    const ints = [p.width, p.height, p.tile, p.maxIter];
    if (!ints.every((n) => Number.isSafeInteger(n) && n > 0)) return 'Width, height, tile size and iterations must be positive whole numbers.';
    if (p.width > 8192 || p.height > 8192) return 'The image can be at most 8192 × 8192 pixels.';
    if (p.tile * p.tile * 4 > 1024 * 1024) return 'A tile can be at most 512 × 512 pixels (1 MiB of output).';
    if (p.maxIter > 1_000_000) return 'At most 1,000,000 iterations per pixel.';
    if (![p.centerX, p.centerY, p.span].every(Number.isFinite) || !(p.span > 0)) return 'The centre and the span must be finite numbers, the span positive.';
    return null;
  },
  splitJob(p) {
    const inputs: Uint8Array[] = [];
    for (let y = 0; y < p.height; y += p.tile) {
      for (let x = 0; x < p.width; x += p.tile) {
        inputs.push(mandelbrotInput(p, x, y, Math.min(p.tile, p.width - x), Math.min(p.tile, p.height - y)));
      }
    }
    return inputs;
  },
  readResult(input) {
    const t = mandelbrot.placeTile!(input);
    return { x: t.x, y: t.y, width: t.width, height: t.height };
  },
  image: (p) => ({ width: p.width, height: p.height }),
  placeTile(input) {
    const v = view(input);
    return { x: v.getUint32(8, true), y: v.getUint32(12, true), width: v.getUint32(16, true), height: v.getUint32(20, true) };
  },
};

// ---- monte-carlo-pi: seeded estimate of pi (splitmix64, integer arithmetic only) ----
export interface MonteCarloParams { seed: number; samplesPerUnit: number; units: number }

export function monteCarloInput(seed: bigint, samples: number): Uint8Array {
  const b = new Uint8Array(16);
  view(b).setBigUint64(0, seed, true);
  view(b).setUint32(8, samples, true);
  return b;
}

const monteCarloPi: CatalogKernel<MonteCarloParams> = {
  id: 'monte-carlo-pi',
  title: 'Estimate pi (Monte Carlo)',
  description: 'Throws seeded random points at a square and counts those inside the circle; every unit has its own seed.',
  defaults: { seed: 1, samplesPerUnit: 20_000_000, units: 20 },
  checkParams({ seed, samplesPerUnit, units }) {
    if (![seed, samplesPerUnit, units].every(Number.isSafeInteger)) return 'Seed, samples and units must be whole numbers.';
    if (seed < 0) return 'The seed must not be negative.';
    if (samplesPerUnit < 1 || samplesPerUnit > 0xffff_ffff) return 'Samples per unit must be between 1 and 4,294,967,295.';
    if (units < 1 || units > 100_000) return 'Between 1 and 100,000 units.';
    return null;
  },
  splitJob({ seed, samplesPerUnit, units }) {
    // Unit i's seed: the job's seed mixed with i (the kernel's splitmix64 then spreads it).
    return Array.from({ length: units }, (_, i) => monteCarloInput((BigInt(seed) << 20n) + BigInt(i), samplesPerUnit));
  },
  readResult(input, output) {
    const v = view(output);
    return { seed: view(input).getBigUint64(0, true).toString(), hits: Number(v.getBigUint64(0, true)), samples: Number(v.getBigUint64(8, true)) };
  },
  summarize(rows) {
    const hits = rows.reduce((s, r) => s + Number(r.hits), 0);
    const samples = rows.reduce((s, r) => s + Number(r.samples), 0);
    return { hits, samples, pi: samples ? (4 * hits) / samples : 0 };
  },
};

export const CATALOG: readonly CatalogKernel<any>[] = [primes, mandelbrot, monteCarloPi];

export function catalogKernel(id: CatalogKernelId): CatalogKernel<any> {
  const k = CATALOG.find((c) => c.id === id);
  if (!k) throw new RangeError(`no catalog kernel ${id}`);
  return k;
}

/** The WebAssembly bytes of a catalog kernel (or of the benchmark kernel). */
export function kernelWasm(id: CatalogKernelId | 'bench'): Uint8Array<ArrayBuffer> {
  return KERNEL_WASM[id]();
}
