// Binds an economy's shared Yjs document to the peer's verified ledger and its own entry store.
//
// The document is transport, the signed entries are the truth (the design brief): anyone who knows the
// room secret can write anything into the document, or delete. So:
// - every value that arrives is handed to the core ledger, which verifies it; nothing in the
//   document is trusted or shown unless the ledger accepted it as authentic;
// - authentic entries are saved in the peer's own store (IndexedDB) and mirrored in `held`;
// - an own entry reaches the document only through `publish`, after own-writes.ts has saved it
//   (durable before published: what no other tab or peer has seen can be dropped without a fork);
// - an entry of someone else that fails to save (a full disk) stays held in memory and in the
//   document, and its save is retried (next save, and every RETRY_SAVE_MS): it is not ours, so
//   losing it locally can never fork an account;
// - an entry we hold that disappears from the document, or whose value is replaced, is written
//   back (re-published) under its id.
//
// Document layout: `doc.getMap('entries')`: key = entry id (lowercase hex SHA-256 of the encoded
// signed entry), value = the encoded entry (Uint8Array). Nothing else is read from the document.
//
// Several documents (generations, see ./generations.ts) can be followed at once, all feeding the
// one ledger and the one store: what arrives in any of them is verified once and held once. An own
// entry (`publish`) and an import are written into every followed document at once; an entry
// received through one document is owed to the others and paid by the refill rule (./refill.ts),
// as is everything held when a document is added empty (`addDocument(doc, { refill: 'staggered' })`),
// so that the peers entering a fresh generation together do not each write every entry.
// Re-publishing what vanishes from a document stays immediate.
//
// Remote changes are coalesced: keys touched by observer events are collected and processed in
// one batch on the next task, so a late joiner's 100,000-entry update costs one ledger load.
// What one peer brings can also be *held* (`hold`, by the transaction origin of its link): its
// document is arriving in slices (worker/doc-relay.ts). Keys changed by that origin are only
// counted (`receiving`) until the hold ends, and then verified as one batch: slice by slice, the
// ledger would check ~100 times more signatures (an author's chain is authenticated from its
// latest entry down, core/authenticity.ts) and replay each time.
import type * as Y from 'yjs';
import type { AddReport, CryptoPort, Ledger, SignedEntry } from '../core';
import { MAX_ENTRY_BYTES, verifyEntry } from '../core';
import type { EntryStore } from './entry-store';
import { DEFAULT_REFILL, DocumentRefill, type PeerState, type RefillMode, type RefillTiming } from './refill';

export const ENTRIES_MAP = 'entries';
/** Transaction origin of our own writes, so our observer can tell them from remote ones. */
export const LOCAL_ORIGIN = 'hourmesh-ledger-sync';
const MAX_DIAGNOSTICS = 500;
/** Batches at least this big are announced ("Verifying 20,000 entries…") while they run. */
const ANNOUNCE_BATCH = 500;
/** How often saves that failed (e.g. a full disk) are tried again. */
const RETRY_SAVE_MS = 30_000;

export interface Diagnostic {
  time: number;
  /** The document key the bad value was found under. */
  key: string;
  reason: string;
}

export interface LedgerSyncOptions {
  /** A document followed from `attach()` on, re-published at once (more: `addDocument`). */
  doc?: Y.Doc;
  ledger: Ledger;
  /** To check, on its own, the signature of an entry the ledger holds back (see #holdPending). */
  crypto: CryptoPort;
  store: EntryStore;
  economyId: string;
  now: () => number;
  /** Called after anything visible changed (balances, statuses, diagnostics). */
  onChange: () => void;
  /** A problem the person should see (e.g. the disk is full): nothing is lost, but say it. */
  onProblem: (message: string) => void;
  /** Random source of the refill delays (default Math.random). */
  random?: () => number;
  refillTiming?: RefillTiming;
  /** Entries arrived in a held document (see `receiving`); for a progress line. */
  onReceiving?: () => void;
  /** Phases of a big batch, for a trace (the ledger worker's test builds). */
  trace?: (what: string) => void;
}

/** How an added document gets the held entries it lacks. */
export interface AddDocumentOptions {
  /** 'now': written at once (a cached document of the current generation); else ./refill.ts. */
  refill: 'now' | RefillMode;
  /** The document's room, for the refill rule (default 'alone'). */
  peers?: () => PeerState;
}

