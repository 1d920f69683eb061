// One open economy inside the ledger worker: its verified Ledger, the LedgerSync that binds the
// generation documents to it and to the entry store, the writer of own entries, and the relay of
// the documents' sync protocol to the pages' rooms. What used to run on the page's main thread in
// EconomySession, minus the WebRTC links and presence (which need a page).
//
// Start-up order (as before the worker): (1) the stored entries are loaded into the ledger, so
// balances show before any network; (2) the cached documents are loaded and checked; (3) only then
// are the pages told which rooms to open.
//
// Views: after a change the pages get a snapshot of what they show (core/ledger-view.ts), at most
// every VIEW_INTERVAL_MS while changes keep coming (a late joiner's sync is one long change), and
// at once after an own write (the page that wrote reads its result from the next view).
import * as Y from 'yjs';
import {
  Ledger, auditLedger, type AddReport, type AuditReport, type CryptoPort, type KindBodies, type KindName,
  type Balance, type OrchestratorResult, type Signer,
} from '../core';
import type { LedgerState } from '../core/ledger-state';
import { LedgerSync } from '../net/ledger-sync';
import { OwnWriter, type SendResult } from '../net/own-writes';
import type { EntryStore } from '../net/entry-store';
import type { PeerState } from '../net/refill';
import { GenerationDocs } from './generation-docs';
import { DocRelay, linkOfOrigin } from './doc-relay';
import type { DebugCorruption, DebugDocumentOp, DebugDocumentResult, HostEvent, OpenEconomy, RelayAnswer, Viewed } from './ledger-api';

/** How often entries held for clock skew are re-checked. */
const REFRESH_MS = 30_000;
/** The most often a changing ledger sends its view to the pages. */
export const VIEW_INTERVAL_MS = 150;
/** How often background signature checks are looked at for progress. */
const VERIFY_POLL_MS = 500;

export interface LedgerHostDeps {
  crypto: CryptoPort;
  entries: EntryStore;
  now: () => number;
  signer: Signer;
  /** Log phases to the console (test builds, on request). */
  trace?: boolean;
}

