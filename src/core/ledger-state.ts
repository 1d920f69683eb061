// The replayed ledger state that kind reducers read and change, and its canonical serialization.
//
// Invariants:
// - Balances are integer milli-units per account and currency; every applied transfer changes
//   two balances by opposite amounts, so sum(balances[c]) === supply[c] at all times (supply
//   only grows through the mint replay rule, mint-replay.ts).
// - A reducer mutates the state only when it accepts the entry (check first, then write), so a
//   rejected entry leaves no trace except its status.
// - serializeState is canonical: maps are emitted sorted by key, so two peers with the same state
//   produce the same string (the simulation compares these byte for byte).
// - Values are replaced, never mutated in place (a Balance, a Profile, the settings object) and
//   history lists only grow by push. That is what makes snapshotState cheap (shallow map copies
//   plus one length per history list) and restoreState exact. A new field in LedgerState must be
//   added to serializeState, snapshotState and restoreState together (a test checks the keys).
// - Credit (credit.ts): `stakes` holds every live stake voucher → member; `vouched` and `pledged`
//   are its two sums (received per member, given per voucher), and `backers` lists, per member,
//   the vouchers with a live stake on it (sorted): all kept in step by setStake only.
//   `settingsLog` lists the applied founder settings in replay order (so in founder seq order);
//   `settings` is its last element's settings (or the initial ones): what an honest client acks.

import type { CpuHours, Currency, ManHours } from './amounts';
import type { AccountId } from './encoding';
import type { TaskRecord } from './task-state';
import { restoreReleases, serializeReleases, type ReleaseRecord } from './release-state';
import { copyComputeState, createComputeState, serializeCompute, type ComputeState } from './compute-state';
import { createMintReplay, serializeMintReplay, shareMintReplay, type MintReplay } from './mint-replay';

export interface Balance {
  MH: ManHours;
  CH: CpuHours;
}

export interface EconomySettings {
  /** The most any account may go below zero, in milli-units, per currency (see credit.ts). */
  creditLimit: { MH: number; CH: number };
  /**
   * Credit every account has without a vouch: fixed when the economy starts (no entry changes
   * it), 0 in the app. Each fresh key gets it, so one person with k keys draws k times this:
   * for tests and closed communities only (see credit.ts).
   */
  newcomerCredit: { MH: number; CH: number };
  /**
   * The epoch length in ms (epochs.ts), fixed when the economy starts: by initialSettings or the
   * founder's first settings entry (absent in both → a day). Never changes afterwards.
   */
  epochMs?: number;
}

export const DEFAULT_SETTINGS: EconomySettings = { creditLimit: { MH: 10_000, CH: 10_000 }, newcomerCredit: { MH: 0, CH: 0 } };

/** An applied economy-settings entry: the founder's seq (what entries ack), its time and what it set. */
export interface SettingsChange {
  readonly seq: number;
  /** The entry's signed time (ms), to tell members when a limit changed. */
  readonly time: number;
  readonly settings: EconomySettings;
}

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
  /** vouch / release: the stake between the two accounts after the entry, milli. */
  stake?: number;
  /** vouch / release: which side of the stake this account is on. */
  role?: 'voucher' | 'member';
  memo?: string;
}

/**
 * One payment for delivered hours (the orchestrator's "flow", docs/LEDGER.md): a validated
 * compute unit, an accepted task, a release download or the serving of its bytes. Plain
 * transfers and vouches are never flow. Reducers of those kinds append one record per payment,
 * in replay order, beside the balance change itself.
 */
