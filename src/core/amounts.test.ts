import { describe, expect, it } from 'vitest';
import { addAmounts, cpuHours, formatAmount, manHours, parseAmount, MAX_AMOUNT_MILLI } from './amounts';

describe('parseAmount', () => {
  it('parses decimals into milli-hours', () => {
    expect(parseAmount('1.5')).toEqual({ ok: true, milli: 1500 });
    expect(parseAmount('0.001')).toEqual({ ok: true, milli: 1 });
    expect(parseAmount(' 12 ')).toEqual({ ok: true, milli: 12000 });
    expect(parseAmount('2,25')).toEqual({ ok: true, milli: 2250 });
    expect(parseAmount('.5')).toEqual({ ok: true, milli: 500 });
    expect(parseAmount('3.')).toEqual({ ok: true, milli: 3000 });
    expect(parseAmount('1.5000')).toEqual({ ok: true, milli: 1500 });
  });

  it.each([
    ['', 'Enter an amount'],
    ['abc', 'not a number'],
    ['1e3', 'not a number'],
    ['1.2.3', 'not a number'],
    ['.', 'not a number'],
    ['0', 'greater than zero'],
    ['0.000', 'greater than zero'],
    ['-1', 'positive'],
    ['0.0001', 'three decimals'],
    ['1000000001', 'too large'],
    ['99999999999999999999', 'too large'],
  ])('rejects %j', (input, message) => {
    const r = parseAmount(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(message);
  });

  it('accepts the bound itself', () => {
    expect(parseAmount('1000000000')).toEqual({ ok: true, milli: MAX_AMOUNT_MILLI });
  });
});

describe('formatAmount', () => {
  it('formats without trailing zeros', () => {
    expect(formatAmount(1500)).toBe('1.5');
    expect(formatAmount(2000)).toBe('2');
    expect(formatAmount(1)).toBe('0.001');
    expect(formatAmount(-250)).toBe('-0.25');
    expect(formatAmount(0)).toBe('0');
  });

  it('round-trips with parseAmount', () => {
    for (const milli of [1, 10, 999, 1000, 1234567, MAX_AMOUNT_MILLI]) {
      expect(parseAmount(formatAmount(milli))).toEqual({ ok: true, milli });
    }
  });
});

describe('branded amounts', () => {
  it('adds same-currency amounts and rejects overflow', () => {
    expect(addAmounts(manHours(1), manHours(2))).toBe(3);
    expect(() => manHours(0.5)).toThrow(RangeError);
    expect(() => cpuHours(2 ** 60)).toThrow(RangeError);
    // @ts-expect-error: MH and CH cannot be mixed.
    addAmounts(manHours(1), cpuHours(1));
  });
});
