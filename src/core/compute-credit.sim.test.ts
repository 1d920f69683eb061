// Simulation: what one person with a founder stake of L CH and N fresh keys can extract through
// compute jobs (docs/COMPUTE.md "Sybils and collusion", docs/LEDGER.md "Credit"). Honest members
// post jobs; the attacker throws every compute strategy at the ledger: jobs posted with its whole
// room and then the room spent again, results from fresh keys, K0 vouching its own keys so they
// count, pairs of its keys returning the same garbage for honest units, results to its own
// jobs, releases to recover K0's room, greedy spending of every key's CH room on honest members.
// Checked on every seed:
//  - the credit bound still holds with escrow: the attacker's keys owe together at most L CH;
//  - what honest owners paid the attacker for garbage is at most their escrow, per job and in all;
//  - with keys nobody vouched for (the attacker never vouches) it gains nothing from compute;
//  - shuffled arrival gives the same state.
// Print the table with: SIM_TABLE=1 npx vitest run src/core/compute-credit.sim.test.ts

import { beforeAll, describe, expect, it } from 'vitest';
import { createSimulationKeys, type MemoryCrypto } from './crypto-port-memory';
import { ledgerOf, testLedger, TestAuthor } from './credit-test-kit';
import { createRandom, pickInt, pickOne, shuffleInPlace, type Random } from './random';
import { hashOf, T0 } from './compute-test-kit';
import type { SignedEntry } from './create-entry';
import type { Ledger } from './ledger';
import type { KindBodies, KindName } from './kinds';
import type { LedgerState } from './ledger-state';

const L = 10_000; // the CH credit limit (DEFAULT_SETTINGS) and the founder's stake on K0
const HONEST = 3;
const SYBILS = 12;
const ROUNDS = 160;
const SEEDS = process.env.SEED ? [Number(process.env.SEED)] : Array.from({ length: 20 }, (_, i) => i + 1);

let memory: MemoryCrypto;
let pool: TestAuthor[];

beforeAll(async () => {
  const keys = await createSimulationKeys(globalThis.crypto.subtle, 2 + HONEST + SYBILS, 0xc0c0);
  memory = keys.memory;
  pool = keys.signers.map((s) => new TestAuthor(s, memory.port));
});

interface World {
  random: Random;
  founder: TestAuthor;
  honest: TestAuthor[];
  k0: TestAuthor;
  sybils: TestAuthor[];
  view: Ledger;
  all: SignedEntry[];
  t: number;
  honestJobs: { id: string; units: number }[];
  attackerJobs: { id: string; units: number }[];
}

async function write<K extends KindName>(w: World, who: TestAuthor, kind: K, body: KindBodies[K]): Promise<SignedEntry> {
  const e = await who.sign((w.t += 1), kind, body);
  w.all.push(e);
  await w.view.addEntries([e.bytes]);
  return e;
}

const attackerKeys = (w: World) => [w.k0, ...w.sybils];

/**
 * One attacker (K0 and its keys), or with `colluders` 2 a second person K1 with a founder stake
 * of its own, working with the first (both vouch the same pool of keys).
 */
