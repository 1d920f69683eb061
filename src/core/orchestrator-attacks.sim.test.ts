// Self-dealing against the mint rules (docs/ORCHESTRATOR.md "Bounds"), seeded: the attackers
// reinvest every mint (credited at the epoch's end), beside a steady honest community or alone.
// d = what the attackers hold, earned for real work from the honest community (the most
// favourable case for them: their money is grounded).
import { describe, expect, it } from 'vitest';
import { naiveHoldings, runAttack } from './orchestrator-attack-kit';
import { flowOf } from './orchestrator-test-kit';
import { createRandom, pickInt } from './random';

const EPOCHS = 10;
const cases = Array.from({ length: 8 }, (_, i) => {
  const random = createRandom(100 + i);
  return { seed: 100 + i, d: 10_000 * (1 + pickInt(random, 50)), honest: i % 2 ? 0 : 200_000 * (1 + pickInt(random, 10)), keys: 2 + pickInt(random, 10) };
});

describe('the naive rule the design warns about (reference)', () => {
  it('lets a pair moving 100 one way each epoch reach 1,100 alone and 110 beside 1,000 of honest flow', () => {
    expect(naiveHoldings({ d: 100_000, honest: 0, epochs: 10, attack: 'pair' })).toBe(1_100_000);
    expect(naiveHoldings({ d: 100_000, honest: 1_000_000, epochs: 10, attack: 'pair' })).toBe(110_080);
  });
});

describe.each(cases)('seed $seed: d = $d milli, honest flow $honest milli per epoch, $keys keys', ({ d, honest, keys }) => {
  const names = Array.from({ length: keys }, (_, i) => `sybil-${i}`);

  it('attack 1: two accounts paying back and forth within each epoch mint nothing and change no honest mint', () => {
    const idle = runAttack({ d, honest, epochs: EPOCHS, attackers: ['P', 'Q'], attack: () => [] });
    const run = runAttack({
      d, honest, epochs: EPOCHS, attackers: ['P', 'Q'],
      // Ever more round trips of everything they hold: unbounded flow under the naive rule.
      attack: (k, h) => Array.from({ length: 2 * (k + 1) * keys }, (_, i) => (i % 2 ? flowOf(i, 'Q', 'P', h) : flowOf(i, 'P', 'Q', h))),
    });
    expect(run.mintedByEpoch.every((m) => m === 0)).toBe(true);
    expect(run.honestMinted).toBe(idle.honestMinted);
  });

  it('attack 2: a pair moving its holdings one way each epoch mints at most ρ·d/C = d/4 in all', () => {
    const run = runAttack({ d, honest, epochs: EPOCHS, attackers: ['P', 'Q'], attack: (k, h) => [k % 2 ? flowOf(1, 'Q', 'P', h) : flowOf(1, 'P', 'Q', h)] });
    expect(run.holdings - d).toBeLessThanOrEqual(d / 4);
    // Only the first epoch's increase: the window nets every later one away.
    expect(new Set(run.mintedByEpoch).size).toBe(1);
    expect(naiveHoldings({ d, honest, epochs: EPOCHS, attack: 'pair' }) - d).toBeGreaterThan(run.holdings - d);
  });

  it('a ring of keys passing its holdings on (payments returned as plain transfers) mints at most d/3', () => {
    const run = runAttack({ d, honest, epochs: EPOCHS, attackers: names, attack: (k, h) => [flowOf(1, names[k % keys]!, names[(k + 1) % keys]!, h)] });
    const total = run.mintedByEpoch[EPOCHS - 1]!;
    expect(total).toBeLessThanOrEqual(Math.floor(d / 3) + 1);
    // A geometric series of ratio ρ/C = ¼ (each mint feeds the next increase), not d per epoch.
    expect(run.mintedByEpoch[EPOCHS - 1]! - run.mintedByEpoch[EPOCHS - 4]!).toBeLessThanOrEqual(Math.ceil(d / 100));
  });

  it('a job owner paying its own donor keys ever more (validating its own units) mints at most ρ · what it earned from others', () => {
    const run = runAttack({
      d, honest, epochs: EPOCHS, attackers: ['owner', ...names],
      attack: (k) => names.map((n, i) => flowOf(i, 'owner', n, 5_000 * (k + 1) * (1 + (i % 3)))),
    });
    expect(run.mintedByEpoch[EPOCHS - 1]).toBeLessThanOrEqual(d / 2);
  });

  it('the same owner with no honest earnings (credit only) mints nothing', () => {
    // The warm-up pays "owner-funded" d; the owner itself never earned from anyone.
    const run = runAttack({
      d, honest, epochs: EPOCHS, attackers: ['owner-funded', 'owner', ...names],
      attack: (k) => names.map((n, i) => flowOf(i, 'owner', n, 5_000 * (k + 1))),
    });
    expect(run.mintedByEpoch.every((m) => m === 0)).toBe(true);
  });
});

describe('honest growth still mints', () => {
  it('a steady community that grows its flow mints about half of each increase, capped by grounding', () => {
    const grow = runAttack({ d: 10_000, honest: 1_000_000, epochs: 1, attackers: ['none'], attack: () => [] });
    expect(grow.honestMinted).toBeGreaterThan(0);
  });
});
