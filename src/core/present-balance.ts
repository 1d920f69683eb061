// The present (exchange) value of a CH balance. The ledger keeps CH in static units; each credit
// or debit decays from the day it happened (presentValueCH, halving every 18 months), so the
// present value of a balance is the sum of its movements' present values. Integer arithmetic
// only, so every peer shows the same figure for the same day.
import { ageInDays, presentValueCH } from './decay';
import type { HistoryItem } from './ledger-state';

export function presentBalanceCH(history: readonly HistoryItem[], nowMs: number): number {
  let total = 0;
  for (const item of history) {
    if (item.status !== 'applied' || item.currency !== 'CH' || !item.delta) continue;
    total += presentValueCH(item.delta, ageInDays(item.time, nowMs));
  }
  return total;
}
