// Display helpers shared by views. Amounts arrive as integer milli-hours and leave as text.
// Numbers are shown in the browser's locale (grouping and decimal mark from Intl.NumberFormat),
// always with ASCII '-' as the minus sign, whatever the locale would use (some use U+2212): one
// sign everywhere, the same as in the ledger's own reasons (core's formatAmount, which stays
// locale-free because rejection reasons must be identical on every peer).
import { parseAmount } from '../core';

const MILLI = 1000;

/**
 * Intl.NumberFormat is slow to construct (a large economy's member table formats thousands of
 * amounts per render), so one formatter and decimal mark are kept per locale.
 */
const formatters = new Map<string | undefined, { whole: Intl.NumberFormat; point: string }>();
function formatterOf(locale: string | undefined): { whole: Intl.NumberFormat; point: string } {
  let f = formatters.get(locale);
  if (!f) {
    const point = new Intl.NumberFormat(locale).formatToParts(1.5).find((p) => p.type === 'decimal')?.value ?? '.';
    f = { whole: new Intl.NumberFormat(locale, { maximumFractionDigits: 0, useGrouping: true }), point };
    formatters.set(locale, f);
  }
  return f;
}

/** Whole hours grouped in the locale, then up to three decimals (never rounded: milli is exact). */
export function formatHours(milli: number, locale?: string): string {
  const abs = Math.abs(milli);
  const whole = formatterOf(locale).whole.format(Math.floor(abs / MILLI));
  const frac = abs % MILLI;
  const sign = milli < 0 ? '-' : '';
  if (frac === 0) return `${sign}${whole}`;
  const point = formatterOf(locale).point;
  return `${sign}${whole}${point}${String(frac).padStart(3, '0').replace(/0+$/, '')}`;
}

export function hours(milli: number, currency: 'MH' | 'CH', locale?: string): string {
  return `${formatHours(milli, locale)} ${currency}`;
}

/** A change of balance: '+' for money in, '-' for money out. */
export function signedHours(milli: number, currency: 'MH' | 'CH', locale?: string): string {
  return `${milli > 0 ? '+' : ''}${hours(milli, currency, locale)}`;
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
