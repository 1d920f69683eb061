// Simulation: what one person with N fresh keys can extract from honest members (docs/LEDGER.md
// "Credit"). The founder vouches L for each honest member and for the attacker's one key K0. The
// attacker then makes N fresh keys and throws every strategy at the ledger, round after round:
// plain ping-pong payments between its keys (which must not create credit), fan-out vouches from
// K0, vouching chains and circles among its keys, releases to recover a voucher's room, fresh keys
// dated before everything, low and huge acks after the founder lowers the limit, blind overdrafts,
// and greedy spending of every key's room on honest members. Extracted = what the attacker's keys
// owe together (−Σ balances), i.e. what honest members delivered for nothing; it must never
// exceed L, whatever N. Also checked: shuffled arrival orders give the same serialize().
// Print the table with: SIM_TABLE=1 npx vitest run src/core/credit.sim.test.ts

import { beforeAll, describe, expect, it } from 'vitest';
import { createSimulationKeys, type MemoryCrypto } from './crypto-port-memory';
import { ledgerOf, settled, testLedger, TestAuthor } from './credit-test-kit';
import { createRandom, pickInt, pickOne, shuffleInPlace, type Random } from './random';
import type { SignedEntry } from './create-entry';
import type { Ledger } from './ledger';
import type { KindBodies, KindName } from './kinds';

const T0 = 1_700_000_000_000;
const L = 10_000; // the economy's credit limit (DEFAULT_SETTINGS) and the founder's stake on K0
const HONEST = 4;
const SIZES = [1, 10, 100, 1000];
const MAX_KEYS = Math.max(...SIZES);

let memory: MemoryCrypto;
let pool: TestAuthor[];

beforeAll(async () => {
  const keys = await createSimulationKeys(globalThis.crypto.subtle, 2 + HONEST + MAX_KEYS, 0x51b1);
  memory = keys.memory;
  pool = keys.signers.map((s) => new TestAuthor(s, memory.port));
});

interface World {
  random: Random;
  founder: TestAuthor;
  honest: TestAuthor[];
  k0: TestAuthor;
  sybils: TestAuthor[];
  /** The attacker's view: every entry, added as it is signed (so its choices read live room). */
  view: Ledger;
  all: SignedEntry[];
  t: number;
}

async function write<K extends KindName>(w: World, who: TestAuthor, kind: K, body: KindBodies[K], opts: { time?: number; ack?: number } = {}): Promise<void> {
  // Honest clients ack what they have seen; the attacker's keys pick their ack per strategy.
  const time = opts.time ?? (w.t += 1);
  if (who.head && time <= who.head.time) return; // a chain only goes forward
  const e = await who.sign(time, kind, body, opts.ack ?? w.view.settingsAck);
  w.all.push(e);
  await w.view.addEntries([e.bytes]);
}

const attackerKeys = (w: World) => [w.k0, ...w.sybils];

/** What the attacker's keys owe together in MH (what honest members gave them for nothing). */
function extracted(l: Ledger, w: World): number {
  let sum = 0;
  for (const k of attackerKeys(w)) sum += l.balanceOf(k.id).MH;
  return -sum;
}

async function attackRound(w: World, round: number): Promise<void> {
  const { random, view, k0, sybils, honest } = w;
  // Sybils ack nothing (the initial limit), the newest settings, or "everything".
  const ack = () => pickOne(random, [0, view.settingsAck, 2 ** 40]);
  const room = (k: TestAuthor) => view.spendable(k.id, 'MH');

  // 1. Ping-pong: plain payments between the attacker's own keys, back and forth.
  for (const s of sybils.slice(0, 20)) {
    for (let i = 0; i < 3; i++) {
      await write(w, k0, 'transfer', { to: s.id, currency: 'MH', amount: 1 + pickInt(random, L), memo: '' }, { ack: ack() });
      await write(w, s, 'transfer', { to: k0.id, currency: 'MH', amount: 1 + pickInt(random, 2 * L), memo: '' }, { ack: ack() });
    }
  }
  // 2. Fan-out: K0 spreads its whole room over the sybils as stakes.
  const share = Math.max(1, Math.floor(Math.max(0, room(k0)) / sybils.length));
  for (const s of sybils) {
    await write(w, k0, 'vouch', { member: s.id, currency: 'MH', amount: view.stakeOf(k0.id, s.id).MH + share }, { ack: ack() });
  }
  // 3. Chains and circles: each sybil stakes all it can on the next, and the next stakes back.
  for (let i = 0; i < sybils.length; i++) {
    const a = sybils[i]!;
    const b = sybils[(i + 1) % sybils.length]!;
    if (a === b) break;
    for (const [x, y] of [[a, b], [b, a]] as const) {
      const more = Math.max(1, room(x));
      await write(w, x, 'vouch', { member: y.id, currency: 'MH', amount: view.stakeOf(x.id, y.id).MH + more }, { ack: ack() });
    }
  }
  // 4. Releases: give K0's stake back where the sybil has no debt, so K0 can stake it again.
  for (const s of sybils) {
    if (random() < 0.5 || view.stakeOf(k0.id, s.id).MH === 0) continue;
    await write(w, s, 'release', { voucher: k0.id, currency: 'MH', amount: 0 }, { ack: ack() });
  }
  // 5. Backdating: a sybil's payment dated before the founder vouched for anyone (a fresh chain
  //    can start at any time), and blind overdrafts of the whole limit.
  for (const s of sybils) {
    if (random() < 0.3) await write(w, s, 'transfer', { to: pickOne(random, honest).id, currency: 'MH', amount: L, memo: '' }, { time: T0 - 86_400_000 + round, ack: 0 });
    else if (random() < 0.3) await write(w, s, 'transfer', { to: pickOne(random, honest).id, currency: 'MH', amount: L, memo: 'blind' }, { ack: ack() });
  }
  // 6. Greedy spending: every key pays honest members all the room the attacker's view shows.
  for (const k of shuffleInPlace(random, attackerKeys(w))) {
    const r = room(k);
    if (r > 0) await write(w, k, 'transfer', { to: pickOne(random, honest).id, currency: 'MH', amount: r, memo: '' }, { ack: ack() });
  }
}

