// The Ledger: a thin class over the store, authenticity, replay and reducers.
//
// Invariants:
// - The state is a pure function of (the set of entries received, the clock horizon): whatever
//   order or batching entries arrive in, once two peers hold the same set and their clocks have
//   passed the same entries' times, serialize() returns the same string.
// - addEntries never throws for bad input and is idempotent; calls are serialized so two
//   overlapping calls cannot interleave their replays (calls that wait are merged into one batch).
// - Bounded memory whatever a member writes: malformed bytes and entries with a bad signature are
//   never kept, nor a verified-frozen author's entries beyond the fork proof; only a bounded list
//   of their ids is (MALFORMED_KEPT).
// - Clock-skew rule: an entry dated more than CLOCK_SKEW_MS after the local clock is held as
//   `pending` (it is kept, not rejected) and joins the set once the clock reaches
//   time − CLOCK_SKEW_MS; addEntries and refresh() check for such entries. Being "not yet
//   considered" rather than "rejected forever" keeps the outcome independent of when a peer first
//   saw the entry.
// - Fast paths. A new entry is "simple" when it extends its author's chain head (prev = head,
//   seq = head seq + 1, later time), no other counted entry at its seq is or may be authentic
//   (a forgery there is fine; a second signed entry is a fork), no stored entry of that author
//   names it as prev except entries of the same batch (checked in their turn), it is below its
//   author's fork seq if frozen, and its own signature is checked (fast-paths.ts says why that is
//   enough). Adding a simple entry changes nothing that the authenticity and chain passes decide
//   for any other entry, so the full result is "the old replay order with this entry inserted at
//   its (time, id) place":
//     * incremental: it sorts after the last replayed entry → apply it on top of the state;
//     * partial: it sorts earlier → put the state back to the last checkpoint at or before its
//       place and re-apply the entries from there (cost ∝ entries after the checkpoint).
//   An entry of an author frozen at F with seq ≥ F never applies: above F (once the fork is
//   verified) it is dropped at once, like a further branch at F that does not change the two
//   entries kept there (the proof); otherwise, unless an entry below F names it as prev, only its
//   status is set (replay 'none'), so a misbehaving author cannot make every peer replay — or
//   keep — anything with each entry.
// - An entry whose own signature fails is dropped before anything else looks at it (replay
//   'none'): under the authenticity rule (authenticity.ts) it is equivalent to an entry never
//   received. A forgery needs no key, so it costs each peer one signature check and a place in
//   a bounded list of dropped ids, never a replay or lasting memory. Entries dated beyond the
//   clock horizon get their own check on arrival too, and join as if they arrived when the clock
//   reaches them (the same cheap paths), not with a full replay each.
//   Anything else (forks, pending entries unlocked, batches larger than INCREMENTAL_BATCH_MAX, a
//   place older than the oldest checkpoint) triggers a full replay. With `pacing`, full replays
//   are spaced out and the inputs that arrive meanwhile join the next one (see LedgerOptions).
// - A full replay authenticates chains from their heads (authenticity.ts): entries below a
//   verified head are accepted provisionally and checked in the background (whenVerified); the
//   state is final once `unverifiedCount` is 0, and the same on every peer with the same set.
//   All give the same state by construction; the simulations check it byte for byte.
// - Checkpoints: the replay order keeps snapshots of the state to rewind to (replay-order.ts).

