// Test helpers for compute: a job body with sensible defaults, result bodies, and a cast of keyed
// authors (founder, owner, vouched donors, fresh keys). Used by kind-job.test.ts,
// kind-result.test.ts and compute.sim.test.ts (never by the app).

import type { JobBody } from './kind-job';
import type { ResultBody } from './kind-result';
import { TestAuthor } from './credit-test-kit';
import { createSimulationKeys, type MemoryCrypto } from './crypto-port-memory';

/** 26 Nov 2026, 10:40 UTC. */
export const T0 = Date.UTC(2026, 10, 26, 10, 40);
export const DAY = 86_400_000;

/** A distinct SHA-256-shaped hex per label ('a' → 'aaaa…', 7 → '0707…'). */
export function hashOf(label: string | number): string {
  return typeof label === 'number' ? label.toString(16).padStart(2, '0').repeat(32) : label.repeat(64).slice(0, 64);
}

export function jobBody(over: Partial<JobBody> = {}): JobBody {
  return {
    kernel: 'primes', manifest: hashOf('m'.charCodeAt(0)), units: 3, redundancy: 2, unitDeadlineMs: 60_000,
    ceiling: 50, budget: 300, expires: T0 + DAY, title: 'Primes below 10^9', ...over,
  };
}

export function result(job: string, unit: number, hash: string, claim = 40): ResultBody {
  return { job, unit, hash, claim };
}

export interface Cast {
  memory: MemoryCrypto;
  founder: TestAuthor;
  owner: TestAuthor;
  donors: TestAuthor[];
  fresh: TestAuthor[];
}

/** Founder, owner, `donors` donors (vouched by the founder in each test) and `fresh` unvouched keys. */
export async function createCast(seed: number, donors: number, fresh: number): Promise<Cast> {
  const keys = await createSimulationKeys(globalThis.crypto.subtle, 2 + donors + fresh, seed);
  const all = keys.signers.map((s) => new TestAuthor(s, keys.memory.port));
  return { memory: keys.memory, founder: all[0]!, owner: all[1]!, donors: all.slice(2, 2 + donors), fresh: all.slice(2 + donors) };
}

export function resetHeads(cast: Cast): void {
  for (const a of [cast.founder, cast.owner, ...cast.donors, ...cast.fresh]) a.head = undefined;
}
