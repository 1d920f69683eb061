// The replayed ledger state that kind reducers read and change, and its canonical serialization.
//
// Invariants:
// - Balances are integer milli-units per account and currency; every applied transfer changes
//   two balances by opposite amounts, so sum(balances[c]) === supply[c] at all times (supply
//   only grows through mint kinds, none yet).
// - A reducer mutates the state only when it accepts the entry (check first, then write), so a
//   rejected entry leaves no trace except its status.
// - serializeState is canonical: maps are emitted sorted by key, so two peers with the same state
//   produce the same string (the simulation compares these byte for byte).
// - Values are replaced, never mutated in place (a Balance, a Profile, the settings object) and
//   history lists only grow by push. That is what makes snapshotState cheap (shallow map copies
//   plus one length per history list) and restoreState exact. A new field in LedgerState must be
//   added to serializeState, snapshotState and restoreState together (a test checks the keys).

import type { CpuHours, Currency, ManHours } from './amounts';
import type { AccountId } from './encoding';

export interface Balance {
  MH: ManHours;
  CH: CpuHours;
}

export interface EconomySettings {
  /** How far below zero an account may go, in milli-units, per currency. */
  creditLimit: { MH: number; CH: number };
}

export const DEFAULT_SETTINGS: EconomySettings = { creditLimit: { MH: 10_000, CH: 10_000 } };

export interface Profile {
  name: string;
  colour: string; // '#rrggbb'
}

export interface HistoryItem {
  entryId: string;
  time: number;
  kind: string;
  status: 'applied' | 'rejected';
  reason?: string;
  counterparty?: AccountId;
  currency?: Currency;
  /** Signed change of this account's balance (0 when rejected). */
  delta?: number;
  memo?: string;
}

/** What a reducer sees of the entry it applies. */
export interface EntryMeta {
  id: string;
  author: AccountId;
  seq: number;
  time: number;
  /** Founder seq of the newest economy-settings entry the author had seen (see encoding.ts). */
  ack: number;
  kind: string;
}

export interface LedgerState {
  readonly founder: AccountId;
  balances: Map<AccountId, Balance>;
  settings: EconomySettings;
  supply: { MH: number; CH: number };
  profiles: Map<AccountId, Profile>;
  history: Map<AccountId, HistoryItem[]>;
}

export const ZERO_BALANCE: Readonly<Balance> = Object.freeze({ MH: 0 as ManHours, CH: 0 as CpuHours });

export function createLedgerState(founder: AccountId, settings: EconomySettings = DEFAULT_SETTINGS): LedgerState {
  return {
    founder,
    balances: new Map(),
    settings: { creditLimit: { ...settings.creditLimit } },
    supply: { MH: 0, CH: 0 },
    profiles: new Map(),
    history: new Map(),
  };
}

export function readBalance(state: LedgerState, account: AccountId): Balance {
  return state.balances.get(account) ?? ZERO_BALANCE;
}

/** Adds `delta` milli to one account's balance; callers have already checked the bounds. */
export function changeBalance(state: LedgerState, account: AccountId, currency: Currency, delta: number): void {
  // A new object per change (never mutated in place): views may keep the previous one.
  const current = state.balances.get(account) ?? ZERO_BALANCE;
  const next = currency === 'MH'
    ? { MH: (current.MH + delta) as ManHours, CH: current.CH }
    : { MH: current.MH, CH: (current.CH + delta) as CpuHours };
  state.balances.set(account, next);
}

export function recordHistory(state: LedgerState, account: AccountId, item: HistoryItem): void {
  let list = state.history.get(account);
  if (!list) state.history.set(account, (list = []));
  list.push(item);
}

function sortedEntries<V>(map: ReadonlyMap<string, V>): [string, V][] {
  return [...map.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

export function serializeState(state: LedgerState): string {
  return JSON.stringify({
    founder: state.founder,
    settings: state.settings,
    supply: state.supply,
    balances: sortedEntries(state.balances).map(([k, b]) => [k, b.MH, b.CH]),
    profiles: sortedEntries(state.profiles),
    history: sortedEntries(state.history),
  });
}

/** Replay checkpoint: everything needed to put a state back as it was (see restoreState). */
export interface StateSnapshot {
  readonly balances: ReadonlyMap<AccountId, Balance>;
  readonly settings: EconomySettings;
  readonly supply: { readonly MH: number; readonly CH: number };
  readonly profiles: ReadonlyMap<AccountId, Profile>;
  /** History is append-only, so its length per account is enough to cut it back. */
  readonly historyLengths: ReadonlyMap<AccountId, number>;
}

/** The LedgerState fields a snapshot covers; a test checks this against createLedgerState. */
export const SNAPSHOT_FIELDS = ['founder', 'balances', 'settings', 'supply', 'profiles', 'history'] as const;

export function snapshotState(state: LedgerState): StateSnapshot {
  const historyLengths = new Map<AccountId, number>();
  for (const [account, list] of state.history) historyLengths.set(account, list.length);
  return {
    balances: new Map(state.balances),
    settings: { creditLimit: { ...state.settings.creditLimit } },
    supply: { ...state.supply },
    profiles: new Map(state.profiles),
    historyLengths,
  };
}

/**
 * Puts `state` back to `snap`, which must have been taken from this same state object at an
 * earlier point of the same replay (history lists are cut back in place, never re-created).
 * The snapshot stays usable: maps are copied out of it, never handed over.
 */
export function restoreState(state: LedgerState, snap: StateSnapshot): void {
  state.balances = new Map(snap.balances);
  state.settings = { creditLimit: { ...snap.settings.creditLimit } };
  state.supply = { ...snap.supply };
  state.profiles = new Map(snap.profiles);
  for (const [account, list] of state.history) {
    const length = snap.historyLengths.get(account);
    if (length === undefined) state.history.delete(account);
    else list.length = length;
  }
}
