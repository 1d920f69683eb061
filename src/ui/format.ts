// Display helpers shared by views. Amounts arrive as integer milli-hours and leave as text.
import { formatAmount, parseAmount } from '../core';

export function hours(milli: number, currency: 'MH' | 'CH'): string {
  return `${formatAmount(milli)} ${currency}`;
}

export function shortAccount(account: string): string {
  return `${account.slice(0, 8)}…${account.slice(-4)}`;
}

export function when(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** A credit limit as typed: hours ≥ 0 (0 allowed, unlike a payment), in milli-hours, or why not. */
export function parseCreditLimit(text: string, currency: 'MH' | 'CH'): { ok: true; milli: number } | { ok: false; error: string } {
  if (/^(0+(\.0*)?|0*\.0+)$/.test(text.trim())) return { ok: true, milli: 0 };
  const parsed = parseAmount(text);
  return parsed.ok ? parsed : { ok: false, error: `Credit limit in ${currency}: ${parsed.error}` };
}
