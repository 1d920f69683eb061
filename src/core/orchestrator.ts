// The orchestrator: epochs, flow and flow-linked mints of both currencies, computed by every peer
// from the same ledger (docs/ORCHESTRATOR.md). A pure function of the flow records
// (state.flows, FlowRecord in ledger-state.ts), the economy's epoch length, the mint rules and the
// clock (which epochs are complete):
//   computeOrchestrator(flows, epochMs, now) → per complete epoch and currency: gross and clean
//   flow, baseline, increase, mints per account; cumulative mints per account; supply.
// Invariants:
// - Order-free: every figure is a sum over the records of an epoch, so peers holding the same
//   records agree whatever order they arrived in (orchestrator.sim.test.ts).
// - Only payments for delivered hours are flow (FlowRecord: compute, task, download, serving);
//   plain transfers, vouches and mints never are.
// - Supply of a currency = Σ of its mints = Σ over accounts of minted(account).
// - The ledger credits an epoch's mints when its replay passes the epoch's end (mint-replay.ts),
//   with the same rules on the same records, so for those epochs this result equals the ledger's;
//   holdingsOf adds only the mints due (complete by the clock, not yet credited). A record that arrives
//   late for a past epoch changes that epoch and the ones after it on every peer alike;
//   revisedEpochs tells which epochs changed between two computations, for the UI to mark.

import type { Currency } from './amounts';
import type { AccountId } from './encoding';
import { epochEnd, epochOf, epochStart, lastCompleteEpoch } from './epochs';
import type { Balance, FlowRecord } from './ledger-state';
import { createMinterState, DEFAULT_MINT_RULES, mintEpoch, type EpochMint, type MintRules, type Payment } from './mint';

export const CURRENCIES: readonly Currency[] = ['MH', 'CH'];

export interface EpochSummary {
  readonly epoch: number;
  /** Signed-time range [start, end) in ms. */
  readonly start: number;
  readonly end: number;
  readonly MH: EpochMint;
  readonly CH: EpochMint;
}

export interface OrchestratorResult {
  readonly epochMs: number;
  readonly rules: MintRules;
  /** Newest complete epoch at the clock used. */
  readonly throughEpoch: number;
  /** Complete epochs that hold flow, ascending (an epoch without flow has flow 0 and no mint). */
  readonly epochs: readonly EpochSummary[];
  /** The epoch in progress: gross flow so far (no mint until it is complete). */
  readonly open: { readonly epoch: number; readonly gross: { MH: number; CH: number } };
  /** Cumulative mints per account. */
  readonly minted: ReadonlyMap<AccountId, Balance>;
  readonly supply: { MH: number; CH: number };
}

/** Flow records of complete epochs bucketed by currency and epoch; the open epoch summed apart. */
export function bucketFlows(flows: readonly FlowRecord[], epochMs: number, now: number) {
  const through = lastCompleteEpoch(now, epochMs);
  const buckets: Record<Currency, Map<number, Payment[]>> = { MH: new Map(), CH: new Map() };
  const open = { MH: 0, CH: 0 };
  for (const f of flows) {
    const epoch = epochOf(f.time, epochMs);
    // Records dated after the open epoch cannot be in the ledger's state yet (clock-skew hold);
    // they would count in their own epoch once it comes.
    if (epoch > through) {
      if (epoch === through + 1) open[f.currency] += f.amount;
      continue;
    }
    let list = buckets[f.currency].get(epoch);
    if (!list) buckets[f.currency].set(epoch, (list = []));
    list.push(f);
  }
  return { through, buckets, open };
}

