import { describe, expect, it } from 'vitest';
import { ageInDays, decayFactorFixed, HALF_LIFE_DAYS, presentValueCH } from './decay';

describe('presentValueCH', () => {
  it('pins values at 0, 1, 18 and 36 months', () => {
    expect(presentValueCH(1_000_000, 0)).toBe(1_000_000);
    // 1 month = 30 days: 2^(-30/548) = 0.9627649...
    expect(presentValueCH(1_000_000, 30)).toBe(962_764);
    expect(presentValueCH(1_000_000, 548)).toBe(500_000); // 18 months
    expect(presentValueCH(1_000_000, 1096)).toBe(250_000); // 36 months
    expect(presentValueCH(1000, 548)).toBe(500);
  });

  it('is monotonic non-increasing by day and rounds down', () => {
    let prev = Infinity;
    for (let d = 0; d < 3 * HALF_LIFE_DAYS; d += 7) {
      const v = presentValueCH(123_456_789, d);
      expect(v).toBeLessThanOrEqual(prev);
      expect(v).toBeLessThanOrEqual(123_456_789 * 2 ** (-d / 548) + 1e-6);
      prev = v;
    }
  });

  it('treats negative ages as zero and keeps the sign of debts', () => {
    expect(presentValueCH(1000, -5)).toBe(1000);
    expect(presentValueCH(-1000, 548)).toBe(-500);
  });

  it('builds an exact table', () => {
    expect(decayFactorFixed(0)).toBe(1n << 48n);
    expect(decayFactorFixed(548)).toBe(1n << 47n);
    const t = decayFactorFixed(1);
    expect(t ** 548n <= 1n << (48n * 548n - 1n)).toBe(true);
    expect((t + 1n) ** 548n > 1n << (48n * 548n - 1n)).toBe(true);
  });

  it('counts whole days', () => {
    expect(ageInDays(0, 86_400_000 * 2 - 1)).toBe(1);
  });
});
