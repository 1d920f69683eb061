// Credit: who may go below zero, by how much, and under which settings (docs/LEDGER.md "Credit").
//
// Rules (every reducer that moves value reads them from here, and so does every check a person
// runs before signing, so the two cannot drift apart):
// - Settings by acknowledgement, not by time. Every entry carries `ack`, the founder seq of the
//   newest economy-settings entry its author had seen. An entry is judged under the newest applied
//   settings entry that precedes it in replay order AND whose founder seq ≤ its ack; if none, the
//   economy's initial settings. So a settings change binds only entries whose authors had seen
//   it: a founder who backdates a lower limit cannot reverse an entry signed before (its ack is
//   lower), and an author who ignores a change keeps at most the settings it had already seen
//   (nothing it did not have). A large ack (say 2^53) just means "the newest before me in time".
//   ack is not required to grow along an author's chain: that would bind nobody, since an author
//   who wants the older settings simply never raises its ack.
// - Credit limit of an account in a currency, under settings S:
//     founder → S.creditLimit;
//     anyone else → min(S.creditLimit, S.newcomerCredit + vouched + earnedCredit).
//   vouched = the sum of the stakes members currently hold on it (kind-vouch.ts). A fresh key has
//   no credit (newcomerCredit is 0 unless the founder sets it). Plain transfers never create
//   credit: two keys of one person could pay each other (earnedCredit is the extension point).
// - Room (what an account can still spend or stake) = balance + limit − pledged, where pledged =
//   the stakes it has given. The founder's stakes do not count against its room: the founder is
//   the economy's gate (as a Cyclos administrator); it can admit anyone, sybils included, and
//   every stake it gives is a signed entry anyone can audit. CH locked in escrow for open compute
//   jobs (compute-state.ts) counts against the room of every owner, founder included.
//   A transfer or a stake needs amount ≤ room; a release needs the member's room to stay ≥ 0.
//   So a stake really is at stake: what a voucher has pledged it cannot spend, and the member can
//   never owe more than the stakes on it (plus newcomer credit).
// - The bound (checked by credit.sim.test.ts): for any set K of keys, the debt K can run up
//   against everyone else is at most the stakes given to K from outside K (plus newcomer credit
//   per key, plus anything the founder gives if the founder is in K). Sketch: every applied entry
//   of k leaves balance(k) ≥ pledged(k) − limit(k); incoming payments and releases of its stakes
//   only raise that side; summing over K, the stakes inside K cancel (given on one side, received
//   on the other), leaving Σ balance(K) ≥ −(stakes into K from outside). Escrow keeps it: a job
//   locks its budget within the room, and each compute payment lowers balance and escrow together.

import { MAX_BALANCE_MILLI, formatAmount, type Currency } from './amounts';
import type { AccountId } from './encoding';
import { readEscrowed } from './compute-state';
import { ZERO_BALANCE, readBalance, type Balance, type EconomySettings, type EntryMeta, type LedgerState } from './ledger-state';

/** The settings an entry with this ack is judged under (see the header). */
export function settingsFor(state: LedgerState, ack: number): EconomySettings {
  // The log is in ascending founder seq (the founder's entries replay in chain order), so the
  // last one with seq ≤ ack is found by bisection: an author acking 0 costs log(n), not n, however
  // many settings entries the founder wrote.
  const log = state.settingsLog;
  let lo = 0;
  let hi = log.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (log[mid]!.seq <= ack) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? state.initialSettings : log[lo - 1]!.settings;
}

/** The settings for the entry being applied (its author's ack). */
export function settingsOfEntry(state: LedgerState, entry: EntryMeta): EconomySettings {
  return settingsFor(state, entry.ack);
}

/** The founder seq of the newest applied settings entry: the ack an honest author signs (0 = none). */
export function settingsAckOf(state: LedgerState): number {
  return state.settingsLog[state.settingsLog.length - 1]?.seq ?? 0;
}

