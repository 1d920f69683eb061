// The pool's queue, bounds and life cycle, against a fake sandbox whose workers answer when the
// test says so (the real sandbox is tested in e2e/sandbox.spec.ts).
import { describe, expect, it } from 'vitest';
import { createComputePool, createInThreadComputePool } from './compute-pool';
import { primesInput } from './catalog';
import type { RunOutcome } from './kernel-runner';
import type { Sandbox } from './sandbox-host';
import { UnitError } from './types';
import { wat } from './wat.test-kit';

interface Call { worker: number; key: string; sentModule: boolean; input: Uint8Array; answer(o: RunOutcome): void }

function fakeSandbox() {
  const calls: Call[] = [];
  const killed: number[] = [];
  const failWorker = new Map<number, (m: string) => void>();
  let spawned = 0;
  let destroyed = false;
  const sandbox: Sandbox = {
    spawn() {
      const id = ++spawned;
      return {
        id,
        failed: new Promise<string>((r) => failWorker.set(id, r)),
        kill: () => killed.push(id),
        api: {
          run: (key: string, module: Uint8Array | null, input: Uint8Array) =>
            new Promise<RunOutcome>((answer) => calls.push({ worker: id, key, sentModule: module !== null, input, answer })),
        } as never,
      };
    },
    destroy() { destroyed = true; },
  };
  return { open: () => Promise.resolve(sandbox), calls, killed, failWorker, spawned: () => spawned, destroyed: () => destroyed };
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const ok = (ms: number, byte = 1): RunOutcome => ({ ok: true, output: new Uint8Array([byte]), ms });
const input = (n: number) => new Uint8Array([n]);

describe('createComputePool', () => {
  it('runs at most `size` units at once, in order, and sends a module to a worker once', async () => {
    const box = fakeSandbox();
    const pool = createComputePool({ size: 2, openSandbox: box.open });
    const results = [1, 2, 3].map((n) => pool.runUnit('primes', input(n), 10_000));
    await tick();
    expect(box.calls.map((c) => c.input[0])).toEqual([1, 2]);
    expect(pool.running).toBe(2);
    box.calls[0]!.answer(ok(7200, 9));
    expect(await results[0]).toEqual({ output: new Uint8Array([9]), ms: 7200, chMilli: 2 });
    await tick();
    expect(box.calls[2]).toMatchObject({ worker: box.calls[0]!.worker, sentModule: false, key: 'catalog:primes' });
    expect(box.calls.slice(0, 2).map((c) => c.sentModule)).toEqual([true, true]);
    expect(box.spawned()).toBe(2);
    box.calls[1]!.answer(ok(1));
    box.calls[2]!.answer(ok(1));
    await Promise.all(results);
  });

  it('claims ceil(ms × factor / 3600) milli-CH, at least 1', async () => {
    const box = fakeSandbox();
    const pool = createComputePool({ size: 1, speedFactor: 2, openSandbox: box.open });
    const r = pool.runUnit('primes', input(1), 10_000);
    await tick();
    box.calls[0]!.answer(ok(3_601));
    expect((await r).chMilli).toBe(3); // 7202 ms of reference time → 2.0006 → 3
  });

  it('starts nothing while paused, and everything waiting on resume', async () => {
    const box = fakeSandbox();
    const pool = createComputePool({ size: 1, openSandbox: box.open });
    pool.pause();
    const r = pool.runUnit('primes', input(1), 10_000);
    await tick();
    expect(box.calls).toHaveLength(0);
    pool.resume();
    await tick();
    box.calls[0]!.answer(ok(1));
    await expect(r).resolves.toMatchObject({ ms: 1 });
  });

  it('kills a worker whose unit passes its time bound and gives the next unit a fresh one', async () => {
    const box = fakeSandbox();
    const pool = createComputePool({ size: 1, openSandbox: box.open });
    const stuck = pool.runUnit('primes', input(1), 30);
    const next = pool.runUnit('primes', input(2), 10_000);
    await expect(stuck).rejects.toMatchObject({ reason: 'timeout' });
    expect(box.killed).toEqual([1]);
    await tick();
    expect(box.calls[1]).toMatchObject({ worker: 2, sentModule: true });
    box.calls[0]!.answer(ok(1)); // a late answer from the killed worker changes nothing
    box.calls[1]!.answer(ok(2));
    await expect(next).resolves.toMatchObject({ ms: 2 });
  });

  it('retires a worker that fails to start, reporting the unit', async () => {
    const box = fakeSandbox();
    const pool = createComputePool({ size: 1, openSandbox: box.open });
    const r = pool.runUnit('primes', input(1), 10_000);
    await tick();
    box.failWorker.get(1)!('refused by the policy');
    await expect(r).rejects.toMatchObject({ reason: 'trap', message: expect.stringMatching(/refused by the policy/) });
    expect(box.killed).toEqual([1]);
  });

  it('shrinks by retiring workers as their units finish', async () => {
    const box = fakeSandbox();
    const pool = createComputePool({ size: 2, openSandbox: box.open });
    const rs = [1, 2, 3].map((n) => pool.runUnit('primes', input(n), 10_000));
    await tick();
    pool.setSize(1);
    box.calls[0]!.answer(ok(1));
    box.calls[1]!.answer(ok(1));
    await Promise.all(rs.slice(0, 2));
    await tick();
    expect(box.killed).toHaveLength(1);
    expect(box.calls).toHaveLength(3);
    box.calls[2]!.answer(ok(1));
    await rs[2];
    expect(pool.size).toBe(1);
  });

  it('refuses a bad user module and an oversized input without touching a worker', async () => {
    const box = fakeSandbox();
    const pool = createComputePool({ openSandbox: box.open });
    const withImport = wat('(module (import "env" "f" (func)) (memory (export "memory") 1 1))');
    await expect(pool.runUnit(withImport, input(1), 1_000)).rejects.toMatchObject({ reason: 'refused', message: expect.stringMatching(/env\.f/) });
    await expect(pool.runUnit('primes', new Uint8Array(1024 * 1024 + 1), 1_000)).rejects.toBeInstanceOf(UnitError);
    expect(box.spawned()).toBe(0);
  });

  it('measures speed as the best of three benchmark runs', async () => {
    const box = fakeSandbox();
    const pool = createComputePool({ size: 1, openSandbox: box.open });
    const speed = pool.measureSpeed();
    for (const ms of [80, 40, 50]) {
      await tick();
      box.calls.at(-1)!.answer(ok(ms));
    }
    expect(await speed).toEqual({ factor: 2.5, ms: 40 });
    expect(box.calls.every((c) => c.key === 'catalog:bench')).toBe(true);
    expect(pool.speedFactor).toBe(2.5);
  });

  it('cancels waiting and running units when terminated, and refuses new ones', async () => {
    const box = fakeSandbox();
    const pool = createComputePool({ size: 1, openSandbox: box.open });
    const rs = [1, 2].map((n) => pool.runUnit('primes', input(n), 10_000));
    await tick();
    pool.terminate();
    await expect(rs[0]).rejects.toMatchObject({ reason: 'cancelled' });
    await expect(rs[1]).rejects.toMatchObject({ reason: 'cancelled' });
    await expect(pool.runUnit('primes', input(3), 10_000)).rejects.toMatchObject({ reason: 'cancelled' });
    await tick();
    expect(box.destroyed()).toBe(true);
    expect(box.killed).toEqual([1]);
  });
});

describe('createInThreadComputePool', () => {
  it('runs catalog kernels on this thread with the same API', async () => {
    const pool = createInThreadComputePool();
    const r = await pool.runUnit('primes', primesInput(0, 1_000), 10_000);
    expect(new DataView(r.output.buffer).getUint32(0, true)).toBe(168);
    expect(r.chMilli).toBe(1);
  });
});
