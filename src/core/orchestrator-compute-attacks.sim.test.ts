// Self-dealing on the REAL compute kinds (docs/ORCHESTRATOR.md "Bounds", docs/COMPUTE.md): a job
// owner posts ever larger jobs and validates their units with its own donor keys — vouched by
// itself directly, or down a sybil chain (owner → s1 → s2 …) — returning what they earn to it
// with plain transfers so its room never shrinks. Everything is signed job / result / vouch /
// transfer entries replayed by a real Ledger; the orchestrator mints from the ledger's flows.
// Beside them an honest ring of three members validates each other's jobs every epoch (their
// income is grounded, so honest growth mints). The bound: the owner's keys mint at most
// ρ · E(owner), what the owner was paid by others; nothing when it earned nothing.
import { beforeAll, describe, expect, it } from 'vitest';
import { createSimulationKeys, type MemoryCrypto } from './crypto-port-memory';
import { TestAuthor, TEST_ECONOMY } from './credit-test-kit';
import { hashOf, jobBody } from './compute-test-kit';
import type { SignedEntry } from './create-entry';
import { Ledger } from './ledger';
import { epochEnd, epochStart } from './epochs';
import { computeOrchestrator } from './orchestrator';
import { DEFAULT_MINT_RULES } from './mint';
import { createRandom, pickInt } from './random';

const EPOCH_MS = 86_400_000;
const FIRST = Math.floor(Date.UTC(2026, 2, 2) / EPOCH_MS);
const EPOCHS = 8;
const CEILING = 100;
const [RHO_NUM, RHO_DEN] = DEFAULT_MINT_RULES.mintShare;
const MAX_KEYS = 8;

let memory: MemoryCrypto;
let founder: TestAuthor, owner: TestAuthor, ring: TestAuthor[], keys: TestAuthor[];

beforeAll(async () => {
  const k = await createSimulationKeys(globalThis.crypto.subtle, 5 + MAX_KEYS, 0xa77c);
  memory = k.memory;
  const all = k.signers.map((s) => new TestAuthor(s, memory.port));
  [founder, owner] = all as [TestAuthor, TestAuthor];
  ring = all.slice(2, 5);
  keys = all.slice(5);
});

interface Scenario {
  /** How many donor keys the owner controls. */
  readonly keys: number;
  /** 'direct': the owner vouches each key; 'chain': owner → s1 → s2 → … */
  readonly vouching: 'direct' | 'chain';
  /** Units the owner validates for the honest ring in epoch 0 (E(owner) > 0), or 0. */
  readonly earnUnits: number;
  /** Redundancy of the owner's own jobs. */
  readonly redundancy: number;
  /** Whether the attack runs at all (false: the honest baseline). */
  readonly attack: boolean;
}

interface Outcome {
  readonly ledger: Ledger;
  /** CH minted to the owner's keys and the owner in total. */
  readonly attackersMinted: number;
  /** CH minted to the owner's keys alone. */
  readonly keysMinted: number;
  /** CH the owner was paid by others (flows into it). */
  readonly ownerEarned: number;
  /** CH the owner paid its keys through validated units. */
  readonly selfPaid: number;
  readonly honestMinted: number;
}

