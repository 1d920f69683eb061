// One compute job's room: a Yjs document and y-webrtc room of its own, joined only by the job's
// owner and its donors, never by the economy's other members. It carries the job's bulky bytes so
// the economy's document carries only signed entries (docs/PROTOCOL.md "Job rooms").
//
// Document layout (sync-guard.ts JOB_SCHEMA): one root map `blobs`, SHA-256 hex → bytes.
//   - content-addressed and write-once: a blob is written only when absent, never changed nor
//     deleted; the guard replaces a value whose hash is not its key (and any overwrite) by GC on
//     arrival, so a wrong blob is never stored, shown or served on;
//   - each blob ≤ MAX_JOB_BLOB_BYTES: the manifest (kernel, parameters, unit inputs), an uploaded
//     module, one unit's result bytes.
// Awareness carries the donors' leases (./job-leases.ts): ephemeral, gone with the tab.
//
// Room name `hourmesh-job:<economy id>:<job entry id>`, password = the economy's secret (as the
// economy's rooms: signaling is encrypted with it, so only members can find the room).
//
// Persistence: the document is cached with y-indexeddb under `hourmesh-job-<economy>-<job>`: an
// owner who closed the tab finds its results on return, and a donor keeps (and serves on) every
// blob it fetched, so the owner's inputs outlive the owner's tab. The cache's `custom` store keeps
// small local records beside it (a donor's results not yet signed, see putLocal/getLocal).
import * as Y from 'yjs';
import { IndexeddbPersistence, clearDocument } from 'y-indexeddb';
import type { Awareness } from 'y-protocols/awareness';
import { sha256Sync } from '../core/sha256';
import { toHex } from '../core/bytes';
import { connectRoom, type RoomConnection, type RoomStatus } from './room';
import { JOB_ROOM_PREFIX, MAX_JOB_BLOB_BYTES } from './sync-guard';
import type { IceServer } from './network-config';

export { MAX_JOB_BLOB_BYTES } from './sync-guard';

export const BLOBS_MAP = 'blobs';
const ORIGIN_LOCAL = 'job-room-local';

export function jobRoomName(economyId: string, jobId: string): string {
  return `${JOB_ROOM_PREFIX}${economyId}:${jobId}`;
}

export function jobDocumentName(economyId: string, jobId: string): string {
  return `hourmesh-job-${economyId}-${jobId}`;
}

export function blobHash(bytes: Uint8Array): string {
  return toHex(sha256Sync(bytes));
}

export interface JobRoomOptions {
  economyId: string;
  jobId: string;
  secret: string;
  network: { signaling: string[]; ice: IceServer[] };
  /** Cache the document in IndexedDB (off in Node tests). */
  persist: boolean;
  /** Connect to peers (off for a room used only to read the local cache). */
  connect?: boolean;
}

/**
 * A link can come up "connected" and carry nothing: when peers join a room at the same moment
 * (an owner posting while donors wait for jobs), y-webrtc's offer glare now and then leaves a
 * data channel that never delivers. A room whose peers have not all synced for this long is
 * rejoined (a fresh provider; the peers see the old link close and connect again).
 */
const STUCK_MS = 6_000;
const WATCH_MS = 1_000;

export class JobRoom {
  readonly jobId: string;
  readonly doc = new Y.Doc();
  readonly #blobs: Y.Map<Uint8Array>;
  readonly #persistence: IndexeddbPersistence | null;
  readonly #opts: JobRoomOptions;
  #room: RoomConnection | null = null;
  #watchdog: ReturnType<typeof setInterval> | undefined;
  #stuckSince: number | null = null;
  readonly #awarenessListeners = new Set<() => void>();
  readonly #statusListeners = new Set<(status: RoomStatus) => void>();
  /** Keys whose bytes were hashed on this page and matched (remote bytes passed the guard too). */
  readonly #verified = new Set<string>();
  #closed = false;

  private constructor(opts: JobRoomOptions) {
    this.#opts = opts;
    this.jobId = opts.jobId;
    this.#blobs = this.doc.getMap<Uint8Array>(BLOBS_MAP);
    this.#persistence = opts.persist ? new IndexeddbPersistence(jobDocumentName(opts.economyId, opts.jobId), this.doc) : null;
  }