export interface FlowRecord {
  /** The entry whose application made the payment (the quorum-completing result, the acceptance…). */
  readonly entryId: string;
  /** That entry's signed time, ms: which epoch the flow counts in. */
  readonly time: number;
  readonly currency: Currency;
  /** Who paid (the consumer: job owner, task poster, downloader). */
  readonly payer: AccountId;
  /** Who was paid (the supplier: donor, developer, contributor, serving peer). */
  readonly payee: AccountId;
  /** Milli-units, > 0. */
  readonly amount: number;
  readonly source: 'compute' | 'task' | 'download' | 'serving';
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
  /** The economy id (32 hex; '' in tests that need none): vote commitments are bound to it. */
  readonly economy: string;
  balances: Map<AccountId, Balance>;
  /** Settings before any economy-settings entry (LedgerOptions.initialSettings); never changes. */
  readonly initialSettings: EconomySettings;
  /** The newest applied settings (what an honest author acks); see settingsLog. */
  settings: EconomySettings;
  /** Applied founder settings entries in replay order; append-only. */
  settingsLog: SettingsChange[];
  /** Live stakes, keyed stakeKey(voucher, member); a value is replaced, never mutated. */
  stakes: Map<string, Balance>;
  /** Sum of the stakes each member has received. */
  vouched: Map<AccountId, Balance>;
  /** Sum of the stakes each voucher has given. */
  pledged: Map<AccountId, Balance>;
  /** The vouchers with a live stake on each member, sorted; a list is replaced, never mutated. */
  backers: Map<AccountId, readonly AccountId[]>;
  supply: { MH: number; CH: number };
  profiles: Map<AccountId, Profile>;
  history: Map<AccountId, HistoryItem[]>;
  /** Payments for delivered hours, in replay order; append-only (see FlowRecord). */
  flows: FlowRecord[];
  /** Tasks by id (the task-post entry's id); a record is replaced, never mutated (task-state.ts). */
  tasks: Map<string, TaskRecord>;
  /** Compute jobs, their units, escrow and earnings (compute-state.ts); its maps are copied by snapshots. */
  compute: ComputeState;
  /** Epochs closed and credited so far, and the minting state (mint-replay.ts); copy-on-write. */
  mint: MintReplay;
  /** Releases by id (the release-post entry's id); records replaced on change (release-state.ts). */
  releases: Map<string, ReleaseRecord>;
  /** Per release, the accounts that downloaded it (one download each); cut back on restore. */
  downloaderSets: Map<string, Set<AccountId>>;
  /**
   * Simulations and tests only (the app never sets it; LedgerOptions.transferFlow): which applied
   * transfers count as payments for delivered hours, by memo. The compute, task and download
   * kinds push real flow records; this stands in for the worked example's recouping (sim/: its
   * developer recoups what he invested, which a `download` entry does not pay him) and lets mint
   * tests build flow cheaply. Fixed for the ledger's life, so not part of snapshots.
   */
  readonly transferFlow?: (memo: string) => FlowRecord['source'] | undefined;
}

export const ZERO_BALANCE: Readonly<Balance> = Object.freeze({ MH: 0 as ManHours, CH: 0 as CpuHours });

export function copySettings(s: EconomySettings): EconomySettings {
  return { creditLimit: { ...s.creditLimit }, newcomerCredit: { ...s.newcomerCredit }, ...(s.epochMs !== undefined ? { epochMs: s.epochMs } : {}) };
}

export function createLedgerState(
  founder: AccountId, settings: EconomySettings = DEFAULT_SETTINGS, economy = '', transferFlow?: LedgerState['transferFlow'],
): LedgerState {
  return {
    ...(transferFlow ? { transferFlow } : {}),
    founder,
    economy,
    balances: new Map(),
    initialSettings: copySettings(settings),
    settings: copySettings(settings),
    settingsLog: [],
    stakes: new Map(),
    vouched: new Map(),
    pledged: new Map(),
    backers: new Map(),
    supply: { MH: 0, CH: 0 },
    profiles: new Map(),
    history: new Map(),
    flows: [],
    tasks: new Map(),
    compute: createComputeState(),
    mint: createMintReplay(),
    releases: new Map(),
    downloaderSets: new Map(),
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
    initialSettings: state.initialSettings,
    settings: state.settings,
    settingsLog: state.settingsLog,
    supply: state.supply,
    balances: sortedEntries(state.balances).map(([k, b]) => [k, b.MH, b.CH]),
    // The two sums are derived from the stakes; serialized too, so a bug in keeping them in step
    // shows up as a divergence.
    stakes: sortedEntries(state.stakes).map(([k, b]) => [k, b.MH, b.CH]),
    vouched: sortedEntries(state.vouched).map(([k, b]) => [k, b.MH, b.CH]),
    pledged: sortedEntries(state.pledged).map(([k, b]) => [k, b.MH, b.CH]),
    backers: sortedEntries(state.backers),
    profiles: sortedEntries(state.profiles),
    history: sortedEntries(state.history),
    flows: state.flows,
    economy: state.economy,
    tasks: sortedEntries(state.tasks),
    compute: serializeCompute(state.compute),
    mint: serializeMintReplay(state.mint),
    releases: serializeReleases(state),
  });
}

