// The Ledger: a thin class over the store, authenticity, replay and reducers.
//
// Invariants:
// - The state is a pure function of (the set of entries received, the clock horizon): whatever
//   order or batching entries arrive in, once two peers hold the same set and their clocks have
//   passed the same entries' times, serialize() returns the same string.
// - addEntries never throws for bad input and is idempotent; calls are serialized so two
//   overlapping calls cannot interleave their replays.
// - Clock-skew rule: an entry dated more than CLOCK_SKEW_MS after the local clock is held as
//   `pending` (it is kept, not rejected) and joins the set once the clock reaches
//   time − CLOCK_SKEW_MS; addEntries and refresh() check for such entries. Being "not yet
//   considered" rather than "rejected forever" keeps the outcome independent of when a peer first
//   saw the entry.
// - Fast paths. A new entry is "simple" when it extends its author's chain head (prev = head,
//   seq = head seq + 1, later time), creates no fork, the author is not frozen, no stored entry
//   of that author sits above it except simple entries of the same batch, and its own signature
//   is checked. Adding a simple entry changes nothing that the authenticity and chain passes
//   decide for any other entry, so the full result is "the old replay order with this entry
//   inserted at its (time, id) place":
//     * incremental: it sorts after the last replayed entry → apply it on top of the state;
//     * partial: it sorts earlier → put the state back to the last checkpoint at or before its
//       place and re-apply the entries from there (cost ∝ entries after the checkpoint).
//   Anything else (forks, pending entries unlocked, clock-released entries, batches larger than
//   INCREMENTAL_BATCH_MAX, a place older than the oldest checkpoint) triggers a full replay.
//   All three give the same state by construction; the simulation checks it byte for byte.
// - Checkpoints: a snapshot of the state (ledger-state.ts) at every replay position that is a
//   multiple of `checkpointEvery`; only the last `checkpointsKept` are kept, so memory is bounded
//   by checkpointsKept × accounts and a partial replay re-applies fewer than
//   checkpointEvery + (entries after the insertion point) entries. A checkpoint at position p is
//   the state after applying order[0..p); inserting at index ≥ p leaves it valid.

import { hashMany, type CryptoPort } from './crypto-port';
import { toHex } from './bytes';
import { checkOwnSignature, resolveAuthenticity } from './authenticity';
import { decodeEnvelope, type AccountId } from './encoding';
import { createEntryStore, insertEntry, SIG_UNKNOWN, type StoredEntry } from './entry-store';
import { buildForkProof, type ForkProof } from './fork-proof';
import {
  createLedgerState, readBalance, restoreState, serializeState, snapshotState, DEFAULT_SETTINGS,
  type Balance, type EconomySettings, type HistoryItem, type LedgerState, type Profile, type StateSnapshot,
} from './ledger-state';
import { applyEntry, compareReplayOrder, linkChains, pending, rejected, type EntryStatus } from './replay';
import type { Currency } from './amounts';
import type { EntryHead, SignedEntry } from './create-entry';

export const CLOCK_SKEW_MS = 10 * 60_000;
/** Batches larger than this go straight to a full replay (one batched signature pass is cheaper). */
const INCREMENTAL_BATCH_MAX = 16;
/** Defaults: ~0.3–0.7 ms of re-apply at most, and ≈ 1,800–2,000 entries of late arrival covered. */
const CHECKPOINT_EVERY = 256;
const CHECKPOINTS_KEPT = 8;

export interface LedgerOptions {
  crypto: CryptoPort;
  founder: AccountId;
  now: () => number;
  /** Settings before any economy-settings entry applies; defaults to DEFAULT_SETTINGS. */
  initialSettings?: EconomySettings;
  /** Tuning of the partial replay (performance only, never the outcome); defaults 256 and 8. */
  checkpointEvery?: number;
  checkpointsKept?: number;
}

