import { describe, expect, it } from 'vitest';
import { hours, parseCreditLimit, shortAccount } from './format';

describe('display formats', () => {
  it('writes amounts with their unit and accounts short', () => {
    expect(hours(-1500, 'MH')).toBe('-1.5 MH');
    expect(shortAccount('0123456789abcdef'.repeat(4))).toBe('01234567…cdef');
  });
  it('accepts zero as a credit limit, unlike a payment, and names the currency in errors', () => {
    for (const zero of ['0', ' 0 ', '0.0', '.0', '00']) expect(parseCreditLimit(zero, 'MH')).toEqual({ ok: true, milli: 0 });
    expect(parseCreditLimit('12.5', 'CH')).toEqual({ ok: true, milli: 12_500 });
    expect(parseCreditLimit('', 'CH')).toMatchObject({ ok: false, error: expect.stringContaining('Credit limit in CH') });
    expect(parseCreditLimit('.', 'MH')).toMatchObject({ ok: false });
    expect(parseCreditLimit('-3', 'MH')).toMatchObject({ ok: false, error: expect.stringContaining('positive') });
  });
});