async function run(s: Scenario): Promise<Outcome> {
  for (const a of [founder, owner, ...ring, ...keys]) a.head = undefined;
  const entries: SignedEntry[] = [];
  let t = epochStart(FIRST, EPOCH_MS) + 1_000;
  const add = async (p: Promise<SignedEntry>) => entries.push(await p);
  const mine = keys.slice(0, s.keys);
  await add(founder.sign(t++, 'economy-settings', { creditLimit: { MH: 1_000_000, CH: 1_000_000 }, epochMs: EPOCH_MS }));
  for (const m of [owner, ...ring]) await add(founder.sign(t++, 'vouch', { member: m.id, currency: 'CH', amount: 100_000 }, 1));
  /** An honest job of `poster` validated by two other ring members (or the owner), paid CEILING. */
  const honestJob = async (poster: TestAuthor, donors: readonly [TestAuthor, TestAuthor], units: number, epoch: number) => {
    const job = await poster.sign(t++, 'job', jobBody({ units, redundancy: 2, ceiling: CEILING, budget: units * 2 * CEILING, expires: epochEnd(epoch, EPOCH_MS) + EPOCH_MS }), 1);
    entries.push(job);
    for (let u = 0; u < units; u++) for (const d of donors) await add(d.sign(t++, 'result', { job: job.id, unit: u, hash: hashOf(u + 1), claim: CEILING }, 1));
  };
  for (let k = 0; k < EPOCHS; k++) {
    const epoch = FIRST + k;
    t = Math.max(t, epochStart(epoch, EPOCH_MS) + 60_000);
    // The honest ring: each member's job done by the other two; it grows by one unit an epoch.
    // Member 0 buys more than it sells (a deficit that grows), so the others' surplus is net flow.
    for (let i = 0; i < 3; i++) await honestJob(ring[i]!, [ring[(i + 1) % 3]!, ring[(i + 2) % 3]!], i === 0 ? 2 + 2 * k : 2, epoch);
    if (k === 0 && s.earnUnits > 0) await honestJob(ring[0]!, [owner, ring[1]!], s.earnUnits, epoch);
    if (!s.attack) continue;
    if (k === 1) {
      // The owner's keys get the stakes that let their results count (rule 7 of kind-result.ts).
      for (let i = 0; i < mine.length; i++) {
        const voucher = s.vouching === 'direct' || i === 0 ? owner : mine[i - 1]!;
        await add(voucher.sign(t++, 'vouch', { member: mine[i]!.id, currency: 'CH', amount: 1_000 * (mine.length - i) }, 1));
      }
    }
    if (k >= 1) {
      // Ever larger jobs (more units every epoch), each unit validated by the owner's own keys.
      const units = mine.length * k * s.redundancy;
      const job = await owner.sign(t++, 'job', jobBody({ units, redundancy: s.redundancy, ceiling: CEILING, budget: units * s.redundancy * CEILING, expires: epochEnd(epoch, EPOCH_MS) + EPOCH_MS }), 1);
      entries.push(job);
      const earned = new Map<TestAuthor, number>();
      for (let u = 0; u < units; u++) {
        for (let r = 0; r < s.redundancy; r++) {
          const key = mine[(u + r) % mine.length]!;
          await add(key.sign(t++, 'result', { job: job.id, unit: u, hash: hashOf('e'), claim: CEILING }, 1));
          earned.set(key, (earned.get(key) ?? 0) + CEILING);
        }
      }
      // The keys hand what they were paid back to the owner with plain transfers (not flow), so
      // its room never shrinks: at redundancy 1 each was paid CEILING a unit. At redundancy 2 no
      // unit validates (rule 8), so nothing was paid and nothing is handed back.
      if (s.redundancy === 1) for (const [key, amount] of earned) await add(key.sign(t++, 'transfer', { to: owner.id, currency: 'CH', amount, memo: 'back' }, 1));
    }
  }
  const now = epochEnd(FIRST + EPOCHS - 1, EPOCH_MS) + 1;
  const ledger = new Ledger({ economy: TEST_ECONOMY, crypto: memory.port, founder: founder.id, now: () => now });
  await ledger.addEntries(entries.map((e) => e.bytes));
  await ledger.whenVerified();
  const result = computeOrchestrator(ledger.flows, EPOCH_MS, now);
  const attackers = new Set([owner.id, ...mine.map((m) => m.id)]);
  const honest = new Set(ring.map((m) => m.id));
  const sum = (set: Set<string>) => [...result.minted].filter(([a]) => set.has(a)).reduce((x, [, b]) => x + b.CH, 0);
  const flowsCH = ledger.flows.filter((f) => f.currency === 'CH');
  return {
    ledger,
    attackersMinted: sum(attackers),
    keysMinted: sum(new Set(mine.map((m) => m.id))),
    ownerEarned: flowsCH.filter((f) => f.payee === owner.id).reduce((x, f) => x + f.amount, 0),
    selfPaid: flowsCH.filter((f) => f.payer === owner.id && attackers.has(f.payee)).reduce((x, f) => x + f.amount, 0),
    honestMinted: sum(honest),
  };
}

const cases = Array.from({ length: 4 }, (_, i) => {
  const random = createRandom(300 + i);
  return { seed: 300 + i, keys: 2 + pickInt(random, MAX_KEYS - 1), vouching: i % 2 ? 'chain' as const : 'direct' as const, earnUnits: 4 + pickInt(random, 20) };
});

describe('the honest ring on real compute entries', () => {
  it('mints from its growing, grounded flow', async () => {
    const base = await run({ keys: 2, vouching: 'direct', earnUnits: 0, redundancy: 1, attack: false });
    expect(base.honestMinted).toBeGreaterThan(0);
    expect(base.attackersMinted).toBe(0);
  });
});

describe.each(cases)('seed $seed: $keys own donor keys vouched $vouching', ({ keys: k, vouching, earnUnits }) => {
  it('an owner that earned nothing validates its own growing jobs (redundancy 1) and mints nothing', async () => {
    const o = await run({ keys: k, vouching, earnUnits: 0, redundancy: 1, attack: true });
    expect(o.ownerEarned).toBe(0);
    // The attack is real flow in the ledger: the keys were paid for every unit, growing each epoch.
    expect(o.selfPaid).toBe(k * CEILING * ((EPOCHS - 1) * EPOCHS) / 2);
    // Handed back every time (the transfers applied): the owner only moved its own credit around.
    expect(o.ledger.balanceOf(owner.id).CH).toBe(0);
    expect(o.attackersMinted).toBe(0);
  });

  it('an owner that earned E from others mints at most ρ·E more through its keys, however much it pays them', async () => {
    const o = await run({ keys: k, vouching, earnUnits, redundancy: 1, attack: true });
    const idle = await run({ keys: k, vouching, earnUnits, redundancy: 1, attack: false });
    expect(o.ownerEarned).toBe(earnUnits * CEILING);
    expect(o.selfPaid).toBeGreaterThan(10 * o.ownerEarned / 2);
    const bound = Math.floor((o.ownerEarned * RHO_NUM) / RHO_DEN);
    // Its keys' income is grounded only as far as the owner earned from others (mint.ts rule 6).
    expect(o.keysMinted).toBeLessThanOrEqual(bound);
    expect(o.keysMinted).toBeGreaterThan(0);
    // The owner's own mint (on its honest earning) is what it is without the attack.
    expect(o.attackersMinted - o.keysMinted).toBe(idle.attackersMinted);
    expect(o.attackersMinted - idle.attackersMinted).toBeLessThanOrEqual(Math.floor((o.ownerEarned * RHO_NUM) / RHO_DEN));
  });

  it('at redundancy 2 its keys are one person to the quorum rule: no unit validates, nothing is paid', async () => {
    const o = await run({ keys: k, vouching, earnUnits: 0, redundancy: 2, attack: true });
    expect(o.selfPaid).toBe(0);
    const own = o.ledger.jobs.filter((j) => j.owner === owner.id);
    expect(own.length).toBe(EPOCHS - 1);
    expect(own.every((j) => j.validated === 0)).toBe(true);
    expect(o.attackersMinted).toBe(0);
  });
});
