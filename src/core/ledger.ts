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
//   seq = head seq + 1, later time), no other counted entry at its seq is or may be authentic
//   (a forgery there is fine; a second signed entry is a fork), no stored entry of that author
//   names it as prev except entries of the same batch (checked in their turn), it is below its
//   author's fork seq if frozen, and its own signature is checked (see isSimple for why that is
//   enough). Adding a simple entry changes nothing that the authenticity and chain passes decide
//   for any other entry, so the full result is "the old replay order with this entry inserted at
//   its (time, id) place":
//     * incremental: it sorts after the last replayed entry → apply it on top of the state;
//     * partial: it sorts earlier → put the state back to the last checkpoint at or before its
//       place and re-apply the entries from there (cost ∝ entries after the checkpoint).
//   An entry of an author frozen at F with seq ≥ F never applies; unless it vouches for an entry
//   below F, is named as prev by one below F, or the like (see settleFrozen), only statuses
//   change (its own, those of parents it vouches for, and the fork proof): set without a replay
//   (replay 'none'), so a misbehaving author cannot make every peer replay with each entry.
//   Anything else (forks, pending entries unlocked, clock-released entries, batches larger than
//   INCREMENTAL_BATCH_MAX, a place older than the oldest checkpoint) triggers a full replay.
//   All give the same state by construction; the simulations check it byte for byte.
// - Checkpoints: a snapshot of the state (ledger-state.ts) at every replay position that is a
//   multiple of `checkpointEvery`; only the last `checkpointsKept` are kept, so memory is bounded
//   by checkpointsKept × accounts and a partial replay re-applies fewer than
//   checkpointEvery + (entries after the insertion point) entries. A checkpoint at position p is
//   the state after applying order[0..p); inserting at index ≥ p leaves it valid.

import { hashMany, type CryptoPort } from './crypto-port';
import { toHex } from './bytes';
import { checkOwnSignature, resolveAuthenticity } from './authenticity';
import { decodeEnvelope, type AccountId } from './encoding';
import { createEntryStore, insertEntry, sortedSeqs, SIG_UNKNOWN, type AuthorLog, type StoredEntry } from './entry-store';
import { buildForkProof, type ForkProof } from './fork-proof';
import {
  createLedgerState, readBalance, restoreState, serializeState, snapshotState, DEFAULT_SETTINGS,
  type Balance, type EconomySettings, type HistoryItem, type LedgerState, type Profile, type StateSnapshot,
} from './ledger-state';
import { applyEntry, compareReplayOrder, linkChains, pending, rejected, type EntryStatus } from './replay';
import type { Currency } from './amounts';
import { creditLimitOf, readStake, settingsAckOf, spendableOf, type CreditReader } from './credit';

/** A live stake: `voucher` has `amount` (per currency) at stake on `member`. */
export interface Stake {
  voucher: AccountId;
  member: AccountId;
  amount: Balance;
}
import type { EntryHead, SignedEntry } from './create-entry';

export const CLOCK_SKEW_MS = 10 * 60_000;
/** Batches larger than this go straight to a full replay (one batched signature pass is cheaper). */
const INCREMENTAL_BATCH_MAX = 16;
/** Defaults: ~0.3–0.7 ms of re-apply at most, and ≈ 1,800–2,000 entries of late arrival covered. */
const CHECKPOINT_EVERY = 256;
const CHECKPOINTS_KEPT = 8;
/** Malformed inputs remembered (for statusOf and duplicate counting); the oldest are forgotten. */
export const MALFORMED_KEPT = 1024;

export interface LedgerOptions {
  crypto: CryptoPort;
  /** The economy id (32 hex): entries naming another economy are refused as malformed. */
  economy: string;
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
  /**
   * How the state was brought up to date: 'none' (nothing applied: duplicates, malformed or
   * held inputs, or only statuses set, as for a frozen author's entries), 'incremental'
   * (applied on top), 'partial' (re-applied from a checkpoint) or 'full' (everything replayed).
   */
  replay: 'none' | 'incremental' | 'partial' | 'full';
}

interface Checkpoint {
  /** Replay position: the state after applying order[0..pos). */
  pos: number;
  snap: StateSnapshot;
}