export interface AddReport {
  /** Ids of entries stored for the first time by this call. */
  added: string[];
  duplicates: number;
  /** Inputs of this call that ended rejected, with a reason for a diagnostics view. */
  rejected: { id: string; reason: string }[];
  /** Inputs of this call that are held (future-dated or waiting for a predecessor). */
  pending: { id: string; reason: string }[];
  replay: 'none' | 'incremental' | 'partial' | 'full';
}

interface Checkpoint {
  /** Replay position: the state after applying order[0..pos). */
  pos: number;
  snap: StateSnapshot;
}

export class Ledger {
  private readonly store = createEntryStore();
  private state: LedgerState;
  private statuses = new Map<string, EntryStatus>();
  private readonly malformed = new Map<string, EntryStatus>();
  private heads = new Map<AccountId, StoredEntry>();
  private forkSeqs = new Map<AccountId, number>();
  private forkProofs: ForkProof[] = [];
  private order: StoredEntry[] = []; // chain entries in replay order (what the state applied)
  private checkpoints: Checkpoint[]; // ascending pos, all ≤ order.length
  private nextDue = Infinity; // earliest time of an entry held for clock skew (released once horizon ≥ it)
  private queue: Promise<unknown> = Promise.resolve();
  private readonly checkpointEvery: number;
  private readonly checkpointsKept: number;

  constructor(private readonly opts: LedgerOptions) {
    this.checkpointEvery = Math.max(1, Math.floor(opts.checkpointEvery ?? CHECKPOINT_EVERY));
    this.checkpointsKept = Math.max(1, Math.floor(opts.checkpointsKept ?? CHECKPOINTS_KEPT));
    this.state = this.initialState();
    this.checkpoints = [{ pos: 0, snap: snapshotState(this.state) }];
  }

  private initialState(): LedgerState {
    return createLedgerState(this.opts.founder, this.opts.initialSettings ?? DEFAULT_SETTINGS);
  }

