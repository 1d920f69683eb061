// CSV exports for spreadsheets: one's history and the members' balances. Pure functions.
//
// Format: RFC 4180 — fields separated by commas, records ended by CRLF (the last one too), a
// field quoted when it holds a comma, a double quote, CR or LF, and a quote inside doubled.
// Amounts are decimal hours with '.' and no grouping (core's formatAmount), so every
// spreadsheet reads them as numbers whatever its locale's display; times are ISO 8601 UTC.
// Free text written by other members (names, memos) that starts with = + - @ or a tab/CR is
// prefixed with an apostrophe, so a spreadsheet shows it as text instead of running it as a
// formula (OWASP "CSV injection"); numbers are never altered. The ledger file stays the format
// for re-import; a CSV is for reading only.
import { formatAmount, type HistoryItem } from '../core';

export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Text from another person, made safe to open in a spreadsheet (see the header). */
export function csvText(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export function toCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((row) => row.map(csvField).join(',') + '\r\n').join('');
}

export const HISTORY_COLUMNS = ['time (UTC)', 'kind', 'counterparty', 'counterparty account', 'currency', 'amount (hours)', 'stake after (hours)', 'memo', 'status', 'reason', 'entry id'];

/** One's history, oldest first, every kind (account changes included). */
export function historyCsv(items: readonly HistoryItem[], nameOf: (account: string) => string): string {
  const rows = items.map((i) => [
    new Date(i.time).toISOString(),
    i.kind,
    i.counterparty ? csvText(nameOf(i.counterparty)) : '',
    i.counterparty ?? '',
    i.currency ?? '',
    i.delta !== undefined && i.currency ? formatAmount(i.delta) : '',
    i.stake !== undefined ? formatAmount(i.stake) : '',
    csvText(i.memo ?? ''),
    i.status,
    i.reason ?? '',
    i.entryId,
  ]);
  return toCsv([HISTORY_COLUMNS, ...rows]);
}

export interface BalanceRow {
  account: string;
  name: string;
  balance: { MH: number; CH: number };
  credit: { MH: number; CH: number };
}

export const BALANCE_COLUMNS = ['name', 'account', 'MH', 'CH (static)', 'credit MH', 'credit CH'];

export function balancesCsv(members: readonly BalanceRow[]): string {
  const rows = members.map((m) => [
    csvText(m.name), m.account, formatAmount(m.balance.MH), formatAmount(m.balance.CH), formatAmount(m.credit.MH), formatAmount(m.credit.CH),
  ]);
  return toCsv([BALANCE_COLUMNS, ...rows]);
}
