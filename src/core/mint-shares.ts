// Exact integer division of a mint among suppliers (docs/ORCHESTRATOR.md "Rounding").
//
// Invariant: splitProRata(total, weights) returns non-negative integers that sum to exactly
// `total` (when some weight is > 0) and differ from the exact shares total·w/Σw by less than 1.
// Largest remainder (Hamilton): everyone gets floor(total·w/Σw); the milli-units left over go one
// each to the largest remainders. Tie-break: the smaller account id first (hex string order), so
// every peer hands the same unit to the same account. BigInt: total·w reaches 10^27.

export interface Weighted {
  readonly account: string;
  readonly weight: bigint;
}

export function splitProRata(total: number, items: readonly Weighted[]): Map<string, number> {
  const out = new Map<string, number>();
  const sum = items.reduce((s, i) => s + i.weight, 0n);
  if (total <= 0 || sum <= 0n) return out;
  const t = BigInt(total);
  const rows = items.map((i) => {
    const exact = t * i.weight;
    return { account: i.account, floor: exact / sum, rest: exact % sum };
  });
  let left = t - rows.reduce((s, r) => s + r.floor, 0n);
  rows.sort((a, b) => (a.rest > b.rest ? -1 : a.rest < b.rest ? 1 : a.account < b.account ? -1 : a.account > b.account ? 1 : 0));
  for (const r of rows) {
    let share = r.floor;
    if (left > 0n && r.rest > 0n) {
      share += 1n;
      left -= 1n;
    }
    if (share > 0n) out.set(r.account, Number(share));
  }
  return out;
}

/** floor(a · b / c) for non-negative safe integers, exactly (c > 0). */
export function mulDiv(a: number, b: number, c: number): number {
  return Number((BigInt(a) * BigInt(b)) / BigInt(c));
}