/**
 * Credit earned by validated work. Always 0 today: plain transfers must never count (two keys of
 * one person can pay each other). Extension point for later kinds (validated compute results,
 * accepted task payments): they will record what an account earned from others, and this adds it.
 */
export function earnedCredit(_state: LedgerState, _account: AccountId, _currency: Currency): number {
  return 0;
}

/**
 * How far below zero `account` may go in `currency` under `settings` (see the header);
 * `vouchedChange` asks "and if the stakes on it changed by this much" (a release's check).
 */
export function creditLimitOf(state: LedgerState, account: AccountId, currency: Currency, settings: EconomySettings, vouchedChange = 0): number {
  const cap = settings.creditLimit[currency];
  if (account === state.founder) return cap;
  const vouched = readVouched(state, account)[currency] + vouchedChange;
  const backed = settings.newcomerCredit[currency] + vouched + earnedCredit(state, account, currency);
  return Math.min(cap, backed);
}

/**
 * What `account` can still spend or stake: balance + limit − stakes given (founder: not counted)
 * − CH escrowed for its open compute jobs (everyone's, the founder's too: it is owed to donors).
 */
export function spendableOf(state: LedgerState, account: AccountId, currency: Currency, settings: EconomySettings, vouchedChange = 0): number {
  const pledged = account === state.founder ? 0 : readPledged(state, account)[currency];
  const escrowed = currency === 'CH' ? readEscrowed(state.compute, account) : 0;
  return readBalance(state, account)[currency] + creditLimitOf(state, account, currency, settings, vouchedChange) - pledged - escrowed;
}

export function stakeKey(voucher: AccountId, member: AccountId): string {
  return `${voucher}>${member}`;
}

export function readStake(state: LedgerState, voucher: AccountId, member: AccountId): Balance {
  return state.stakes.get(stakeKey(voucher, member)) ?? ZERO_BALANCE;
}

export function readVouched(state: LedgerState, member: AccountId): Balance {
  return state.vouched.get(member) ?? ZERO_BALANCE;
}

export function readPledged(state: LedgerState, voucher: AccountId): Balance {
  return state.pledged.get(voucher) ?? ZERO_BALANCE;
}

/**
 * Sets one stake and keeps both sums in step; callers have checked the rules and the bounds
 * (stakeBoundProblem). Values are replaced, never mutated (checkpoints share them).
 */
export function setStake(state: LedgerState, voucher: AccountId, member: AccountId, currency: Currency, amount: number): void {
  const key = stakeKey(voucher, member);
  const old = readStake(state, voucher, member);
  const delta = amount - old[currency];
  const next = withAmount(old, currency, amount);
  if (next.MH === 0 && next.CH === 0) state.stakes.delete(key);
  else state.stakes.set(key, next);
  addTo(state.vouched, member, currency, delta);
  addTo(state.pledged, voucher, currency, delta);
  const had = old.MH > 0 || old.CH > 0;
  const has = next.MH > 0 || next.CH > 0;
  if (had !== has) setBacker(state, member, voucher, has);
}

/** Adds or removes `voucher` in `member`'s sorted list of backers (a new list each time). */
function setBacker(state: LedgerState, member: AccountId, voucher: AccountId, present: boolean): void {
  const list = state.backers.get(member) ?? [];
  const next = present ? [...list, voucher].sort() : list.filter((x) => x !== voucher);
  if (next.length === 0) state.backers.delete(member);
  else state.backers.set(member, next);
}

/** The vouchers with a live stake (any currency) on `member`. */
export function readBackers(state: LedgerState, member: AccountId): readonly AccountId[] {
  return state.backers.get(member) ?? [];
}

/** A reason to refuse a stake change that would push a sum past MAX_BALANCE_MILLI (precision). */
export function stakeBoundProblem(state: LedgerState, voucher: AccountId, member: AccountId, currency: Currency, delta: number): string | undefined {
  if (readVouched(state, member)[currency] + delta > MAX_BALANCE_MILLI) return 'the stakes held on this member would exceed the maximum';
  if (readPledged(state, voucher)[currency] + delta > MAX_BALANCE_MILLI) return 'the stakes this voucher has given would exceed the maximum';
  return undefined;
}