async function runSeed(seed: number, attackerVouches: boolean, colluders: 1 | 2 = 1): Promise<{ owed: number; garbage: number; escrow: number }> {
  for (const a of pool) a.head = undefined;
  const [founder, k0, ...rest] = pool as [TestAuthor, TestAuthor, ...TestAuthor[]];
  const w: World = {
    random: createRandom(seed), founder, k0, honest: rest.slice(0, HONEST), sybils: rest.slice(HONEST),
    view: testLedger(memory.port, founder.id, T0 + 10 * 60_000), all: [], t: T0, honestJobs: [], attackerJobs: [],
  };
  const { random } = w;
  for (const m of [...w.honest, k0]) await write(w, founder, 'vouch', { member: m.id, currency: 'CH', amount: L });
  if (colluders === 2) await write(w, founder, 'vouch', { member: w.sybils[0]!.id, currency: 'CH', amount: L });
  // Honest owners lock most of their room in jobs of redundancy 2 (the default) or 3.
  for (const h of w.honest) {
    const units = 2 + pickInt(random, 6);
    const redundancy = 2 + pickInt(random, 2);
    const ceiling = 50 + pickInt(random, 200);
    const e = await write(w, h, 'job', {
      kernel: 'primes', manifest: hashOf(1), units, redundancy, unitDeadlineMs: 60_000, ceiling, budget: units * redundancy * ceiling, expires: T0 + 86_400_000, title: 'honest',
    });
    w.honestJobs.push({ id: e.id, units });
  }
  const room = (k: TestAuthor) => w.view.spendable(k.id, 'CH');
  for (let round = 0; round < ROUNDS; round++) {
    const roll = random();
    const me = pickOne(random, attackerKeys(w));
    if (roll < 0.15 && attackerVouches) {
      // K0 (or a key K0 made count) vouches another of the attacker's keys so it counts too.
      const voucher = random() < 0.7 ? (colluders === 2 && random() < 0.5 ? w.sybils[0]! : k0) : me;
      const member = pickOne(random, w.sybils.filter((s) => s !== voucher));
      const current = w.view.stakeOf(voucher.id, member.id).CH;
      await write(w, voucher, 'vouch', { member: member.id, currency: 'CH', amount: current + 1 + pickInt(random, Math.max(1, Math.min(500, room(voucher)))) });
    } else if (roll < 0.25) {
      // A job with the whole room, then (later rounds) the same room spent again.
      const budget = Math.max(1, room(me));
      const e = await write(w, me, 'job', { kernel: 'mandelbrot', manifest: hashOf(2), units: 1, redundancy: 1, unitDeadlineMs: 60_000, ceiling: budget, budget, expires: w.t + 5_000 + pickInt(random, 50_000), title: 'mine' });
      w.attackerJobs.push({ id: e.id, units: 1 });
    } else if (roll < 0.55 && w.honestJobs.length > 0) {
      // Garbage for an honest unit, from two or three of the attacker's keys at once (a pair or a trio).
      const job = pickOne(random, w.honestJobs);
      const unit = pickInt(random, job.units);
      for (const k of shuffleInPlace(random, attackerKeys(w)).slice(0, 2 + pickInt(random, 2))) {
        await write(w, k, 'result', { job: job.id, unit, hash: hashOf(0xee), claim: 1_000_000 });
      }
    } else if (roll < 0.65 && w.attackerJobs.length > 0) {
      // Results to its own jobs, from its other keys: pay moves between its own keys.
      const job = pickOne(random, w.attackerJobs);
      await write(w, me, 'result', { job: job.id, unit: 0, hash: hashOf(0xdd), claim: 1_000_000 });
    } else if (roll < 0.72) {
      const stakes = w.view.stakesOf(me.id).received.filter((s) => s.voucher !== founder.id && s.amount.CH > 0);
      if (stakes.length > 0) {
        const s = pickOne(random, stakes);
        await write(w, me, 'release', { voucher: s.voucher, currency: 'CH', amount: pickInt(random, s.amount.CH) });
      }
    } else {
      // Greedy spending on honest members (a refused overdraft now and then: a blind payment).
      const amount = random() < 0.2 ? 1 + pickInt(random, 2 * L) : Math.max(1, room(me));
      await write(w, me, 'transfer', { to: pickOne(random, w.honest).id, currency: 'CH', amount, memo: '' });
    }
  }
  const final = await ledgerOf(memory.port, founder.id, T0 + 10 * 60_000, w.all);
  const shuffled = await ledgerOf(memory.port, founder.id, T0 + 10 * 60_000, shuffleInPlace(random, [...w.all]));
  expect(shuffled.serialize()).toBe(final.serialize());
  const state = (final as unknown as { state: LedgerState }).state;
  const keys = new Set(attackerKeys(w).map((k) => k.id));
  let owed = 0;
  for (const k of keys) owed -= final.balanceOf(k).CH;
  const honestIds = new Set(w.honest.map((h) => h.id));
  let garbage = 0;
  for (const f of state.flows) if (honestIds.has(f.payer) && keys.has(f.payee)) garbage += f.amount;
  let escrow = 0;
  for (const job of w.honestJobs) {
    const rec = final.jobOf(job.id)!;
    expect(rec.paid).toBeLessThanOrEqual(rec.body.budget);
    escrow += rec.body.budget;
  }
  return { owed, garbage, escrow };
}

describe('compute and credit: one person with many keys', () => {
  it(`owes at most L and gains from compute at most the honest escrow, on ${SEEDS.length} seeds`, async () => {
    const rows: string[] = [];
    for (const seed of SEEDS) {
      try {
        const r = await runSeed(seed, true);
        // Garbage pay it spent on honest members shows as less debt, never more: the debt bound holds.
        expect(r.owed).toBeLessThanOrEqual(L);
        // Every key of its that counts has K0 in its credit lineage: it never holds two seats of a
        // quorum, and honest jobs here have redundancy ≥ 2 (kind-result.ts, rule 8).
        expect(r.garbage).toBe(0);
        rows.push(`${seed}\towed ${r.owed}\tgarbage paid ${r.garbage}\tof honest escrow ${r.escrow}`);
      } catch (err) {
        throw new Error(`seed ${seed} failed; replay with: SEED=${seed} npx vitest run src/core/compute-credit.sim.test.ts\n${String(err)}`);
      }
    }
    if (process.env.SIM_TABLE) console.log(rows.join('\n'));
  });

  it(`two people colluding, each with a founder stake: they owe at most 2L and gain at most the honest escrow`, async () => {
    const rows: string[] = [];
    let total = 0;
    for (const seed of SEEDS) {
      const r = await runSeed(seed, true, 2);
      expect(r.owed).toBeLessThanOrEqual(2 * L);
      expect(r.garbage).toBeLessThanOrEqual(r.escrow);
      total += r.garbage;
      rows.push(`${seed}\towed ${r.owed}\tgarbage paid ${r.garbage}\tof honest escrow ${r.escrow}`);
    }
    // Two people are two people to the rules: the bound is the escrow (docs/COMPUTE.md), and the
    // attack does reach it, so this test shows the bound rather than a rule that never fires.
    expect(total).toBeGreaterThan(0);
    if (process.env.SIM_TABLE) console.log(rows.join('\n'));
  });

  it('with keys nobody vouched for, compute pays the attacker nothing', async () => {
    for (const seed of SEEDS.slice(0, 8)) {
      const r = await runSeed(seed, false);
      expect(r.garbage).toBe(0);
      expect(r.owed).toBeLessThanOrEqual(L);
    }
  });
});
