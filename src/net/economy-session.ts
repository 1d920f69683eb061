// One open economy as a page sees it. Since issue 12 the heavy part lives in the ledger worker
// (src/worker: the Yjs documents of each generation and their IndexedDB caches, verification,
// replay, the entry store, the writer of own entries); this page keeps the WebRTC rooms that
// carry those documents (./relay-rooms.ts, one per generation), presence, the rooms of compute
// jobs, and `ledger`: a LedgerView of what the worker replayed (core/ledger-view.ts), replaced by
// each snapshot the worker sends. Reads are synchronous, as before; checks before signing run on
// the view; writes go to the worker, which signs, saves and publishes.
//
// Start-up order matters for a person on a flaky phone, and the worker keeps it: (1) the peer's
// own verified entries are loaded into the ledger, so balances and history show before any
// network; (2) the cached document is loaded and checked; (3) only then does a room connect.
//
// Every own entry, whatever its kind, is written by OwnWriter (own-writes.ts) in the worker:
// serialized across tabs, built on the durable head, saved before it is published. Its header
// lists why no honest sequence of actions forks this person's account.
import {
  LedgerView, toHex, checkTransfer, checkVouch, checkRelease, checkResult, checkTaskPost, checkTaskStep, checkTaskVote, checkTaskEstimate,
  checkReleasePost, checkDownload, type ReleasePostInput, type ReleasePostCheck, type DownloadInput, type DownloadCheck,
  type TaskCheck, type TaskPostBody, type TaskPostInput, type TaskStepBody, type TaskStepInput, type TaskVoteInput,
  type TaskEstimateBody, type TaskEstimateInput, type JobBody, type ResultBody,
  type AddReport, type AuditReport, type CryptoPort, type Currency, type KindBodies, type KindName, type OrchestratorResult, type Signer,
  type TransferCheck, type TransferInput,
} from '../core';
import type { SendResult } from './own-writes';
import type { RoomStatus } from './room';
import type { Presence } from './presence';
import { RelayRooms } from './relay-rooms';
import { DEFAULT_GENERATIONS, generationDocumentName, generationAt, type GenerationClock } from './generations';
import { RESTORED_WAIT, waitOutRotation } from './restored-key';
import { JobRooms } from './job-rooms';
import { JobRoom } from './job-room';
import type { EconomyRecord } from './db';
import type { Diagnostic } from './ledger-sync';
import type { IceServer } from './network-config';
import { GenerationDocs } from '../worker/generation-docs';
import type { DebugCorruption, DebugDocumentOp, DebugDocumentResult, HostEvent, SigningKey, SyncProgress, ViewEvent } from '../worker/ledger-api';
import type { LedgerClient } from '../worker/ledger-client';

export interface EconomySessionDeps {
  record: EconomyRecord;
  /** Signs what this page signs itself (estimation records); entries are signed in the worker. */
  signer: Signer;
  /** The key the worker signs entries with (a Signer where the ledger runs in-process, in tests). */
  key: SigningKey | Signer;
  crypto: CryptoPort;
  /** The ledger worker (worker/ledger-client.ts). */
  ledger: LedgerClient;
  network: { signaling: string[]; ice: IceServer[] };
  now: () => number;
  /** The key came from a backup: other devices may hold entries of it that this one has not seen. */
  restored: boolean;
  /** Keep the document in IndexedDB between visits (off in tests that run in Node). */
  persistDocument: boolean;
  onProblem: (message: string) => void;
  /** The set of own entries not yet offered to any peer changed: keep it across reloads. */
  onUnsharedChange: (ids: string[]) => void;
  /** Length and overlap of document generations (default: a week, 10 minutes; tests shorten it). */
  generations?: GenerationClock;
}

export type { SendResult };

/** The y-indexeddb name of the economy's cached document of the generation current at `now`. */
export function documentNameOf(economyId: string, now: number = Date.now(), clock: GenerationClock = DEFAULT_GENERATIONS): string {
  return generationDocumentName(economyId, generationAt(now, clock));
}