export class Ledger implements CreditReader {
  private readonly store = createEntryStore();
  private state: LedgerState;
  private statuses = new Map<string, EntryStatus>();
  /**
   * Malformed inputs (not decodable): id → status, least recently seen first, at most
   * MALFORMED_KEPT beyond the current call. They take part in nothing (no author, no seq, not in
   * serialize()), so forgetting one only means decoding it again if it comes back; what decides
   * the state — every decodable entry, bad signatures included — lives in `store` (see
   * entry-store.ts for why those are kept).
   */
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
    let malformedNow = 0;
    inputs.forEach((bytes, i) => {
      const id = ids[i]!;
      const known = this.malformed.get(id);
      if (known) {
        // Seen again: now the most recent (Map order is the LRU order).
        this.malformed.delete(id);
        this.malformed.set(id, known);
      }
      if (seen.has(id) || known || this.store.byId.has(id)) {
        report.duplicates++;
        return;
      }
      seen.add(id);
      const decoded = decodeEnvelope(bytes, this.opts.economy);
      if (!decoded.ok) {
        const reason = `malformed entry: ${decoded.error}`;
        this.malformed.set(id, rejected(reason));
        report.rejected.push({ id, reason });
        // Callers read statusOf() for this call's inputs right after it, so those stay.
        malformedNow++;
        const keep = Math.max(MALFORMED_KEPT, malformedNow);
        while (this.malformed.size > keep) this.malformed.delete(this.malformed.keys().next().value!);
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
        this.statuses.set(e.id, pending(heldReason()));
        this.nextDue = Math.min(this.nextDue, e.env.time);
      } else if (e.env.seq >= (this.forkSeqs.get(e.env.author) ?? Infinity)) frozen.push(e);
      else others.push(e);
    }
    const frozenLeft = new Set(frozen);
    for (const e of frozen.sort((a, b) => b.env.seq - a.env.seq)) {
      frozenLeft.delete(e);
      if (!(await this.settleFrozen(e, frozenLeft, horizon))) return 'full';
    }
    if (others.length === 0) return 'none';

    const unprocessed = new Set(others);
    let rewindTo = Infinity; // lowest insertion index of an entry that did not sort last
    for (const e of others.sort(compareReplayOrder)) {
      unprocessed.delete(e);
      if (!this.isSimple(e, unprocessed, horizon)) return 'full';
      e.authentic = await checkOwnSignature(e, this.opts.crypto);
      if (!e.authentic) {
        // Rejected as the full replay would: isSimple found no counted successor that could
        // vouch for it, and one in this batch fails its own head check → full replay.
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

  /**
   * True when `e` only extends its author's head (see "simple" in the header). What adding it
   * could change, and why each is excluded here:
   *  - a fork at its seq: any other counted entry there that is or may be authentic → no;
   *  - an entry above that names it as prev: it would stop waiting (or be rejected for naming
   *    the wrong seq) → no, unless it is in this same batch (then it is checked in its turn);
   *  - its successor vouching for it: such a successor names it, as above (also at or above the
   *    fork seq of a frozen author, where nothing else matters);
   *  - entries below the head: the one authentic entry at each seq there is on the chain and
   *    names its parent; any other is not authentic (else a fork), its status fixed.
   * Entries above that name something else keep their status: authenticity flows only downward,
   * and their own prev decides their link.
   */
  private isSimple(e: StoredEntry, unprocessed: ReadonlySet<StoredEntry>, horizon: number): boolean {
    const { author, seq, prev, time } = e.env;
    const log = this.store.authors.get(author)!;
    const head = this.heads.get(author);
    if (seq === 1 ? head !== undefined : !(head && head.id === prev && head.env.seq === seq - 1 && time > head.env.time)) return false;
    for (const other of log.bySeq.get(seq)!) {
      if (other !== e && other.env.time <= horizon && other.authentic !== false) return false;
    }
    const forkSeq = this.forkSeqs.get(author) ?? Infinity;
    let blocked = false;
    // At or above a fork seq an entry's status is decided by its authenticity alone; only a
    // successor there (seq + 1) could still vouch for this one.
    forEachSeqIn(log, seq + 1, Math.max(forkSeq - 1, seq + 1), (_, list) => {
      for (const above of list) {
        if (above.env.prev !== e.id || unprocessed.has(above)) continue;
        if (above.env.time <= horizon && above.authentic !== false) blocked = true;
      }
    });
    return !blocked;
  }

  /**
   * An entry of an author frozen at F with seq ≥ F: its status is "account frozen" if authentic,
   * "invalid signature" if not, whatever its chain. Sets it without a replay and returns true when
   * nothing else can change; false → full replay. What it could change:
   *  - its parent (seq − 1), by vouching for it, and so on down: a parent at ≥ F that was not
   *    authentic becomes "account frozen" instead of "invalid signature"; one below F → false
   *    (it could extend the chain or fork); a parent in this batch at ≥ F is settled next;
   *  - an entry of the author below F that names it as prev (pending → "prev is the author's
   *    entry …"): only authentic entries between the chain head and F can be waiting, so those
   *    are searched; at or below the head, the one authentic entry per seq is on the chain;
   *  - the fork proof (it may join the fork at F, or extend a witness chain): rebuilt;
   *  - nothing above it (authenticity flows downward) and no other author (chains are per author;
   *    a prev naming another author's entry never links).
   * It cannot move F: that needs a second authentic entry below F.
   */
  private async settleFrozen(e: StoredEntry, settleNext: ReadonlySet<StoredEntry>, horizon: number): Promise<boolean> {
    const { author, seq } = e.env;
    const log = this.store.authors.get(author)!;
    const forkSeq = this.forkSeqs.get(author)!;
    const counts = (x: StoredEntry) => x.env.time <= horizon;
    const headSeq = this.heads.get(author)?.env.seq ?? 0;
    let named = false;
    forEachSeqIn(log, headSeq + 1, forkSeq - 1, (_, list) => {
      for (const x of list) if (x.env.prev === e.id && counts(x) && x.authentic !== false) named = true;
    });
    if (named) return false;
    const vouched = (log.bySeq.get(seq + 1) ?? []).some((c) => c.authentic === true && c.env.prev === e.id);
    e.authentic = vouched || (await checkOwnSignature(e, this.opts.crypto));
    const frozenStatus = rejected(`account frozen: fork at seq ${forkSeq}`);
    // Vouching runs down the chain: a parent that was not authentic becomes so, then its parent…
    // At seqs ≥ F that only turns "invalid signature" into "account frozen"; below F → full.
    for (let child = e; child.authentic && child.env.seq > 1;) {
      const parent = this.store.byId.get(child.env.prev);
      if (!parent || parent.env.author !== author || parent.env.seq !== child.env.seq - 1 || !counts(parent)) break;
      if (parent.authentic === true || settleNext.has(parent)) break; // settled next, seeing its child
      if (parent.authentic === undefined || parent.env.seq < forkSeq) return false;
      parent.authentic = true;
      this.statuses.set(parent.id, frozenStatus);
      child = parent;
    }
    this.statuses.set(e.id, e.authentic ? frozenStatus : rejected('invalid signature'));
    if (e.authentic) {
      const i = this.forkProofs.findIndex((p) => p.author === author);
      const proof = await buildForkProof(this.store, author, forkSeq, this.opts.crypto);
      if (i >= 0 && proof) this.forkProofs[i] = proof;
    }
    return true;
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

  /** The economy's credit limit under the newest settings (the founder's; others: see creditOf). */
  creditLimit(currency: Currency): number {
    return this.state.settings.creditLimit[currency];
  }

  get founder(): AccountId {
    return this.opts.founder;
  }

  /** The ack an honest author signs: founder seq of the newest applied settings entry (0 = none). */
  get settingsAck(): number {
    return settingsAckOf(this.state);
  }

  /** An account's credit limits under the newest settings (credit.ts). */
  creditOf(account: AccountId): { MH: number; CH: number } {
    const s = this.state.settings;
    return { MH: creditLimitOf(this.state, account, 'MH', s), CH: creditLimitOf(this.state, account, 'CH', s) };
  }

  creditIfReleased(member: AccountId, currency: Currency, released: number): number {
    return creditLimitOf(this.state, member, currency, this.state.settings, -released);
  }

  /** What an account can still pay or stake under the newest settings: balance + limit − stakes given. */
  spendable(account: AccountId, currency: Currency): number {
    return spendableOf(this.state, account, currency, this.state.settings);
  }

  stakeOf(voucher: AccountId, member: AccountId): Balance {
    return readStake(this.state, voucher, member);
  }

  /** Every live stake given or received by `account`. */
  stakesOf(account: AccountId): { given: Stake[]; received: Stake[] } {
    const given: Stake[] = [];
    const received: Stake[] = [];
    for (const [key, amount] of this.state.stakes) {
      const [voucher, member] = key.split('>') as [AccountId, AccountId];
      if (voucher === account) given.push({ voucher, member, amount });
      if (member === account) received.push({ voucher, member, amount });
    }
    return { given, received };
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

/** Calls `visit` for each stored seq of the author in [from, to], ascending (sparse-safe). */
function forEachSeqIn(log: AuthorLog, from: number, to: number, visit: (seq: number, list: StoredEntry[]) => void): void {
  to = Math.min(to, log.maxSeq);
  if (from > to) return;
  if (to - from < log.bySeq.size) {
    for (let s = from; s <= to; s++) {
      const list = log.bySeq.get(s);
      if (list) visit(s, list);
    }
  } else {
    for (const s of sortedSeqs(log)) if (s >= from && s <= to) visit(s, log.bySeq.get(s)!);
  }
}
