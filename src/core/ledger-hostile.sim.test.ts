// Simulation tier for misbehaving authors: forks (also from older heads, so a fork seq moves down
// or a third branch appears), authors that keep writing once frozen, forgeries at the author's
// next seq, entries with a broken signature that the author's next entry commits to (dropped, so
// the successor waits, once the background check reaches them), seq skips,
// a prev naming another author's entry or an older entry of the author's own, a seq near 2^53,
// future-dated entries and garbage. Entries reach one peer a little out of order, mostly one at a
// time; after every delivery its serialize() must equal that of a fresh Ledger fed the same set
// in one batch (the plain full replay), and so must a peer fed everything in reverse.
// Replay a failing seed with: SEED=12 npx vitest run src/core/ledger-hostile.sim.test.ts

import { beforeAll, describe, expect, it } from 'vitest';
import { Ledger, CLOCK_SKEW_MS, type AddReport } from './ledger';
import { createEntry, type EntryHead } from './create-entry';
import type { Signer } from './crypto-port';
import { createSimulationKeys, type MemoryCrypto } from './crypto-port-memory';
import { createRandom, pickInt, pickOne, type Random } from './random';
import { toHex } from './bytes';
import { decodeEnvelope } from './encoding';

/** The one economy these entries belong to (16 bytes as hex). */
const ECONOMY = 'ec'.repeat(16);
const SCOPE = { economy: ECONOMY };
/** Every key has the whole limit without a vouch (newcomer credit above it): this sim is about chains. */
const OPEN = { creditLimit: { MH: 10_000, CH: 10_000 }, newcomerCredit: { MH: 10 ** 12, CH: 10 ** 12 } };

const AUTHORS = 6;
const WRITES = 70;
const SEEDS = process.env.SEED ? [Number(process.env.SEED)] : Array.from({ length: 60 }, (_, i) => i + 1);
const T0 = 1_700_000_000_000;

let memory: MemoryCrypto;
let signers: Signer[];

beforeAll(async () => {
  ({ memory, signers } = await createSimulationKeys(globalThis.crypto.subtle, AUTHORS, 0xbad));
});

interface Tally {
  paths: Record<AddReport['replay'], number>;
  /** Single deliveries of an entry at or above its author's fork seq, frozen before it came, by path. */
  frozen: Record<AddReport['replay'], number>;
}

async function corrupt(random: Random, bytes: Uint8Array): Promise<{ id: string; bytes: Uint8Array }> {
  const out = bytes.slice();
  out[out.length - 1 - pickInt(random, 64)]! ^= 1 + pickInt(random, 255);
  return { id: toHex(await memory.port.sha256(out)), bytes: out };
}

