// How a vote reads on screen: hours in the browser's locale, "?" and a coffee cup as words too.
import type { VoteValue } from '../../core';
import { formatHours } from '../format';

export function voteLabel(value: VoteValue): string {
  if (value === '?') return '?';
  if (value === 'coffee') return '☕ coffee';
  return `${formatHours(value)} h`;
}

/** The deck, in hours (milli) and the two cards that are not numbers. */
export const DECK: readonly VoteValue[] = [500, 1000, 2000, 3000, 5000, 8000, 13000, 20000, 40000, '?', 'coffee'];
