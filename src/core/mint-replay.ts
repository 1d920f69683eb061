// Mints as ledger money: the replay rule that credits each epoch's mints to balances
// (docs/ORCHESTRATOR.md "Mints in the replay").
//
// Rule: before replay applies a chain entry of signed time t (applied or rejected alike), every
// epoch k that holds flow records not yet minted and whose end (k+1)·L ≤ t is closed, ascending:
// its mints are computed by the orchestrator's rules (mint.ts) from the flow records replayed so
// far — which, replay being in (time, id) order and a record carrying its entry's time, are all
// the records of epoch k in the set — then credited: balances grow, state.supply grows, and each
// recipient gets a history item (kind 'mint'). Both currencies are minted for each closed epoch,
// as computeOrchestrator does (an epoch without flow in either is skipped).
// At the ledger's "now": nothing is credited by the clock alone. An epoch that the clock has
// passed but no replayed entry has is "due": the state stays a function of the entries only, and
// the next entry dated after its end (a payment of the minted tokens included) credits it before
// it applies. mintsDue() previews what that entry will find, for spendable() and the wallet.
//
// Invariants:
// - sum(balances[c]) === supply[c] and supply[c] = Σ credited mints of c (only this file changes
//   supply).
// - Snapshot-safe: a MintReplay referenced by a snapshot (shared = true) is never mutated again;
//   the next close works on a copy (copy-on-write). Only the last checkpoints are shared, so a full
//   replay clones the minter state a handful of times, not once per epoch.
// - Same set of entries ⇒ same closes at the same replay positions ⇒ the same state, whatever
//   the arrival order (the Ledger's partial and full replays re-run closes like any apply).

import type { Currency } from './amounts';
import type { AccountId } from './encoding';
import { epochEnd, epochOf } from './epochs';
import { epochMsOf } from './kind-economy-settings';
import { changeBalance, recordHistory, type Balance, type FlowRecord, type LedgerState } from './ledger-state';
import { cloneMinterState, createMinterState, DEFAULT_MINT_RULES, mintEpoch, type EpochMint, type MinterState } from './mint';

export interface CreditedEpoch {
  readonly epoch: number;
  readonly MH: EpochMint;
  readonly CH: EpochMint;
}

export interface MintReplay {
  /** state.flows[0..flowIndex) are minted: their epochs are closed and credited. */
  flowIndex: number;
  /** The cumulative minting state per currency (mint.ts). */
  minters: Record<Currency, MinterState>;
  /** Closed epochs with flow, ascending. */
  epochs: CreditedEpoch[];
  /** Referenced by a snapshot: copy before changing (see the header). */
  shared: boolean;
}

const CURRENCIES: readonly Currency[] = ['MH', 'CH'];

export function createMintReplay(): MintReplay {
  return { flowIndex: 0, minters: { MH: createMinterState(), CH: createMinterState() }, epochs: [], shared: false };
}

/** Marks the state's mint part as held by a snapshot and returns it. */
export function shareMintReplay(state: LedgerState): MintReplay {
  state.mint.shared = true;
  return state.mint;
}

function writable(state: LedgerState): MintReplay {
  const m = state.mint;
  if (!m.shared) return m;
  state.mint = { flowIndex: m.flowIndex, minters: { MH: cloneMinterState(m.minters.MH), CH: cloneMinterState(m.minters.CH) }, epochs: [...m.epochs], shared: false };
  return state.mint;
}

/**
 * The epochs to close before an entry at `time`: pending records grouped by epoch, ascending, and
 * the index after the last record taken. Records are in replay (time) order, so the pending ones
 * of closed epochs are a prefix of the pending records.
 */
function dueGroups(flows: readonly FlowRecord[], from: number, time: number, epochMs: number): { groups: [number, FlowRecord[]][]; next: number } {
  const groups: [number, FlowRecord[]][] = [];
  let i = from;
  for (; i < flows.length; i++) {
    const f = flows[i]!;
    const epoch = epochOf(f.time, epochMs);
    if (epochEnd(epoch, epochMs) > time) break;
    const last = groups[groups.length - 1];
    if (last && last[0] === epoch) last[1].push(f);
    else groups.push([epoch, [f]]);
  }
  return { groups, next: i };
}

function mintGroups(minters: Record<Currency, MinterState>, groups: readonly [number, FlowRecord[]][]): CreditedEpoch[] {
  return groups.map(([epoch, records]) => {
    const of = (c: Currency) => mintEpoch(minters[c], epoch, records.filter((f) => f.currency === c), DEFAULT_MINT_RULES);
    return { epoch, MH: of('MH'), CH: of('CH') };
  });
}

/** Closes and credits every epoch that ends at or before `time` (the rule in the header). */
export function creditMintsBefore(state: LedgerState, time: number): void {
  const flows = state.flows;
  const from = state.mint.flowIndex;
  if (from >= flows.length) return; // the usual case: nothing pending
  const epochMs = epochMsOf(state);
  if (epochEnd(epochOf(flows[from]!.time, epochMs), epochMs) > time) return;
  const { groups, next } = dueGroups(flows, from, time, epochMs);
  const m = writable(state);
  for (const credited of mintGroups(m.minters, groups)) {
    const end = epochEnd(credited.epoch, epochMs);
    for (const c of CURRENCIES) {
      for (const [account, amount] of credited[c].mints) {
        changeBalance(state, account, c, amount);
        state.supply = { ...state.supply, [c]: state.supply[c] + amount };
        recordHistory(state, account, {
          entryId: `mint:${credited.epoch}:${c}`, time: end, kind: 'mint', status: 'applied', currency: c, delta: amount,
          memo: `minted for the flow of epoch ${credited.epoch}`,
        });
      }
    }
    m.epochs.push(credited);
  }
  m.flowIndex = next;
}

/** What the next entry dated `time` would credit first, per account (nothing changes here). */
export function previewMints(state: LedgerState, time: number): Map<AccountId, Balance> {
  const out = new Map<AccountId, Balance>();
  const from = state.mint.flowIndex;
  if (from >= state.flows.length) return out;
  const { groups } = dueGroups(state.flows, from, time, epochMsOf(state));
  if (groups.length === 0) return out;
  const minters = { MH: cloneMinterState(state.mint.minters.MH), CH: cloneMinterState(state.mint.minters.CH) };
  for (const credited of mintGroups(minters, groups)) {
    for (const c of CURRENCIES) {
      for (const [account, amount] of credited[c].mints) {
        const b = out.get(account) ?? { MH: 0, CH: 0 };
        out.set(account, { ...b, [c]: b[c] + amount } as Balance);
      }
    }
  }
  return out;
}

/** Cumulative credited mints per account (both currencies). */
export function creditedMints(state: LedgerState): Map<AccountId, Balance> {
  const out = new Map<AccountId, Balance>();
  for (const c of CURRENCIES) {
    for (const [account, amount] of state.mint.minters[c].minted) {
      const b = out.get(account) ?? { MH: 0, CH: 0 };
      out.set(account, { ...b, [c]: amount } as Balance);
    }
  }
  return out;
}

/** The canonical form that serializeState includes (the minters are derived from these). */
export function serializeMintReplay(m: MintReplay): unknown {
  return { flowIndex: m.flowIndex, epochs: m.epochs };
}
