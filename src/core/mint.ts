// Flow-linked minting for one currency, epoch by epoch (docs/ORCHESTRATOR.md "Minting").
//
// The rules, for complete epochs k in ascending order (all integer milli, no floats):
// 1. Net position p_k(a) = what a was paid in epoch k's flows − what it paid in them. Cycles of
//    the epoch's flow graph add nothing to anyone's position, and an account that passed hours on
//    counts only for what it kept, so what is left is the surplus → deficit flow, the same
//    whatever order the flows are summed in (no choice of which cycle to cancel first).
// 2. Window: a's clean supply s_k(a) = min(p_k(a)⁺, (Σ_{j=k−W+1..k} p_j(a))⁺). Paying the same
//    hours back in a later epoch of the window cancels them (a pair moving d to and fro).
// 3. Clean flow F_k = Σ_a s_k(a). Baseline B_k = the largest F_j of the W epochs before k (an
//    epoch without flow counts 0). Increase Δ_k = (F_k − B_k)⁺: a flow that only returns to a
//    recent level after a dip mints nothing, so bunching flow into alternate epochs gains nothing.
// 4. Mint total T_k = floor(Δ_k · num / den) (MINT_SHARE = ½): only a share of the increase. A
//    cluster that puts everything minted back into fake flow raises the next epoch's flow by
//    what it got, so each mint is at most half the one before: in total at most d (ρ/(1−ρ)·d)
//    for holdings d, however long it runs, instead of d per epoch.
// 5. Weights: w(a) = s_k(a) · min(c(a), C), c(a) = the distinct accounts that paid a more than
//    a paid them over the window (C = 2). Pro rata: a's share = T_k · w(a) / (F_k · C), split
//    exactly by largest remainder (mint-shares.ts); what weights leave over is not minted.
// 6. Cap by what a fresh key cannot grow: a's cumulative mint ≤ ρ · its grounded income
//    Γ(a) = Σ_payers p min(in(p→a), floor(in(p→a) · (E(p) − in(a→p))⁺ / out(p))), cumulative through
//    epoch k, where E(p) is what p was paid by anyone and out(p) what p paid: a payment grounds
//    a's mint only as far as its payer had earned from others than a, and a payer's earnings
//    ground its payees pro rata (Σ over payees ≤ E(p)), so making more payee keys grounds no more.
//    The part of a share above the cap is not minted (withheld).
// Every value is a sum over the epoch's flows, so the result does not depend on their order.

import { splitProRata, type Weighted } from './mint-shares';

export interface MintRules {
  /** W: epochs netted together (positions) and looked back on (baseline). */
  readonly window: number;
  /** ρ = num / den: the share of an increase that is minted. */
  readonly mintShare: readonly [number, number];
  /** C: distinct paying counterparties for a full weight. */
  readonly counterparties: number;
}

export const DEFAULT_MINT_RULES: MintRules = { window: 4, mintShare: [1, 2], counterparties: 2 };

/** What a flow contributes to the minting: payer paid payee `amount` milli. */
export interface Payment {
  readonly payer: string;
  readonly payee: string;
  readonly amount: number;
}

export interface EpochMint {
  readonly epoch: number;
  /** Σ of the epoch's payments, before any netting. */
  readonly gross: number;
  /** F_k: the clean surplus → deficit flow. */
  readonly flow: number;
  readonly baseline: number;
  readonly increase: number;
  /** Σ mints (≤ floor(ρ·increase)). */
  readonly minted: number;
  /** floor(ρ·increase) − minted: left unminted by weights and caps. */
  readonly withheld: number;
  /** Accounts with s_k > 0. */
  readonly suppliers: number;
  /** [account, milli], by account id. */
  readonly mints: readonly (readonly [string, number])[];
}

interface WindowEpoch {
  readonly epoch: number;
  readonly flow: number;
  readonly positions: Map<string, number>;
  /** payee → payer → amount paid in this epoch. */
  readonly incoming: Map<string, Map<string, number>>;
}

