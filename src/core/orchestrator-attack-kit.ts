// Agent models of self-dealing against the mint rules (orchestrator-attacks.sim.test.ts and the
// numbers in docs/ORCHESTRATOR.md). Each epoch the attackers produce flow records from what they
// hold, mints included (they are credited at the epoch's end, mint.ts), next to a steady honest
// community; the orchestrator is recomputed at each epoch end. Never used by the app.
import { computeOrchestrator } from './orchestrator';
import { acct, flowOf } from './orchestrator-test-kit';
import type { FlowRecord } from './ledger-state';

export const EPOCH_MS = 60_000;
export const FIRST = 29_500_000;

/**
 * A steady honest community of `size` milli per epoch: 8 members, each paid by two others and
 * paying two others (so everyone's income is grounded), plus two net suppliers.
 */
export function steadyHonest(epoch: number, size: number): FlowRecord[] {
  if (size === 0) return [];
  const t = epoch * EPOCH_MS + 1_000;
  const unit = Math.floor(size / 20);
  const out: FlowRecord[] = [];
  for (let i = 0; i < 8; i++) {
    out.push(flowOf(t + i, acct(i), acct((i + 1) % 8), unit), flowOf(t + 10 + i, acct(i), acct((i + 3) % 8), unit));
  }
  out.push(flowOf(t + 20, acct(0), acct(8), unit), flowOf(t + 21, acct(1), acct(8), unit));
  out.push(flowOf(t + 22, acct(2), acct(9), unit), flowOf(t + 23, acct(3), acct(9), unit));
  return out;
}

export interface AttackRun {
  /** Attackers' total mints after each epoch. */
  readonly mintedByEpoch: number[];
  /** Attackers' holdings (start + mints) at the end. */
  readonly holdings: number;
  readonly honestMinted: number;
}

/**
 * Runs `epochs` epochs. `attack(k, holdings)` returns the attackers' records for epoch k given
 * what they hold (d + their mints so far); `attackers` names their keys. Epoch 0 is a warm-up in
 * which the honest community pays the first attacker key `d` for real work (so its money is
 * grounded: the most favourable case for the attackers).
 */
export function runAttack(opts: { d: number; honest: number; epochs: number; attackers: string[]; attack: (k: number, holdings: number) => FlowRecord[] }): AttackRun {
  const flows: FlowRecord[] = [];
  // Warm-up long enough before the attack that the window no longer sees it.
  for (let e = FIRST - 8; e < FIRST; e++) flows.push(...steadyHonest(e, opts.honest || (e < FIRST - 5 ? 20_000 : 0)));
  const start = (FIRST - 6) * EPOCH_MS + 30_000;
  flows.push(flowOf(start, acct(0), opts.attackers[0]!, Math.floor(opts.d / 2)), flowOf(start + 1, acct(1), opts.attackers[0]!, opts.d - Math.floor(opts.d / 2)));
  const attackerSet = new Set(opts.attackers);
  const mintedOf = (r: ReturnType<typeof computeOrchestrator>) => [...r.minted].filter(([a]) => attackerSet.has(a)).reduce((s, [, b]) => s + b.MH, 0);
  const baseline = mintedOf(computeOrchestrator(flows, EPOCH_MS, FIRST * EPOCH_MS));
  const mintedByEpoch: number[] = [];
  let result = computeOrchestrator(flows, EPOCH_MS, FIRST * EPOCH_MS);
  for (let k = 0; k < opts.epochs; k++) {
    const epoch = FIRST + k;
    const holdings = opts.d + mintedOf(result) - baseline;
    flows.push(...steadyHonest(epoch, opts.honest), ...opts.attack(k, holdings).map((f) => ({ ...f, time: epoch * EPOCH_MS + 40_000 + (f.time % 1_000) })));
    result = computeOrchestrator(flows, EPOCH_MS, (epoch + 1) * EPOCH_MS);
    mintedByEpoch.push(mintedOf(result) - baseline);
  }
  const total = result.supply.MH - baseline - (mintedByEpoch[mintedByEpoch.length - 1] ?? 0);
  return { mintedByEpoch, holdings: opts.d + (mintedByEpoch[mintedByEpoch.length - 1] ?? 0), honestMinted: total };
}

/**
 * The naive rule the design warns about: mint the whole increase of gross flow to the epoch's
 * payees pro rata, no netting, no cap. Same agents. Returns the attackers' holdings at the end.
 */
export function naiveHoldings(opts: { d: number; honest: number; epochs: number; attack: 'pair' }): number {
  let holdings = opts.d;
  let previous = opts.honest; // the honest flow was there before
  for (let k = 0; k < opts.epochs; k++) {
    const flow = opts.honest + holdings;
    const increase = Math.max(0, flow - previous);
    holdings += Math.floor((increase * holdings) / flow);
    previous = flow;
  }
  return holdings;
}
