import { describe, expect, it } from 'vitest';
import { formatHours, hours, parseCreditLimit, shortAccount, signedHours } from './format';

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
  it('groups thousands in the locale, keeps three exact decimals and one ASCII minus sign', () => {
    expect(hours(1_234_567_890, 'MH', 'en-US')).toBe('1,234,567.89 MH');
    expect(formatHours(-1_234_500, 'de-DE')).toBe('-1.234,5');
    expect(formatHours(1_000_000_000_000_001, 'en-US')).toBe('1,000,000,000,000.001');
    expect(formatHours(-2_500, 'fr-FR')).toMatch(/^-2,5$/);
    // Swedish writes U+2212 for minus; we keep one sign everywhere.
    expect(formatHours(-1_000_500, 'sv-SE')).toMatch(/^-1\s000,5$/u);
    expect(formatHours(0, 'en-US')).toBe('0');
    expect(formatHours(-1, 'en-US')).toBe('-0.001');
    expect(signedHours(250, 'MH', 'en-US')).toBe('+0.25 MH');
    expect(signedHours(-2000, 'CH', 'en-US')).toBe('-2 CH');
  });
});