import { hashMany, verifyMany, type CryptoPort } from './crypto-port';
import { toHex } from './bytes';
import { checkOwnSignature } from './authenticity';
import { decodeEnvelope, type AccountId } from './encoding';
import { createEntryStore, insertEntry, removeEntry, SIG_INVALID, SIG_UNKNOWN, SIG_VALID, type StoredEntry } from './entry-store';
import { isForkVerified, trimmableEntries } from './fork-trim';
import type { ForkProof } from './fork-proof';
import { createLedgerState, serializeState, DEFAULT_SETTINGS, type EconomySettings, type FlowRecord, type LedgerState } from './ledger-state';
import { compareReplayOrder, rejected, type EntryStatus } from './replay';
import { ReplayOrder } from './replay-order';
import { extendsHeadOnly, settleFrozenEntry } from './fast-paths';
import { heldBeyondHorizon, replayFromScratch } from './full-replay';
import type { EntryHead, SignedEntry } from './create-entry';
import { splitReport, type AddReport } from './add-report';
import { LedgerReads } from './ledger-reads';
import type { LedgerViewSnapshot } from './ledger-view';
export type { Stake } from './ledger-reads';
export type { AddReport } from './add-report';

export const CLOCK_SKEW_MS = 10 * 60_000;
/** Batches larger than this go straight to a full replay (one batched signature pass is cheaper). */
const INCREMENTAL_BATCH_MAX = 16;
/** Defaults: ~0.3–0.7 ms of re-apply at most, and ≈ 1,800–2,000 entries of late arrival covered. */
const CHECKPOINT_EVERY = 256;
const CHECKPOINTS_KEPT = 8;
/** Dropped inputs remembered (for statusOf and duplicate counting); the oldest are forgotten. */
export const MALFORMED_KEPT = 1024;
/** Provisionally authentic entries (see authenticity.ts) checked per background step. */
const VERIFY_SLICE = 512; // ~30 ms of checks: a new entry waits at most that long behind a slice
/** With pacing, background checks start this long after the replay that needs them. */
const BACKGROUND_START_MS = 300;
/** A full replay waits until this many times its last duration has passed since it ended. */
const FULL_REPLAY_GAP = 3;
/** …but never longer than this. */
const FULL_REPLAY_MAX_WAIT_MS = 2_000;

export interface LedgerOptions {
  crypto: CryptoPort;
  /** The economy id (32 hex): entries naming another economy are refused as malformed. */
  economy: string;
  founder: AccountId;
  now: () => number;
  /** Settings before any economy-settings entry applies; defaults to DEFAULT_SETTINGS. */
  initialSettings?: EconomySettings;
  /** Simulations and tests only: transfers whose memo this tags count as flow (LedgerState.transferFlow: the worked example's recouping, mint tests). */
  transferFlow?: (memo: string) => FlowRecord['source'] | undefined;
  /** Tuning of the partial replay (performance only, never the outcome); defaults 256 and 8. */
  checkpointEvery?: number;
  checkpointsKept?: number;
  /**
   * Pacing of full replays (performance only, never the outcome): with it, a full replay waits
   * until FULL_REPLAY_GAP × the last one's duration has passed since that one ended, and inputs
   * that arrive meanwhile join it. So a flood of entries that each need a full replay costs at
   * most about 1/(1 + FULL_REPLAY_GAP) of a core. A wall clock and a timer, passed in (core reads
   * no globals); tests leave it out.
   */
  pacing?: {
    now: () => number;
    wait: (ms: number) => Promise<void>;
    /** For background verification's breaks (defaults to `wait`). */
    idle?: (ms: number) => Promise<void>;
  };
}

