// One open economy: its Yjs documents (persisted with y-indexeddb as a transport cache) and their
// y-webrtc rooms, one per document generation (./generation-channels.ts: the document is rotated
// every week and refilled from the peers' stores, which sheds its tombstones), the verified ledger
// and the peer's own entry store, and presence.
//
// Start-up order matters for a person on a flaky phone: (1) the peer's own verified entries
// are loaded into the ledger, so balances and history show before any network; (2) the cached
// document is loaded and checked; (3) only then does the room connect and merge with peers.
//
// Every own entry, whatever its kind, is written by OwnWriter (own-writes.ts): serialized across
// tabs, built on the durable head, saved before it is published. Its header lists why no honest
// sequence of actions forks this person's account.
import type * as Y from 'yjs';
import {
  Ledger, toHex, checkTransfer, checkVouch, checkRelease, checkResult, checkTaskPost, checkTaskStep, checkTaskVote, checkTaskEstimate,
  type TaskCheck, type TaskPostBody, type TaskPostInput, type TaskStepBody, type TaskStepInput, type TaskVoteBody, type TaskVoteInput,
  type TaskEstimateBody, type TaskEstimateInput, type JobBody, type ResultBody,
  type AddReport, type CryptoPort, type Currency, type KindBodies, type KindName, type Signer, type TransferCheck, type TransferInput,
} from '../core';
import { checkReleasePost, checkDownload, type ReleasePostInput, type ReleasePostCheck, type DownloadInput, type DownloadCheck } from '../core';
import { LedgerSync } from './ledger-sync';
import { OwnWriter, type SendResult } from './own-writes';
import type { RoomStatus } from './room';
import type { Presence } from './presence';
import { GenerationChannels } from './generation-channels';
import { DEFAULT_GENERATIONS, generationDocumentName, generationAt, generationsToJoin, type GenerationClock } from './generations';
import { DEFAULT_REFILL } from './refill';
import { JobRooms } from './job-rooms';
import { JobRoom } from './job-room';
import type { EconomyRecord } from './db';
import type { EntryStore } from './entry-store';
import type { IceServer } from './network-config';

