// The orchestrator kept up to date as the ledger's flows change (same result as
// computeOrchestrator, byte for byte; orchestrator.sim.test.ts checks it after every step).
//
// The ledger's state.flows is append-only in replay order, and a partial replay cuts it back and
// appends again; so between two updates the records differ only from some index i on. What
// changes is then only the epochs those records fall in and the epochs after them:
// - records of the open epoch only (the usual case: a new payment now): the open sums change,
//   the complete epochs are reused — O(records changed);
// - the clock passed an epoch end: the newly complete epochs are minted on top of the live state;
// - a late record for a complete epoch: minting restarts from the checkpoint taken before the
//   oldest changed epoch (one kept before each of the last CHECKPOINTS epochs), or from scratch
//   when that epoch is older.
// Buckets keep each epoch's records in arrival order, so the cut-back suffix is the tail of
// every bucket it touches, whatever the records' times.

import type { Currency } from './amounts';
import { epochEnd, epochOf, epochStart, lastCompleteEpoch } from './epochs';
import type { Balance, FlowRecord } from './ledger-state';
import { cloneMinterState, createMinterState, DEFAULT_MINT_RULES, mintEpoch, type EpochMint, type MinterState, type MintRules, type Payment } from './mint';
import { CURRENCIES, type OrchestratorResult } from './orchestrator';

/** Checkpoints kept: a late record up to this many epochs back restarts from one. */
export const CHECKPOINTS = 8;

function sameFlow(a: FlowRecord, b: FlowRecord): boolean {
  return a === b || (a.entryId === b.entryId && a.payee === b.payee && a.payer === b.payer && a.amount === b.amount
    && a.currency === b.currency && a.time === b.time && a.source === b.source);
}

export class IncrementalOrchestrator {
  private seen: FlowRecord[] = [];
  private buckets = new Map<number, Payment[][]>(); // epoch → [MH payments, CH payments]
  private through = Number.NEGATIVE_INFINITY;
  /** Complete epochs minted, ascending, with their per-currency results. */
  private done: { epoch: number; MH: EpochMint; CH: EpochMint }[] = [];
  private live: Record<Currency, MinterState> = { MH: createMinterState(), CH: createMinterState() };
  /** Before-epoch states of the last CHECKPOINTS minted epochs. */
  private checkpoints = new Map<number, Record<Currency, MinterState>>();
  private cached: OrchestratorResult | undefined;

  constructor(readonly epochMs: number, readonly rules: MintRules = DEFAULT_MINT_RULES) {}

  /** Brings the result up to `flows` (the ledger's state.flows, or any list) at clock `now`. */
  update(flows: readonly FlowRecord[], now: number): OrchestratorResult {
    let i = 0;
    const common = Math.min(flows.length, this.seen.length);
    while (i < common && sameFlow(flows[i]!, this.seen[i]!)) i++;
    let dirty = Number.POSITIVE_INFINITY;
    for (let j = this.seen.length - 1; j >= i; j--) {
      const f = this.seen[j]!;
      const epoch = epochOf(f.time, this.epochMs);
      dirty = Math.min(dirty, epoch);
      this.buckets.get(epoch)![f.currency === 'MH' ? 0 : 1]!.pop();
    }
    this.seen.length = i;
    for (let j = i; j < flows.length; j++) {
      const f = flows[j]!;
      const epoch = epochOf(f.time, this.epochMs);
      dirty = Math.min(dirty, epoch);
      let b = this.buckets.get(epoch);
      if (!b) this.buckets.set(epoch, (b = [[], []]));
      b[f.currency === 'MH' ? 0 : 1]!.push(f);
      this.seen.push(f);
    }
    const through = lastCompleteEpoch(now, this.epochMs);
    if (dirty <= this.through) this.rewind(dirty);
    if (through < this.through) this.rewind(through + 1); // a clock set back: never expected, still exact
    if (through > this.through || dirty <= through || !this.cached) this.mintUpTo(through);
    this.through = through;
    this.cached = this.result(through);
    return this.cached;
  }

  /** Puts the live state back to before `epoch`. */
  private rewind(epoch: number): void {
    const keep = this.done.filter((d) => d.epoch < epoch);
    if (keep.length === this.done.length) return;
    const restartAt = this.done[keep.length]!.epoch;
    const cp = this.checkpoints.get(restartAt);
    if (cp) {
      this.live = { MH: cloneMinterState(cp.MH), CH: cloneMinterState(cp.CH) };
      this.done = keep;
      for (const e of [...this.checkpoints.keys()]) if (e > restartAt) this.checkpoints.delete(e);
      this.checkpoints.delete(restartAt);
    } else {
      this.live = { MH: createMinterState(), CH: createMinterState() };
      this.done = [];
      this.checkpoints.clear();
    }
  }

  private mintUpTo(through: number): void {
    const last = this.done[this.done.length - 1]?.epoch ?? Number.NEGATIVE_INFINITY;
    const pending = [...this.buckets.keys()].filter((e) => e > last && e <= through && this.hasFlow(e)).sort((a, b) => a - b);
    pending.forEach((epoch, n) => {
      if (pending.length - n <= CHECKPOINTS) {
        this.checkpoints.set(epoch, { MH: cloneMinterState(this.live.MH), CH: cloneMinterState(this.live.CH) });
        while (this.checkpoints.size > CHECKPOINTS) this.checkpoints.delete(Math.min(...this.checkpoints.keys()));
      }
      const [mh, ch] = this.buckets.get(epoch)!;
      this.done.push({ epoch, MH: mintEpoch(this.live.MH, epoch, mh!, this.rules), CH: mintEpoch(this.live.CH, epoch, ch!, this.rules) });
    });
  }

  private hasFlow(epoch: number): boolean {
    const b = this.buckets.get(epoch);
    return !!b && (b[0]!.length > 0 || b[1]!.length > 0);
  }

  private result(through: number): OrchestratorResult {
    const open = { MH: 0, CH: 0 };
    const b = this.buckets.get(through + 1);
    if (b) for (const [n, c] of [[0, 'MH'], [1, 'CH']] as const) for (const p of b[n]!) open[c] += p.amount;
    const minted = new Map<string, Balance>();
    for (const c of CURRENCIES) {
      for (const [account, amount] of this.live[c].minted) {
        const m = minted.get(account) ?? { MH: 0, CH: 0 };
        minted.set(account, { ...m, [c]: amount } as Balance);
      }
    }
    return {
      epochMs: this.epochMs,
      rules: this.rules,
      throughEpoch: through,
      epochs: this.done.map((d) => ({ epoch: d.epoch, start: epochStart(d.epoch, this.epochMs), end: epochEnd(d.epoch, this.epochMs), MH: d.MH, CH: d.CH })),
      open: { epoch: through + 1, gross: open },
      minted,
      supply: { MH: this.live.MH.supply, CH: this.live.CH.supply },
    };
  }
}