function withAmount(b: Balance, currency: Currency, amount: number): Balance {
  return (currency === 'MH' ? { MH: amount, CH: b.CH } : { MH: b.MH, CH: amount }) as Balance;
}

function addTo(map: Map<AccountId, Balance>, account: AccountId, currency: Currency, delta: number): void {
  const old = map.get(account) ?? ZERO_BALANCE;
  const next = withAmount(old, currency, old[currency] + delta);
  if (next.MH === 0 && next.CH === 0) map.delete(account);
  else map.set(account, next);
}

/**
 * What the checks a person runs before signing need to read (the Ledger implements it), so the
 * checks in kind-*.ts stay pure and testable without a Ledger.
 */
export interface CreditReader {
  readonly founder: AccountId;
  balanceOf(account: AccountId): Balance;
  /** Credit limits under the newest settings (what an honest client acks). */
  creditOf(account: AccountId): { MH: number; CH: number };
  spendable(account: AccountId, currency: Currency): number;
  stakeOf(voucher: AccountId, member: AccountId): Balance;
  /** The credit limit `member` would have with `released` less staked on it. */
  creditIfReleased(member: AccountId, currency: Currency, released: number): number;
  frozenAt(account: AccountId): number | undefined;
  /** The newest settings change, if it lowered the economy's limit in `currency` (creditLoweringOf). */
  creditLowering(currency: Currency): CreditLowering | undefined;
}

/** A settings entry that lowered the economy's credit limit in one currency: the new limit and when. */
export interface CreditLowering {
  limit: number;
  time: number;
}

/**
 * The newest applied settings change, if it set `currency`'s limit below the previous settings
 * entry's. The first entry is the economy's setup (the app writes one when the founder creates
 * it), not a change anyone lived under. Only the newest counts: a lowering followed by a raise is
 * no longer the reason anyone cannot pay.
 */
export function creditLoweringOf(state: LedgerState, currency: Currency): CreditLowering | undefined {
  const log = state.settingsLog;
  const newest = log[log.length - 1];
  const previous = log[log.length - 2];
  if (!newest || !previous) return undefined;
  const limit = newest.settings.creditLimit[currency];
  return limit < previous.settings.creditLimit[currency] ? { limit, time: newest.time } : undefined;
}

/**
 * "26 Nov at 10:40" in the device's time zone (or `timeZone`, for tests): when a settings change
 * was signed. The day and month are written out so no reader mistakes 11/12 for 12 Nov.
 */
export function describeMoment(ms: number, timeZone?: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).formatToParts(ms);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('day')} ${part('month')} at ${part('hour')}:${part('minute')}`;
}

/**
 * The sentence a person reads when `amount` is more than they can spend now, or undefined.
 * A newcomer (no credit, nothing received) hears how to get credit rather than "over the limit".
 */
export function creditRoomProblem(reader: CreditReader, me: AccountId, currency: Currency, amount: number, timeZone?: string): string | undefined {
  const room = reader.spendable(me, currency);
  if (amount <= room) return undefined;
  const most = `you can send at most ${formatAmount(Math.max(0, room))} ${currency} now`;
  // The founder's newest change lowered the limit and it is what binds this account (its vouched
  // credit is not lower still): say so, or the member cannot tell why its room shrank.
  const lowered = reader.creditLowering(currency);
  if (lowered && reader.creditOf(me)[currency] === lowered.limit) {
    return `The founder lowered the credit limit to ${formatAmount(lowered.limit)} ${currency} on ${describeMoment(lowered.time, timeZone)}; ${most}.`;
  }
  if (reader.creditOf(me)[currency] === 0 && reader.balanceOf(me)[currency] <= 0) {
    return 'You have no credit yet: a member can vouch for you, or receive hours first.';
  }
  return `That is over your credit limit: ${most}.`;
}
