// Display helpers shared by views. Amounts arrive as integer milli-hours and leave as text.
import { formatAmount } from '../core';

export function hours(milli: number, currency: 'MH' | 'CH'): string {
  return `${formatAmount(milli)} ${currency}`;
}

export function shortAccount(account: string): string {
  return `${account.slice(0, 8)}…${account.slice(-4)}`;
}

export function when(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
