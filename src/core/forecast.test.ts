// Holt's linear smoothing in integers, its error on the past, and replenishment requests.
import { describe, expect, it } from 'vitest';
import { aboutHours, forecastCurrency, holt, replenishmentRequests } from './forecast';

describe('holt', () => {
  it('follows a straight line exactly once started on it', () => {
    const r = holt([1_000, 2_000, 3_000, 4_000, 5_000]);
    expect(r.forecasts).toEqual([undefined, undefined, 3_000, 4_000, 5_000]);
    expect(r.next).toBe(6_000);
    expect(r.mae).toBe(0);
    expect(r.mape).toBe(0);
  });

  it('computes level and trend step by step with floor rounding (hand-checked)', () => {
    // α = ½, β = 0.3. l0 = 10, b0 = 2 (12 − 10).
    // t=1: l = (12 + 12)/2 = 12, b = 0.3·2 + 0.7·2 = 2.
    // t=2: forecast 14; y = 11: l = (11 + 14)/2 = 12.5 → 12 (milli: 12_500), b = 0.3·0.5 + 0.7·2 = 1.55.
    const r = holt([10_000, 12_000, 11_000]);
    expect(r.forecasts[2]).toBe(14_000);
    expect(r.level).toBe(12_500);
    expect(r.trend).toBe(1_550);
    expect(r.next).toBe(14_050);
    expect(r.mae).toBe(3_000);
    expect(r.mape).toBe(272); // 3/11 = 272.7‰, rounded down
  });

  it('never forecasts below zero and handles short series', () => {
    expect(holt([]).next).toBe(0);
    expect(holt([5_000]).next).toBe(5_000);
    expect(holt([9_000, 3_000, 0]).next).toBe(0);
    expect(holt([0, 0, 0]).mape).toBeUndefined();
  });

  it('is exact with large values (products past 2^53)', () => {
    const big = 10 ** 15;
    expect(holt([big, big, big]).next).toBe(big);
  });

  it('tracks a noisy growing series better than the last value alone', () => {
    const series = [10, 14, 13, 18, 20, 19, 25, 27, 26, 31].map((h) => h * 1_000);
    const r = holt(series);
    let naive = 0;
    for (let t = 2; t < series.length; t++) naive += Math.abs(series[t]! - series[t - 1]!);
    expect(r.mae!).toBeLessThan(naive / (series.length - 2));
  });
});

describe('replenishment requests', () => {
  it('asks for the predicted shortfall per currency, in words a person reads', () => {
    const ch = forecastCurrency('CH', [4_000, 5_000, 6_000], [3_000, 3_000, 3_000]);
    expect(ch.demand.next).toBe(7_000);
    expect(ch.supply.next).toBe(3_000);
    expect(ch.shortfall).toBe(4_000);
    const mh = forecastCurrency('MH', [1_000, 1_000], [5_000, 5_000]);
    const requests = replenishmentRequests([ch, mh], [{ id: 't1', title: 'Port the parser', currency: 'MH', missing: 20_000 }]);
    expect(requests.map((r) => r.text)).toEqual([
      'task “Port the parser” needs 20 man-hours',
      'about 4 cpu-hours more are needed this epoch — donate this tab',
    ]);
    expect(requests[1]).toMatchObject({ currency: 'CH', amount: 4_000, subject: { kind: 'epoch' } });
  });

  it('rounds amounts for reading: whole hours from one hour, tenths below', () => {
    expect(aboutHours(2_600, 'CH')).toBe('about 3 cpu-hours');
    expect(aboutHours(1_400, 'MH')).toBe('about 1 man-hour');
    expect(aboutHours(250, 'CH')).toBe('about 0.3 cpu-hours');
    expect(aboutHours(1, 'CH')).toBe('about 0.1 cpu-hours');
  });

  it('lists requests in one order on every peer, whatever order the needs came in', () => {
    const needs = [
      { id: 'b', title: 'B', currency: 'MH' as const, missing: 5_000 },
      { id: 'a', title: 'A', currency: 'MH' as const, missing: 5_000 },
      { id: 'c', title: 'C', currency: 'MH' as const, missing: 0 },
    ];
    expect(replenishmentRequests([], needs).map((r) => r.subject)).toEqual(replenishmentRequests([], [...needs].reverse()).map((r) => r.subject));
    expect(replenishmentRequests([], needs)).toHaveLength(2);
  });
});