export class Ledger extends LedgerReads {
  private readonly store = createEntryStore();
  protected state: LedgerState;
  private statuses = new Map<string, EntryStatus>();
  /**
   * Dropped inputs: id → status, least recently seen first, at most MALFORMED_KEPT beyond the
   * current call. Malformed bytes, entries whose own signature failed, and a frozen author's
   * entries above its fork seq (once the fork is verified): none of them can ever count, so
   * they are equivalent to inputs never received — not stored, not in serialize(). Forgetting an
   * id here only means checking it again if it comes back: memory stays bounded whatever a
   * hostile member writes.
   */
  private readonly forgotten = new Map<string, EntryStatus>();
  /** Entries dated beyond the clock horizon (own signature checked): they join when it reaches them. */
  private held = new Set<StoredEntry>();
  /** Entries authentic only through a signed successor so far; checked in the background. */
  private unverified = new Set<StoredEntry>();
  private verifyingInBackground = false;
  private inbox: { encoded: readonly Uint8Array[]; resolve: (r: AddReport) => void; reject: (e: unknown) => void }[] = [];
  /** Inputs dropped during the current addNow: its callers read their statuses right after it. */
  private droppedNow = 0;
  private lastFullMs = 0;
  private lastFullEnd = -Infinity;
  private heads = new Map<AccountId, StoredEntry>();
  protected forkSeqs = new Map<AccountId, number>();
  protected forkProofs: ForkProof[] = [];
  /** Chain entries in replay order (what the state applied), with checkpoints. */
  private order: ReplayOrder;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: LedgerOptions) {
    super();
    this.state = this.initialState();
    this.order = this.newOrder();
    this.order.applyAll([], this.state, this.statuses);
  }

  private newOrder(): ReplayOrder {
    return new ReplayOrder(this.opts.checkpointEvery ?? CHECKPOINT_EVERY, this.opts.checkpointsKept ?? CHECKPOINTS_KEPT);
  }

  private initialState(): LedgerState {
    return createLedgerState(this.opts.founder, this.opts.initialSettings ?? DEFAULT_SETTINGS, this.opts.economy, this.opts.transferFlow);
  }

  /**
   * Verifies and adds entries. Calls are serialized; calls made while another is running are
   * merged into one batch (a flood of small messages costs one replay, not one each), and each
   * caller gets the report of its own inputs.
   */
  addEntries(encoded: readonly Uint8Array[]): Promise<AddReport> {
    return new Promise((resolve, reject) => {
      this.inbox.push({ encoded, resolve, reject });
      if (this.inbox.length === 1) void this.enqueue(() => this.drainInbox());
    });
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async drainInbox(): Promise<void> {
    const jobs = this.inbox;
    this.inbox = [];
    try {
      const all = jobs.length === 1 ? jobs[0]!.encoded : jobs.flatMap((j) => j.encoded);
      const { report, ids } = await this.addNow(all);
      if (jobs.length === 1) {
        jobs[0]!.resolve(report);
        return;
      }
      const own = splitReport(report, ids, jobs.map((j) => j.encoded.length));
      jobs.forEach((job, i) => job.resolve(own[i]!));
    } catch (error) {
      for (const job of jobs) job.reject(error);
    }
  }

  /**
   * Resolves once every entry accepted provisionally (authentic through a signed successor, see
   * authenticity.ts) has had its own signature checked; a failure drops that entry and replays.
   * Runs by itself after a full replay that left such entries; call it to wait for the final state.
   */
  async whenVerified(): Promise<void> {
    while (this.unverified.size > 0) {
      await this.enqueue(() => this.verifySlice());
      // With pacing (the app), give the page a turn between slices: a late joiner's 100,000
      // background checks must not become one long task that freezes taps and rendering.
      const pacing = this.opts.pacing;
      if (pacing) await (pacing.idle ?? pacing.wait)(0);
    }
    await this.enqueue(async () => undefined);
  }

  /** How many entries still wait for their own signature check (0 when the state is final). */
  get unverifiedCount(): number {
    return this.unverified.size;
  }

  private async verifySlice(): Promise<void> {
    const slice: StoredEntry[] = [];
    for (const e of this.unverified) {
      this.unverified.delete(e);
      if (this.store.byId.get(e.id) === e && e.sig === SIG_UNKNOWN) slice.push(e);
      if (slice.length === VERIFY_SLICE) break;
    }
    const ok = await verifyMany(this.opts.crypto, slice.map((e) => ({ publicKey: e.env.authorKey, signature: e.env.signature, message: e.env.signed })));
    slice.forEach((e, i) => (e.sig = ok[i] ? SIG_VALID : SIG_INVALID));
    // An author signed a successor of an entry with a broken signature (drop it), or a fork is
    // now verified (its author's entries that can never count are dropped; the check also
    // covers entries whose signature a fork proof checked meanwhile): replay.
    if (ok.every(Boolean) && !this.hasUntrimmedFork(this.opts.now() + CLOCK_SKEW_MS)) return;
    await this.replayAll(this.opts.now() + CLOCK_SKEW_MS);
  }

  private startBackgroundVerification(): void {
    if (this.verifyingInBackground || this.unverified.size === 0) return;
    this.verifyingInBackground = true;
    // With pacing, start a moment later: the balances just computed get shown first.
    const pacing = this.opts.pacing;
    const start = pacing ? (pacing.idle ?? pacing.wait)(BACKGROUND_START_MS) : Promise.resolve();
    void start.then(() => this.whenVerified()).finally(() => (this.verifyingInBackground = false));
  }

  /** Drops an entry that can never count (see `forgotten`). */
  private forget(e: StoredEntry, status: EntryStatus): void {
    removeEntry(this.store, e);
    this.statuses.delete(e.id);
    this.held.delete(e);
    this.unverified.delete(e);
    this.rememberForgotten(e.id, status, ++this.droppedNow);
  }

  private rememberForgotten(id: string, status: EntryStatus, keepAtLeast: number): void {
    this.forgotten.delete(id);
    this.forgotten.set(id, status);
    const keep = Math.max(MALFORMED_KEPT, keepAtLeast);
    while (this.forgotten.size > keep) this.forgotten.delete(this.forgotten.keys().next().value!);
  }

  /** Waits, with pacing configured, until a full replay is due (see LedgerOptions.pacing). */
  private async paceFullReplay(): Promise<void> {
    const pacing = this.opts.pacing;
    if (!pacing) return;
    const wait = this.lastFullEnd + FULL_REPLAY_GAP * this.lastFullMs - pacing.now();
    if (wait > 0) await pacing.wait(Math.min(wait, FULL_REPLAY_MAX_WAIT_MS));
  }

  /** Re-checks the clock: entries held for skew join once it reaches them. */
  refresh(): Promise<AddReport> {
    return this.addEntries([]);
  }

  private async addNow(encoded: readonly Uint8Array[]): Promise<{ report: AddReport; ids: string[] }> {
    const horizon = this.opts.now() + CLOCK_SKEW_MS;
    const report: AddReport = { added: [], duplicates: 0, rejected: [], pending: [], replay: 'none' };
    // The ledger keeps the given arrays (no copy: 100k copies cost ~0.1 s); callers must not mutate them.
    const inputs = encoded.map((b) => (b instanceof Uint8Array ? b : new Uint8Array(0)));
    const ids = (await hashMany(this.opts.crypto, inputs)).map(toHex);
    const fresh: StoredEntry[] = [];
    const seen = new Set<string>();
    this.droppedNow = 0;
    inputs.forEach((bytes, i) => {
      const id = ids[i]!;
      const known = this.forgotten.get(id);
      if (known) this.rememberForgotten(id, known, 0); // seen again: now the most recent (Map order is the LRU order)
      if (seen.has(id) || known || this.store.byId.has(id)) {
        report.duplicates++;
        return;
      }
      seen.add(id);
      const decoded = decodeEnvelope(bytes, this.opts.economy);
      if (!decoded.ok) {
        const reason = `malformed entry: ${decoded.error}`;
        report.rejected.push({ id, reason });
        // Callers read statusOf() for this call's inputs right after it, so those stay.
        this.rememberForgotten(id, rejected(reason), ++this.droppedNow);
        return;
      }
      // An entry's prev is its predecessor's id: share that string when the predecessor is here
      // already (~9 MB of equal strings per 100,000 entries otherwise).
      const predecessor = this.store.byId.get(decoded.entry.prev);
      if (predecessor) decoded.entry.prev = predecessor.id;
      const entry: StoredEntry = { id, bytes, env: decoded.entry, sig: SIG_UNKNOWN, authentic: undefined };
      insertEntry(this.store, entry);
      fresh.push(entry);
      report.added.push(id);
    });

    // Entries held for clock skew whose time has come join as if they arrived now: a flood of
    // future-dated entries then costs what the same entries cost on time, not a full replay each.
    const released: StoredEntry[] = [];
    for (const e of this.held) if (e.env.time <= horizon) released.push(e);
    for (const e of released) this.held.delete(e);
    const batch = released.length > 0 ? [...fresh, ...released] : fresh;
    if (batch.length > 0) {
      const fast = batch.length > INCREMENTAL_BATCH_MAX ? 'full' : await this.applyFresh(batch, horizon);
      report.replay = fast;
      if (fast === 'full') {
        await this.paceFullReplay();
        await this.replayAll(this.opts.now() + CLOCK_SKEW_MS);
      }
    }
    for (const e of fresh) {
      const s = this.statuses.get(e.id) ?? this.forgotten.get(e.id);
      if (s?.state === 'rejected') report.rejected.push({ id: e.id, reason: s.reason });
      else if (s?.state === 'pending') report.pending.push({ id: e.id, reason: s.reason });
    }
    return { report, ids };
  }

  /**
   * Tries the cheap paths (see the header) for a small batch. Returns 'full' when some entry
   * needs more; the caller then replays everything, which overwrites whatever this did.
   * Entries of frozen authors at or above their fork seq go first, children before parents (a
   * child may vouch for its parent); then the rest in replay order, so a batch carrying an
   * author's next few entries extends the head one after the other.
   */
  private async applyFresh(fresh: StoredEntry[], horizon: number): Promise<AddReport['replay']> {
    const frozen: StoredEntry[] = [];
    const others: StoredEntry[] = [];
    for (const e of fresh) {
      if (e.env.time > horizon) {
        // Held until the clock reaches it; its own signature is checked now, so that what is held
        // (kept, saved, re-published) is someone's signed entry, not a forgery.
        const forkSeq = this.forkSeqs.get(e.env.author) ?? Infinity;
        if (!(await checkOwnSignature(e, this.opts.crypto))) this.forget(e, rejected('invalid signature'));
        else if (e.env.seq > forkSeq && isForkVerified(this.store, e.env.author, forkSeq, horizon)) this.forget(e, rejected(`account frozen: fork at seq ${forkSeq}`));
        else {
          this.statuses.set(e.id, heldBeyondHorizon(CLOCK_SKEW_MS));
          this.held.add(e);
        }
      } else if (e.env.seq >= (this.forkSeqs.get(e.env.author) ?? Infinity)) frozen.push(e);
      else others.push(e);
    }
    for (const e of frozen.sort((a, b) => b.env.seq - a.env.seq)) {
      if (!(await this.settleFrozen(e, horizon))) return 'full';
    }
    if (others.length === 0) return 'none';

    const unprocessed = new Set(others);
    let applied = 0;
    let rewindTo = Infinity; // lowest insertion index of an entry that did not sort last
    // A bad signature makes an entry as if never received, wherever it sits: dropped first, and
    // nothing else changes — a forgery (no key needed) costs one check, never a replay.
    for (const e of others) {
      if (await checkOwnSignature(e, this.opts.crypto)) continue;
      this.forget(e, rejected('invalid signature'));
      unprocessed.delete(e);
    }
    for (const e of others.filter((x) => unprocessed.has(x)).sort(compareReplayOrder)) {
      unprocessed.delete(e);
      if (!extendsHeadOnly(this.store, this.heads, this.forkSeqs, e, unprocessed, horizon)) return 'full';
      e.authentic = true;
      applied++;
      this.heads.set(e.env.author, e);
      if (rewindTo === Infinity && this.order.sortsLast(e)) {
        this.statuses.set(e.id, this.order.append(e, this.state));
        continue;
      }
      const at = this.order.insert(e);
      if (at === null) return 'full'; // older than every checkpoint kept
      rewindTo = Math.min(rewindTo, at);
    }
    if (applied === 0) return 'none';
    if (rewindTo === Infinity) return 'incremental';
    this.order.rewindAndReapply(rewindTo, this.state, this.statuses);
    return 'partial';
  }

  /** Settles an entry of a frozen author without a replay if it can (fast-paths.ts); false → full replay. */
  private async settleFrozen(e: StoredEntry, horizon: number): Promise<boolean> {
    const verdict = await settleFrozenEntry(this.store, this.heads, this.forkSeqs, e, horizon, this.opts.crypto);
    if (verdict === 'replay') return false;
    if (verdict.drop) this.forget(e, verdict.status);
    else {
      e.authentic = true;
      this.statuses.set(e.id, verdict.status);
    }
    return true;
  }

  /** True when a verified fork still has entries that a full replay would drop (fork-trim.ts). */
  private hasUntrimmedFork(horizon: number): boolean {
    for (const [author, forkSeq] of this.forkSeqs) if (trimmableEntries(this.store, author, forkSeq, horizon).length > 0) return true;
    return false;
  }

  private async replayAll(horizon: number): Promise<void> {
    const started = this.opts.pacing?.now();
    const result = await replayFromScratch({
      store: this.store, horizon, crypto: this.opts.crypto, state: this.initialState(), order: this.newOrder(),
      forget: (e, status) => this.forget(e, status), heldStatus: () => heldBeyondHorizon(CLOCK_SKEW_MS),
    });
    this.state = result.state;
    this.order = result.order;
    this.statuses = result.statuses;
    this.heads = result.heads;
    this.forkSeqs = result.forkSeqs;
    this.forkProofs = result.forkProofs;
    this.held = result.held;
    this.unverified = result.unverified;
    if (started !== undefined) {
      this.lastFullEnd = this.opts.pacing!.now();
      this.lastFullMs = this.lastFullEnd - started;
    }
    this.startBackgroundVerification();
  }

  statusOf(entryId: string): EntryStatus | undefined {
    return this.statuses.get(entryId) ?? this.forgotten.get(entryId);
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
  /** True when the entry is kept (authentic, waiting or held); false for what was dropped or never seen. */
  holds(entryId: string): boolean {
    return this.store.byId.has(entryId);
  }
  get entryCount(): number {
    return this.store.byId.size;
  }

  /** What a page showing `me` needs of this ledger (ledger-view.ts): no entries, one history. */
  viewSnapshot(me: AccountId): LedgerViewSnapshot {
    const { transferFlow: _omitted, ...rest } = this.state;
    const mine = this.state.history.get(me);
    const appeared = new Set<AccountId>(this.heads.keys());
    for (const [account, items] of this.state.history) if (items.length > 0) appeared.add(account);
    return {
      state: { ...rest, history: new Map(mine ? [[me, mine]] : []) },
      forkSeqs: this.forkSeqs,
      forkProofs: this.forkProofs,
      appeared,
      entryCount: this.entryCount,
      unverifiedCount: this.unverifiedCount,
    };
  }

  protected nowMs(): number {
    return this.opts.now();
  }

  /** True once the account wrote an entry here, or received or was named in one: it has appeared. */
  hasAppeared(account: AccountId): boolean {
    return this.heads.has(account) || this.state.balances.has(account) || this.historyOf(account).length > 0;
  }

  /** Canonical text of everything peers must agree on (state, statuses, forks). */
  serialize(): string {
    const statuses = [...this.statuses].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const forks = this.forkProofs.map((f) => [f.author, f.seq, toHex(f.first), toHex(f.second)]);
    return `${serializeState(this.state)}\n${JSON.stringify(statuses)}\n${JSON.stringify(forks)}`;
  }
}