  /** The cached document first (offline), then the room. */
  static async open(opts: JobRoomOptions): Promise<JobRoom> {
    const room = new JobRoom(opts);
    if (room.#persistence) await room.#persistence.whenSynced;
    if (opts.connect !== false && !room.#closed) {
      room.#connect(null);
      room.#watchdog = setInterval(() => room.#watch(), WATCH_MS);
    }
    return room;
  }

  /** Joins the room; a rejoin carries this page's awareness fields over to the new provider. */
  #connect(previous: Record<string, unknown> | null): void {
    const opts = this.#opts;
    const connection = connectRoom(this.doc, {
      room: jobRoomName(opts.economyId, opts.jobId), password: opts.secret,
      signaling: opts.network.signaling, ice: opts.network.ice,
    });
    this.#room = connection;
    if (previous) for (const [field, value] of Object.entries(previous)) connection.awareness.setLocalStateField(field, value);
    connection.awareness.on('change', () => {
      for (const listener of this.#awarenessListeners) listener();
    });
    connection.onStatus((status) => {
      for (const listener of this.#statusListeners) listener(status);
    });
  }

  #watch(): void {
    const status = this.#room?.status();
    if (!status || this.#closed) return;
    const stuck = status.webrtcPeers > 0 && !status.synced;
    const now = Date.now();
    if (!stuck) {
      this.#stuckSince = null;
      return;
    }
    this.#stuckSince ??= now;
    if (now - this.#stuckSince < STUCK_MS) return;
    this.#stuckSince = null;
    const local = (this.#room!.awareness.getLocalState() ?? {}) as Record<string, unknown>;
    this.#room!.close();
    this.#connect(local);
    for (const listener of this.#awarenessListeners) listener();
  }

  /** The room's awareness now (a rejoin replaces it: read it again rather than keep it). */
  get awareness(): Awareness | undefined {
    return this.#room?.awareness;
  }

  /** Calls back on every awareness change, across rejoins; returns the unsubscribe. */
  onAwareness(callback: () => void): () => void {
    this.#awarenessListeners.add(callback);
    return () => this.#awarenessListeners.delete(callback);
  }

  status(): RoomStatus {
    return this.#room?.status() ?? { signaling: [], webrtcPeers: 0, secretMismatch: false, synced: false };
  }

  onStatus(callback: (status: RoomStatus) => void): () => void {
    this.#statusListeners.add(callback);
    return () => this.#statusListeners.delete(callback);
  }

  has(hash: string): boolean {
    return this.get(hash) !== undefined;
  }

  /**
   * The blob's bytes, only if they hash to `hash`. Remote bytes already passed the guard; this
   * also covers what another tab of this browser wrote (BroadcastChannel is not guarded) and the
   * cache.
   */
  get(hash: string): Uint8Array | undefined {
    const bytes = this.#blobs.get(hash);
    if (!(bytes instanceof Uint8Array)) return undefined;
    if (this.#verified.has(hash)) return bytes;
    if (bytes.byteLength > MAX_JOB_BLOB_BYTES || blobHash(bytes) !== hash) return undefined;
    this.#verified.add(hash);
    return bytes;
  }

  /** Stores `bytes` under their hash (once: an existing blob is left alone); returns the hash. */
  put(bytes: Uint8Array): string {
    if (bytes.byteLength > MAX_JOB_BLOB_BYTES) throw new Error(`A blob of ${bytes.byteLength} bytes is over the ${MAX_JOB_BLOB_BYTES}-byte limit of a job room.`);
    const hash = blobHash(bytes);
    if (this.get(hash) === undefined) {
      this.doc.transact(() => this.#blobs.set(hash, bytes), ORIGIN_LOCAL);
    }
    this.#verified.add(hash);
    return hash;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get blobCount(): number {
    return this.#blobs.size;
  }

  /** Calls back whenever blobs arrive (locally or from a peer); returns the unsubscribe. */
  onBlobs(callback: (hashes: string[]) => void): () => void {
    const observer = (event: Y.YMapEvent<Uint8Array>) => callback([...event.keysChanged]);
    this.#blobs.observe(observer);
    return () => this.#blobs.unobserve(observer);
  }

  /** Resolves with the blob once it is here and verified (at once when it already is). */
  whenBlob(hash: string, signal?: AbortSignal): Promise<Uint8Array> {
    const now = this.get(hash);
    if (now) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const stop = this.onBlobs(() => {
        const bytes = this.get(hash);
        if (!bytes) return;
        stop();
        resolve(bytes);
      });
      signal?.addEventListener('abort', () => {
        stop();
        reject(new Error('aborted'));
      }, { once: true });
    });
  }

  /** A small local record kept beside the cached document (never shared). */
  async putLocal(key: string, value: string | number | ArrayBuffer | Date): Promise<void> {
    await this.#persistence?.set(key, value);
  }

  async getLocal<T>(key: string): Promise<T | undefined> {
    return (await this.#persistence?.get(key)) as T | undefined;
  }

  async deleteLocal(key: string): Promise<void> {
    await this.#persistence?.del(key);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#watchdog);
    this.#awarenessListeners.clear();
    this.#statusListeners.clear();
    this.#room?.close();
    void this.#persistence?.destroy();
    this.doc.destroy();
  }

  /** Forgets a job's cached document on this device. */
  static async forget(economyId: string, jobId: string): Promise<void> {
    await clearDocument(jobDocumentName(economyId, jobId));
  }
}
