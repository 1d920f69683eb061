// Pins the numbers `npm run simulate` prints (the seed's worked example and its counterfactual).
// The delivered hours are real tasks (post → committed votes → estimate → claim → done → accept)
// since the task kinds exist; the numbers did not change from the version that paid them as
// tagged transfers: an acceptance pays the same amount between the same accounts in the same
// epoch, and the mints depend only on each epoch's flows.
import { describe, expect, it } from 'vitest';
import { runWorkedExample } from './orchestrator-worked-example';

describe('the seed’s worked example, from the real core', () => {
  it('grows the project 2,000 → 4,000 → 6,000 → 8,000 … invested hours by recouping, and mints from the growing flow', async () => {
    const { rows, result, tasks } = await runWorkedExample({ recoup: true });
    // The delivered hours went through the real task kinds: 100 project tasks of 20 h a round
    // from round 2, and a 10 h task for each of the 90 users after the first 10; each was
    // estimated, accepted and paid (one 'task' flow record per acceptance, none refused).
    expect(tasks).toEqual({ posted: 590, accepted: 590, flows: 590 });
    expect(rows.map((r) => r.invested / 1000)).toEqual([2_000, 4_000, 6_000, 8_000, 10_000, 12_000]);
    expect(rows.map((r) => r.recouped / 1000)).toEqual([0, 2_000, 2_000, 2_000, 2_000, 2_000]);
    expect(rows.map((r) => r.minted)).toEqual([0, 397_281, 114_330, 123_627, 59_940, 54_134]);
    expect(rows.map((r) => r.supply)).toEqual([0, 397_281, 511_611, 635_238, 695_178, 749_312]);
    expect(rows.map((r) => r.cleanFlow)).toEqual([100_000, 1_030_000, 1_270_000, 1_530_000, 1_670_000, 1_790_000]);
    // Transfers are zero-sum, so everyone's holdings add up to the minted supply.
    for (const r of rows) expect(r.developer + r.usersTotal).toBe(r.supply);
    // The ledger credits a round's mints as money once the next round's entries pass its end.
    expect(rows.map((r) => r.credited)).toEqual([0, 0, 397_281, 511_611, 635_238, 695_178]);
    expect(result.supply.MH).toBe(749_312);
    expect(result.supply.CH).toBe(0);
  });

  it('without recouping the project stays at the developer’s 2,000 hours and little is minted', async () => {
    const { rows, tasks } = await runWorkedExample({ recoup: false });
    expect(tasks).toEqual({ posted: 90, accepted: 90, flows: 90 });
    expect(rows.map((r) => r.invested / 1000)).toEqual([2_000, 2_000, 2_000, 2_000, 2_000, 2_000]);
    expect(rows.map((r) => r.supply)).toEqual([0, 0, 1_818, 1_818, 19_465, 19_465]);
  });
});
