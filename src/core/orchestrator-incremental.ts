// The orchestrator kept up to date as the ledger's flows change (same result as
// computeOrchestrator, byte for byte; orchestrator.sim.test.ts checks it after every step).
//
// The ledger's state.flows is append-only in replay order, and a partial replay cuts it back and
// appends again; so between two updates the records differ only from some index i on. What
// changes is then only the epochs those records fall in and the epochs after them:
// - records of the open epoch only (the usual case: a new payment now): the open sums change,
//   the complete epochs are reused — O(records changed);
// - the clock passed an epoch end: the newly complete epochs are minted on top of the live state;
// - a late record for a complete epoch: the epochs from the oldest changed one on are taken back
//   out of the live state (undoMintEpoch subtracts their payments and mints: the sums are
//   additive, so this costs those epochs' records, not the state's size) and minted again; undo
//   records are kept for the last UNDO_EPOCHS epochs, and an older change recomputes from scratch.
// Buckets keep each epoch's records in arrival order, so the cut-back suffix is the tail of
// every bucket it touches, whatever the records' times.

import type { Currency } from './amounts';
import { epochEnd, epochOf, epochStart, lastCompleteEpoch } from './epochs';
import type { Balance, FlowRecord } from './ledger-state';
import { createMinterState, DEFAULT_MINT_RULES, mintEpochUndoable, undoMintEpoch, type EpochMint, type MinterState, type MintRules, type MintUndo, type Payment } from './mint';
import { CURRENCIES, type OrchestratorResult } from './orchestrator';

/** Epochs kept undoable: a late record up to this many epochs back costs no full recompute. */
export const UNDO_EPOCHS = 16;

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
  /** Undo records of the last UNDO_EPOCHS minted epochs, by epoch. */
  private undos = new Map<number, Record<Currency, MintUndo>>();
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
    const undone = this.done.slice(keep.length);
    if (undone.every((d) => this.undos.has(d.epoch))) {
      for (const d of undone.reverse()) {
        const u = this.undos.get(d.epoch)!;
        undoMintEpoch(this.live.MH, u.MH);
        undoMintEpoch(this.live.CH, u.CH);
        this.undos.delete(d.epoch);
      }
      this.done = keep;
    } else {
      this.live = { MH: createMinterState(), CH: createMinterState() };
      this.done = [];
      this.undos.clear();
    }
  }

  private mintUpTo(through: number): void {
    const last = this.done[this.done.length - 1]?.epoch ?? Number.NEGATIVE_INFINITY;
    const pending = [...this.buckets.keys()].filter((e) => e > last && e <= through && this.hasFlow(e)).sort((a, b) => a - b);
    pending.forEach((epoch, n) => {
      const [mh, ch] = this.buckets.get(epoch)!;
      // Copies: the buckets change later, an undo must subtract what was applied.
      const a = mintEpochUndoable(this.live.MH, epoch, mh!.slice(), this.rules);
      const b = mintEpochUndoable(this.live.CH, epoch, ch!.slice(), this.rules);
      this.done = [...this.done, { epoch, MH: a.mint, CH: b.mint }];
      if (pending.length - n <= UNDO_EPOCHS) {
        this.undos.set(epoch, { MH: a.undo, CH: b.undo });
        while (this.undos.size > UNDO_EPOCHS) this.undos.delete(Math.min(...this.undos.keys()));
      }
    });
  }

  private hasFlow(epoch: number): boolean {
    const b = this.buckets.get(epoch);
    return !!b && (b[0]!.length > 0 || b[1]!.length > 0);
  }

  /** The complete epochs' part of the result, rebuilt only when they changed. */
  private complete: Pick<OrchestratorResult, 'epochs' | 'minted' | 'supply'> | undefined;
  private completeOf: readonly unknown[] | undefined;

  private result(through: number): OrchestratorResult {
    const open = { MH: 0, CH: 0 };
    const b = this.buckets.get(through + 1);
    if (b) for (const [n, c] of [[0, 'MH'], [1, 'CH']] as const) for (const p of b[n]!) open[c] += p.amount;
    if (!this.complete || this.completeOf !== this.done || this.complete.epochs.length !== this.done.length) {
      const minted = new Map<string, Balance>();
      for (const c of CURRENCIES) {
        for (const [account, amount] of this.live[c].minted) {
          const m = minted.get(account) ?? { MH: 0, CH: 0 };
          minted.set(account, { ...m, [c]: amount } as Balance);
        }
      }
      this.complete = {
        epochs: this.done.map((d) => ({ epoch: d.epoch, start: epochStart(d.epoch, this.epochMs), end: epochEnd(d.epoch, this.epochMs), MH: d.MH, CH: d.CH })),
        minted,
        supply: { MH: this.live.MH.supply, CH: this.live.CH.supply },
      };
      this.completeOf = this.done;
    }
    return { epochMs: this.epochMs, rules: this.rules, throughEpoch: through, ...this.complete, open: { epoch: through + 1, gross: open } };
  }
}