export class EconomySession {
  readonly record: EconomyRecord;
  /** What the worker replayed, as of its last snapshot (replaced, never changed in place). */
  ledger: LedgerView;
  /** The rooms of compute jobs this tab works on or owns (./job-rooms.ts): bulky bytes live there. */
  readonly jobRooms: JobRooms;
  readonly #deps: EconomySessionDeps;
  readonly #me: string;
  readonly #client: LedgerClient;
  #tab = '';
  #rooms: RelayRooms | null = null;
  #listeners = new Set<() => void>();
  /** Listeners of the sync's progress alone (the status line), see subscribeProgress. */
  #progressListeners = new Set<() => void>();
  #progress: SyncProgress = { receiving: 0, verifying: 0, unverified: 0, entryCount: 0 };
  #presence: Omit<Presence, 'account'> = { name: '', colour: '#1f6f5c', activity: 'idle' };
  #diagnostics: readonly Diagnostic[] = [];
  #lastRemoteChange = 0;
  #viewSeq = 0;
  #viewWaiters: { seq: number; resolve: () => void }[] = [];
  /** Events that arrived before the rooms existed (the worker sends its generations at once). */
  #early: HostEvent[] = [];
  #closed = false;
  /** Own entries written while no peer was connected: "pending" until a peer connects and syncs. */
  #unshared: Set<string>;
  /** Resolves once a peer's whole document has arrived and been verified into the ledger. */
  #peerSync: Promise<void>;
  #markPeerSynced!: () => void;
  #hasSyncedWithPeer = false;
  #syncSeen = false;

  private constructor(deps: EconomySessionDeps) {
    this.#deps = deps;
    this.record = deps.record;
    this.#me = toHex(deps.signer.publicKey);
    this.#client = deps.ledger;
    this.ledger = LedgerView.empty(deps.record.founder, deps.record.id, deps.now);
    this.#peerSync = new Promise((resolve) => (this.#markPeerSynced = resolve));
    this.jobRooms = new JobRooms({ economyId: deps.record.id, secret: deps.record.secret, network: deps.network, persist: deps.persistDocument });
    this.#unshared = new Set(deps.record.unshared ?? []);
  }