interface Followed {
  doc: Y.Doc;
  map: Y.Map<unknown>;
  observer: (event: Y.YMapEvent<unknown>, transaction: Y.Transaction) => void;
  refill: DocumentRefill;
}

const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function sameBytes(a: unknown, b: Uint8Array): boolean {
  if (a === b) return true; // the document's value is the very array held (the usual case)
  if (!(a instanceof Uint8Array) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class LedgerSync {
  readonly #opts: LedgerSyncOptions;
  readonly #followed = new Map<Y.Doc, Followed>();
  /** Authentic entries this peer holds (and has saved), by id. */
  readonly #held = new Map<string, Uint8Array>();
  #diagnostics: Diagnostic[] = [];
  /** Keys touched by remote changes, per followed document. */
  #dirty = new Map<Followed, Set<string>>();
  #flushing: Promise<void> | null = null;
  #flushScheduled = false;
  #destroyed = false;
  #saving: Promise<void> = Promise.resolve();
  /** Held entries whose save failed, by id: retried with the next save and on a timer. */
  readonly #unsaved = new Map<string, Uint8Array>();
  #retryTimer: ReturnType<typeof setInterval> | undefined;
  #verifying = 0;
  #lastRemoteChange = 0;
  /** Keys changed by held transaction origins, per origin (see the header). */
  readonly #holding = new Map<unknown, { followed: Followed; keys: Set<string> }>();
  #receivingScheduled = false;
  /** settled() calls waiting for a hold to end. */
  #holdWaiters: (() => void)[] = [];

  constructor(opts: LedgerSyncOptions) {
    this.#opts = opts;
  }

  /** performance.now() of the last change another peer made to a followed document. */
  get lastRemoteChange(): number {
    return this.#lastRemoteChange;
  }

  /** How many entries this peer still owes `doc` under the refill rule (0 when paid). */
  owedTo(doc: Y.Doc): number {
    return this.#followed.get(doc)?.refill.owed ?? 0;
  }

  /** How many held entries are waiting for a save that failed to be retried (0 normally). */
  get unsaved(): number {
    return this.#unsaved.size;
  }

  /** Entries that arrived from held origins, waiting for their hold to end (0 when none is held). */
  get receiving(): number {
    let n = 0;
    for (const held of this.#holding.values()) n += held.keys.size;
    return n;
  }

  /**
   * Holds back (`on`) or releases what transactions with `origin` change in `doc` (see the
   * header). Releasing processes everything that origin brought meanwhile, as one batch.
   */
  hold(doc: Y.Doc, origin: unknown, on: boolean): void {
    const followed = this.#followed.get(doc);
    if (on) {
      if (followed && !this.#holding.has(origin)) this.#holding.set(origin, { followed, keys: new Set() });
      return;
    }
    const held = this.#holding.get(origin);
    if (!held) return;
    this.#holding.delete(origin);
    const dirty = this.#dirty.get(held.followed);
    if (dirty) for (const key of held.keys) dirty.add(key);
    this.#scheduleFlush();
    this.#wakeHoldWaiters();
  }

  /** How many received entries are being verified right now (0 when idle). */
  get verifying(): number {
    return this.#verifying;
  }

  get diagnostics(): readonly Diagnostic[] {
    return this.#diagnostics;
  }

  /** Loads the peer's own store into the ledger: balances exist before any peer connects. */
  async loadStored(): Promise<AddReport> {
    const report = await this.#opts.ledger.addEntries(await this.#opts.store.load(this.#opts.economyId));
    for (const e of this.#opts.ledger.validEntries()) this.#held.set(e.id, e.bytes); // already saved
    this.#opts.onChange();
    return report;
  }

  /** Starts following the document: verifies what is there now, re-publishes what is missing. */
  async attach(): Promise<void> {
    if (this.#opts.doc) await this.addDocument(this.#opts.doc, { refill: 'now' });
  }

  /** Follows one more document: verifies what it holds, then gives it the held entries it lacks. */
  async addDocument(doc: Y.Doc, options: AddDocumentOptions): Promise<void> {
    if (this.#destroyed || this.#followed.has(doc)) return;
    const map = doc.getMap<unknown>(ENTRIES_MAP);
    const followed: Followed = {
      doc, map,
      observer: (event, transaction) => this.#onMapChange(followed, event, transaction),
      refill: new DocumentRefill({
        mode: options.refill === 'now' ? 'on-sync' : options.refill,
        timing: this.#opts.refillTiming ?? DEFAULT_REFILL, random: this.#opts.random ?? Math.random,
        clock: () => performance.now(), peers: options.peers ?? (() => 'alone'),
        writeMissing: (ids) => this.#repair(followed, ids, []),
      }),
    };
    this.#followed.set(doc, followed);
    map.observe(followed.observer);
    this.#dirty.set(followed, new Set(map.keys()));
    await this.#flush();
    if (options.refill === 'now') this.#repair(followed, [...this.#held.keys()], []);
    else followed.refill.owe(this.#held.keys());
  }

  /** Stops following `doc` (a generation left behind); what it holds is not touched. */
  removeDocument(doc: Y.Doc): void {
    const followed = this.#followed.get(doc);
    if (!followed) return;
    followed.map.unobserve(followed.observer);
    followed.refill.close();
    this.#followed.delete(doc);
    this.#dirty.delete(followed);
    for (const [origin, held] of this.#holding) if (held.followed === followed) this.#holding.delete(origin);
    this.#wakeHoldWaiters();
  }

  /**
   * Adds an own entry that is ALREADY in the store (own-writes.ts saved it with its head record):
   * ledger, then the document. Not saved again. Also how a tab adopts an own entry another tab
   * saved but whose document update has not reached it yet.
   */
  async publish(entry: SignedEntry): Promise<AddReport> {
    const report = await this.#opts.ledger.addEntries([entry.bytes]);
    if (this.#opts.ledger.statusOf(entry.id) !== undefined) this.#held.set(entry.id, entry.bytes);
    this.#holdNew();
    this.#republish([entry.id]);
    this.#opts.onChange();
    return report;
  }

  /** Imports entries from a file (ledger export/backup): verified like any remote entry. */
  async importEntries(entries: readonly Uint8Array[]): Promise<AddReport> {
    const report = await this.#opts.ledger.addEntries(entries);
    this.#noteRejected(report);
    const fresh = this.#holdNew();
    this.#republish(fresh);
    this.#opts.onChange(); // balances first; the disk write of a big file takes a while
    await this.#saving;
    return report;
  }

  /** Resolves once every document change seen so far has been verified, applied and saved (or its save failed). */
  async settled(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 0)); // let a scheduled flush start
    while (!this.#destroyed) {
      if (this.#flushing || this.#isDirty()) await (this.#flushing ?? this.#flush());
      else if (this.receiving > 0) await new Promise<void>((resolve) => this.#holdWaiters.push(resolve));
      else break;
    }
    await this.#saving;
  }

  destroy(): void {
    for (const doc of [...this.#followed.keys()]) this.removeDocument(doc);
    this.#destroyed = true;
    clearInterval(this.#retryTimer);
    this.#wakeHoldWaiters();
  }

  #wakeHoldWaiters(): void {
    const waiters = this.#holdWaiters;
    this.#holdWaiters = [];
    for (const wake of waiters) wake();
  }

  #isDirty(): boolean {
    for (const keys of this.#dirty.values()) if (keys.size > 0) return true;
    return false;
  }

  #onMapChange(followed: Followed, event: Y.YMapEvent<unknown>, transaction: Y.Transaction): void {
    if (transaction.origin === LOCAL_ORIGIN) return;
    this.#lastRemoteChange = performance.now();
    const dirty = this.#dirty.get(followed);
    if (!dirty) return;
    const held = this.#holding.get(transaction.origin);
    if (!held || held.followed !== followed) {
      for (const key of event.keysChanged) dirty.add(key);
      this.#scheduleFlush();
      return;
    }
    for (const key of event.keysChanged) held.keys.add(key);
    // Progress, once per task however many keys arrived.
    if (this.#receivingScheduled) return;
    this.#receivingScheduled = true;
    setTimeout(() => {
      this.#receivingScheduled = false;
      this.#opts.onReceiving?.();
    }, 0);
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setTimeout(() => {
      this.#flushScheduled = false;
      void this.#flush();
    }, 0);
  }

  /** Processes the touched keys; runs one at a time, later changes wait for the next round. */
  async #flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (this.#destroyed || !this.#isDirty()) return;
    const work: Array<[Followed, string[]]> = [];
    for (const [followed, keys] of this.#dirty) {
      if (keys.size > 0) work.push([followed, [...keys]]);
      keys.clear();
    }
    this.#flushing = (async () => {
      for (const [followed, keys] of work) {
        if (!this.#followed.has(followed.doc)) continue;
        try {
          await this.#process(followed, keys);
        } catch (error) {
          // A bug here must not leave the person's view silently behind the ledger: say so, and
          // show what the ledger holds (it applied what it verified before the error).
          this.#opts.onProblem(`Some entries from peers could not be processed (${error instanceof Error ? error.message : String(error)}). They are retried when the document changes.`);
          this.#opts.onChange();
        }
      }
    })().finally(() => (this.#flushing = null));
    await this.#flushing;
  }

  async #process(followed: Followed, keys: string[]): Promise<void> {
    const candidates: Uint8Array[] = [];
    const keyOf = new Map<Uint8Array, string>();
    /** Keys whose value can never become a valid entry under that key: removed from the document. */
    const junk: string[] = [];
    for (const key of keys) {
      const value = followed.map.get(key);
      if (value === undefined) continue; // deleted: re-published below if we hold it
      if (!(value instanceof Uint8Array)) {
        this.#diagnose(key, 'not an entry (the value is not binary)');
        junk.push(key);
      } else if (value.length > MAX_ENTRY_BYTES) {
        this.#diagnose(key, `not an entry (${value.length} bytes, more than ${MAX_ENTRY_BYTES})`);
        junk.push(key);
      } else if (!this.#held.has(key) || !sameBytes(value, this.#held.get(key)!)) {
        candidates.push(value);
        keyOf.set(value, key);
      }
    }
    if (candidates.length > 0) {
      this.#verifying = candidates.length;
      if (candidates.length >= ANNOUNCE_BATCH) this.#opts.onChange();
      const started = performance.now();
      const report = await this.#opts.ledger.addEntries(candidates).finally(() => (this.#verifying = 0));
      if (candidates.length >= ANNOUNCE_BATCH) this.#opts.trace?.(`addEntries(${candidates.length}) ${report.replay} in ${(performance.now() - started).toFixed(0)} ms, ${this.#opts.ledger.unverifiedCount} unverified`);
      this.#noteRejected(report);
      for (const key of keyOf.values()) {
        const status = this.#opts.ledger.statusOf(key);
        // The ledger names every entry by its hash; a value under another key is misfiled.
        if (status === undefined) {
          this.#diagnose(key, 'stored under a key that is not its hash');
          junk.push(key);
        } else if (status.state === 'rejected' && !this.#opts.ledger.holds(key)) {
          // Dropped by the ledger (malformed, a bad signature, a frozen author's surplus): it can
          // never count, so it goes from the document too.
          junk.push(key);
        }
      }
      // Newly held entries go under their own id too (one that arrived misfiled is refiled), and
      // are owed to the other followed documents.
      const fresh = [...this.#holdNew(), ...(await this.#holdPending(keyOf))];
      if (candidates.length >= ANNOUNCE_BATCH) this.#opts.trace?.(`held ${fresh.length} new entries`);
      // A loop, not push(...fresh): a late joiner's 100,000 ids as call arguments overflow a
      // worker's stack (a RangeError that left the batch unfinished and the page without its view).
      for (const id of fresh) keys.push(id);
      for (const other of this.#followed.values()) if (other !== followed) other.refill.owe(fresh);
    }
    this.#repair(followed, keys, junk);
    // What another peer wrote here, identical to ours, this peer no longer owes the document.
    for (const key of keys) {
      const bytes = this.#held.get(key);
      if (bytes !== undefined && sameBytes(followed.map.get(key), bytes)) followed.refill.arrived(key);
    }
    this.#opts.onChange();
  }

  #noteRejected(report: AddReport): void {
    for (const r of report.rejected) this.#diagnose(r.id, r.reason);
  }

  /**
   * Holds authentic entries not held yet and queues them for saving; returns their ids at once.
   * Saves run one after another in the background: a late joiner's 100,000 entries take seconds
   * to write to IndexedDB, and balances should not wait for that. `#saving` lets a caller that
   * must know its entry is on disk (the person's own transfer) wait for it.
   */
  #holdNew(): string[] {
    const fresh: SignedEntry[] = [];
    for (const e of this.#opts.ledger.validEntries()) if (!this.#held.has(e.id)) fresh.push(e);
    if (fresh.length === 0) return [];
    for (const e of fresh) this.#held.set(e.id, e.bytes);
    // On a later task: the batch's view goes to the pages first (issuing the first slice of puts
    // would otherwise hold it back).
    this.#saving = this.#saving.then(nextTask).then(() => this.#save(fresh));
    return fresh.map((e) => e.id);
  }

  /**
   * The ledger does not count an entry dated ahead of this device's clock yet, so it is not among
   * `validEntries()`; but it is someone's signed entry, and if it vanished from the document before
   * its time came it would be lost. Held (saved, re-published) once its own signature checks out.
   */
  async #holdPending(keyOf: Map<Uint8Array, string>): Promise<string[]> {
    const waiting: SignedEntry[] = [];
    for (const [bytes, key] of keyOf) {
      if (this.#held.has(key) || this.#opts.ledger.statusOf(key)?.state !== 'pending') continue;
      const checked = await verifyEntry(this.#opts.crypto, bytes, this.#opts.economyId);
      if (checked.ok && checked.id === key) waiting.push({ id: key, bytes });
    }
    if (waiting.length === 0) return [];
    for (const e of waiting) this.#held.set(e.id, e.bytes);
    this.#saving = this.#saving.then(() => this.#save(waiting));
    return waiting.map((e) => e.id);
  }

  /** Saves `entries` and any earlier ones whose save failed; a failure keeps them all for a retry. */
  async #save(entries: SignedEntry[]): Promise<void> {
    const retried = [...this.#unsaved].map(([id, bytes]) => ({ id, bytes }));
    const all = retried.length > 0 ? [...entries, ...retried] : entries;
    if (all.length === 0) return;
    try {
      await this.#opts.store.save(this.#opts.economyId, all);
      this.#unsaved.clear();
      clearInterval(this.#retryTimer);
      this.#retryTimer = undefined;
    } catch (error) {
      const firstFailure = this.#unsaved.size === 0;
      for (const e of entries) this.#unsaved.set(e.id, e.bytes);
      if (this.#destroyed) return;
      this.#retryTimer ??= setInterval(() => {
        if (this.#unsaved.size > 0) this.#saving = this.#saving.then(() => this.#save([]));
      }, RETRY_SAVE_MS);
      if (firstFailure) {
        this.#opts.onProblem(`${error instanceof Error ? error.message : String(error)} Entries received from other members are kept in this tab and in the shared document meanwhile, and saving them is retried.`);
      }
    }
  }

  /** Writes every held entry among `ids` that a followed document lacks or holds differently. */
  #republish(ids: readonly string[]): void {
    for (const followed of this.#followed.values()) this.#repair(followed, ids, []);
  }

  /**
   * One local transaction: held entries among `ids` written back where missing or altered, and
   * `junk` keys deleted — values that are not entries, malformed bytes, or bytes filed under a key
   * that is not their hash, entries whose signature fails (under the authenticity rule nothing
   * can make them count later, see src/core/authenticity.ts). Deleting them keeps a vandalised
   * document from growing for every late joiner; it can never remove an entry that counts,
   * because an entry lives only under its own hash.
   */
  #repair(followed: Followed, ids: readonly string[], junk: readonly string[]): void {
    if (this.#destroyed || !this.#followed.has(followed.doc)) return;
    const { map } = followed;
    const missing = ids.filter((id) => {
      const bytes = this.#held.get(id);
      return bytes !== undefined && !sameBytes(map.get(id), bytes);
    });
    const doomed = junk.filter((key) => !this.#held.has(key) && map.has(key));
    if (missing.length === 0 && doomed.length === 0) return;
    followed.doc.transact(() => {
      for (const id of missing) map.set(id, this.#held.get(id)!);
      for (const key of doomed) map.delete(key);
    }, LOCAL_ORIGIN);
  }

  #diagnose(key: string, reason: string): void {
    this.#diagnostics = [{ time: this.#opts.now(), key, reason }, ...this.#diagnostics].slice(0, MAX_DIAGNOSTICS);
  }
}
