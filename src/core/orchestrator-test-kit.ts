// Test helpers for the orchestrator: flow records without a ledger (never used by the app).
import type { Currency } from './amounts';
import type { FlowRecord } from './ledger-state';
import { pickInt, type Random } from './random';

let counter = 0;

/** A flow record; ids are unique per process (their value never matters to the orchestrator). */
export function flowOf(time: number, payer: string, payee: string, amount: number, currency: Currency = 'MH', source: FlowRecord['source'] = 'task'): FlowRecord {
  counter++;
  return { entryId: counter.toString(16).padStart(64, '0'), time, currency, payer, payee, amount, source };
}

/** Account names that sort like ids: acct(3) = "acct-003". */
export function acct(n: number): string {
  return `acct-${String(n).padStart(3, '0')}`;
}

/**
 * An honest community: `members` accounts that each epoch deliver hours to random others (nobody
 * pays itself), `perEpoch(k)` payments of 0.5–5 h in epoch k. Everyone both supplies and consumes.
 */
export function honestFlows(random: Random, opts: { members: number; epochs: number; epochMs: number; first: number; perEpoch: (k: number) => number; currency?: Currency }): FlowRecord[] {
  const out: FlowRecord[] = [];
  for (let k = 0; k < opts.epochs; k++) {
    const start = (opts.first + k) * opts.epochMs;
    const n = opts.perEpoch(k);
    for (let i = 0; i < n; i++) {
      const payer = pickInt(random, opts.members);
      const payee = (payer + 1 + pickInt(random, opts.members - 1)) % opts.members;
      const time = start + pickInt(random, opts.epochMs);
      out.push(flowOf(time, acct(payer), acct(payee), 500 + pickInt(random, 4_500), opts.currency ?? 'MH'));
    }
  }
  return out;
}
