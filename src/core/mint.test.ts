// Unit tests of the mint rules (mint.ts) and exact shares (mint-shares.ts).
import { describe, expect, it } from 'vitest';
import { createMinterState, groundedIncome, mintEpoch, DEFAULT_MINT_RULES, type Payment } from './mint';
import { splitProRata, mulDiv } from './mint-shares';

const pay = (payer: string, payee: string, amount: number): Payment => ({ payer, payee, amount });

describe('splitProRata', () => {
  it('gives shares that sum exactly to the total, each within 1 of the exact share', () => {
    const shares = splitProRata(1_000, [{ account: 'a', weight: 1n }, { account: 'b', weight: 1n }, { account: 'c', weight: 1n }]);
    expect([...shares.values()].reduce((s, v) => s + v, 0)).toBe(1_000);
    // 333.33 each: the one milli left goes to the smallest id among equal remainders.
    expect(Object.fromEntries(shares)).toEqual({ a: 334, b: 333, c: 333 });
  });

  it('hands leftover units to the largest remainders, whatever the input order', () => {
    const items = [{ account: 'x', weight: 5n }, { account: 'y', weight: 3n }, { account: 'z', weight: 2n }];
    const a = splitProRata(7, items);
    const b = splitProRata(7, [...items].reverse());
    expect(Object.fromEntries(a)).toEqual(Object.fromEntries(b));
    // exact 3.5, 2.1, 1.4 → floors 3, 2, 1 and one left → x (remainder .5).
    expect(Object.fromEntries(a)).toEqual({ x: 4, y: 2, z: 1 });
  });

  it('stays exact with amounts whose products pass 2^53', () => {
    const big = 10 ** 12;
    const shares = splitProRata(big, [{ account: 'a', weight: BigInt(big) * 3n }, { account: 'b', weight: 1n }]);
    expect((shares.get('a') ?? 0) + (shares.get('b') ?? 0)).toBe(big);
    expect(mulDiv(big, big, 3 * big)).toBe(333_333_333_333);
  });

  it('mints nothing with no total or no weight', () => {
    expect(splitProRata(0, [{ account: 'a', weight: 1n }]).size).toBe(0);
    expect(splitProRata(10, [{ account: 'a', weight: 0n }]).size).toBe(0);
  });
});

/** Accounts a..f trade in a grounded circle of trade (each was paid by someone other than whom it pays). */
function honestEpoch(scale: number): Payment[] {
  const names = ['a', 'b', 'c', 'd', 'e', 'f'];
  const out: Payment[] = [];
  // Each pays the next two: everyone earns from two others and pays two others.
  for (let i = 0; i < names.length; i++) {
    out.push(pay(names[i]!, names[(i + 1) % 6]!, 1_000 * scale));
    out.push(pay(names[i]!, names[(i + 2) % 6]!, 500 * scale));
  }
  // Suppliers with a surplus: g and h deliver to a and b.
  out.push(pay('a', 'g', 4_000 * scale), pay('b', 'g', 4_000 * scale), pay('c', 'h', 2_000 * scale), pay('d', 'h', 2_000 * scale));
  return out;
}

describe('mintEpoch', () => {
  it('nets cycles within an epoch: a circle of payments is no flow', () => {
    const s = createMinterState();
    const m = mintEpoch(s, 1, [pay('a', 'b', 5_000), pay('b', 'c', 5_000), pay('c', 'a', 5_000)]);
    expect(m).toMatchObject({ gross: 15_000, flow: 0, increase: 0, minted: 0 });
  });

  it('counts a pass-through only for what it kept', () => {
    const s = createMinterState();
    const m = mintEpoch(s, 1, [pay('a', 'b', 5_000), pay('b', 'c', 3_000)]);
    // b kept 2, c kept 3: 5 delivered from surplus to deficit.
    expect(m.flow).toBe(5_000);
    expect(m.suppliers).toBe(2);
  });

  it('mints half the increase over the baseline to suppliers, grounded by payers who earned from others', () => {
    const s = createMinterState();
    const first = mintEpoch(s, 1, [pay('x', 'a', 10_000), pay('a', 'b', 10_000)]);
    // x never earned: a's income is not grounded; b was paid by a, who earned from x (not b).
    expect(first.flow).toBe(10_000); // a passed everything on; b kept 10
    expect(first.increase).toBe(10_000);
    // T = 5; b has one paying counterparty → weight ½ → 2.5 → 2 (rounded down, the rest withheld).
    expect(first.mints).toEqual([['b', 2_500]]);
    expect(first.withheld).toBe(2_500);
    expect(s.supply).toBe(2_500);
  });

  it('does not mint when flow only comes back to a recent level', () => {
    const s = createMinterState();
    const grow = mintEpoch(s, 1, honestEpoch(2));
    expect(grow.minted).toBeGreaterThan(0);
    mintEpoch(s, 2, honestEpoch(1));
    const back = mintEpoch(s, 3, honestEpoch(2));
    expect(back.increase).toBe(0);
    expect(back.minted).toBe(0);
    const higher = mintEpoch(s, 4, honestEpoch(3));
    expect(higher.increase).toBe(higher.flow - grow.flow);
  });

  it('an epoch left out counts as an empty one (skipping equals passing no payments)', () => {
    const a = createMinterState();
    const b = createMinterState();
    mintEpoch(a, 1, honestEpoch(1));
    mintEpoch(b, 1, honestEpoch(1));
    mintEpoch(a, 2, []);
    expect(mintEpoch(a, 3, honestEpoch(2))).toEqual(mintEpoch(b, 3, honestEpoch(2)));
  });

  it('caps an account’s cumulative mint by half its grounded income', () => {
    const s = createMinterState();
    // p earned 2 h from q, then pays a 10 h (credit): only 2 h of it is grounded, so a mints ≤ 1 h.
    mintEpoch(s, 1, [pay('q', 'p', 2_000)]);
    const m = mintEpoch(s, 2, [pay('p', 'a', 10_000), pay('z', 'a', 10_000)]);
    expect(groundedIncome(s, 'a')).toBe(2_000);
    expect(m.mints).toEqual([['a', 1_000]]);
    expect(m.withheld).toBeGreaterThan(0);
  });

  it('a payer’s earnings ground its payees pro rata: more payee keys ground no more', () => {
    const one = createMinterState();
    mintEpoch(one, 1, [pay('q', 'p', 3_000)]);
    mintEpoch(one, 2, [pay('p', 'k0', 30_000)]);
    const many = createMinterState();
    mintEpoch(many, 1, [pay('q', 'p', 3_000)]);
    mintEpoch(many, 2, Array.from({ length: 10 }, (_, i) => pay('p', `k${i}`, 3_000)));
    const sum = Array.from({ length: 10 }, (_, i) => groundedIncome(many, `k${i}`)).reduce((a, b) => a + b, 0);
    expect(groundedIncome(one, 'k0')).toBe(3_000);
    expect(sum).toBe(3_000);
  });

  it('ignores self-payments and non-positive amounts (hostile records)', () => {
    const s = createMinterState();
    const m = mintEpoch(s, 1, [pay('a', 'a', 9_000), pay('a', 'b', 0), pay('a', 'b', -5)]);
    expect(m).toMatchObject({ gross: 0, flow: 0, minted: 0 });
  });

  it('does not depend on the order of an epoch’s payments', () => {
    const payments = honestEpoch(1);
    const a = createMinterState();
    const b = createMinterState();
    expect(mintEpoch(a, 1, payments)).toEqual(mintEpoch(b, 1, [...payments].reverse()));
    expect(DEFAULT_MINT_RULES.window).toBe(4);
  });
});
