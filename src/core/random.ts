// A tiny seeded PRNG (mulberry32) for simulations and tests: core never reads Math.random, so a
// failing seed replays exactly. Not for keys or anything secret.

export type Random = () => number;

/** Returns a generator of floats in [0, 1) determined entirely by `seed`. */
export function createRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pickInt(random: Random, maxExclusive: number): number {
  return Math.floor(random() * maxExclusive);
}

export function pickOne<T>(random: Random, items: readonly T[]): T {
  return items[pickInt(random, items.length)]!;
}

export function shuffleInPlace<T>(random: Random, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = pickInt(random, i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
