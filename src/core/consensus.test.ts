import { describe, expect, it } from 'vitest';
import { consensus, medianOfSorted, pertMean, DEFAULT_CONSENSUS } from './consensus';

const h = (hours: number) => hours * 1000;

describe('consensus rule (docs/TASKS.md)', () => {
  it('settles on the median when the highest vote is at most twice the lowest', () => {
    expect(consensus([h(3), h(5), h(5)], 1)).toEqual({ kind: 'settled', value: h(5), counted: 3 });
    expect(consensus([h(2), h(4)], 1)).toEqual({ kind: 'settled', value: h(3), counted: 2 });
    expect(consensus([h(5), h(3), h(4), h(6)], 1)).toMatchObject({ kind: 'settled', value: 4500 });
  });

  it('asks for a re-vote when the spread is wider, naming the range', () => {
    const r = consensus([h(1), h(8), h(3)], 1);
    expect(r.kind).toBe('revote');
    expect(r.kind === 'revote' && r.reason).toContain('1 h to 8 h');
    expect(consensus([h(1), h(2) + 1], 2).kind).toBe('revote');
  });

  it('settles on the median whatever the spread from round settleAfterRounds on', () => {
    expect(DEFAULT_CONSENSUS.settleAfterRounds).toBe(3);
    expect(consensus([h(1), h(8), h(3)], 2).kind).toBe('revote');
    expect(consensus([h(1), h(8), h(3)], 3)).toEqual({ kind: 'settled', value: h(3), counted: 3 });
    expect(consensus([h(1), h(8), h(3)], 7)).toMatchObject({ kind: 'settled', value: h(3) });
  });

  it('does not count "?" and coffee, and needs two numeric votes', () => {
    expect(consensus([h(2), '?', 'coffee', h(3)], 1)).toEqual({ kind: 'settled', value: 2500, counted: 2 });
    expect(consensus([h(2), '?', 'coffee'], 1).kind).toBe('revote');
    expect(consensus([h(2), '?', 'coffee'], 9).kind).toBe('revote');
    expect(consensus([], 1).kind).toBe('revote');
  });

  it('refuses values that are not whole milli-hours in range, and bad rounds', () => {
    expect(consensus([1.5, 2], 1).kind).toBe('revote');
    expect(consensus([0, 2], 1).kind).toBe('revote');
    expect(consensus([-1000, 2000], 1).kind).toBe('revote');
    expect(consensus([Number.NaN, 2000], 1).kind).toBe('revote');
    expect(consensus([2000, 2000], 0).kind).toBe('revote');
  });

  it('is one extreme vote away from the median at most (a sybil moves it one position)', () => {
    const honest = [h(3), h(4), h(5)];
    expect(consensus([...honest, h(40)], 3)).toMatchObject({ value: 4500 });
    expect(consensus([...honest, h(40), h(40)], 3)).toMatchObject({ value: h(5) });
  });

  it('rounds an even median down to a whole milli-hour', () => {
    expect(medianOfSorted([1, 2])).toBe(1);
    expect(medianOfSorted([1001, 1002])).toBe(1001);
    expect(consensus([1001, 1002], 1)).toMatchObject({ value: 1001 });
  });

  it('gives the same result for any order of the votes', () => {
    const votes = [h(2), h(3), '?' as const, h(3), 2500];
    const expected = consensus(votes, 1);
    for (let i = 0; i < 20; i++) expect(consensus([...votes].sort(() => (i * 7919) % 3 - 1), 1)).toEqual(expected);
  });
});

describe('PERT mean', () => {
  it('is (o + 4m + p) / 6 rounded half up in milli-hours', () => {
    expect(pertMean(h(1), h(2), h(9))).toBe(3000);
    expect(pertMean(1, 1, 2)).toBe(1); // 7/6 = 1.17 → 1
    expect(pertMean(1, 1, 4)).toBe(2); // 9/6 = 1.5 → 2 (half up)
    expect(pertMean(1000, 1000, 1000)).toBe(1000);
  });

  it('refuses an out-of-order or out-of-range triple', () => {
    expect(pertMean(h(3), h(2), h(9))).toBeUndefined();
    expect(pertMean(0, h(2), h(9))).toBeUndefined();
    expect(pertMean(h(1), h(2), 1.5)).toBeUndefined();
  });
});
