import { describe, expect, it } from 'vitest';
import { splitReport, type AddReport } from './add-report';

describe('splitReport', () => {
  it('gives each merged call the report of its own inputs, counted as one call would count them', () => {
    // Call 1 sent a, b; call 2 sent b (again), c (malformed: refused before it was stored), d, d.
    const merged: AddReport = {
      added: ['a', 'b', 'd'],
      duplicates: 2,
      rejected: [{ id: 'c', reason: 'malformed entry: too short' }],
      pending: [{ id: 'd', reason: 'dated ahead' }],
      replay: 'full',
    };
    const [first, second] = splitReport(merged, ['a', 'b', 'b', 'c', 'd', 'd'], [2, 4]);
    expect(first).toEqual({ added: ['a', 'b'], duplicates: 0, rejected: [], pending: [], replay: 'full' });
    expect(second).toEqual({
      added: ['d'],
      duplicates: 2, // b (the first call added it) and the second d
      rejected: [{ id: 'c', reason: 'malformed entry: too short' }],
      pending: [{ id: 'd', reason: 'dated ahead' }],
      replay: 'full',
    });
  });
});

describe('splitReport, a rule rejection', () => {
  it('an entry stored and then rejected by a rule is added and rejected, for the call that sent it', () => {
    const merged: AddReport = { added: ['x'], duplicates: 0, rejected: [{ id: 'x', reason: 'over the credit limit' }], pending: [], replay: 'incremental' };
    const [first, second] = splitReport(merged, ['y', 'x'], [1, 1]);
    expect(first).toEqual({ added: [], duplicates: 1, rejected: [], pending: [], replay: 'incremental' });
    expect(second).toEqual({ added: ['x'], duplicates: 0, rejected: [{ id: 'x', reason: 'over the credit limit' }], pending: [], replay: 'incremental' });
  });
});
