// Releases in the open economy, for the Releases view: the list read live from the ledger, the
// publish flow (keep the file, check, sign) and the download flow (fetch from peers, verify, save
// as a normal browser download, then sign the download entry that pays contributors and servers).
// The bytes move through ../net/release-room.ts; the ledger is read and written through the
// session's release methods only (core/release-checks.ts says what will be signed and why not).
//
// Serving: every release whose file this device keeps (published here or downloaded) has its room
// open while the economy is open, so its chunks are served to whoever asks.
import { createSubscriber } from 'svelte/reactivity';
import {
  DEFAULT_CHUNK_BYTES, servingFee, toHex, type DownloadCheck, type ReleaseFile, type ReleasePostCheck, type ReleaseRecord, type TaskRecord,
} from '../core';
import type { SendResult } from '../net/economy-session';
import { ReleaseRoom } from '../net/release-room';
import { IdbChunkStore } from '../net/release-store-idb';
import { ReleaseSwarm } from '../net/release-swarm';
import { describeFile, type ReleaseFileInfo } from '../net/release-file';
import type { IceServer } from '../net/network-config';
import { parseHex } from '../core/bytes';
import type { ActiveEconomy } from './active-economy.svelte';

/**
 * How long a download waits for every online holder to link before it starts with those it has:
 * long enough for one failed connection attempt and its retry (room.ts CONNECT_TIMEOUT_MS, 20 s).
 */
const HOLDERS_WAIT_MS = 45_000;

export interface PreparedFile {
  file: ReleaseFile;
  bytes: Uint8Array;
}

export interface PublishInput {
  project: string;
  title: string;
  tasks: string[];
  predicted: number;
}

export type TransferPhase = 'connecting' | 'fetching' | 'saving' | 'signing' | 'done' | 'failed';

export interface Transfer {
  phase: TransferPhase;
  verified: number;
  total: number;
  peers: number;
  /** How long the download waited for the online holders to link, and which linked (diagnostics). */
  waitedMs?: number;
  linked?: string[];
  /** What went wrong, or what was signed. */
  message?: string;
}

export function fileInfoOf(file: ReleaseFile): ReleaseFileInfo {
  return { size: file.size, chunkSize: file.chunkSize, chunksRoot: parseHex(file.chunksRoot)!, sha256: parseHex(file.sha256)! };
}

/** "3.2 of 50 MB from 2 peers" (MB = 10^6 bytes, one decimal). */
export function transferText(t: Pick<Transfer, 'verified' | 'total' | 'peers'>): string {
  const mb = (n: number) => (n / 1e6).toFixed(1).replace(/\.0$/, '');
  return `${mb(t.verified)} of ${mb(t.total)} MB from ${t.peers} ${t.peers === 1 ? 'peer' : 'peers'}`;
}

export class ReleaseDesk {
  readonly #economy: ActiveEconomy;
  readonly #network: { signaling: string[]; ice: IceServer[] };
  readonly #subscribe: () => void;
  readonly #rooms = new Map<string, Promise<ReleaseRoom>>();
  readonly #checked = new Set<string>();
  #stopWatching: () => void;
  #closed = false;
  /** Transfers by release id (progress of a download started on this page). */
  transfers = $state<Record<string, Transfer>>({});

  constructor(economy: ActiveEconomy, network: { signaling: string[]; ice: IceServer[] }) {
    this.#economy = economy;
    this.#network = network;
    const session = economy.session;
    this.#subscribe = createSubscriber((update) => session.subscribe(update));
    // Serve what this device keeps, as releases appear in the ledger.
    this.#stopWatching = session.subscribe(() => void this.#serveKept());
    void this.#serveKept();
  }

  get me(): string {
    return this.#economy.me;
  }

  /** Every release, newest first. */
  get releases(): ReleaseRecord[] {
    this.#subscribe();
    return [...this.#economy.session.ledger.releases.values()].sort((a, b) => b.time - a.time || (a.id < b.id ? -1 : 1));
  }

  hasDownloaded(release: ReleaseRecord): boolean {
    this.#subscribe();
    return release.downloaders.slice(0, release.downloads).includes(this.me);
  }

  /** Accepted tasks I posted that no release carries yet, by project: what a release can recoup. */
  get releasableTasks(): TaskRecord[] {
    return [...this.#economy.tasks.values()].filter((t) => t.poster === this.me && t.status === 'accepted' && !t.release);
  }

  /** Reads and hashes a picked file (chunks of 256 KiB). */
  async prepare(file: File): Promise<PreparedFile> {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const info = await describeFile(bytes, DEFAULT_CHUNK_BYTES);
    return {
      bytes,
      file: { name: file.name, size: info.size, sha256: toHex(info.sha256), chunkSize: info.chunkSize, chunksRoot: toHex(info.chunksRoot) },
    };
  }

  reviewPublish(prepared: PreparedFile, input: PublishInput): ReleasePostCheck {
    return this.#economy.session.checkReleasePost({ ...input, file: prepared.file });
  }

  /** Keeps the file on this device first (nothing lost if the tab closes), then signs; serves it. */
  async publish(prepared: PreparedFile, input: PublishInput): Promise<SendResult> {
    const checked = this.reviewPublish(prepared, input);
    if (!checked.ok) return checked;
    const economyId = this.#economy.id;
    const info = fileInfoOf(prepared.file);
    await ReleaseSwarm.seed({ file: info, account: this.me, store: new IdbChunkStore(economyId, prepared.file.chunksRoot) }, prepared.bytes);
    const sent = await this.#economy.session.publishReleasePost({ ...input, file: prepared.file });
    if (sent.ok) void this.#room(sent.entryId, prepared.file);
    return sent;
  }

  /** What a download costs me now (an estimate of the fee: one server sending everything). */
  costOf(release: ReleaseRecord): { price: number; fee: number } {
    return { price: release.price, fee: servingFee(release.file.size) };
  }

  /** The check the download entry will pass, for the servers counted so far. */
  reviewDownload(release: ReleaseRecord, byAccount: Record<string, number>): DownloadCheck {
    return this.#economy.session.checkDownload({
      release: release.id, servers: Object.entries(byAccount).map(([account, bytes]) => ({ account, bytes })),
    });
  }