async function runWorld(n: number, seed: number): Promise<{ extracted: number; entries: number; world: World; truth: Ledger }> {
  const random = createRandom(seed);
  for (const a of pool) a.head = undefined;
  const [founder, k0, ...rest] = pool as [TestAuthor, TestAuthor, ...TestAuthor[]];
  const honest = rest.slice(0, HONEST);
  const sybils = rest.slice(HONEST, HONEST + n);
  const w: World = { random, founder, honest, k0, sybils, view: testLedger(memory.port, founder.id, T0 + 365 * 86_400_000), all: [], t: T0 };

  for (const m of [...honest, k0]) await write(w, founder, 'vouch', { member: m.id, currency: 'MH', amount: L });
  for (let round = 0; round < 3; round++) {
    // Honest life: small payments among honest members (and now and then to the attacker).
    for (let i = 0; i < 10; i++) {
      const from = pickOne(random, honest);
      const to = random() < 0.2 ? pickOne(random, attackerKeys(w)) : pickOne(random, honest.filter((h) => h !== from));
      await write(w, from, 'transfer', { to: to.id, currency: 'MH', amount: 1 + pickInt(random, 500), memo: '' });
    }
    // The founder lowers the limit after the first round (honest authors ack it from then on).
    if (round === 1) await write(w, founder, 'economy-settings', { creditLimit: { MH: L / 2, CH: L } });
    await attackRound(w, round);
  }
  await settled(w.view);
  const truth = await ledgerOf(memory.port, founder.id, T0 + 365 * 86_400_000, w.all);
  return { extracted: extracted(truth, w), entries: w.all.length, world: w, truth };
}

describe('credit simulation: one person, N fresh keys', () => {
  it(`never extracts more than the one stake L = ${L / 1000} MH, for N = ${SIZES.join(', ')}`, { timeout: 600_000 }, async () => {
    // "per-key rule": what the same person could draw when every key had the limit L (before).
    const rows: string[] = ['   N | entries | extracted (MH) | bound (MH) | per-key rule (MH)', '-----|---------|----------------|------------|------------------'];
    for (const n of SIZES) {
      const { extracted: x, entries, world, truth } = await runWorld(n, 1000 + n);
      rows.push(`${String(n).padStart(4)} | ${String(entries).padStart(7)} | ${(x / 1000).toFixed(3).padStart(14)} | ${(L / 1000).toFixed(3).padStart(10)} | ${(((n + 1) * L) / 1000).toFixed(3).padStart(16)}`);
      expect(x, `N = ${n}`).toBeLessThanOrEqual(L);
      // The attacker did get something out (the one stake it holds), so the bound is tight.
      expect(x, `N = ${n}`).toBeGreaterThan(0);
      // Zero-sum: what the attacker owes, honest members and the founder hold.
      const others = [world.founder, ...world.honest].reduce((sum, k) => sum + truth.balanceOf(k.id).MH, 0);
      expect(others).toBe(x);
      // The attacker's live view agrees with the one-batch replay.
      expect(world.view.serialize()).toBe(truth.serialize());
    }
    if (process.env.SIM_TABLE) console.log(rows.join('\n'));
  });

  it('gives the same state whatever the arrival order (shuffled, in batches)', { timeout: 600_000 }, async () => {
    for (const n of [10, 100]) {
      const { world, truth } = await runWorld(n, 2000 + n);
      const random = createRandom(n);
      for (let order = 0; order < 3; order++) {
        const list = shuffleInPlace(random, world.all.map((e) => e.bytes));
        const l = testLedger(memory.port, world.founder.id, T0 + 365 * 86_400_000);
        while (list.length > 0) await l.addEntries(list.splice(0, 1 + pickInt(random, order === 0 ? 3 : 40)));
        await settled(l);
        expect(l.serialize(), `N = ${n}, order ${order}`).toBe(truth.serialize());
      }
    }
  });
});
