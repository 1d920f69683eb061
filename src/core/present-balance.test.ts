import { describe, expect, it } from 'vitest';
import { presentBalanceCH } from './present-balance';
import type { HistoryItem } from './ledger-state';

const DAY = 86_400_000;
const item = (time: number, delta: number, currency: 'MH' | 'CH' = 'CH', status: 'applied' | 'rejected' = 'applied'): HistoryItem =>
  ({ entryId: String(time), time, kind: 'transfer', status, currency, delta });

describe('present value of a CH balance', () => {
  it('decays each movement from its own day and ignores MH and rejected entries', () => {
    const now = 10_000 * DAY;
    const history = [item(now, 1000), item(now - 548 * DAY, 1000), item(now, 5000, 'MH'), item(now, 7000, 'CH', 'rejected')];
    expect(presentBalanceCH(history, now)).toBe(1000 + 500);
  });
  it('applies to debits too, so an old debt shrinks like an old credit', () => {
    const now = 10_000 * DAY;
    expect(presentBalanceCH([item(now - 1096 * DAY, -4000)], now)).toBe(-1000);
  });
});