  /**
   * Fetches the file (resuming what this device kept), verifies it, hands it to the browser as a
   * download, then signs the download entry. Progress in `transfers[release.id]`.
   */
  async download(release: ReleaseRecord, save: (bytes: Uint8Array, name: string) => void): Promise<SendResult> {
    const set = (t: Partial<Transfer>) => {
      const now = this.transfers[release.id] ?? { phase: 'connecting', verified: 0, total: release.file.size, peers: 0 };
      this.transfers = { ...this.transfers, [release.id]: { ...now, ...t } };
    };
    // Nothing is fetched that could not be paid for: the check the entry will pass, with the
    // author as the one server (the fee can differ by a milli-CH per extra server).
    if (!this.hasDownloaded(release)) {
      const pre = this.reviewDownload(release, { [release.author]: release.file.size });
      if (!pre.ok) {
        set({ phase: 'failed', message: pre.error });
        return pre;
      }
    }
    set({ phase: 'connecting', message: undefined });
    try {
      const room = await this.#room(release.id, release.file);
      const { swarm } = room;
      const show = () => {
        const p = swarm.progress();
        set({ verified: p.verifiedBytes, peers: p.servingPeers, phase: p.complete ? 'saving' : 'fetching' });
      };
      // Wait (a while) for the holders online now, so the download spreads over them from the start.
      const waitStart = Date.now();
      await this.#holdersLinked(release, swarm);
      set({ waitedMs: Date.now() - waitStart, linked: swarm.linkedAccounts() });
      const stop = swarm.onProgress(show);
      show();
      await swarm.download();
      stop();
      set({ phase: 'saving' });
      const bytes = await swarm.assemble();
      save(bytes, release.file.name);
      if (this.hasDownloaded(release)) {
        set({ phase: 'done', message: 'Saved again (you paid for this release before).' });
        return { ok: true, entryId: '' };
      }
      set({ phase: 'signing' });
      const sent = await this.#economy.session.publishDownload({
        release: release.id, servers: Object.entries(swarm.progress().byAccount).map(([account, bytes]) => ({ account, bytes })),
      });
      const from = transferText({ ...swarm.progress(), verified: release.file.size, total: release.file.size, peers: swarm.progress().servingPeers });
      set(sent.ok ? { phase: 'done', message: `Saved and paid: ${from}.` } : { phase: 'failed', message: sent.error });
      return sent;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      set({ phase: 'failed', message });
      return { ok: false, error: message };
    }
  }

  /**
   * Resolves once the room links every holder of the file (its author and its downloaders) that is
   * online in the economy now, or after HOLDERS_WAIT_MS, or at once when none is online.
   */
  #holdersLinked(release: ReleaseRecord, swarm: ReleaseSwarm): Promise<void> {
    const holders = new Set([release.author, ...release.downloaders.slice(0, release.downloads)]);
    holders.delete(this.me);
    const wanted = () => this.#economy.session.online.map((p) => p.account).filter((a) => holders.has(a));
    const linked = () => {
      const have = new Set(swarm.linkedAccounts());
      const want = wanted();
      return want.length === 0 ? have.size > 0 : want.every((a) => have.has(a));
    };
    if (linked()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        stop();
        clearTimeout(timer);
        clearInterval(poll);
        resolve();
      };
      const stop = swarm.onPeers(() => linked() && done());
      const poll = setInterval(() => linked() && done(), 500);
      const timer = setTimeout(done, HOLDERS_WAIT_MS);
    });
  }

  /** Opens (once) the room of a release whose file this device keeps or wants. */
  #room(id: string, file: ReleaseFile): Promise<ReleaseRoom> {
    let room = this.#rooms.get(id);
    if (!room) {
      const session = this.#economy.session;
      room = ReleaseRoom.open({
        economyId: this.#economy.id, releaseId: id, secret: session.record.secret, network: this.#network,
        account: this.me, file: fileInfoOf(file),
      });
      this.#rooms.set(id, room);
      void room.then((r) => {
        if (this.#closed) r.close();
      });
    }
    return room;
  }

  async #serveKept(): Promise<void> {
    if (this.#closed) return;
    for (const release of this.#economy.session.ledger.releases.values()) {
      if (this.#checked.has(release.id)) continue;
      this.#checked.add(release.id);
      const held = await new IdbChunkStore(this.#economy.id, release.file.chunksRoot).heldCount().catch(() => 0);
      if (held > 0 && !this.#closed) void this.#room(release.id, release.file);
    }
  }

  close(): void {
    this.#closed = true;
    this.#stopWatching();
    for (const room of this.#rooms.values()) void room.then((r) => r.close());
    this.#rooms.clear();
  }
}