/** The cumulative state of one currency's minting after some epoch; cloned for checkpoints. */
export interface MinterState {
  window: WindowEpoch[];
  /** payee → payer → cumulative amount. */
  inPair: Map<string, Map<string, number>>;
  earned: Map<string, number>;
  paid: Map<string, number>;
  minted: Map<string, number>;
  supply: number;
}

export function createMinterState(): MinterState {
  return { window: [], inPair: new Map(), earned: new Map(), paid: new Map(), minted: new Map(), supply: 0 };
}

/** A copy that the original's later epochs leave untouched (window epochs are never mutated). */
export function cloneMinterState(s: MinterState): MinterState {
  const inPair = new Map<string, Map<string, number>>();
  for (const [k, v] of s.inPair) inPair.set(k, new Map(v));
  return { window: [...s.window], inPair, earned: new Map(s.earned), paid: new Map(s.paid), minted: new Map(s.minted), supply: s.supply };
}

function add(map: Map<string, number>, key: string, delta: number): void {
  map.set(key, (map.get(key) ?? 0) + delta);
}

function addPair(map: Map<string, Map<string, number>>, payee: string, payer: string, amount: number): void {
  let m = map.get(payee);
  if (!m) map.set(payee, (m = new Map()));
  add(m, payer, amount);
}

/**
 * Grounded income Γ(a) (rule 6), from the cumulative maps. With `enough`, stops summing once the
 * sum reaches it (every term is ≥ 0, so the cap is known to be no constraint then).
 */
export function groundedIncome(s: MinterState, account: string, enough = Number.POSITIVE_INFINITY): number {
  const payers = s.inPair.get(account);
  if (!payers) return 0;
  let total = 0;
  for (const [payer, paidIn] of payers) {
    const back = s.inPair.get(payer)?.get(account) ?? 0;
    const other = (s.earned.get(payer) ?? 0) - back;
    if (other <= 0) continue;
    const out = s.paid.get(payer)!;
    // Exact floor(paidIn · other / out): in doubles while the product is below 2^52 (then the
    // rounded quotient cannot reach the next integer), else BigInt.
    const product = paidIn * other;
    const grounded = product < 2 ** 52 ? Math.floor(product / out) : Number((BigInt(paidIn) * BigInt(other)) / BigInt(out));
    total += Math.min(grounded, paidIn);
    if (total >= enough) return total;
  }
  return total;
}

/**
 * Applies one complete epoch's payments (any order) to `s` and returns its mint. Epochs must be
 * given in ascending order; an epoch without payments may be skipped (it counts as flow 0).
 */
export function mintEpoch(s: MinterState, epoch: number, payments: readonly Payment[], rules: MintRules = DEFAULT_MINT_RULES): EpochMint {
  return mintEpochUndoable(s, epoch, payments, rules).mint;
}

/** What undoMintEpoch needs to take one minted epoch back out of a state. */
export interface MintUndo {
  readonly payments: readonly Payment[];
  readonly mint: EpochMint;
  readonly windowBefore: readonly WindowEpoch[];
}

function subtract(map: Map<string, number>, key: string, amount: number): void {
  const v = (map.get(key) ?? 0) - amount;
  // Removed at 0, so the state is the one that never saw the amount (no zero entries).
  if (v === 0) map.delete(key);
  else map.set(key, v);
}

/**
 * Takes the newest minted epoch back out of `s` (undo records must be undone newest first):
 * the cumulative sums are additive, so this costs the epoch's payments, not the state's size.
 */
export function undoMintEpoch(s: MinterState, undo: MintUndo): void {
  for (const p of undo.payments) {
    if (p.payer === p.payee || !(p.amount > 0)) continue;
    const inner = s.inPair.get(p.payee)!;
    subtract(inner, p.payer, p.amount);
    if (inner.size === 0) s.inPair.delete(p.payee);
    subtract(s.earned, p.payee, p.amount);
    subtract(s.paid, p.payer, p.amount);
  }
  for (const [account, amount] of undo.mint.mints) subtract(s.minted, account, amount);
  s.supply -= undo.mint.minted;
  s.window = [...undo.windowBefore];
}

