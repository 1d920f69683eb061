// What the wallet shows of one person's history, as pure functions over core's HistoryItem list
// (oldest first, as Ledger.historyOf returns it): filtering and memo search, the split of
// account changes (profile, settings) from payments, a statement with one member, and which
// incoming payments are new since a baseline. No Svelte, no DOM: unit-tested in Node.
//
// Invariants: every function leaves its input untouched and keeps the input's order; a rejected
// entry never counts in a total (it moved nothing).
import type { Currency, HistoryItem } from '../core';

/** Kinds that move or reserve hours ("payments" in the wallet); the rest are account changes. */
export type HistoryKind = 'transfer' | 'stake';

export interface HistoryFilter {
  currency: Currency | 'all';
  /** A counterparty account id, or 'all'. */
  member: string;
  kind: HistoryKind | 'all';
  /** Searched for in memos (case- and accent-insensitive); blank matches everything. */
  text: string;
}

export const NO_FILTER: HistoryFilter = { currency: 'all', member: 'all', kind: 'all', text: '' };

/** Profile and economy-settings entries: they move no hours, so they are listed apart. */
export function isAccountChange(item: HistoryItem): boolean {
  return item.kind === 'profile' || item.kind === 'economy-settings';
}

function kindOf(item: HistoryItem): HistoryKind | undefined {
  if (item.kind === 'transfer') return 'transfer';
  if (item.kind === 'vouch' || item.kind === 'release') return 'stake';
  return undefined;
}

/** Lower case without accents, so "cafe" finds "Café" and "CODE" finds "code review". */
export function foldForSearch(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

export function isFiltered(filter: HistoryFilter): boolean {
  return filter.currency !== 'all' || filter.member !== 'all' || filter.kind !== 'all' || filter.text.trim() !== '';
}

/** The payments (not account changes) that pass the filter, in the input's order. */
export function filterHistory(items: readonly HistoryItem[], filter: HistoryFilter): HistoryItem[] {
  const needle = foldForSearch(filter.text.trim());
  return items.filter((item) => {
    if (isAccountChange(item)) return false;
    // An entry of a kind without a currency or counterparty (an unknown kind rejected) only
    // shows when no filter asks for either.
    if (filter.currency !== 'all' && item.currency !== filter.currency) return false;
    if (filter.member !== 'all' && item.counterparty !== filter.member) return false;
    if (filter.kind !== 'all' && kindOf(item) !== filter.kind) return false;
    if (needle && !foldForSearch(item.memo ?? '').includes(needle)) return false;
    return true;
  });
}

export interface AccountChange {
  item: HistoryItem;
  /** How many entries of this kind in a row this one stands for (a rename writes more than one). */
  count: number;
}

/**
 * Profile and settings entries in their order, with every applied profile entry folded into the
 * latest one (only that one is in force; a rename and a colour change sign two). Each settings
 * entry stays a row of its own (each changed the economy's limits), and so does each rejected
 * entry (its reason is news).
 */
export function accountChanges(items: readonly HistoryItem[]): AccountChange[] {
  const out: AccountChange[] = [];
  let profiles = 0;
  let latestProfile: HistoryItem | undefined;
  for (const item of items) {
    if (!isAccountChange(item)) continue;
    if (item.kind === 'profile' && item.status === 'applied') {
      profiles++;
      latestProfile = item;
    } else out.push({ item, count: 1 });
  }
  if (latestProfile) {
    // Placed where the latest one sits among the others, by time (history is in replay order).
    const at = out.findIndex((c) => c.item.time > latestProfile!.time);
    out.splice(at < 0 ? out.length : at, 0, { item: latestProfile, count: profiles });
  }
  return out;
}

export interface CurrencyTotals {
  sent: number;
  received: number;
  /** received − sent, from my side. */
  net: number;
}

export interface Statement {
  member: string;
  /** Applied transfers between me and the member, oldest first. */
  transfers: HistoryItem[];
  totals: Record<Currency, CurrencyTotals>;
}

/**
 * What passed between me and `member`: each applied transfer, and per currency what I sent,
 * received and the net. Stakes (vouch, release) move no balance, so they are not in the totals;
 * the statement shows the stakes in force beside them instead.
 */
export function statementWith(items: readonly HistoryItem[], member: string): Statement {
  const totals: Record<Currency, CurrencyTotals> = { MH: { sent: 0, received: 0, net: 0 }, CH: { sent: 0, received: 0, net: 0 } };
  const transfers = items.filter((i) => i.kind === 'transfer' && i.status === 'applied' && i.counterparty === member && i.currency && i.delta);
  for (const t of transfers) {
    const sum = totals[t.currency!];
    if (t.delta! < 0) sum.sent -= t.delta!;
    else sum.received += t.delta!;
    sum.net += t.delta!;
  }
  return { member, transfers, totals };
}

/** Applied incoming transfers whose entry id is not in `seen`, oldest first. */
export function newIncoming(items: readonly HistoryItem[], seen: ReadonlySet<string>): HistoryItem[] {
  return items.filter((i) => i.kind === 'transfer' && i.status === 'applied' && (i.delta ?? 0) > 0 && !seen.has(i.entryId));
}

/** The address of the wallet with the statement with `member` open (from a member's row). */
export function statementHref(member: string): string {
  return `#/wallet/with/${member}`;
}

/** The member whose statement an address asks for, if any. */
export function statementMemberOf(hash: string): string | undefined {
  return /^#\/wallet\/with\/([0-9a-f]{64})$/.exec(hash)?.[1];
}
