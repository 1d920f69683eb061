import { describe, expect, it } from 'vitest';
import {
  appendSample, capacityPerEpoch, capacitySupply, checkSamples, MAX_SAMPLES, MAX_SPEED, MAX_WORKERS, MIN_SAMPLE_GAP_MS,
  sampleDonors, sampleDue, sampleEvery, type DonorSample,
} from './donor-capacity';
import { forecastBacklog } from './forecast-inputs';
import { replenishmentRequests } from './forecast';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const C = 'c'.repeat(64);
const MIN = 60_000;
const HOUR = 3_600_000;

describe('sampling the donors online', () => {
  it('counts donating accounts once, adds their tabs, and reads a missing field as one worker at reference speed', () => {
    const s = sampleDonors([
      { account: A, activity: 'donating', workers: 3, speed: 1_500 },
      { account: A, activity: 'donating', workers: 1, speed: 1_500 }, // A's second tab
      { account: B, activity: 'donating' }, // an older peer: no workers, no speed
      { account: C, activity: 'idle', workers: 8 },
    ], 1_000);
    expect(s).toEqual({ time: 1_000, donors: 2, milliCores: 4 * 1_500 + 1_000 });
  });

  it('caps what one account claims and ignores malformed numbers (presence is unsigned)', () => {
    const huge = sampleDonors([
      { account: A, activity: 'donating', workers: 1e9, speed: 1e9 },
      { account: A, activity: 'donating', workers: 1e9, speed: 1e9 },
    ], 0);
    expect(huge.milliCores).toBe(MAX_WORKERS * MAX_SPEED);
    const junk = sampleDonors([{ account: B, activity: 'donating', workers: -3, speed: 0.5 }, { account: C, activity: 'donating', workers: NaN }], 0);
    expect(junk).toEqual({ time: 0, donors: 2, milliCores: 2_000 });
  });

  it('keeps samples bounded, in time order, and replaces one taken within the minimum gap', () => {
    let list: DonorSample[] = [];
    list = appendSample(list, { time: 0, donors: 1, milliCores: 1_000 });
    list = appendSample(list, { time: MIN_SAMPLE_GAP_MS - 1, donors: 2, milliCores: 2_000 });
    expect(list).toEqual([{ time: MIN_SAMPLE_GAP_MS - 1, donors: 2, milliCores: 2_000 }]);
    list = appendSample(list, { time: 1, donors: 9, milliCores: 9 }); // the clock went back: dropped
    expect(list).toHaveLength(1);
    for (let i = 1; i <= MAX_SAMPLES + 10; i++) list = appendSample(list, { time: i * MIN_SAMPLE_GAP_MS, donors: i, milliCores: 0 });
    expect(list).toHaveLength(MAX_SAMPLES);
    expect(list[list.length - 1]!.donors).toBe(MAX_SAMPLES + 10);
    expect(list[0]!.donors).toBe(11);
  });

  it('records a sample when the count changes or the period passed', () => {
    const last = { time: 0, donors: 1, milliCores: 1_000 };
    expect(sampleDue(undefined, last, 30_000)).toBe(true);
    expect(sampleDue(last, { ...last, time: 29_999 }, 30_000)).toBe(false);
    expect(sampleDue(last, { ...last, time: 30_000 }, 30_000)).toBe(true);
    expect(sampleDue(last, { time: 10, donors: 2, milliCores: 2_000 }, 30_000)).toBe(true);
    expect(sampleEvery(86_400_000)).toBe(10 * MIN);
    expect(sampleEvery(HOUR)).toBe(75_000);
    expect(sampleEvery(MIN)).toBe(MIN_SAMPLE_GAP_MS);
  });

  it('reads back only well-formed samples from storage', () => {
    expect(checkSamples('nope')).toEqual([]);
    expect(checkSamples([{ time: 5, donors: 1, milliCores: 10 }, { time: 'x' }, null, { time: 1, donors: 1, milliCores: 1 }, { time: 9, donors: 0, milliCores: 0 }]))
      .toEqual([{ time: 5, donors: 1, milliCores: 10 }, { time: 9, donors: 0, milliCores: 0 }]);
  });
});

