// The catalog kernels compute what their documentation says: each is checked against a plain
// TypeScript version of the same algorithm.
import { describe, expect, it } from 'vitest';
import { CATALOG, catalogKernel, kernelWasm, mandelbrotInput, monteCarloInput, primesInput, type MandelbrotParams } from './catalog';
import { runKernel } from './kernel-runner';

const now = () => performance.now();
function run(id: Parameters<typeof kernelWasm>[0], input: Uint8Array): Uint8Array {
  const r = runKernel(new WebAssembly.Module(kernelWasm(id)), input, now);
  if (!r.ok) throw new Error(r.message);
  return r.output;
}

function countPrimes(from: number, to: number): number {
  let count = 0;
  for (let n = from; n < to; n++) {
    let prime = n >= 2;
    for (let d = 2; d * d <= n; d++) if (n % d === 0) { prime = false; break; }
    if (prime) count++;
  }
  return count;
}

function splitmixPi(seed: bigint, samples: number): bigint {
  const M = (1n << 64n) - 1n;
  let state = seed;
  const next = () => {
    state = (state + 0x9e3779b97f4a7c15n) & M;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
    return z ^ (z >> 31n);
  };
  let hits = 0n;
  for (let i = 0; i < samples; i++) {
    const x = next() >> 33n;
    const y = next() >> 33n;
    if (x * x + y * y < 1n << 62n) hits++;
  }
  return hits;
}

describe('catalog kernels', () => {
  it('primes counts the primes of a range, also near 2^32 where d*d would wrap in 32 bits', () => {
    const count = (a: number, b: number) => new DataView(run('primes', primesInput(a, b)).buffer).getUint32(0, true);
    expect(count(0, 100_000)).toBe(9_592);
    expect(count(1_000_000, 1_010_000)).toBe(countPrimes(1_000_000, 1_010_000));
    expect(count(4_294_967_000, 4_294_967_295)).toBe(countPrimes(4_294_967_000, 4_294_967_295));
  });

  it('primes splits a job into units whose counts add up to the whole', () => {
    const k = catalogKernel('primes');
    const params = { from: 0, to: 200_000, units: 7 };
    expect(k.checkParams(params)).toBeNull();
    const rows = k.splitJob(params).map((input) => k.readResult(input, run('primes', input)));
    expect(rows[0]).toMatchObject({ from: 0 });
    expect(rows.at(-1)).toMatchObject({ to: 200_000 });
    expect(k.summarize!(rows)).toEqual({ primes: 17_984 });
  });

  it('monte-carlo-pi matches a BigInt splitmix64 and estimates pi', () => {
    const out = run('monte-carlo-pi', monteCarloInput(42n, 20_000));
    const v = new DataView(out.buffer);
    expect(v.getBigUint64(0, true)).toBe(splitmixPi(42n, 20_000));
    expect(v.getBigUint64(8, true)).toBe(20_000n);
    const k = catalogKernel('monte-carlo-pi');
    const rows = k.splitJob({ seed: 7, samplesPerUnit: 200_000, units: 5 }).map((input) => k.readResult(input, run('monte-carlo-pi', input)));
    expect(new Set(rows.map((r) => r.hits)).size).toBe(5); // every unit has its own seed
    expect(Math.abs(Number(k.summarize!(rows).pi) - Math.PI)).toBeLessThan(0.01);
  });

  it('mandelbrot renders tiles that match a TypeScript render of the same image', () => {
    const p: MandelbrotParams = { width: 40, height: 30, tile: 16, maxIter: 100, centerX: -0.5, centerY: 0, span: 3 };
    const k = catalogKernel('mandelbrot');
    expect(k.checkParams(p)).toBeNull();
    const image = new Uint8Array(p.width * p.height * 4);
    const inputs = k.splitJob(p);
    expect(inputs).toHaveLength(3 * 2);
    for (const input of inputs) {
      const tile = k.placeTile!(input);
      const out = run('mandelbrot', input);
      expect(out.length).toBe(tile.width * tile.height * 4);
      for (let y = 0; y < tile.height; y++) image.set(out.subarray(y * tile.width * 4, (y + 1) * tile.width * 4), ((tile.y + y) * p.width + tile.x) * 4);
    }
    const scale = p.span / p.width;
    for (let y = 0; y < p.height; y++) {
      for (let x = 0; x < p.width; x++) {
        const cr = p.centerX + (x - p.width * 0.5) * scale;
        const ci = p.centerY + (y - p.height * 0.5) * scale;
        let zr = 0, zi = 0, i = 0;
        for (; i < p.maxIter; i++) {
          const zr2 = zr * zr, zi2 = zi * zi;
          if (zr2 + zi2 > 4) break;
          zi = 2 * zr * zi + ci;
          zr = zr2 - zi2 + cr;
        }
        const at = (y * p.width + x) * 4;
        if (i === p.maxIter) expect([...image.subarray(at, at + 4)]).toEqual([0, 0, 0, 255]);
        else expect(image[at + 3]).toBe(255);
        if (i < p.maxIter) {
          const s = i & 63, v = (s < 32 ? s : 63 - s) << 3;
          expect([...image.subarray(at, at + 4)], `pixel ${x},${y}`).toEqual([v, (v * 3) >> 2, 255 - (v >> 1), 255]);
        }
      }
    }
  });

  it('refuses malformed inputs instead of guessing', () => {
    const m = new WebAssembly.Module(kernelWasm('primes'));
    expect(runKernel(m, new Uint8Array(3), now)).toMatchObject({ ok: false, reason: 'bad-output' });
    const tooBig = mandelbrotInput({ width: 1024, height: 1024, tile: 1024, maxIter: 1, centerX: 0, centerY: 0, span: 1 }, 0, 0, 1024, 1024);
    expect(runKernel(new WebAssembly.Module(kernelWasm('mandelbrot')), tooBig, now)).toMatchObject({ ok: false, reason: 'bad-output' });
    expect(catalogKernel('mandelbrot').checkParams({ ...catalogKernel('mandelbrot').defaults, tile: 1024 })).toMatch(/512/);
  });

  it('gives the benchmark kernel its documented checksum', () => {
    const v = new DataView(run('bench', new Uint8Array(0)).buffer);
    expect([v.getUint32(0, true), v.getUint32(4, true)]).toEqual([92_938, 1_497_280]);
  });

  it('lists three catalog kernels with defaults that pass their own checks', () => {
    expect(CATALOG.map((k) => k.id)).toEqual(['primes', 'mandelbrot', 'monte-carlo-pi']);
    for (const k of CATALOG) expect(k.checkParams(k.defaults), k.id).toBeNull();
  });
});