  addEntries(encoded: readonly Uint8Array[]): Promise<AddReport> {
    const run = this.queue.then(() => this.addNow(encoded));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Re-checks the clock: entries held for skew join once it reaches them. */
  refresh(): Promise<AddReport> {
    return this.addEntries([]);
  }

  private async addNow(encoded: readonly Uint8Array[]): Promise<AddReport> {
    const horizon = this.opts.now() + CLOCK_SKEW_MS;
    const report: AddReport = { added: [], duplicates: 0, rejected: [], pending: [], replay: 'none' };
    // The ledger keeps the given arrays (no copy: 100k copies cost ~0.1 s); callers must not mutate them.
    const inputs = encoded.map((b) => (b instanceof Uint8Array ? b : new Uint8Array(0)));
    const ids = (await hashMany(this.opts.crypto, inputs)).map(toHex);
    const fresh: StoredEntry[] = [];
    const seen = new Set<string>();
    inputs.forEach((bytes, i) => {
      const id = ids[i]!;
      if (seen.has(id) || this.store.byId.has(id) || this.malformed.has(id)) {
        report.duplicates++;
        return;
      }
      seen.add(id);
      const decoded = decodeEnvelope(bytes);
      if (!decoded.ok) {
        this.malformed.set(id, rejected(`malformed entry: ${decoded.error}`));
        report.rejected.push({ id, reason: `malformed entry: ${decoded.error}` });
        return;
      }
      const entry: StoredEntry = { id, bytes, env: decoded.entry, sig: SIG_UNKNOWN, authentic: undefined };
      insertEntry(this.store, entry);
      fresh.push(entry);
      report.added.push(id);
    });

    const clockReleased = horizon >= this.nextDue;
    if (fresh.length > 0 || clockReleased) {
      const fast = clockReleased || fresh.length > INCREMENTAL_BATCH_MAX ? 'full' : await this.applyFresh(fresh, horizon);
      report.replay = fast;
      if (fast === 'full') await this.replayAll(horizon);
    }
    for (const e of fresh) {
      const s = this.statuses.get(e.id);
      if (s?.state === 'rejected') report.rejected.push({ id: e.id, reason: s.reason });
      else if (s?.state === 'pending') report.pending.push({ id: e.id, reason: s.reason });
    }
    return report;
  }

  /**
   * Tries the incremental and partial paths (see the header) for a small batch. Returns 'full'
   * when some entry is not simple; the caller then replays everything, which overwrites whatever
   * this did. Entries are taken in replay order, so a batch carrying an author's next few
   * entries extends the head one after the other.
   */
  private async applyFresh(fresh: StoredEntry[], horizon: number): Promise<'incremental' | 'partial' | 'full'> {
    const unprocessed = new Set(fresh);
    let rewindTo = Infinity; // lowest insertion index of an entry that did not sort last
    for (const e of [...fresh].sort(compareReplayOrder)) {
      unprocessed.delete(e);
      if (e.env.time > horizon) {
        this.statuses.set(e.id, pending(heldReason()));
        this.nextDue = Math.min(this.nextDue, e.env.time);
        continue;
      }
      if (!this.isSimple(e, unprocessed)) return 'full';
      e.authentic = await checkOwnSignature(e, this.opts.crypto);
      if (!e.authentic) {
        // Rejected as the full replay would: nothing stored sits above it, and a successor in
        // this batch (which could vouch for it) fails the head check below → full replay.
        this.statuses.set(e.id, rejected('invalid signature'));
        continue;
      }
      this.heads.set(e.env.author, e);
      const last = this.order[this.order.length - 1];
      if (rewindTo === Infinity && (!last || compareReplayOrder(e, last) > 0)) {
        this.order.push(e);
        this.statuses.set(e.id, applyEntry(this.state, e));
        this.takeCheckpointIfDue();
        continue;
      }
      const at = this.insertionIndex(e);
      if (at < this.checkpoints[0]!.pos) return 'full'; // older than every checkpoint kept
      this.order.splice(at, 0, e);
      rewindTo = Math.min(rewindTo, at);
    }
    if (rewindTo === Infinity) return 'incremental';
    this.rewindAndReapply(rewindTo);
    return 'partial';
  }

  /** True when `e` only extends its author's head (see "simple" in the header). */
  private isSimple(e: StoredEntry, unprocessed: ReadonlySet<StoredEntry>): boolean {
    const { author, seq, prev, time } = e.env;
    const log = this.store.authors.get(author)!;
    if (log.bySeq.get(seq)!.length > 1 || this.forkSeqs.has(author)) return false;
    if (log.maxSeq > seq) {
      // Only entries of this same batch may sit above it (they are checked in their turn);
      // anything else is waiting for a predecessor and may be unlocked.
      if (log.maxSeq - seq > INCREMENTAL_BATCH_MAX) return false;
      for (let s = seq + 1; s <= log.maxSeq; s++) {
        for (const above of log.bySeq.get(s) ?? []) if (!unprocessed.has(above)) return false;
      }
    }
    const head = this.heads.get(author);
    if (seq === 1) return head === undefined;
    return head !== undefined && head.id === prev && head.env.seq === seq - 1 && time > head.env.time;
  }

  /** Index in `order` where `e` belongs (order is sorted by compareReplayOrder). */
  private insertionIndex(e: StoredEntry): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareReplayOrder(this.order[mid]!, e) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Puts the state back to the last checkpoint at or before `index` and re-applies from there. */
  private rewindAndReapply(index: number): void {
    while (this.checkpoints[this.checkpoints.length - 1]!.pos > index) this.checkpoints.pop();
    const from = this.checkpoints[this.checkpoints.length - 1]!;
    restoreState(this.state, from.snap);
    for (let i = from.pos; i < this.order.length; i++) {
      const e = this.order[i]!;
      this.statuses.set(e.id, applyEntry(this.state, e));
      if ((i + 1) % this.checkpointEvery === 0) this.pushCheckpoint(i + 1);
    }
  }

  private takeCheckpointIfDue(): void {
    if (this.order.length % this.checkpointEvery === 0) this.pushCheckpoint(this.order.length);
  }

  private pushCheckpoint(pos: number): void {
    this.checkpoints.push({ pos, snap: snapshotState(this.state) });
    if (this.checkpoints.length > this.checkpointsKept) this.checkpoints.shift();
  }

  private async replayAll(horizon: number): Promise<void> {
    const isIncluded = (e: StoredEntry) => e.env.time <= horizon;
    await resolveAuthenticity(this.store, isIncluded, this.opts.crypto);
    const linked = linkChains(this.store, isIncluded);
    const state = this.initialState();
    const statuses = linked.statuses;
    this.nextDue = Infinity;
    for (const e of this.store.byId.values()) {
      if (isIncluded(e)) continue;
      statuses.set(e.id, pending(heldReason()));
      this.nextDue = Math.min(this.nextDue, e.env.time);
    }
    // Checkpoints only where they can still be kept: the last checkpointsKept multiples.
    const chain = linked.chain;
    const every = this.checkpointEvery;
    const firstKept = Math.max(0, (Math.floor(chain.length / every) - this.checkpointsKept + 1) * every);
    const checkpoints: Checkpoint[] = [];
    if (firstKept === 0) checkpoints.push({ pos: 0, snap: snapshotState(state) });
    for (let i = 0; i < chain.length; i++) {
      const e = chain[i]!;
      statuses.set(e.id, applyEntry(state, e));
      if ((i + 1) % every === 0 && i + 1 >= firstKept) checkpoints.push({ pos: i + 1, snap: snapshotState(state) });
    }
    const proofs: ForkProof[] = [];
    for (const [author, seq] of [...linked.forkSeqs].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const proof = await buildForkProof(this.store, author, seq, this.opts.crypto);
      if (proof) proofs.push(proof);
    }
    this.state = state;
    this.statuses = statuses;
    this.heads = linked.heads;
    this.forkSeqs = linked.forkSeqs;
    this.forkProofs = proofs;
    this.order = chain;
    this.checkpoints = checkpoints;
  }

  get balances(): ReadonlyMap<AccountId, Balance> {
    return this.state.balances;
  }

  balanceOf(account: AccountId): Balance {
    return readBalance(this.state, account);
  }

  statusOf(entryId: string): EntryStatus | undefined {
    return this.statuses.get(entryId) ?? this.malformed.get(entryId);
  }

  historyOf(account: AccountId): readonly HistoryItem[] {
    return this.state.history.get(account) ?? [];
  }

  profileOf(account: AccountId): Profile | undefined {
    return this.state.profiles.get(account);
  }

  get forks(): readonly ForkProof[] {
    return this.forkProofs;
  }

  /** The seq at which an account was frozen by a fork, if it was. */
  frozenAt(account: AccountId): number | undefined {
    return this.forkSeqs.get(account);
  }

  /** The author's last entry on its chain, to write the next entry after (see nextEntryTime). */
  headOf(author: AccountId): EntryHead | undefined {
    const e = this.heads.get(author);
    return e && { seq: e.env.seq, hash: e.id, time: e.env.time };
  }

  /** Authentic entries (applied, rejected by a rule, frozen or waiting): what a peer keeps and re-publishes. */
  *validEntries(): Iterable<SignedEntry> {
    for (const e of this.store.byId.values()) if (e.authentic) yield { id: e.id, bytes: e.bytes };
  }

  get entryCount(): number {
    return this.store.byId.size;
  }

  get settings(): EconomySettings {
    return this.state.settings;
  }

  creditLimit(currency: Currency): number {
    return this.state.settings.creditLimit[currency];
  }

  supply(currency: Currency): number {
    return this.state.supply[currency];
  }

  /** Canonical text of everything peers must agree on (state, statuses, forks). */
  serialize(): string {
    const statuses = [...this.statuses].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const forks = this.forkProofs.map((f) => [f.author, f.seq, toHex(f.first), toHex(f.second)]);
    return `${serializeState(this.state)}\n${JSON.stringify(statuses)}\n${JSON.stringify(forks)}`;
  }
}

function heldReason(): string {
  return `dated more than ${CLOCK_SKEW_MS / 60_000} minutes ahead of this device's clock; held until then`;
}