export interface EconomySessionDeps {
  record: EconomyRecord;
  signer: Signer;
  crypto: CryptoPort;
  entries: EntryStore;
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

const RESTORED_WAIT = 'Your key was restored from a backup and this device has not synced with a peer of this economy yet. Wait until it is connected: writing before then could fork your account.';
/** How often entries held for clock skew are re-checked. */
const REFRESH_MS = 30_000;

/**
 * A restored key must not write before it has seen what peers hold of it, and a peer that entered
 * the generation moments ago may still be refilling it (./refill.ts). Around a rotation every peer
 * does, within its longest delay: there a restored key waits, after its first sync, at least
 * RESTORED_ROTATION_MS and until the documents have been quiet for RESTORED_QUIET_MS (never longer
 * than RESTORED_MAX_MS: a flood must not block it). Elsewhere the first sync counts at once, as
 * before generations: a peer that entered late pays on its own sync ('on-sync'), so what it owes
 * trails that sync by one round trip, and only a peer with no cached copy of the generation
 * (a first visit this week) can be in that position.
 */
const RESTORED_QUIET_MS = 1_000;
const RESTORED_ROTATION_MS = DEFAULT_REFILL.maxDelayMs + 2 * DEFAULT_REFILL.quietMs;
const RESTORED_MAX_MS = 60_000;

/** The y-indexeddb name of the economy's cached document of the generation current at `now`. */
export function documentNameOf(economyId: string, now: number = Date.now(), clock: GenerationClock = DEFAULT_GENERATIONS): string {
  return generationDocumentName(economyId, generationAt(now, clock));
}

export class EconomySession {
  readonly record: EconomyRecord;
  readonly ledger: Ledger;
  /** The rooms of compute jobs this tab works on or owns (./job-rooms.ts): bulky bytes live there. */
  readonly jobRooms: JobRooms;
  readonly #deps: EconomySessionDeps;
  readonly #sync: LedgerSync;
  readonly #me: string;
  #channels: GenerationChannels | null = null;
  #listeners = new Set<() => void>();
  #refreshTimer: ReturnType<typeof setInterval> | undefined;
  #presence: Omit<Presence, 'account'> = { name: '', colour: '#1f6f5c', activity: 'idle' };
  readonly #writer: OwnWriter;
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
    // Pacing: a flood that forces full replays costs this tab a bounded share of its CPU.
    const pacing = { now: () => performance.now(), wait: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)) };
    this.ledger = new Ledger({ crypto: deps.crypto, economy: deps.record.id, founder: deps.record.founder, now: deps.now, pacing });
    this.#peerSync = new Promise((resolve) => (this.#markPeerSynced = resolve));
    this.jobRooms = new JobRooms({ economyId: deps.record.id, secret: deps.record.secret, network: deps.network, persist: deps.persistDocument });
    this.#unshared = new Set(deps.record.unshared ?? []);
    this.#sync = new LedgerSync({
      ledger: this.ledger, crypto: deps.crypto, store: deps.entries, economyId: deps.record.id, now: deps.now,
      onChange: () => this.#notify(), onProblem: deps.onProblem,
    });
    this.#writer = new OwnWriter({
      economyId: deps.record.id, signer: deps.signer, crypto: deps.crypto, store: deps.entries, ledger: this.ledger, sync: this.#sync, now: deps.now,
      scope: () => ({ economy: this.record.id, ack: this.ledger.settingsAck }),
      blocked: () => (deps.restored && !this.#hasSyncedWithPeer ? RESTORED_WAIT : null),
      onSaved: (entryId) => {
        if (this.roomStatus.webrtcPeers > 0) return;
        this.#unshared.add(entryId);
        this.#deps.onUnsharedChange([...this.#unshared]);
      },
    });
  }

  /** Opens the economy: stored entries first (offline), then the cached document, then the room. */
  static async open(deps: EconomySessionDeps): Promise<EconomySession> {
    const session = new EconomySession(deps);
    await session.#sync.loadStored();
    session.#channels = new GenerationChannels({
      economyId: deps.record.id, secret: deps.record.secret, network: deps.network, persistDocument: deps.persistDocument,
      sync: session.#sync, now: deps.now, clock: deps.generations,
      onStatus: (status) => session.#onStatus(status),
      onPresence: () => session.#notify(),
    });
    await session.#channels.start();
    session.#refreshTimer = setInterval(() => void session.ledger.refresh().then(() => session.#notify()), REFRESH_MS);
    return session;
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
      const settle = this.#deps.restored ? this.#settleRestored() : this.#sync.settled();
      void settle.then(() => {
        this.#hasSyncedWithPeer = true;
        this.#markPeerSynced();
        this.#notify();
      });
    }
    this.#notify();
  }

  async #settleRestored(): Promise<void> {
    await this.#sync.settled();
    const clock = this.#deps.generations ?? DEFAULT_GENERATIONS;
    const now = this.#deps.now();
    const rotating = generationsToJoin(now, clock).length > 1 || now % clock.generationMs < clock.overlapMs + RESTORED_ROTATION_MS;
    if (!rotating) return;
    const since = performance.now();
    const minimum = RESTORED_ROTATION_MS;
    const waiting = () => {
      const t = performance.now();
      return t - since < RESTORED_MAX_MS && (t - since < minimum || t - this.#sync.lastRemoteChange < RESTORED_QUIET_MS);
    };
    while (waiting()) await new Promise((resolve) => setTimeout(resolve, 250));
    await this.#sync.settled();
  }

  /** The newest joined generation's document (what a late joiner downloads now). */
  get doc(): Y.Doc {
    return this.#channels!.doc;
  }

  /** The generations followed now, oldest first, and the document of one of them. */
  get generations(): number[] {
    return this.#channels?.generations ?? [];
  }
  documentOf(generation: number): Y.Doc | undefined {
    return this.#channels?.documentOf(generation);
  }

  get me(): string {
    return this.#me;
  }
  get roomStatus(): RoomStatus {
    return this.#channels?.status() ?? { signaling: [], webrtcPeers: 0, secretMismatch: false, synced: false };
  }
  get diagnostics() {
    return this.#sync.diagnostics;
  }
  /** Entries received from peers that are being verified right now (0 when idle). */
  get verifying(): number {
    return this.#sync.verifying;
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
    return this.#channels?.online() ?? [];
  }

  /** Calls back after any visible change (ledger, room, presence); returns the unsubscribe. */
  subscribe(callback: () => void): () => void {
    this.#listeners.add(callback);
    return () => this.#listeners.delete(callback);
  }

  setPresence(presence: Omit<Presence, 'account'>): void {
    this.#presence = presence;
    this.#channels?.setPresence({ account: this.#me, ...presence });
  }

  /**
   * Checks a send the way the ledger will (core/kind-transfer.ts checkTransfer): the body to sign
   * and what to confirm, or the sentence to show. Nothing is signed here.
   */
  checkTransfer(input: TransferInput): TransferCheck {
    // See Economies: a freshly restored key waits for one sync before it may write here.
    if (this.#deps.restored && !this.#hasSyncedWithPeer) return { ok: false, error: RESTORED_WAIT };
    return checkTransfer(this.ledger, this.#me, input);
  }

  /** Checks the send again against the ledger as it is now, then signs and publishes it. */
  async send(input: TransferInput): Promise<SendResult> {
    const checked = this.checkTransfer(input);
    if (!checked.ok) return checked;
    return this.#write('transfer', checked.body);
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
    const checked = checkVouch(this.ledger, this.#me, { member, currency, amountText });
    if (!checked.ok) return checked;
    return this.#write('vouch', checked.body);
  }

  /** Gives back `amountText` hours of the stake `voucher` holds on me (see core/kind-release.ts). */
  async publishRelease(voucher: string, currency: Currency, amountText: string): Promise<SendResult> {
    const checked = checkRelease(this.ledger, this.#me, { voucher, currency, amountText });
    if (!checked.ok) return checked;
    return this.#write('release', checked.body);
  }

  // Tasks (core/kind-task-*.ts, docs/TASKS.md): each check is what the ledger will rule, run
  // before signing; each publish checks again against the ledger as it is now, then writes.

  checkTaskPost(input: TaskPostInput): TaskCheck<TaskPostBody> {
    if (this.#deps.restored && !this.#hasSyncedWithPeer) return { ok: false, error: RESTORED_WAIT };
    return checkTaskPost(this.ledger, this.#me, input);
  }

  /** Posts a task; the entry id it returns is the task's id. */
  async postTask(input: TaskPostInput): Promise<SendResult> {
    const checked = this.checkTaskPost(input);
    if (!checked.ok) return checked;
    return this.#write('task-post', checked.body);
  }

  checkTaskStep(input: TaskStepInput): TaskCheck<TaskStepBody> {
    if (this.#deps.restored && !this.#hasSyncedWithPeer) return { ok: false, error: RESTORED_WAIT };
    return checkTaskStep(this.ledger, this.#me, input);
  }

  /** Start estimating, claim, drop, done (note), accept (pays), send back (reason). */
  async taskStep(input: TaskStepInput): Promise<SendResult> {
    const checked = this.checkTaskStep(input);
    if (!checked.ok) return checked;
    return this.#write('task-step', checked.body);
  }

  /** Commits a hidden vote (value and salt stay with the caller until the reveal). */
  async commitVote(input: TaskVoteInput): Promise<SendResult> {
    if (this.#deps.restored && !this.#hasSyncedWithPeer) return { ok: false, error: RESTORED_WAIT };
    const checked = checkTaskVote(this.ledger, this.#me, input);
    if (!checked.ok) return checked;
    return this.#write('task-vote', checked.body);
  }

  checkTaskEstimate(input: TaskEstimateInput): TaskCheck<TaskEstimateBody> {
    if (this.#deps.restored && !this.#hasSyncedWithPeer) return { ok: false, error: RESTORED_WAIT };
    return checkTaskEstimate(this.ledger, this.#me, input);
  }

  /** Settles a round: the estimate is the consensus rule's, from every voter's reveal. */
  async settleEstimate(input: TaskEstimateInput): Promise<SendResult> {
    const checked = this.checkTaskEstimate(input);
    if (!checked.ok) return checked;
    return this.#write('task-estimate', checked.body);
  }

  // Releases and downloads (core/kind-release-post.ts, core/kind-download.ts, docs/RELEASES.md).
  // `publishRelease` above is another thing: giving back a vouch stake.

  checkReleasePost(input: ReleasePostInput): ReleasePostCheck {
    if (this.#deps.restored && !this.#hasSyncedWithPeer) return { ok: false, error: RESTORED_WAIT };
    return checkReleasePost(this.ledger, this.#me, input);
  }

  /** Publishes a release (its file is already chunked and kept by the caller); the entry id is the release's id. */
  async publishReleasePost(input: ReleasePostInput): Promise<SendResult> {
    const checked = this.checkReleasePost(input);
    if (!checked.ok) return checked;
    return this.#write('release-post', checked.body);
  }

  checkDownload(input: DownloadInput): DownloadCheck {
    if (this.#deps.restored && !this.#hasSyncedWithPeer) return { ok: false, error: RESTORED_WAIT };
    return checkDownload(this.ledger, this.#me, input);
  }

  /** Pays for a verified download: the price to the contributors, the serving fee to each server. */
  async publishDownload(input: DownloadInput): Promise<SendResult> {
    const checked = this.checkDownload(input);
    if (!checked.ok) return checked;
    return this.#write('download', checked.body);
  }

  /**
   * The generic sign-and-publish path, with no check at all: what a modified client can always
   * do. Only the test build's debug handle calls it (e2e/estimation.spec.ts plays a hostile
   * member that settles against the votes); the app uses the checked methods above.
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
  async postJob(body: JobBody): Promise<SendResult> {
    if (this.#deps.restored && !this.#hasSyncedWithPeer) return { ok: false, error: RESTORED_WAIT };
    return this.#write('job', body);
  }

  /** Signs a unit's result (its bytes are already in the job's room), if it would count. */
  async publishResult(body: ResultBody): Promise<SendResult> {
    const checked = checkResult(this.ledger, this.#me, body, this.#deps.now());
    if (!checked.ok) return checked;
    return this.#write('result', checked.body);
  }

  /** Forgets a job room's cache on this device (a staging copy once its job is posted). */
  async forgetJobRoom(name: string): Promise<void> {
    if (this.#deps.persistDocument) await JobRoom.forget(this.record.id, name).catch(() => undefined);
  }

  async importEntries(entries: readonly Uint8Array[]): Promise<AddReport> {
    return this.#sync.importEntries(entries);
  }

  /** Every authentic entry this peer holds, for export and audit. */
  exportEntries(): Uint8Array[] {
    return [...this.ledger.validEntries()].map((e) => e.bytes);
  }

  close(): void {
    clearInterval(this.#refreshTimer);
    this.jobRooms.close();
    this.#channels?.close();
    this.#sync.destroy();
    this.#listeners.clear();
  }

  /** Forgets the economy's cached documents on this device (its entries are removed by the caller). */
  static async clearCachedDocument(economyId: string, now: number = Date.now(), clock?: GenerationClock): Promise<void> {
    await GenerationChannels.clearCachedDocuments(economyId, now, clock);
  }

  #write<K extends KindName>(kind: K, body: KindBodies[K]): Promise<SendResult> {
    return this.#writer.write(kind, body);
  }

  #notify(): void {
    for (const listener of this.#listeners) listener();
  }
}
