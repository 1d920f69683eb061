// Simulation tier of the orchestrator: many peers, seeded random partitions and merges, late
// records; every peer must end with the same epochs, flows and mints, equal to one batch
// computation, and the incremental orchestrator must equal the batch one after every step.
import { describe, expect, it } from 'vitest';
import { computeOrchestrator, revisedEpochs, serializeOrchestrator } from './orchestrator';
import { IncrementalOrchestrator } from './orchestrator-incremental';
import { acct, flowOf, honestFlows } from './orchestrator-test-kit';
import type { FlowRecord } from './ledger-state';
import { createRandom, pickInt, shuffleInPlace, type Random } from './random';

const L = 60_000;
const FIRST = 29_000_000;

function economy(random: Random): FlowRecord[] {
  const mh = honestFlows(random, { members: 12, epochs: 10, epochMs: L, first: FIRST, perEpoch: (k) => 10 + 4 * k + pickInt(random, 6) });
  const ch = honestFlows(random, { members: 12, epochs: 10, epochMs: L, first: FIRST, perEpoch: (k) => 5 + 3 * k, currency: 'CH' });
  // Some hostile structure too: ping-pong within epochs and a pair moving holdings to and fro.
  const attack: FlowRecord[] = [];
  for (let k = 0; k < 10; k++) {
    const t = (FIRST + k) * L;
    for (let r = 0; r < 5; r++) attack.push(flowOf(t + 100 + r, acct(90), acct(91), 20_000), flowOf(t + 200 + r, acct(91), acct(90), 20_000));
    attack.push(k % 2 ? flowOf(t + 300, acct(92), acct(93), 30_000) : flowOf(t + 300, acct(93), acct(92), 30_000));
  }
  return [...mh, ...ch, ...attack];
}

/** Replay order as the ledger gives it: by time, then entry id. */
function replayOrder(flows: Iterable<FlowRecord>): FlowRecord[] {
  return [...flows].sort((a, b) => a.time - b.time || (a.entryId < b.entryId ? -1 : a.entryId > b.entryId ? 1 : 0));
}

describe('orchestrator across partitions and merges', () => {
  it.each(Array.from({ length: 30 }, (_, i) => i + 1))('seed %i: every peer ends with the same epochs, flows and mints', (seed) => {
    const random = createRandom(seed);
    const all = economy(random);
    const NOW = (FIRST + 11) * L;
    const batch = computeOrchestrator(all, L, NOW);
    const PEERS = 5;
    const held: Set<FlowRecord>[] = Array.from({ length: PEERS }, () => new Set());
    const incremental = Array.from({ length: PEERS }, () => new IncrementalOrchestrator(L));
    // Records arrive at one random peer each, in random order, and partitions merge at random.
    const pending = shuffleInPlace(random, [...all]);
    let clock = FIRST * L;
    while (pending.length > 0 || held.some((h) => h.size < all.length)) {
      for (let n = 0; n < 25 && pending.length > 0; n++) held[pickInt(random, PEERS)]!.add(pending.pop()!);
      // A random group of peers merges everything it holds (the others stay partitioned).
      const group = shuffleInPlace(random, Array.from({ length: PEERS }, (_, i) => i)).slice(0, 1 + pickInt(random, PEERS));
      if (pending.length === 0) group.splice(0, group.length, ...Array.from({ length: PEERS }, (_, i) => i));
      const union = new Set<FlowRecord>();
      for (const p of group) for (const f of held[p]!) union.add(f);
      for (const p of group) held[p] = new Set(union);
      clock = Math.min(NOW, clock + pickInt(random, 2 * L));
      for (let p = 0; p < PEERS; p++) {
        const flows = replayOrder(held[p]!);
        const inc = incremental[p]!.update(flows, clock);
        expect(serializeOrchestrator(inc)).toBe(serializeOrchestrator(computeOrchestrator(flows, L, clock)));
      }
    }
    const finals = held.map((h, p) => serializeOrchestrator(incremental[p]!.update(replayOrder(h), NOW)));
    for (const f of finals) expect(f).toBe(serializeOrchestrator(batch));
    // Supply is the sum of the mints, per currency.
    for (const c of ['MH', 'CH'] as const) {
      const sumMints = batch.epochs.reduce((s, e) => s + e[c].minted, 0);
      const sumAccounts = [...batch.minted.values()].reduce((s, b) => s + b[c], 0);
      expect(batch.supply[c]).toBe(sumMints);
      expect(batch.supply[c]).toBe(sumAccounts);
      for (const e of batch.epochs) expect(e[c].minted + e[c].withheld).toBe(Math.floor(e[c].increase / 2));
    }
    expect(batch.supply.MH).toBeGreaterThan(0);
  });

  it('a record arriving late for a past epoch revises that epoch on every peer, and is reported', () => {
    const random = createRandom(7);
    const all = economy(random);
    const NOW = (FIRST + 11) * L;
    const late = flowOf((FIRST + 3) * L + 5, acct(1), acct(2), 90_000);
    const before = computeOrchestrator(all, L, NOW);
    const after = computeOrchestrator([...all, late], L, NOW);
    const revised = revisedEpochs(before, after);
    expect(revised[0]).toBe(FIRST + 3);
    expect(revised.every((e) => e >= FIRST + 3)).toBe(true);
    expect(revisedEpochs(after, computeOrchestrator(replayOrder([late, ...all]), L, NOW))).toEqual([]);
    // An incremental peer that saw the epochs complete first gets the same revised result.
    const peer = new IncrementalOrchestrator(L);
    peer.update(replayOrder(all), NOW);
    expect(serializeOrchestrator(peer.update(replayOrder([...all, late]), NOW))).toBe(serializeOrchestrator(after));
  });

  it('an epoch is minted only once the clock passes its end; the open epoch only sums its flow', () => {
    const flows = [flowOf(FIRST * L + 10, acct(1), acct(2), 5_000), flowOf((FIRST + 1) * L + 10, acct(2), acct(3), 7_000)];
    const during = computeOrchestrator(flows, L, (FIRST + 1) * L + 20);
    expect(during.epochs.map((e) => e.epoch)).toEqual([FIRST]);
    expect(during.open).toEqual({ epoch: FIRST + 1, gross: { MH: 7_000, CH: 0 } });
    const after = computeOrchestrator(flows, L, (FIRST + 2) * L);
    expect(after.epochs.map((e) => e.epoch)).toEqual([FIRST, FIRST + 1]);
    expect(revisedEpochs(during, after)).toEqual([]);
  });
});
