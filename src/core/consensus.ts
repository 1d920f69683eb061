// The consensus rule of an estimation round: from the round's revealed votes to a settled estimate
// (the task's price in MH) or a re-vote. Pure and integer-only, so every peer re-running it on the
// votes a task-estimate entry names gets the same number (kind-task-estimate.ts does exactly that).
//
// The rule (docs/TASKS.md "The consensus rule"), with settings s:
//   1. Cards "?" and "coffee" do not count. Fewer than s.minVotes numeric votes → re-vote.
//   2. median = the middle value of the counted votes sorted ascending; with an even count, the
//      mean of the two middle values rounded down to a whole milli-hour.
//   3. Spread: max × 1000 ≤ min × s.maxRatioMilli (e.g. 2000: the highest vote at most twice the
//      lowest) → settled on the median.
//   4. Otherwise, when round ≥ s.settleAfterRounds → settled on the median anyway (the team has
//      discussed enough); else → re-vote, with the reason to discuss.
// Why a median: one extreme vote (or one voter who wants a high price) moves it by at most one
// position, unlike a mean. Why a ratio: estimates are multiplicative (1 h vs 2 h disagree as much
// as 10 h vs 20 h).

import { formatAmount } from './amounts';
import { isEstimateMilli, type VoteValue } from './vote-commitment';

export interface ConsensusSettings {
  /** Highest ÷ lowest counted vote, × 1000, that still settles at once (2000 = twice). */
  readonly maxRatioMilli: number;
  /** From this round on, the median settles whatever the spread. */
  readonly settleAfterRounds: number;
  /** Numeric votes needed for any result. */
  readonly minVotes: number;
}

export const DEFAULT_CONSENSUS: ConsensusSettings = Object.freeze({ maxRatioMilli: 2000, settleAfterRounds: 3, minVotes: 2 });

export type ConsensusResult =
  | { kind: 'settled'; value: number; counted: number }
  | { kind: 'revote'; reason: string };

export function consensus(votes: readonly VoteValue[], round: number, settings: ConsensusSettings = DEFAULT_CONSENSUS): ConsensusResult {
  if (!Number.isSafeInteger(round) || round < 1) return { kind: 'revote', reason: 'the round number must be 1 or more' };
  const counted: number[] = [];
  for (const v of votes) {
    if (v === '?' || v === 'coffee') continue;
    if (!isEstimateMilli(v)) return { kind: 'revote', reason: 'a vote is not a whole number of milli-hours in range' };
    counted.push(v);
  }
  if (counted.length < settings.minVotes) {
    return { kind: 'revote', reason: `${counted.length} numeric vote${counted.length === 1 ? '' : 's'}; at least ${settings.minVotes} needed` };
  }
  counted.sort((a, b) => a - b);
  const value = medianOfSorted(counted);
  const low = counted[0]!;
  const high = counted[counted.length - 1]!;
  if (high * 1000 <= low * settings.maxRatioMilli || round >= settings.settleAfterRounds) {
    return { kind: 'settled', value, counted: counted.length };
  }
  const ratio = formatAmount(Math.floor((high * 1000) / low));
  return {
    kind: 'revote',
    reason: `votes range from ${formatAmount(low)} h to ${formatAmount(high)} h (${ratio}×, more than ${formatAmount(settings.maxRatioMilli)}×): discuss and vote again`,
  };
}

/** Median of an ascending list of integers; even count: the two middle values' mean, rounded down. */
export function medianOfSorted(sorted: readonly number[]): number {
  const mid = sorted.length >> 1;
  if (sorted.length % 2 === 1) return sorted[mid]!;
  return Math.floor((sorted[mid - 1]! + sorted[mid]!) / 2);
}

/**
 * PERT mean of a three-point estimate, (o + 4m + p) / 6, in integer milli-hours rounded half up
 * (floor((o + 4m + p + 3) / 6)). Inputs are milli-hours; undefined unless 0 < o ≤ m ≤ p and all
 * are whole estimates in range.
 */
export function pertMean(optimistic: number, likely: number, pessimistic: number): number | undefined {
  if (![optimistic, likely, pessimistic].every(isEstimateMilli)) return undefined;
  if (!(optimistic <= likely && likely <= pessimistic)) return undefined;
  return Math.floor((optimistic + 4 * likely + pessimistic + 3) / 6);
}