/** Replay checkpoint: everything needed to put a state back as it was (see restoreState). */
export interface StateSnapshot {
  readonly balances: ReadonlyMap<AccountId, Balance>;
  readonly settings: EconomySettings;
  /** settingsLog is append-only, so its length is enough. */
  readonly settingsLogLength: number;
  readonly stakes: ReadonlyMap<string, Balance>;
  readonly vouched: ReadonlyMap<AccountId, Balance>;
  readonly pledged: ReadonlyMap<AccountId, Balance>;
  readonly backers: ReadonlyMap<AccountId, readonly AccountId[]>;
  readonly supply: { readonly MH: number; readonly CH: number };
  readonly profiles: ReadonlyMap<AccountId, Profile>;
  /** History is append-only, so its length per account is enough to cut it back. */
  readonly historyLengths: ReadonlyMap<AccountId, number>;
  /** flows is append-only, so its length is enough. */
  readonly flowsLength: number;
  /** Records are replaced, never mutated, so a copy of the map is enough. */
  readonly tasks: ReadonlyMap<string, TaskRecord>;
  /** A copy of the compute maps (their values are immutable records). */
  readonly compute: ComputeState;
  /** Never mutated once a snapshot holds it (mint-replay.ts copies on write). */
  readonly mint: MintReplay;
  /** Records are replaced, never mutated (their counts say how far the shared downloader lists go). */
  readonly releases: ReadonlyMap<string, ReleaseRecord>;
}

/** The LedgerState fields a snapshot covers; a test checks this against createLedgerState. */
export const SNAPSHOT_FIELDS = [
  'founder', 'balances', 'initialSettings', 'settings', 'settingsLog', 'stakes', 'vouched', 'pledged', 'backers', 'supply', 'profiles', 'history', 'flows', 'economy', 'tasks', 'compute', 'mint', 'releases', 'downloaderSets',
] as const;

export function snapshotState(state: LedgerState): StateSnapshot {
  const historyLengths = new Map<AccountId, number>();
  for (const [account, list] of state.history) historyLengths.set(account, list.length);
  return {
    balances: new Map(state.balances),
    settings: state.settings,
    settingsLogLength: state.settingsLog.length,
    stakes: new Map(state.stakes),
    vouched: new Map(state.vouched),
    pledged: new Map(state.pledged),
    backers: new Map(state.backers),
    supply: { ...state.supply },
    profiles: new Map(state.profiles),
    historyLengths,
    flowsLength: state.flows.length,
    tasks: new Map(state.tasks),
    compute: copyComputeState(state.compute),
    mint: shareMintReplay(state),
    releases: new Map(state.releases),
  };
}

/**
 * Puts `state` back to `snap`, which must have been taken from this same state object at an
 * earlier point of the same replay (history lists are cut back in place, never re-created).
 * The snapshot stays usable: maps are copied out of it, never handed over.
 */
export function restoreState(state: LedgerState, snap: StateSnapshot): void {
  state.balances = new Map(snap.balances);
  state.settings = snap.settings;
  state.settingsLog.length = snap.settingsLogLength;
  state.stakes = new Map(snap.stakes);
  state.vouched = new Map(snap.vouched);
  state.pledged = new Map(snap.pledged);
  state.backers = new Map(snap.backers);
  state.supply = { ...snap.supply };
  state.profiles = new Map(snap.profiles);
  state.flows.length = snap.flowsLength;
  state.tasks = new Map(snap.tasks);
  state.compute = copyComputeState(snap.compute);
  state.mint = snap.mint;
  state.releases = new Map(snap.releases);
  // downloaderSets are not copied: cut back to the restored records (release-state.ts).
  restoreReleases(state);
  for (const [account, list] of state.history) {
    const length = snap.historyLengths.get(account);
    if (length === undefined) state.history.delete(account);
    else list.length = length;
  }
}
