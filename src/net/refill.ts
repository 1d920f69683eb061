// Refilling a document generation (see ./generations.ts) from this peer's verified entries,
// without every peer writing every entry.
//
// Yjs keeps one item per write: when N peers each write the same 100,000 keys into a fresh
// document, N − 1 of the writes of each key become tombstones, the very thing a new generation
// sheds. So a peer owes a document the entries it holds and the document lacks, and pays them:
// - 'staggered' (entering a generation around its start, when every peer enters it with an
//   empty document): not at once but after a random delay (minDelayMs..maxDelayMs) from the moment
//   it first owed something, so the peers that enter together do not all write together;
// - 'on-sync' (entering a generation that peers have filled long ago: a first visit, a return
//   after a week away): as soon as every connected peer has sent its document, which brings
//   nearly everything; alone, after that random delay (a peer may still connect meanwhile);
// - either way, not before a connected peer has sent its document (`peers()` is 'waiting'):
//   what it sends need not be written;
// - not while another peer is paying: an owed entry that arrives from someone else (identical
//   bytes) is struck off, and a payment waits until quietMs has passed without such an arrival;
//   that back-off lasts at most maxBackoffMs from the first owed entry (a hostile member who
//   replays entries slowly cannot keep honest peers from refilling);
// - only what the document still lacks when each slice is written (`writeMissing` checks);
// - in slices of sliceSize entries, one per task, so 100,000 entries do not freeze the page.
// Two peers can still write one entry if their delays end within the time an update takes to
// travel between them: rare, and each such duplicate costs one tombstone, once per generation.
export interface RefillTiming {
  minDelayMs: number;
  maxDelayMs: number;
  quietMs: number;
  maxBackoffMs: number;
  sliceSize: number;
}

export const DEFAULT_REFILL: RefillTiming = { minDelayMs: 2_000, maxDelayMs: 10_000, quietMs: 1_500, maxBackoffMs: 30_000, sliceSize: 2_000 };

/** The room of the document: nobody connected, a peer whose document has not arrived, all synced. */
export type PeerState = 'alone' | 'waiting' | 'synced';
export type RefillMode = 'staggered' | 'on-sync';

export interface RefillOptions {
  mode: RefillMode;
  timing: RefillTiming;
  random: () => number;
  /** A monotonic clock in milliseconds. */
  clock: () => number;
  peers: () => PeerState;
  /** Writes those of `ids` the document lacks or holds differently, in one transaction. */
  writeMissing: (ids: string[]) => void;
}

export class DocumentRefill {
  readonly #opts: RefillOptions;
  readonly #owed = new Set<string>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** When the current round began (its first owed entry): bounds the back-off. */
  #since = 0;
  /** This round's random delay. */
  #delay = 0;
  #arrivedAt = Number.NEGATIVE_INFINITY;
  #closed = false;

  constructor(opts: RefillOptions) {
    this.#opts = opts;
  }

  /** How many entries this peer still owes the document. */
  get owed(): number {
    return this.#owed.size;
  }

  owe(ids: Iterable<string>): void {
    if (this.#closed) return;
    for (const id of ids) this.#owed.add(id);
    if (this.#owed.size === 0 || this.#timer !== undefined) return;
    const { minDelayMs, maxDelayMs } = this.#opts.timing;
    this.#since = this.#opts.clock();
    this.#delay = minDelayMs + this.#opts.random() * (maxDelayMs - minDelayMs);
    this.#timer = setTimeout(this.#pay, this.#opts.mode === 'staggered' ? this.#delay : 0);
  }

  /** Another peer wrote `id`, identical to ours, into the document. */
  arrived(id: string): void {
    if (this.#owed.delete(id)) this.#arrivedAt = this.#opts.clock();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#owed.clear();
  }

  #pay = (): void => {
    this.#timer = undefined;
    if (this.#closed || this.#owed.size === 0) return;
    const { quietMs, maxBackoffMs, sliceSize } = this.#opts.timing;
    const now = this.#opts.clock();
    const elapsed = now - this.#since;
    const peers = this.#opts.peers();
    const othersPaying = now - this.#arrivedAt < quietMs;
    // 'staggered': the delay has passed (the first timer). 'on-sync': synced, or alone that long.
    const ready = this.#opts.mode === 'staggered'
      ? peers !== 'waiting' && !othersPaying
      : (peers === 'synced' && !othersPaying) || (peers === 'alone' && elapsed >= this.#delay);
    const limit = maxBackoffMs + (this.#opts.mode === 'staggered' ? 0 : this.#delay);
    if (!ready && elapsed < limit) {
      const retry = this.#opts.mode === 'staggered' ? quietMs * (1 + this.#opts.random()) : Math.min(quietMs, 250);
      this.#timer = setTimeout(this.#pay, retry);
      return;
    }
    const slice: string[] = [];
    for (const id of this.#owed) {
      slice.push(id);
      if (slice.length >= sliceSize) break;
    }
    for (const id of slice) this.#owed.delete(id);
    this.#opts.writeMissing(slice);
    if (this.#owed.size > 0) this.#timer = setTimeout(this.#pay, 0);
  };
}