export function mintEpochUndoable(s: MinterState, epoch: number, payments: readonly Payment[], rules: MintRules = DEFAULT_MINT_RULES): { mint: EpochMint; undo: MintUndo } {
  const windowBefore = s.window;
  const W = rules.window;
  // Epochs that fell out of the window no longer count (gaps count as empty epochs).
  s.window = s.window.filter((w) => w.epoch > epoch - W);
  const positions = new Map<string, number>();
  const incoming = new Map<string, Map<string, number>>();
  let gross = 0;
  for (const p of payments) {
    // Paying oneself delivers nothing to anyone (a hostile reducer's record at most).
    if (p.payer === p.payee || !(p.amount > 0)) continue;
    gross += p.amount;
    add(positions, p.payee, p.amount);
    add(positions, p.payer, -p.amount);
    addPair(incoming, p.payee, p.payer, p.amount);
    addPair(s.inPair, p.payee, p.payer, p.amount);
    add(s.earned, p.payee, p.amount);
    add(s.paid, p.payer, p.amount);
  }
  // Rules 1–3: clean supply per account, flow, baseline, increase.
  const supply = new Map<string, number>();
  let flow = 0;
  for (const [account, p] of positions) {
    if (p <= 0) continue;
    let windowed = p;
    for (const w of s.window) windowed += w.positions.get(account) ?? 0;
    const clean = Math.min(p, Math.max(0, windowed));
    if (clean > 0) {
      supply.set(account, clean);
      flow += clean;
    }
  }
  const baseline = s.window.reduce((m, w) => Math.max(m, w.flow), 0);
  const increase = Math.max(0, flow - baseline);
  const [num, den] = rules.mintShare;
  const total = Math.floor((increase * num) / den);
  const current: WindowEpoch = { epoch, flow, positions, incoming };
  const windowEpochs = [...s.window, current];
  // Rule 5: weights by distinct net payers over the window.
  const C = rules.counterparties;
  const weighted: Weighted[] = [];
  const paidIn = new Map<string, number>(); // reused per supplier: allocation dominated the run
  if (total > 0) for (const [account, clean] of supply) {
    paidIn.clear();
    for (const w of windowEpochs) for (const [payer, amount] of w.incoming.get(account) ?? []) add(paidIn, payer, amount);
    let distinct = 0;
    for (const [payer, amount] of paidIn) {
      let back = 0;
      for (const w of windowEpochs) back += w.incoming.get(payer)?.get(account) ?? 0;
      if (amount > back && ++distinct >= C) break;
    }
    weighted.push({ account, weight: BigInt(clean) * BigInt(Math.min(distinct, C)) });
  }
  // Σ weights ≤ F·C: scale the total down by Σw / (F·C) first, then split it exactly.
  const sumWeights = weighted.reduce((a, w) => a + w.weight, 0n);
  const scaled = flow > 0 ? Number((BigInt(total) * sumWeights) / (BigInt(flow) * BigInt(C))) : 0;
  const shares = splitProRata(scaled, weighted);
  // Rule 6: cap by grounded income.
  const mints: [string, number][] = [];
  let minted = 0;
  for (const [account, share] of shares) {
    const already = s.minted.get(account) ?? 0;
    // Γ·ρ ≥ already + share ⇔ Γ ≥ ceil((already + share)·den/num): no need to sum further.
    const enough = Math.ceil(((already + share) * den) / num);
    const cap = Math.max(0, Math.floor((groundedIncome(s, account, enough) * num) / den) - already);
    const amount = Math.min(share, cap);
    if (amount <= 0) continue;
    mints.push([account, amount]);
    add(s.minted, account, amount);
    minted += amount;
  }
  mints.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  s.supply += minted;
  s.window = windowEpochs;
  const mint: EpochMint = { epoch, gross, flow, baseline, increase, minted, withheld: total - minted, suppliers: supply.size, mints };
  return { mint, undo: { payments, mint, windowBefore } };
}