describe('capacity per epoch', () => {
  it('is the time-weighted mean of reference cores over the observed time, times the epoch length', () => {
    // Hour epochs. 2 cores for 10 minutes, then 4 cores for 20 minutes; the app closes after that.
    const samples = [
      { time: 0, donors: 1, milliCores: 2_000 },
      { time: 10 * MIN, donors: 2, milliCores: 4_000 },
    ];
    const [e0] = capacityPerEpoch(samples, HOUR, 5 * HOUR, 20 * MIN);
    // Mean over the 30 observed minutes: (2·10 + 4·20) / 30 = 3.333 cores → 3.333 CH per hour-epoch.
    expect(e0).toEqual({ epoch: 0, observedMs: 30 * MIN, milliCores: 3_333, capacity: 3_333 });
  });

  it('splits a hold across an epoch end and leaves unobserved epochs out (not zero)', () => {
    const samples = [
      { time: 50 * MIN, donors: 1, milliCores: 1_000 },
      { time: 3 * HOUR, donors: 1, milliCores: 6_000 },
    ];
    const per = capacityPerEpoch(samples, HOUR, 3 * HOUR + 30 * MIN, 20 * MIN);
    expect(per.map((p) => [p.epoch, p.observedMs, p.capacity])).toEqual([[0, 10 * MIN, 1_000], [1, 10 * MIN, 1_000], [3, 20 * MIN, 6_000]]);
  });

  it('counts a day of one reference core as 24 cpu-hours, exactly, with large numbers in BigInt', () => {
    const day = 86_400_000;
    const [e] = capacityPerEpoch([{ time: 0, donors: 1_000, milliCores: 1_000 * MAX_WORKERS * MAX_SPEED }], day, day, day);
    expect(e!.capacity).toBe(1_000 * MAX_WORKERS * MAX_SPEED * 24);
    const [one] = capacityPerEpoch([{ time: 0, donors: 1, milliCores: 1_000 }], day, day, day);
    expect(one!.capacity).toBe(24_000);
  });
});

describe('donor capacity as forecast supply', () => {
  const L = 10 * MIN;
  // Three complete 10-minute epochs with 3 cores each, observed all along (a sample a minute).
  const steady: DonorSample[] = Array.from({ length: 31 }, (_, i) => ({ time: i * MIN, donors: 2, milliCores: 3_000 }));

  it('forecasts the epoch in progress from the recent complete epochs and scales by the time left', () => {
    const now = 3 * L + 4 * MIN; // 6 minutes left of epoch 3
    const c = capacitySupply(steady, L, now, 2 * MIN)!;
    expect(c.history).toEqual([500, 500, 500]); // 3 cores × 10 min = 0.5 CH
    expect(c.next).toBe(500);
    expect(c.left).toBe(300);
  });

  it('uses the epoch in progress alone when nothing complete was seen, and nothing without a sample', () => {
    expect(capacitySupply([], L, 0, MIN)).toBeUndefined();
    const c = capacitySupply([{ time: 0, donors: 1, milliCores: 6_000 }], L, 2 * MIN, 5 * MIN)!;
    expect(c).toEqual({ next: 1_000, left: 800, history: [] });
    // Seen long ago only: not recent, so no capacity.
    expect(capacitySupply(steady, L, 50 * L, 2 * MIN)).toBeUndefined();
  });

  it('shrinks the CH request by what the donors online could still deliver', () => {
    // Paid flow 0.1 CH per epoch, nothing paid yet; 2 CH of queued units.
    const now = 3 * L + 4 * MIN;
    const without = forecastBacklog('CH', [100, 100, 100], 0, 2_000);
    expect(without.shortfall).toBe(1_900);
    const withDonors = forecastBacklog('CH', [100, 100, 100], 0, 2_000, capacitySupply(steady, L, now, 2 * MIN));
    expect(withDonors.supplyLeft).toBe(300);
    expect(withDonors.paidLeft).toBe(100);
    expect(withDonors.shortfall).toBe(1_700);
    expect(replenishmentRequests([withDonors]).map((r) => r.text)).toEqual(['about 2 cpu-hours more are needed this epoch — donate this tab']);
    // Enough donors: no request at all.
    const many = steady.map((s) => ({ ...s, milliCores: 60_000 }));
    expect(forecastBacklog('CH', [100, 100, 100], 0, 2_000, capacitySupply(many, L, now, 2 * MIN)).shortfall).toBe(0);
  });
});
