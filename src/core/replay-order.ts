// The entries a ledger's state applied, in replay order, with checkpoints to rewind to (used by
// ledger.ts: its incremental and partial paths, and every full replay).
//
// Invariants:
// - `entries` is sorted by compareReplayOrder and is exactly what the state applied, in order.
// - A checkpoint at position p is a snapshot of the state after applying entries[0..p); one is
//   taken at every position that is a multiple of `every`, and only the last `kept` are kept. So
//   memory is bounded by kept × accounts, and a rewind re-applies fewer than
//   every + (entries after the insertion point) entries. Inserting at an index ≥ p leaves a
//   checkpoint at p valid.
// - Performance only: whichever checkpoint a rewind starts from, the state it ends with is the
//   one a replay of `entries` from the start gives.
import type { StoredEntry } from './entry-store';
import { restoreState, snapshotState, type LedgerState, type StateSnapshot } from './ledger-state';
import { applyEntry, compareReplayOrder, type EntryStatus } from './replay';

interface Checkpoint {
  /** Replay position: the state after applying entries[0..pos). */
  pos: number;
  snap: StateSnapshot;
}

export class ReplayOrder {
  #entries: StoredEntry[] = [];
  /** Ascending pos, all ≤ entries.length. */
  #checkpoints: Checkpoint[] = [];
  readonly #every: number;
  readonly #kept: number;

  constructor(every: number, kept: number) {
    this.#every = Math.max(1, Math.floor(every));
    this.#kept = Math.max(1, Math.floor(kept));
  }

  /**
   * Applies `chain` (already in replay order) to `state`, a fresh state, setting each entry's
   * status; checkpoints are taken only where they can still be kept (the last `kept` multiples).
   */
  applyAll(chain: StoredEntry[], state: LedgerState, statuses: Map<string, EntryStatus>): void {
    const every = this.#every;
    const firstKept = Math.max(0, (Math.floor(chain.length / every) - this.#kept + 1) * every);
    const checkpoints: Checkpoint[] = [];
    if (firstKept === 0) checkpoints.push({ pos: 0, snap: snapshotState(state) });
    for (let i = 0; i < chain.length; i++) {
      const e = chain[i]!;
      statuses.set(e.id, applyEntry(state, e));
      if ((i + 1) % every === 0 && i + 1 >= firstKept) checkpoints.push({ pos: i + 1, snap: snapshotState(state) });
    }
    this.#entries = chain;
    this.#checkpoints = checkpoints;
  }

  /** True when `e` sorts after every entry applied so far (it can be applied on top). */
  sortsLast(e: StoredEntry): boolean {
    const last = this.#entries[this.#entries.length - 1];
    return !last || compareReplayOrder(e, last) > 0;
  }

  /** Applies `e` on top of `state` (it sorts last, see sortsLast); returns its status. */
  append(e: StoredEntry, state: LedgerState): EntryStatus {
    this.#entries.push(e);
    const status = applyEntry(state, e);
    if (this.#entries.length % this.#every === 0) this.#checkpoint(this.#entries.length, state);
    return status;
  }

  /**
   * Puts `e` at its place without applying it; returns that index, or null when it is older than
   * every checkpoint kept (nothing changed: only a full replay can place it).
   */
  insert(e: StoredEntry): number | null {
    let lo = 0;
    let hi = this.#entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareReplayOrder(this.#entries[mid]!, e) < 0) lo = mid + 1;
      else hi = mid;
    }
    if (lo < this.#checkpoints[0]!.pos) return null;
    this.#entries.splice(lo, 0, e);
    return lo;
  }

  /** Puts `state` back to the last checkpoint at or before `index` and re-applies from there. */
  rewindAndReapply(index: number, state: LedgerState, statuses: Map<string, EntryStatus>): void {
    while (this.#checkpoints[this.#checkpoints.length - 1]!.pos > index) this.#checkpoints.pop();
    const from = this.#checkpoints[this.#checkpoints.length - 1]!;
    restoreState(state, from.snap);
    for (let i = from.pos; i < this.#entries.length; i++) {
      const e = this.#entries[i]!;
      statuses.set(e.id, applyEntry(state, e));
      if ((i + 1) % this.#every === 0) this.#checkpoint(i + 1, state);
    }
  }

  #checkpoint(pos: number, state: LedgerState): void {
    this.#checkpoints.push({ pos, snap: snapshotState(state) });
    if (this.#checkpoints.length > this.#kept) this.#checkpoints.shift();
  }
}
