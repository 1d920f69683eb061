// Amounts: integer milli-hours, branded per currency so MH and CH never mix by mistake.
//
// Invariants:
// - Every amount is a safe integer of milli-units (1 hour = 1000 milli). No floats ever reach the
//   ledger; parseAmount turns user text into an integer without going through parseFloat.
// - A single amount (a transfer, a credit limit) is bounded by MAX_AMOUNT_MILLI = 10^12
//   (a billion hours). A balance is bounded by MAX_BALANCE_MILLI = 10^15, far below 2^53, so
//   adding two valid values can never lose precision; the replay rejects a transfer that would
//   push a balance past it.
// - ManHours and CpuHours are distinct brands: a function that takes ManHours does not accept a
//   CpuHours or a plain number without an explicit constructor call.

export type Currency = 'MH' | 'CH';
export const CURRENCIES: readonly Currency[] = ['MH', 'CH'];

export type ManHours = number & { readonly __unit: 'MH' };
export type CpuHours = number & { readonly __unit: 'CH' };
export type AmountOf<C extends Currency> = C extends 'MH' ? ManHours : CpuHours;

export const MILLI_PER_HOUR = 1000;
export const MAX_AMOUNT_MILLI = 1_000_000_000_000;
export const MAX_BALANCE_MILLI = 1_000_000_000_000_000;

export function isValidAmount(milli: number): boolean {
  return Number.isSafeInteger(milli) && Math.abs(milli) <= MAX_AMOUNT_MILLI;
}

export function isValidBalance(milli: number): boolean {
  return Number.isSafeInteger(milli) && Math.abs(milli) <= MAX_BALANCE_MILLI;
}

function assertBalanceRange(milli: number): void {
  if (!isValidBalance(milli)) throw new RangeError(`not a bounded integer of milli-hours: ${milli}`);
}

export function manHours(milli: number): ManHours {
  assertBalanceRange(milli);
  return milli as ManHours;
}

export function cpuHours(milli: number): CpuHours {
  assertBalanceRange(milli);
  return milli as CpuHours;
}

/** Same-currency addition; the overloads forbid MH + CH. */
export function addAmounts(a: ManHours, b: ManHours): ManHours;
export function addAmounts(a: CpuHours, b: CpuHours): CpuHours;
export function addAmounts(a: number, b: number): number {
  const sum = a + b;
  assertBalanceRange(sum);
  return sum;
}

export type ParseAmountResult = { ok: true; milli: number } | { ok: false; error: string };

/**
 * Parses user input such as "1.5", "0.001" or "12" into positive milli-hours.
 * Accepts a decimal point or a comma, and surrounding spaces; nothing else (no signs, no exponents).
 */
export function parseAmount(text: string): ParseAmountResult {
  const t = text.trim().replace(',', '.');
  if (t === '') return { ok: false, error: 'Enter an amount.' };
  if (t.startsWith('-')) return { ok: false, error: 'The amount must be positive.' };
  const m = /^(\d*)(?:\.(\d*))?$/.exec(t);
  if (!m || (m[1] === '' && (m[2] ?? '') === '')) {
    return { ok: false, error: `"${text.trim()}" is not a number of hours (use digits, e.g. 1.5).` };
  }
  const whole = (m[1] ?? '').replace(/^0+(?=\d)/, '');
  const frac = m[2] ?? '';
  if (frac.replace(/0+$/, '').length > 3) {
    return { ok: false, error: 'At most three decimals (the smallest amount is 0.001 hours).' };
  }
  if (whole.length > 10) return { ok: false, error: 'That amount is too large.' };
  const milli = Number(whole || '0') * MILLI_PER_HOUR + Number(frac.padEnd(3, '0').slice(0, 3));
  if (milli === 0) return { ok: false, error: 'The amount must be greater than zero.' };
  if (milli > MAX_AMOUNT_MILLI) {
    return { ok: false, error: `That amount is too large (at most ${formatAmount(MAX_AMOUNT_MILLI)} hours).` };
  }
  return { ok: true, milli };
}

/** 1500 → "1.5", -250 → "-0.25", 2000 → "2". Trailing zeros of the fraction are dropped. */
export function formatAmount(milli: number): string {
  const sign = milli < 0 ? '-' : '';
  const abs = Math.abs(milli);
  const whole = Math.floor(abs / MILLI_PER_HOUR);
  const frac = abs % MILLI_PER_HOUR;
  if (frac === 0) return `${sign}${whole}`;
  return `${sign}${whole}.${String(frac).padStart(3, '0').replace(/0+$/, '')}`;
}