  /**
   * Opens the economy: the worker loads stored entries (offline) and the cached documents, sends
   * its first view, then the rooms connect.
   */
  static async open(deps: EconomySessionDeps): Promise<EconomySession> {
    const session = new EconomySession(deps);
    const { record, persistDocument, generations, key } = deps;
    session.#tab = await session.#client.open(
      { record, me: session.#me, persistDocument, key, ...(generations ? { generations } : {}) },
      (event) => session.#onEvent(event),
    );
    session.#rooms = new RelayRooms({
      economyId: record.id, secret: record.secret, network: deps.network, ledger: session.#client, tab: session.#tab,
      onStatus: (status) => session.#onStatus(status),
      onPresence: () => session.#notify(),
      onProblem: (reason) => console.warn(`hourmesh relay: ${reason}`),
    });
    session.#rooms.setPresence({ account: session.#me, ...session.#presence });
    for (const event of session.#early.splice(0)) session.#onEvent(event);
    // Wait for the first view: balances show from the stored entries before any network.
    await session.#viewAtLeast(1);
    return session;
  }

  #onEvent(event: HostEvent): void {
    if (this.#closed) return;
    switch (event.type) {
      case 'view':
        this.#applyView(event);
        break;
      case 'generations':
        if (this.#rooms) this.#rooms.setGenerations(event.list);
        else this.#early.push(event);
        break;
      case 'update':
        this.#rooms?.deliver(event.generation, event.update, event.except);
        break;
      case 'problem':
        this.#deps.onProblem(event.message);
        break;
      case 'progress':
        this.#setProgress(event);
        break;
    }
  }

  #setProgress({ receiving, verifying, unverified, entryCount }: SyncProgress): void {
    const was = this.#progress;
    if (receiving === was.receiving && verifying === was.verifying && unverified === was.unverified && entryCount === was.entryCount) return;
    this.#progress = { receiving, verifying, unverified, entryCount };
    for (const listener of this.#progressListeners) listener();
  }

  #applyView(event: ViewEvent): void {
    if (event.seq < this.#viewSeq) return;
    this.#viewSeq = event.seq;
    this.ledger = new LedgerView(event.snapshot, this.#deps.now);
    this.#diagnostics = event.diagnostics;
    this.#lastRemoteChange = event.lastRemoteChange;
    this.#setProgress({ receiving: event.receiving, verifying: event.verifying, unverified: event.snapshot.unverifiedCount, entryCount: event.snapshot.entryCount });
    const ready = this.#viewWaiters.filter((w) => w.seq <= event.seq);
    this.#viewWaiters = this.#viewWaiters.filter((w) => w.seq > event.seq);
    for (const w of ready) w.resolve();
    this.#notify();
  }

  /** Resolves once a view numbered `seq` or later has been applied. */
  #viewAtLeast(seq: number): Promise<void> {
    if (this.#viewSeq >= seq || this.#closed) return Promise.resolve();
    return new Promise((resolve) => this.#viewWaiters.push({ seq, resolve }));
  }

  #onStatus(status: RoomStatus): void {
    // A newly connected peer runs the Yjs sync step at once, which carries every entry we hold
    // (in a fresh generation, the refill rule of ./refill.ts writes them within seconds).
    if (status.webrtcPeers > 0 && this.#unshared.size > 0) {
      this.#unshared.clear();
      this.#deps.onUnsharedChange([]);
    }
    if (status.synced && !this.#syncSeen) {
      this.#syncSeen = true;
      // Synced only once what the peer sent has been verified into the ledger.
      const settle = this.#deps.restored ? this.#settleRestored() : this.#settled();
      void settle.then(() => {
        this.#hasSyncedWithPeer = true;
        this.#markPeerSynced();
        this.#notify();
      });
    }
    this.#notify();
  }

  /** What peers sent so far is verified, and the page holds the view that shows it. */
  async #settled(): Promise<void> {
    await this.#client.settled(this.record.id).catch(() => undefined);
    // The worker sends a view after any change it settled; wait for the one in flight, if any.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }

  async #settleRestored(): Promise<void> {
    await this.#settled();
    const waited = await waitOutRotation(this.#deps.now(), this.#deps.generations ?? DEFAULT_GENERATIONS, () => this.#lastRemoteChange);
    if (waited) await this.#settled();
  }

  /** The generations whose rooms this page has open now, oldest first. */
  get generations(): number[] {
    return this.#rooms?.generations ?? [];
  }

  get me(): string {
    return this.#me;
  }
  get roomStatus(): RoomStatus {
    return this.#rooms?.status() ?? { signaling: [], webrtcPeers: 0, secretMismatch: false, synced: false };
  }
  get diagnostics(): readonly Diagnostic[] {
    return this.#diagnostics;
  }
  /** Entries received from peers that are being verified right now (0 when idle). */
  get verifying(): number {
    return this.#progress.verifying;
  }

  /** The sync's progress (receiving, verifying, unverified, entry count): newer than the last view between views. */
  get progress(): SyncProgress {
    return this.#progress;
  }

  /**
   * Calls back when only the sync's progress changed. A status line listens here; what shows the
   * ledger listens to `subscribe`, so a progress tick does not re-render balances and members.
   */
  subscribeProgress(callback: () => void): () => void {
    this.#progressListeners.add(callback);
    return () => this.#progressListeners.delete(callback);
  }
  /** Resolves after the first full sync with a peer has been verified into the ledger. */
  whenSyncedWithPeer(): Promise<void> {
    return this.#peerSync;
  }

  get hasSyncedWithPeer(): boolean {
    return this.#hasSyncedWithPeer;
  }

  /** True for an own entry no peer has had a chance to receive yet. */
  isUnshared(entryId: string): boolean {
    return this.#unshared.has(entryId);
  }

  get online(): Presence[] {
    return this.#rooms?.online() ?? [];
  }

  /** Calls back after any visible change (ledger, room, presence); returns the unsubscribe. */
  subscribe(callback: () => void): () => void {
    this.#listeners.add(callback);
    return () => this.#listeners.delete(callback);
  }

  setPresence(presence: Omit<Presence, 'account'>): void {
    this.#presence = presence;
    this.#rooms?.setPresence({ account: this.#me, ...presence });
  }
  /**
   * Checks a send the way the ledger will (core/kind-transfer.ts checkTransfer): the body to sign
   * and what to confirm, or the sentence to show. Nothing is signed here.
   */
  checkTransfer(input: TransferInput): TransferCheck {
    return this.#gate(() => checkTransfer(this.ledger, this.#me, input));
  }

  /** Checks the send again against the ledger as it is now, then signs and publishes it. */
  async send(input: TransferInput): Promise<SendResult> {
    return this.#writeChecked('transfer', this.checkTransfer(input));
  }

  async publishProfile(name: string, colour: string): Promise<SendResult> {
    const current = this.ledger.profileOf(this.#me);
    if (current && current.name === name && current.colour === colour) return { ok: true, entryId: '' };
    return this.#write('profile', { name, colour });
  }

  async publishCreditLimits(limits: { MH: number; CH: number }): Promise<SendResult> {
    if (this.#me !== this.record.founder) return { ok: false, error: 'Only the founder of this economy can change its credit limits.' };
    return this.#write('economy-settings', { creditLimit: limits });
  }

  /** Adds `amountText` hours to my stake on `member` (see core/kind-vouch.ts). */
  async publishVouch(member: string, currency: Currency, amountText: string): Promise<SendResult> {
    return this.#writeChecked('vouch', checkVouch(this.ledger, this.#me, { member, currency, amountText }));
  }

  /** Gives back `amountText` hours of the stake `voucher` holds on me (see core/kind-release.ts). */
  async publishRelease(voucher: string, currency: Currency, amountText: string): Promise<SendResult> {
    return this.#writeChecked('release', checkRelease(this.ledger, this.#me, { voucher, currency, amountText }));
  }

  // Tasks (core/kind-task-*.ts, docs/TASKS.md): each check is what the ledger will rule, run
  // before signing; each publish checks again against the ledger as it is now, then writes.

  checkTaskPost(input: TaskPostInput): TaskCheck<TaskPostBody> {
    return this.#gate(() => checkTaskPost(this.ledger, this.#me, input));
  }

  /** Posts a task; the entry id it returns is the task's id. */
  async postTask(input: TaskPostInput): Promise<SendResult> {
    return this.#writeChecked('task-post', this.checkTaskPost(input));
  }

  checkTaskStep(input: TaskStepInput): TaskCheck<TaskStepBody> {
    return this.#gate(() => checkTaskStep(this.ledger, this.#me, input));
  }

  /** Start estimating, claim, drop, done (note), accept (pays), send back (reason). */
  async taskStep(input: TaskStepInput): Promise<SendResult> {
    return this.#writeChecked('task-step', this.checkTaskStep(input));
  }

  /** Commits a hidden vote (value and salt stay with the caller until the reveal). */
  async commitVote(input: TaskVoteInput): Promise<SendResult> {
    return this.#writeChecked('task-vote', this.#gate(() => checkTaskVote(this.ledger, this.#me, input)));
  }

  checkTaskEstimate(input: TaskEstimateInput): TaskCheck<TaskEstimateBody> {
    return this.#gate(() => checkTaskEstimate(this.ledger, this.#me, input));
  }

  /** Settles a round: the estimate is the consensus rule's, from every voter's reveal. */
  async settleEstimate(input: TaskEstimateInput): Promise<SendResult> {
    return this.#writeChecked('task-estimate', this.checkTaskEstimate(input));
  }

  // Releases and downloads (core/kind-release-post.ts, core/kind-download.ts, docs/RELEASES.md).
  // `publishRelease` above is another thing: giving back a vouch stake.

  checkReleasePost(input: ReleasePostInput): ReleasePostCheck {
    return this.#gate(() => checkReleasePost(this.ledger, this.#me, input));
  }

  /** Publishes a release (its file is already chunked and kept by the caller); the entry id is the release's id. */
  async publishReleasePost(input: ReleasePostInput): Promise<SendResult> {
    return this.#writeChecked('release-post', this.checkReleasePost(input));
  }

  checkDownload(input: DownloadInput): DownloadCheck {
    return this.#gate(() => checkDownload(this.ledger, this.#me, input));
  }

  /** Pays for a verified download: the price to the contributors, the serving fee to each server. */
  async publishDownload(input: DownloadInput): Promise<SendResult> {
    return this.#writeChecked('download', this.checkDownload(input));
  }

  /**
   * The generic sign-and-publish path, with no check of its own: the caller has checked the body
   * (the create form checks the founder's first settings entry, with its epoch length, through
   * core/kind-economy-settings.ts before calling it). The test build's debug handle also calls it
   * to play a hostile member (e2e/estimation.spec.ts settles against the votes).
   */
  publish<K extends KindName>(kind: K, body: KindBodies[K]): Promise<SendResult> {
    return this.#write(kind, body);
  }

  /** What a live estimation session of this economy needs to open its own room (./estimation-session.ts). */
  estimationContext(): { signer: Signer; crypto: CryptoPort; network: { signaling: string[]; ice: IceServer[] }; secret: string; persistDocument: boolean; name: string; colour: string } {
    const { signer, crypto, network, persistDocument } = this.#deps;
    return { signer, crypto, network, secret: this.record.secret, persistDocument, name: this.#presence.name, colour: this.#presence.colour };
  }

  /** Signs a job that core/kind-job.ts checkJob passed (the replay checks it again). */
  postJob(body: JobBody): Promise<SendResult> {
    return this.#write('job', body);
  }

  /** Signs a unit's result (its bytes are already in the job's room), if it would count. */
  publishResult(body: ResultBody): Promise<SendResult> {
    return this.#writeChecked('result', checkResult(this.ledger, this.#me, body, this.#deps.now()));
  }

  /** Forgets a job room's cache on this device (a staging copy once its job is posted). */
  async forgetJobRoom(name: string): Promise<void> {
    if (this.#deps.persistDocument) await JobRoom.forget(this.record.id, name).catch(() => undefined);
  }

  async importEntries(entries: readonly Uint8Array[]): Promise<AddReport> {
    const { result, viewSeq } = await this.#client.importEntries(this.record.id, [...entries]);
    await this.#viewAtLeast(viewSeq);
    return result;
  }

  /** Every authentic entry this peer holds, for export and audit. */
  exportEntries(): Promise<Uint8Array[]> {
    return this.#client.exportEntries(this.record.id);
  }

  /** Re-verifies every entry in the worker and compares with what the dashboard shows (`shown`). */
  audit(now: number, shown: OrchestratorResult): Promise<AuditReport> {
    return this.#client.audit(this.record.id, now, shown);
  }

  /** Test build only (the debug handle): the worker's document of a generation (newest: null). */
  debugDocument(op: DebugDocumentOp, generation: number | null = null): Promise<DebugDocumentResult> {
    return this.#client.debugDocument(this.record.id, generation, op);
  }

  /** Test build only: a corruption of the worker's replayed state, for the audit's e2e. */
  debugCorrupt(change: DebugCorruption): Promise<void> {
    return this.#client.debugCorrupt(this.record.id, change);
  }

  /** Test build only: the ledger worker's entry saves fail like a full disk while on. */
  debugDiskFull(on: boolean): Promise<void> {
    return this.#client.debugDiskFull(on);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.jobRooms.close();
    this.#rooms?.close();
    void this.#client.close(this.record.id, this.#tab).catch(() => undefined);
    for (const w of this.#viewWaiters.splice(0)) w.resolve();
    this.#listeners.clear();
    this.#progressListeners.clear();
  }

  /** Forgets the economy's cached documents on this device (its entries are removed by the caller). */
  static async clearCachedDocument(economyId: string, now: number = Date.now(), clock?: GenerationClock): Promise<void> {
    await GenerationDocs.clearCachedDocuments(economyId, now, clock);
  }

  /** A freshly restored key waits for one sync with a peer before it writes here (see Economies). */
  get #waitsForSync(): boolean {
    return this.#deps.restored && !this.#hasSyncedWithPeer;
  }

  /** A check before signing, said at once when the key must still wait for its first sync. */
  #gate<R>(check: () => R): R | { ok: false; error: string } {
    return this.#waitsForSync ? { ok: false, error: RESTORED_WAIT } : check();
  }

  /** Signs and publishes a checked body; a failed check is the answer as it is. */
  #writeChecked<K extends KindName>(kind: K, checked: { ok: true; body: KindBodies[K] } | { ok: false; error: string }): Promise<SendResult> {
    return checked.ok ? this.#write(kind, checked.body) : Promise.resolve(checked);
  }

  /** Every own entry goes this way, whatever the kind. */
  async #write<K extends KindName>(kind: K, body: KindBodies[K]): Promise<SendResult> {
    if (this.#waitsForSync) return { ok: false, error: RESTORED_WAIT };
    const { result, viewSeq } = await this.#client.write(this.record.id, kind, body);
    await this.#viewAtLeast(viewSeq);
    // Written while no peer was connected: say so until one connects and syncs. The view that
    // shows the entry may have been drawn already (views and answers travel on different ports),
    // so the page is told again: else the history would never say "pending".
    if (result.ok && result.entryId && this.roomStatus.webrtcPeers === 0) {
      this.#unshared.add(result.entryId);
      this.#deps.onUnsharedChange([...this.#unshared]);
      this.#notify();
    }
    return result;
  }

  #notify(): void {
    for (const listener of this.#listeners) listener();
  }
}