async function runHostileSeed(seed: number, tally: Tally): Promise<void> {
  const random = createRandom(seed);
  const founder = toHex(signers[0]!.publicKey);
  const ids = signers.map((s) => toHex(s.publicKey));
  // Each author's main branch: chains[p][k] is the head after seq k + 1.
  const chains: EntryHead[][] = signers.map(() => []);
  const headOf = (p: number) => chains[p]![chains[p]!.length - 1];
  const arrivals: { at: number; bytes: Uint8Array }[] = [];
  const lastArrival = signers.map(() => T0);
  let t = T0;
  const sign = (p: number, head: EntryHead | undefined, time: number) =>
    createEntry(signers[p]!, memory.port, SCOPE, head, time, 'transfer', {
      to: pickOne(random, ids.filter((x) => x !== ids[p])), currency: random() < 0.7 ? 'MH' : 'CH',
      amount: random() < 0.25 ? 4_000 + pickInt(random, 8_000) : 1 + pickInt(random, 2_000), memo: '',
    });
  const keep = (p: number, id: string, time: number) => chains[p]!.push({ seq: chains[p]!.length + 1, hash: id, time });
  const send = (p: number, bytes: Uint8Array, fifo = random() < 0.95) => {
    let at = t + pickInt(random, 300);
    if (fifo) at = Math.max(at, lastArrival[p]!);
    lastArrival[p] = at;
    arrivals.push({ at, bytes });
  };

  for (let i = 0; i < WRITES; i++) {
    t += 1 + pickInt(random, 30);
    const p = pickInt(random, AUTHORS);
    const h = headOf(p);
    const time = h && t <= h.time ? h.time + 1 : t;
    const roll = random();
    if (roll < 0.5 || !h) {
      const e = await sign(p, h, time);
      keep(p, e.id, time);
      send(p, e.bytes);
    } else if (roll < 0.57) {
      // Fork at the head: both branches published, the author goes on with one.
      const other = await sign(p, h, time + 1);
      send(p, other.bytes, false);
      const e = await sign(p, h, time);
      keep(p, e.id, time);
      send(p, e.bytes);
    } else if (roll < 0.62) {
      // Fork from an older head: a third branch, or a fork below the current fork seq.
      const k = pickInt(random, chains[p]!.length);
      const old = chains[p]![k]!;
      send(p, (await sign(p, old, old.time + 1 + pickInt(random, 5))).bytes, false);
    } else if (roll < 0.7) {
      // Forgery at the author's next seq (someone else's bytes, signature broken).
      send(p, (await corrupt(random, (await sign(p, h, time)).bytes)).bytes, false);
    } else if (roll < 0.75) {
      // A broken signature that the author's next entry names as prev, and so vouches for.
      const bad = await corrupt(random, (await sign(p, h, time)).bytes);
      keep(p, bad.id, time);
      send(p, bad.bytes);
    } else if (roll < 0.8 && h.seq >= 2) {
      // prev names the head, but seq skips one.
      send(p, (await sign(p, { ...h, seq: h.seq + 1 }, time)).bytes);
    } else if (roll < 0.84) {
      // prev names another author's entry.
      const q = (p + 1 + pickInt(random, AUTHORS - 1)) % AUTHORS;
      const other = headOf(q);
      if (other) send(p, (await sign(p, { ...h, hash: other.hash }, time)).bytes);
    } else if (roll < 0.87 && h.seq >= 3) {
      // prev names an older entry of the author's own (wrong seq).
      const k = pickInt(random, h.seq - 2);
      send(p, (await sign(p, { ...h, hash: chains[p]![k]!.hash }, time)).bytes);
    } else if (roll < 0.89) {
      // A seq near 2^53 under a prev nobody has.
      const hash = toHex(Uint8Array.from({ length: 32 }, () => pickInt(random, 256)));
      send(p, (await sign(p, { seq: 2 ** 53 - 2, hash, time: h.time }, time)).bytes);
    } else if (roll < 0.92) {
      // Future-dated: held; the author's later entries follow it.
      const future = time + CLOCK_SKEW_MS + 1 + pickInt(random, 2_000);
      const e = await sign(p, h, future);
      keep(p, e.id, future);
      send(p, e.bytes);
    } else if (roll < 0.95) {
      send(p, Uint8Array.from({ length: pickInt(random, 200) }, () => pickInt(random, 256)), false);
    } else {
      const e = await sign(p, h, time);
      keep(p, e.id, time);
      send(p, e.bytes);
    }
  }
  arrivals.sort((a, b) => a.at - b.at);

  const clock = { now: T0 };
  const peer = new Ledger({ economy: ECONOMY, initialSettings: OPEN,
    crypto: memory.port, founder, now: () => clock.now, checkpointEvery: 1 + pickInt(random, 8), checkpointsKept: 2 + pickInt(random, 7),
  });
  const delivered: Uint8Array[] = [];
  const reference = () => {
    const l = new Ledger({ economy: ECONOMY, initialSettings: OPEN, crypto: memory.port, founder, now: () => clock.now });
    return l.addEntries(delivered).then(() => l.whenVerified()).then(() => l.serialize());
  };
  for (let i = 0; i < arrivals.length;) {
    const batch = arrivals.slice(i, (i += random() < 0.85 ? 1 : 2 + pickInt(random, 3)));
    clock.now = batch[batch.length - 1]!.at;
    const decoded = decodeEnvelope(batch[0]!.bytes);
    const frozenAt = decoded.ok ? peer.frozenAt(decoded.entry.author) : undefined;
    const report = await peer.addEntries(batch.map((a) => a.bytes));
    tally.paths[report.replay]++;
    if (batch.length === 1 && decoded.ok && frozenAt !== undefined && decoded.entry.seq >= frozenAt) tally.frozen[report.replay]++;
    delivered.push(...batch.map((a) => a.bytes));
    await peer.whenVerified();
    expect(peer.serialize(), `after delivery ${delivered.length}`).toBe(await reference());
  }
  clock.now += 2 * CLOCK_SKEW_MS;
  await peer.refresh();
  await peer.whenVerified();
  const expected = await reference();
  expect(peer.serialize(), 'after the clock release').toBe(expected);
  const reversed = new Ledger({ economy: ECONOMY, initialSettings: OPEN, crypto: memory.port, founder, now: () => clock.now, checkpointEvery: 3, checkpointsKept: 4 });
  for (const bytes of [...delivered].reverse()) await reversed.addEntries([bytes]);
  await reversed.whenVerified();
  expect(reversed.serialize(), 'delivered in reverse').toBe(expected);
}

describe('ledger simulation with misbehaving authors', () => {
  it(`matches a one-batch replay after every delivery on ${SEEDS.length} seeds`, async () => {
    const zero = () => ({ none: 0, incremental: 0, partial: 0, full: 0 });
    const tally: Tally = { paths: zero(), frozen: zero() };
    for (const seed of SEEDS) {
      try {
        await runHostileSeed(seed, tally);
      } catch (err) {
        throw new Error(`seed ${seed} failed; replay with: SEED=${seed} npx vitest run src/core/ledger-hostile.sim.test.ts\n${String(err)}`);
      }
    }
    if (process.env.SIM_PATHS) console.log(JSON.stringify(tally));
    if (!process.env.SEED) {
      // A frozen author's further entries take the status-only path; the few full replays among
      // them are deliveries during which the clock released a held entry.
      expect(tally.frozen.none).toBeGreaterThan(20 * tally.frozen.full);
      // Most deliveries avoid a full replay; a forgery (bad signature) costs one check and takes
      // 'none' wherever it claims to sit.
      expect(tally.paths.none + tally.paths.incremental + tally.paths.partial).toBeGreaterThan(2 * tally.paths.full);
    }
  });
});
