// Unit tests of the orchestrator's overlay helpers (the simulation tier is orchestrator.sim.test.ts).
import { describe, expect, it } from 'vitest';
import { computeOrchestrator, epochSeries, holdingsOf, revisedEpochs, serializeOrchestrator } from './orchestrator';
import { flowOf } from './orchestrator-test-kit';
import type { Balance } from './ledger-state';
import type { CpuHours, ManHours } from './amounts';

const L = 60_000;
const E = 30_000_000;
const at = (epoch: number, ms = 1_000) => epoch * L + ms;
const bal = (MH: number, CH: number): Balance => ({ MH: MH as ManHours, CH: CH as CpuHours });

/** x earns from y and z (who earn from v and x), pays w: a grounded supplier in each epoch. */
function epochFlows(epoch: number, scale: number) {
  return [
    flowOf(at(epoch, 0), 'v', 'y', 3_000 * scale), flowOf(at(epoch, 0), 'v', 'z', 3_000 * scale),
    flowOf(at(epoch, 1), 'y', 'x', 4_000 * scale), flowOf(at(epoch, 2), 'z', 'x', 4_000 * scale),
    flowOf(at(epoch, 3), 'x', 'y', 1_000 * scale), flowOf(at(epoch, 4), 'x', 'z', 1_000 * scale),
    flowOf(at(epoch, 5), 'w', 'z', 500 * scale, 'CH', 'compute'), flowOf(at(epoch, 6), 'x', 'w', 600 * scale, 'CH', 'compute'),
  ];
}

describe('orchestrator', () => {
  it('adds mints to ledger balances as an overlay and keeps supply = Σ mints', () => {
    const flows = [...epochFlows(E, 1), ...epochFlows(E + 1, 2)];
    const r = computeOrchestrator(flows, L, (E + 2) * L);
    const sum = [...r.minted.values()].reduce((s, b) => s + b.MH, 0);
    expect(r.supply.MH).toBe(sum);
    expect(r.supply.MH).toBeGreaterThan(0);
    const x = r.minted.get('x')?.MH ?? 0;
    expect(holdingsOf(r, 'x', bal(1_000, 5))).toEqual({ MH: 1_000 + x, CH: 5 + (r.minted.get('x')?.CH ?? 0) });
    expect(holdingsOf(r, 'nobody', bal(0, 0))).toEqual({ MH: 0, CH: 0 });
  });

  it('reports no revision when nothing changed and the changed epoch when a record is removed', () => {
    const flows = [...epochFlows(E, 1), ...epochFlows(E + 1, 2), ...epochFlows(E + 2, 3)];
    const now = (E + 3) * L;
    const a = computeOrchestrator(flows, L, now);
    expect(revisedEpochs(a, computeOrchestrator([...flows].reverse(), L, now))).toEqual([]);
    const withoutOne = flows.filter((f) => f !== flows[9]);
    const revised = revisedEpochs(a, computeOrchestrator(withoutOne, L, now));
    expect(revised[0]).toBe(E + 1);
  });

  it('gives a contiguous series for the forecast, gaps as zero', () => {
    const flows = [...epochFlows(E, 1), ...epochFlows(E + 3, 2)];
    const r = computeOrchestrator(flows, L, (E + 5) * L);
    const s = epochSeries(r, 'MH', (m) => m.gross);
    expect(s.epochs).toEqual([E, E + 1, E + 2, E + 3, E + 4]);
    expect(s.values).toEqual([16_000, 0, 0, 32_000, 0]);
  });

  it('serializes identically for the same records in any order, and differently for another clock', () => {
    const flows = [...epochFlows(E, 1), ...epochFlows(E + 1, 2)];
    const a = serializeOrchestrator(computeOrchestrator(flows, L, (E + 2) * L));
    expect(serializeOrchestrator(computeOrchestrator([...flows].reverse(), L, (E + 2) * L))).toBe(a);
    expect(serializeOrchestrator(computeOrchestrator(flows, L, (E + 1) * L))).not.toBe(a);
  });

  it('counts a record dated in a far future epoch in no epoch yet (held until its time)', () => {
    const flows = [...epochFlows(E, 1), flowOf(at(E + 50), 'y', 'x', 9_000)];
    const r = computeOrchestrator(flows, L, (E + 2) * L);
    expect(r.epochs.map((e) => e.epoch)).toEqual([E]);
    expect(r.open.gross.MH).toBe(0);
  });
});