export class LedgerHost {
  readonly ledger: Ledger;
  readonly #args: OpenEconomy;
  readonly #deps: LedgerHostDeps;
  readonly #sync: LedgerSync;
  readonly #writer: OwnWriter;
  readonly #docs: GenerationDocs;
  readonly #relays = new Map<number, DocRelay>();
  readonly #listeners = new Map<string, (event: HostEvent) => void>();
  #refreshTimer: ReturnType<typeof setInterval> | undefined;
  #viewTimer: ReturnType<typeof setTimeout> | undefined;
  #lastViewAt = -Infinity;
  #viewSeq = 0;
  #verifyWatch: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  private constructor(args: OpenEconomy, deps: LedgerHostDeps) {
    this.#args = args;
    this.#deps = deps;
    const { record } = args;
    // Pacing: a flood that forces full replays costs this worker a bounded share of its CPU.
    const pacing = { now: () => performance.now(), wait: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)) };
    this.ledger = new Ledger({ crypto: deps.crypto, economy: record.id, founder: record.founder, now: deps.now, pacing });
    this.#sync = new LedgerSync({
      ledger: this.ledger, crypto: deps.crypto, store: deps.entries, economyId: record.id, now: deps.now,
      onChange: () => {
        this.#trace(`ledger changed: ${this.ledger.entryCount} entries, verifying ${this.#sync.verifying}, unverified ${this.ledger.unverifiedCount}`);
        this.#changed();
      },
      onProblem: (message) => this.#emit({ type: 'problem', message }),
      onReceiving: () => this.#emitProgress(),
      trace: (what) => this.#trace(what),
    });
    this.#writer = new OwnWriter({
      economyId: record.id, signer: deps.signer, crypto: deps.crypto, store: deps.entries, ledger: this.ledger, sync: this.#sync, now: deps.now,
      scope: () => ({ economy: record.id, ack: this.ledger.settingsAck }),
      // A restored key waits for its first sync: the page decides that (it sees the rooms).
      blocked: () => null,
    });
    this.#docs = new GenerationDocs({
      economyId: record.id, persistDocument: args.persistDocument, sync: this.#sync, now: deps.now, ...(args.generations ? { clock: args.generations } : {}),
      onGenerations: (list) => this.#emit({ type: 'generations', list }),
      onDocument: (generation, doc) => this.#relay(generation, doc),
    });
  }

  static async open(args: OpenEconomy, deps: LedgerHostDeps): Promise<LedgerHost> {
    const host = new LedgerHost(args, deps);
    await host.#sync.loadStored();
    await host.#docs.start();
    host.#refreshTimer = setInterval(() => void host.ledger.refresh().then(() => host.#changed()), REFRESH_MS);
    return host;
  }

  get record() {
    return this.#args.record;
  }

  get generations(): number[] {
    return this.#docs.generations;
  }

  /** Adds a tab's listener and sends it what it needs to start: the rooms to open and a view. */
  listen(tab: string, listener: (event: HostEvent) => void): void {
    this.#listeners.set(tab, listener);
    listener({ type: 'generations', list: this.#docs.generations });
    this.#viewSeq += 1;
    listener(this.#view());
  }

  /** Removes a tab; true when no tab is left (the caller closes the host). */
  unlisten(tab: string): boolean {
    this.#listeners.delete(tab);
    this.#docs.forgetTab(tab);
    return this.#listeners.size === 0;
  }

  receive(generation: number, link: string, message: Uint8Array): RelayAnswer {
    const relay = this.#relays.get(generation);
    if (!relay) return { problem: `generation ${generation} is not followed here` };
    const started = performance.now();
    const answer = relay.receive(link, message);
    if (message.length > 65_536) this.#trace(`received ${message.length} bytes from ${link}: ${answer.step2 ? 'step 2' : 'update'} applied in ${(performance.now() - started).toFixed(0)} ms`);
    return answer;
  }

  syncStep1(generation: number): Uint8Array | null {
    return this.#relays.get(generation)?.syncStep1() ?? null;
  }

  roomState(generation: number, tab: string, peers: PeerState): void {
    this.#docs.setRoomState(generation, tab, peers);
  }

  linkClosed(generation: number, link: string): void {
    this.#relays.get(generation)?.forget(link);
  }

  async write<K extends KindName>(kind: K, body: KindBodies[K]): Promise<Viewed<SendResult>> {
    const result = await this.#writer.write(kind, body);
    // The writing page reads the entry's effect from this view.
    return { result, viewSeq: this.#sendView() };
  }

  async importEntries(entries: readonly Uint8Array[]): Promise<Viewed<AddReport>> {
    const result = await this.#sync.importEntries(entries);
    return { result, viewSeq: this.#sendView() };
  }

  exportEntries(): Uint8Array[] {
    return [...this.ledger.validEntries()].map((e) => e.bytes);
  }

  settled(): Promise<void> {
    return this.#sync.settled();
  }

  async audit(now: number, shown: OrchestratorResult): Promise<AuditReport> {
    const { record } = this.#args;
    const fresh = new Ledger({ crypto: this.#deps.crypto, economy: record.id, founder: record.founder, now: () => now });
    return auditLedger({ live: this.ledger, fresh, crypto: this.#deps.crypto, economy: record.id, shown, now });
  }

  debugDocument(generation: number | null, op: DebugDocumentOp): DebugDocumentResult {
    if (op.op === 'generations') return { generations: this.#docs.generations };
    if (op.op === 'entry-ids') return { keys: [...this.ledger.validEntries()].map((e) => e.id) };
    if (op.op === 'tabs') return { value: this.#listeners.size };
    const doc = generation === null ? this.#docs.newest : this.#docs.documentOf(generation);
    if (!doc) return {};
    const map = doc.getMap<unknown>('entries');
    switch (op.op) {
      case 'keys':
        return { keys: [...map.keys()] };
      case 'roots':
        return { keys: [...doc.share.keys()] };
      case 'encode':
        return { value: Y.encodeStateAsUpdate(doc) };
      case 'get':
        return { value: map.get(op.key) };
      case 'set':
        map.set(op.key, op.value);
        return {};
      case 'delete':
        map.delete(op.key);
        return {};
    }
  }

  /** Test build only: changes this worker's replayed state behind the replay's back (the audit must notice). */
  debugCorrupt(change: DebugCorruption): void {
    const state = (this.ledger as unknown as { state: LedgerState }).state;
    if (change.balance) state.balances.set(change.balance.account, { MH: change.balance.MH, CH: change.balance.CH } as Balance);
    for (const flow of change.flows ?? []) state.flows.push(flow);
    this.#sendView();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#refreshTimer);
    clearInterval(this.#verifyWatch);
    clearTimeout(this.#viewTimer);
    this.#docs.close();
    this.#sync.destroy();
    this.#listeners.clear();
  }

  #relay(generation: number, doc: Y.Doc): void {
    const relay = new DocRelay(doc);
    this.#relays.set(generation, relay);
    relay.onHold = (origin, held) => {
      this.#trace(held ? `${origin.link} sends its document in slices: verifying it waits for the last` : `${origin.link}: hold ended`);
      this.#sync.hold(doc, origin, held);
      this.#emitProgress();
    };
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      const except = linkOfOrigin(origin);
      // Nobody else to send it to (a late joiner's one link): no 25 MiB copy to the page for nothing.
      // A link not heard from yet gets it in the answer to its step 1.
      if (!relay.hasLinksBesides(except)) return;
      this.#emit({ type: 'update', generation, update: DocRelay.updateMessage(update), except });
    });
    doc.on('destroy', () => {
      relay.close();
      if (this.#relays.get(generation) === relay) this.#relays.delete(generation);
    });
  }

  #view(): HostEvent {
    return {
      type: 'view',
      seq: this.#viewSeq,
      snapshot: this.ledger.viewSnapshot(this.#args.me),
      diagnostics: this.#sync.diagnostics,
      verifying: this.#sync.verifying,
      receiving: this.#sync.receiving,
      lastRemoteChange: this.#sync.lastRemoteChange,
    };
  }

  /** Something changed: send a view now, or when VIEW_INTERVAL_MS has passed since the last. */
  #changed(): void {
    this.#watchVerification();
    // A big batch starts verifying: say so at once, without a view (its state has not changed yet).
    if (this.#sync.verifying > 0) this.#emitProgress();
    if (this.#closed || this.#viewTimer !== undefined) return;
    const wait = this.#lastViewAt + VIEW_INTERVAL_MS - performance.now();
    if (wait <= 0) this.#sendView();
    else this.#viewTimer = setTimeout(() => this.#sendView(), wait);
  }

  /**
   * While signatures are checked in the background (a late joiner's first sync: the ledger
   * authenticates chains from their heads and checks the rest after, core/ledger.ts), the pages
   * are told how far it got ("verified 40,000 of 100,000 entries"): the ledger has no event for
   * that, so it is polled.
   */
  #watchVerification(): void {
    if (this.#verifyWatch !== undefined || this.#closed || this.ledger.unverifiedCount === 0) return;
    let last = this.ledger.unverifiedCount;
    this.#verifyWatch = setInterval(() => {
      const now = this.ledger.unverifiedCount;
      if (now !== last) {
        last = now;
        // The state is the same (the checks only confirm it): progress only, a cheap event.
        this.#emitProgress();
        // Once every signature is checked, a view (so the page's counts end exact).
        if (now === 0) this.#changed();
      }
      if (now === 0 || this.#closed) {
        clearInterval(this.#verifyWatch);
        this.#verifyWatch = undefined;
      }
    }, VERIFY_POLL_MS);
  }

  /** Sends a view now; returns its seq. */
  #sendView(): number {
    if (this.#closed) return this.#viewSeq;
    clearTimeout(this.#viewTimer);
    this.#viewTimer = undefined;
    this.#lastViewAt = performance.now();
    this.#viewSeq += 1;
    this.#trace(`view ${this.#viewSeq}: ${this.ledger.entryCount} entries, verifying ${this.#sync.verifying}, unverified ${this.ledger.unverifiedCount}`);
    this.#emit(this.#view());
    return this.#viewSeq;
  }

  /** Test builds with a trace asked for (bench/phone-join PHONE_BENCH_PROFILE): phases on the worker's console. */
  #trace(what: string): void {
    if (this.#deps.trace) console.log(`[ledger-worker] ${what}`);
  }

  #emitProgress(): void {
    this.#emit({ type: 'progress', receiving: this.#sync.receiving, verifying: this.#sync.verifying, unverified: this.ledger.unverifiedCount, entryCount: this.ledger.entryCount });
  }

  #emit(event: HostEvent): void {
    for (const listener of this.#listeners.values()) {
      try {
        listener(event);
      } catch {
        // A tab that went away: its listener throws or drops the event; the others still get it.
      }
    }
  }
}
