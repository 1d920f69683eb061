import { describe, expect, it } from 'vitest';
import { planUnits, type Lease, type LeasePlanInput } from './compute-leases';
import type { UnitRecord, UnitResult } from './compute-state';

const ME = 'ee'.repeat(32);
const A = 'aa'.repeat(32);
const B = 'bb'.repeat(32);
const C = 'cc'.repeat(32);
const JOB = { id: '11'.repeat(32), units: 6, redundancy: 2, expires: 10_000 };
const NOW = 1_000;

const res = (donor: string, hash: string): UnitResult => ({ entryId: donor + hash, donor, hash, claim: 1, time: 0, outcome: 'pending' });
const unit = (index: number, results: UnitResult[], status: UnitRecord['status'] = 'open'): [number, UnitRecord] => [index, { index, status, results }];
const lease = (account: string, unit: number, expires = NOW + 5_000, job = JOB.id): Lease => ({ account, job, unit, expires });

function plan(over: Partial<LeasePlanInput> = {}): number[] {
  return planUnits({ job: JOB, units: new Map(), leases: [], me: ME, now: NOW, max: 100, ...over });
}

describe('planUnits', () => {
  it('offers every unit of a fresh job, lowest index first, at most `max`', () => {
    expect(plan()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(plan({ max: 2 })).toEqual([0, 1]);
    expect(plan({ max: 0 })).toEqual([]);
  });

  it('never offers a unit this donor returned, sent, or holds a lease on', () => {
    const units = new Map([unit(0, [res(ME, 'h')]), unit(1, [res(A, 'h')])]);
    const out = plan({ units, leases: [lease(ME, 2)], mine: new Set([3]) });
    expect(out).not.toContain(0);
    expect(out).not.toContain(2);
    expect(out).not.toContain(3);
    expect(out).toContain(1);
  });

  it('skips units that an account related to this donor returned (its result would not count)', () => {
    const units = new Map([unit(0, [res(A, 'h')]), unit(1, [res(B, 'h')])]);
    expect(plan({ units, related: new Set([A]) })).toEqual([2, 3, 4, 5, 1]);
  });

  it('skips validated and failed units', () => {
    const units = new Map([unit(0, [res(A, 'h'), res(B, 'h')], 'validated'), unit(1, [res(A, 'h'), res(B, 'x'), res(C, 'y')], 'failed')]);
    expect(plan({ units })).toEqual([2, 3, 4, 5]);
  });

  it('prefers units with the fewest results, then the lowest index', () => {
    const units = new Map([unit(0, [res(A, 'h'), res(B, 'x')]), unit(1, [res(A, 'h')])]);
    // Unit 0 (two results, disagreeing) needs one more; unit 1 needs one; fresh units need two.
    expect(plan({ units })).toEqual([2, 3, 4, 5, 1, 0]);
    const busy = new Map([unit(0, [res(A, 'h')]), unit(1, [res(A, 'h')])]);
    expect(plan({ units: busy, max: 3 })).toEqual([2, 3, 4]);
  });

  it('skips units whose live leases already cover the replicas still needed; expired leases do not count', () => {
    const units = new Map([unit(0, [res(A, 'h')])]);
    const leases = [
      lease(B, 0), // unit 0 needs one more: B covers it
      lease(A, 1), lease(B, 1), // unit 1 needs two: covered
      lease(C, 2), // unit 2 needs two: one covered, one left for me
      lease(A, 3, NOW), lease(B, 3, NOW - 1), // expired
      lease(A, 4, NOW + 1, '22'.repeat(32)), lease(B, 4, NOW + 1, '22'.repeat(32)), // another job
    ];
    expect(plan({ units, leases })).toEqual([2, 3, 4, 5]);
  });

  it('a lease held by a donor that already returned the unit covers nothing', () => {
    const units = new Map([unit(0, [res(A, 'h')])]);
    expect(plan({ units, leases: [lease(A, 0)], max: 6 })).toContain(0);
  });

  it('a disagreement needs more replicas; a unit that can no longer reach a quorum is skipped', () => {
    const job3 = { ...JOB, units: 2, redundancy: 3 };
    // r = 3: at most 5 results. Unit 0: h, x, y, z → needs 2 more agreeing with one hash, 1 slot left.
    const units = new Map([unit(0, [res(A, 'h'), res(B, 'x'), res(C, 'y'), res('dd'.repeat(32), 'z')]), unit(1, [res(A, 'h'), res(B, 'x')])]);
    expect(plan({ job: job3, units })).toEqual([1]);
    expect(plan({ job: job3, units, leases: [lease(C, 1)] })).toEqual([1]); // needs 2: C covers one
    expect(plan({ job: job3, units, leases: [lease(C, 1), lease('dd'.repeat(32), 1)] })).toEqual([]);
  });

  it('offers nothing once the job has expired, and ignores leases on units out of range', () => {
    expect(plan({ now: JOB.expires })).toEqual([]);
    expect(plan({ leases: [lease(A, 99), lease(B, -1), lease(C, 0.5)] })).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('two donors planning from the same view are given the same units where a unit needs both', () => {
    const mine = plan({ max: 1 });
    const theirs = planUnits({ job: JOB, units: new Map(), leases: [lease(ME, mine[0]!)], me: A, now: NOW, max: 1 });
    expect(theirs).toEqual(mine); // redundancy 2: unit 0 needs a second replica
    const third = planUnits({ job: JOB, units: new Map(), leases: [lease(ME, 0), lease(A, 0)], me: B, now: NOW, max: 1 });
    expect(third).toEqual([1]);
  });
});