export function computeOrchestrator(flows: readonly FlowRecord[], epochMs: number, now: number, rules: MintRules = DEFAULT_MINT_RULES): OrchestratorResult {
  const { through, buckets, open } = bucketFlows(flows, epochMs, now);
  const epochSet = new Set<number>([...buckets.MH.keys(), ...buckets.CH.keys()]);
  const epochList = [...epochSet].sort((a, b) => a - b);
  const perCurrency = {} as Record<Currency, Map<number, EpochMint>>;
  const minted = new Map<AccountId, Balance>();
  const supply = { MH: 0, CH: 0 };
  for (const currency of CURRENCIES) {
    const state = createMinterState();
    const results = new Map<number, EpochMint>();
    for (const epoch of epochList) results.set(epoch, mintEpoch(state, epoch, buckets[currency].get(epoch) ?? [], rules));
    perCurrency[currency] = results;
    supply[currency] = state.supply;
    for (const [account, amount] of state.minted) {
      const b = minted.get(account) ?? { MH: 0, CH: 0 };
      minted.set(account, { ...b, [currency]: amount } as Balance);
    }
  }
  const epochs = epochList.map((epoch) => ({
    epoch,
    start: epochStart(epoch, epochMs),
    end: epochEnd(epoch, epochMs),
    MH: perCurrency.MH.get(epoch)!,
    CH: perCurrency.CH.get(epoch)!,
  }));
  return { epochMs, rules, throughEpoch: through, epochs, open: { epoch: through + 1, gross: open }, minted, supply };
}

/**
 * What an account holds with all its mints over complete epochs: its ledger balance (which
 * already includes the mints the replay credited, `credited` = Ledger.mintedTo) + the mints of
 * epochs complete by the clock but not credited yet (due: the next entry credits them).
 */
export function holdingsOf(result: OrchestratorResult, account: AccountId, ledgerBalance: Balance, credited: Balance = { MH: 0, CH: 0 } as Balance): { MH: number; CH: number } {
  const m = result.minted.get(account);
  return { MH: ledgerBalance.MH + (m?.MH ?? 0) - credited.MH, CH: ledgerBalance.CH + (m?.CH ?? 0) - credited.CH };
}

function summaryKey(s: EpochSummary): string {
  return JSON.stringify([s.MH, s.CH]);
}

/**
 * Epochs whose result differs between two computations (added, removed or changed), ascending:
 * what the UI marks "revised" after a late entry. Epochs that only became complete are not
 * revisions (they were open before): pass the same clock to both, or filter by throughEpoch.
 */
export function revisedEpochs(before: OrchestratorResult, after: OrchestratorResult): number[] {
  const old = new Map(before.epochs.map((e) => [e.epoch, summaryKey(e)]));
  const out = new Set<number>();
  for (const e of after.epochs) {
    if (e.epoch > before.throughEpoch) continue;
    if (old.get(e.epoch) !== summaryKey(e)) out.add(e.epoch);
    old.delete(e.epoch);
  }
  for (const epoch of old.keys()) out.add(epoch);
  return [...out].sort((a, b) => a - b);
}

/** Canonical text of a result: equal on two peers iff they computed the same orchestrator. */
export function serializeOrchestrator(result: OrchestratorResult): string {
  const minted = [...result.minted].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([k, b]) => [k, b.MH, b.CH]);
  return JSON.stringify({ epochMs: result.epochMs, rules: result.rules, through: result.throughEpoch, epochs: result.epochs, open: result.open, minted, supply: result.supply });
}

/**
 * One value per epoch from the first epoch with flow to throughEpoch (gaps as 0), oldest first:
 * the series the forecast smooths (forecast.ts). `pick` reads an epoch's result of `currency`.
 */
export function epochSeries(result: OrchestratorResult, currency: Currency, pick: (m: EpochMint) => number, maxEpochs = 60): { epochs: number[]; values: number[] } {
  const first = result.epochs[0]?.epoch;
  if (first === undefined) return { epochs: [], values: [] };
  const from = Math.max(first, result.throughEpoch - maxEpochs + 1);
  const byEpoch = new Map(result.epochs.map((e) => [e.epoch, pick(e[currency])]));
  const epochs: number[] = [];
  const values: number[] = [];
  for (let e = from; e <= result.throughEpoch; e++) {
    epochs.push(e);
    values.push(byEpoch.get(e) ?? 0);
  }
  return { epochs, values };
}
