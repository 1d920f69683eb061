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
// - Incremental path: a new entry that extends its author's chain head, creates no fork, unlocks
//   no waiting entry and sorts after the last replayed entry is applied on top of the current
//   state (one signature check, no replay). Anything else triggers a full replay, which gives the
//   same result by construction: the incremental path is exactly "append at the end of the order".

import { hashMany, type CryptoPort } from './crypto-port';
import { toHex } from './bytes';
import { checkOwnSignature, resolveAuthenticity } from './authenticity';
import { decodeEnvelope, type AccountId } from './encoding';
import { createEntryStore, insertEntry, SIG_UNKNOWN, type StoredEntry } from './entry-store';
import { buildForkProof, type ForkProof } from './fork-proof';
import {
  createLedgerState, readBalance, serializeState, DEFAULT_SETTINGS,
  type Balance, type EconomySettings, type HistoryItem, type LedgerState, type Profile,
} from './ledger-state';
import { applyEntry, compareReplayOrder, linkChains, pending, rejected, type EntryStatus } from './replay';
import type { Currency } from './amounts';
import type { EntryHead, SignedEntry } from './create-entry';

export const CLOCK_SKEW_MS = 10 * 60_000;
/** Batches larger than this go straight to a full replay (one batched signature pass is cheaper). */
const INCREMENTAL_BATCH_MAX = 16;

export interface LedgerOptions {
  crypto: CryptoPort;
  founder: AccountId;
  now: () => number;
  /** Settings before any economy-settings entry applies; defaults to DEFAULT_SETTINGS. */
  initialSettings?: EconomySettings;
}

export interface AddReport {
  /** Ids of entries stored for the first time by this call. */
  added: string[];
  duplicates: number;
  /** Inputs of this call that ended rejected, with a reason for a diagnostics view. */
  rejected: { id: string; reason: string }[];
  /** Inputs of this call that are held (future-dated or waiting for a predecessor). */
  pending: { id: string; reason: string }[];
  replay: 'none' | 'incremental' | 'full';
}

export class Ledger {
  private readonly store = createEntryStore();
  private state: LedgerState;
  private statuses = new Map<string, EntryStatus>();
  private readonly malformed = new Map<string, EntryStatus>();
  private heads = new Map<AccountId, StoredEntry>();
  private forkSeqs = new Map<AccountId, number>();
  private forkProofs: ForkProof[] = [];
  private last: StoredEntry | undefined; // last entry in replay order
  private nextDue = Infinity; // earliest time of an entry held for clock skew
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: LedgerOptions) {
    this.state = createLedgerState(opts.founder, opts.initialSettings ?? DEFAULT_SETTINGS);
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
      let full = clockReleased || fresh.length > INCREMENTAL_BATCH_MAX;
      for (const e of full ? [] : fresh) {
        if (!(await this.applyIncrementally(e, horizon))) {
          full = true;
          break;
        }
      }
      report.replay = full ? 'full' : 'incremental';
      if (full) await this.replayAll(horizon);
    }
    for (const e of fresh) {
      const s = this.statuses.get(e.id);
      if (s?.state === 'rejected') report.rejected.push({ id: e.id, reason: s.reason });
      else if (s?.state === 'pending') report.pending.push({ id: e.id, reason: s.reason });
    }
    return report;
  }

  /** Returns false when the entry cannot simply be appended (the caller replays everything). */
  private async applyIncrementally(e: StoredEntry, horizon: number): Promise<boolean> {
    if (e.env.time > horizon) {
      this.statuses.set(e.id, pending(heldReason()));
      this.nextDue = Math.min(this.nextDue, e.env.time - CLOCK_SKEW_MS);
      return true;
    }
    const log = this.store.authors.get(e.env.author)!;
    if (log.bySeq.get(e.env.seq)!.length > 1 || log.maxSeq > e.env.seq) return false;
    if (this.forkSeqs.has(e.env.author)) return false;
    const head = this.heads.get(e.env.author);
    if (e.env.seq === 1 ? head !== undefined : head?.id !== e.env.prev) return false;
    if (head && e.env.time <= head.env.time) return false;
    if (this.last && compareReplayOrder(e, this.last) <= 0) return false;
    e.authentic = await checkOwnSignature(e, this.opts.crypto);
    if (!e.authentic) {
      this.statuses.set(e.id, rejected('invalid signature'));
      return true;
    }
    this.statuses.set(e.id, applyEntry(this.state, e));
    this.heads.set(e.env.author, e);
    this.last = e;
    return true;
  }

  private async replayAll(horizon: number): Promise<void> {
    const isIncluded = (e: StoredEntry) => e.env.time <= horizon;
    await resolveAuthenticity(this.store, isIncluded, this.opts.crypto);
    const linked = linkChains(this.store, isIncluded);
    const state = createLedgerState(this.opts.founder, this.opts.initialSettings ?? DEFAULT_SETTINGS);
    const statuses = linked.statuses;
    this.nextDue = Infinity;
    for (const e of this.store.byId.values()) {
      if (isIncluded(e)) continue;
      statuses.set(e.id, pending(heldReason()));
      this.nextDue = Math.min(this.nextDue, e.env.time - CLOCK_SKEW_MS);
    }
    for (const e of linked.chain) statuses.set(e.id, applyEntry(state, e));
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
    this.last = linked.chain[linked.chain.length - 1];
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
