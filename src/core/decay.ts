// CH decay: a cpu-hour's exchange value halves every 18 months; the ledger keeps static units.
//
// Definition (identical on every JS engine, integers only):
//   HALF_LIFE_DAYS = 548 (18 months of 30.44 days, rounded up to whole days)
//   ageDays = q * 548 + r, with 0 <= r < 548
//   TABLE[r] = floor(2^48 * 2^(-r/548)), computed exactly: the largest integer t with
//              t^548 <= 2^(48*548 - r)
//   presentValueCH(static, ageDays) = floor(static * TABLE[r] / 2^(48 + q))   (BigInt arithmetic)
// So the value is exactly halved every 548 days, and between half-lives it follows the smooth
// curve rounded down (present value is never overstated). Negative ages (an entry dated after
// "today") count as age 0. A month in the tests is 30 days.
//
// Math.pow only seeds the table search; each table value is then fixed by exact BigInt
// comparisons, so an engine whose pow differs in the last bit still builds the same table.

export const HALF_LIFE_DAYS = 548;
const FRACTION_BITS = 48n;
const N = BigInt(HALF_LIFE_DAYS);

let table: bigint[] | undefined;

function computeTableEntry(r: number): bigint {
  // Find the largest t with t^N <= 2^(48N - r).
  const limit = 1n << (FRACTION_BITS * N - BigInt(r));
  let t = BigInt(Math.floor(2 ** 48 * 2 ** (-r / HALF_LIFE_DAYS)));
  while (t ** N > limit) t -= 1n;
  while ((t + 1n) ** N <= limit) t += 1n;
  return t;
}

function decayTable(): bigint[] {
  table ??= Array.from({ length: HALF_LIFE_DAYS }, (_, r) => computeTableEntry(r));
  return table;
}

/** Fixed-point factor 2^(-ageDays/548) scaled by 2^48, for tests and charts. */
export function decayFactorFixed(ageDays: number): bigint {
  const age = Math.max(0, Math.floor(ageDays));
  const q = Math.floor(age / HALF_LIFE_DAYS);
  return decayTable()[age % HALF_LIFE_DAYS]! >> BigInt(q);
}

/** Present exchange value of `staticMilli` CH that is `ageDays` old, in milli-CH, rounded down. */
export function presentValueCH(staticMilli: number, ageDays: number): number {
  const age = Math.max(0, Math.floor(ageDays));
  const q = BigInt(Math.floor(age / HALF_LIFE_DAYS));
  const factor = decayTable()[age % HALF_LIFE_DAYS]!;
  const negative = staticMilli < 0;
  const v = (BigInt(Math.abs(staticMilli)) * factor) >> (FRACTION_BITS + q);
  return negative ? -Number(v) : Number(v);
}

/** Whole days between two millisecond timestamps (floor), the age unit for presentValueCH. */
export function ageInDays(fromMs: number, toMs: number): number {
  return Math.floor((toMs - fromMs) / 86_400_000);
}
