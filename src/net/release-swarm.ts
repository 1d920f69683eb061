// One release's file, moved between the peers of its room (docs/RELEASES-WIRE.md). Transport-free:
// the room adapter (./release-room.ts) or a test relay hands it links and messages.
//
// Downloading: the chunk hash list comes first, from a peer that holds chunks, and is kept only if
// its SHA-256 is the signed chunksRoot; then chunks are asked of every peer that says it holds them
// (at most PER_PEER_IN_FLIGHT requests per peer, lowest missing index first), and each is kept only
// if its length and SHA-256 match the list. The verified bytes are counted per serving account.
// Serving: any chunk held is sent to whoever asks, within bounds (MAX_SERVING_PER_PEER reads at once
// per peer, nothing while the link's send backlog is over SERVE_BACKLOG_BYTES).
//
// What a peer can do wrong, and what happens (each tested in release-swarm.test.ts):
// - a chunk with wrong bytes or length: dropped, not counted, the peer is banned (no honest peer
//   sends one), the chunk asked of another peer;
// - a hash list whose root is not chunksRoot: dropped, peer banned, the list asked of another;
// - claiming chunks it lacks (NOPE or silence for REQUEST_TIMEOUT_MS): the claim is forgotten, the
//   chunk asked elsewhere; after MAX_STRIKES such strikes the peer is banned;
// - malformed, unknown or unsolicited messages: a strike each;
// - a flood of requests: answered within the bounds above, the rest dropped (counted).
// A banned peer is neither asked nor served until its link closes.
import {
  bitfieldBytes, decodeWire, encodeWire, HASH_BYTES, hasBit, NOPE_BUSY, NOPE_NOT_HELD, setBit, type WireMessage,
} from './release-wire';
import { chunkCountOf, chunkLengthOf, digest, sameBytes, type ReleaseFileInfo } from './release-file';
import type { ChunkStore } from './release-store';

export const PER_PEER_IN_FLIGHT = 4;
export const MAX_SERVING_PER_PEER = 8;
export const SERVE_BACKLOG_BYTES = 4 * 1024 * 1024;
export const REQUEST_TIMEOUT_MS = 20_000;
export const MAX_STRIKES = 3;

/** One link to a peer of the room. */
export interface SwarmLink {
  readonly id: string;
  send(message: Uint8Array): void;
  /** Bytes waiting to go out on this link (0 when unknown). */
  backlog?(): number;
}

export interface SwarmStats {
  chunksRejected: number;
  hashListsRejected: number;
  requestsDropped: number;
  strikes: number;
  bans: number;
  chunksServed: number;
}

export interface SwarmProgress {
  verifiedBytes: number;
  totalBytes: number;
  /** Peers that delivered at least one verified chunk to this page in this session. */
  servingPeers: number;
  byAccount: Record<string, number>;
  complete: boolean;
}

interface Peer {
  link: SwarmLink;
  account: string | null;
  have: Uint8Array | null;
  inFlight: Map<number, { index: number; at: number }>;
  serving: number;
  strikes: number;
  banned: boolean;
  delivered: boolean;
  answeredHashes: boolean;
}

export interface SwarmOptions {
  file: ReleaseFileInfo;
  /** This page's account (announced in HELLO; never counted as a server of itself). */
  account: string;
  store: ChunkStore;
  now?: () => number;
}

export class ReleaseSwarm {
  readonly stats: SwarmStats = { chunksRejected: 0, hashListsRejected: 0, requestsDropped: 0, strikes: 0, bans: 0, chunksServed: 0 };
  readonly n: number;
  readonly #opts: SwarmOptions;
  readonly #now: () => number;
  readonly #peers = new Map<string, Peer>();
  readonly #have: Uint8Array;
  #hashes: Uint8Array | null = null;
  /** Chunks received and being hashed: not asked again meanwhile. */
  readonly #verifying = new Set<number>();
  #heldCount = 0;
  #verifiedBytes = 0;
  #byAccount: Record<string, number> = {};
  #wanted = false;
  #hashesAskedOf: string | null = null;
  #hashesAskedAt = 0;
  #nextRequest = 1;
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #listeners = new Set<(p: SwarmProgress) => void>();
  readonly #peerListeners = new Set<() => void>();
  #completeWaiters: (() => void)[] = [];
  #closed = false;

  private constructor(opts: SwarmOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    this.n = chunkCountOf(opts.file.size, opts.file.chunkSize);
    this.#have = new Uint8Array(bitfieldBytes(this.n));
  }

  /** Loads what the store kept (a reload resumes from there). */
  static async open(opts: SwarmOptions): Promise<ReleaseSwarm> {
    const swarm = new ReleaseSwarm(opts);
    const record = await opts.store.record();
    if (record?.hashes && (await swarm.#checkHashes(record.hashes))) swarm.#hashes = record.hashes;
    if (swarm.#hashes) {
      for (const i of await opts.store.held()) {
        if (i < 0 || i >= swarm.n || hasBit(swarm.#have, i)) continue;
        setBit(swarm.#have, i);
        swarm.#heldCount += 1;
        swarm.#verifiedBytes += swarm.#len(i);
      }
      swarm.#byAccount = { ...(record?.byAccount ?? {}) };
    }
    return swarm;
  }

  /** Keeps a whole file this page has (the publisher): its hashes must match the signed root. */
  static async seed(opts: SwarmOptions, file: Uint8Array): Promise<ReleaseSwarm> {
    const { size, chunkSize } = opts.file;
    if (file.length !== size) throw new Error('The file is not the size the release names.');
    const n = chunkCountOf(size, chunkSize);
    const hashes = new Uint8Array(n * HASH_BYTES);
    for (let i = 0; i < n; i++) hashes.set(await digest(file.subarray(i * chunkSize, i * chunkSize + chunkLengthOf(size, chunkSize, i))), i * HASH_BYTES);
    if (!sameBytes(await digest(hashes), opts.file.chunksRoot)) throw new Error('The file does not match the release’s chunksRoot.');
    await opts.store.putHashes(hashes);
    for (let i = 0; i < n; i++) await opts.store.putChunk(i, file.subarray(i * chunkSize, i * chunkSize + chunkLengthOf(size, chunkSize, i)), {});
    return ReleaseSwarm.open(opts);
  }

  get complete(): boolean {
    return this.#heldCount === this.n;
  }

  progress(): SwarmProgress {
    let servingPeers = 0;
    for (const p of this.#peers.values()) if (p.delivered) servingPeers += 1;
    return {
      verifiedBytes: this.#verifiedBytes, totalBytes: this.#opts.file.size, servingPeers,
      byAccount: { ...this.#byAccount }, complete: this.complete,
    };
  }

  onProgress(callback: (p: SwarmProgress) => void): () => void {
    this.#listeners.add(callback);
    return () => this.#listeners.delete(callback);
  }

  /** Starts fetching what is missing; resolves once every chunk is here and verified. */
  download(): Promise<void> {
    if (this.complete) return Promise.resolve();
    this.#wanted = true;
    this.#timer ??= setInterval(() => this.#expire(), 1000);
    const done = new Promise<void>((resolve) => this.#completeWaiters.push(resolve));
    this.#pump();
    return done;
  }

  /** The whole file, read from the store in order (after `download`). */
  async assemble(): Promise<Uint8Array> {
    const out = new Uint8Array(this.#opts.file.size);
    for (let i = 0; i < this.n; i++) {
      const bytes = await this.#opts.store.getChunk(i);
      if (!bytes) throw new Error(`Chunk ${i} is missing.`);
      out.set(bytes, i * this.#opts.file.chunkSize);
    }
    if (!sameBytes(await digest(out), this.#opts.file.sha256)) throw new Error('The file does not match its signed SHA-256.');
    return out;
  }

  /** Accounts of the peers linked now that said hello (and are not banned). */
  linkedAccounts(): string[] {
    return [...this.#peers.values()].filter((p) => !p.banned && p.account !== null).map((p) => p.account!);
  }

  /** Calls back whenever a peer says hello or leaves; returns the unsubscribe. */
  onPeers(callback: () => void): () => void {
    this.#peerListeners.add(callback);
    return () => this.#peerListeners.delete(callback);
  }

  addLink(link: SwarmLink): void {
    if (this.#closed) return;
    this.#peers.set(link.id, {
      link, account: null, have: null, inFlight: new Map(), serving: 0, strikes: 0, banned: false, delivered: false, answeredHashes: false,
    });
    this.#send(link.id, { op: 'hello', account: this.#opts.account, have: this.#have });
  }

  removeLink(id: string): void {
    const peer = this.#peers.get(id);
    if (!peer) return;
    this.#peers.delete(id);
    if (this.#hashesAskedOf === id) this.#hashesAskedOf = null;
    for (const listener of this.#peerListeners) listener();
    this.#pump();
  }

  /** One message from link `id` (anything: it is checked here). */
  receive(id: string, message: Uint8Array): void {
    const peer = this.#peers.get(id);
    if (!peer || peer.banned || this.#closed) return;
    const m = decodeWire(message, this.n);
    if (!m) return this.#strike(peer);
    void this.#handle(peer, m).catch((e: unknown) => console.warn(`hourmesh release: ${String(e)}`));
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#listeners.clear();
    this.#peerListeners.clear();
    this.#peers.clear();
  }

  #len(i: number): number {
    return chunkLengthOf(this.#opts.file.size, this.#opts.file.chunkSize, i);
  }

  #send(id: string, m: WireMessage): void {
    try {
      this.#peers.get(id)?.link.send(encodeWire(m));
    } catch {
      // A closing link throws; its close event removes it.
    }
  }

  async #checkHashes(hashes: Uint8Array): Promise<boolean> {
    return hashes.length === this.n * HASH_BYTES && sameBytes(await digest(hashes), this.#opts.file.chunksRoot);
  }

  #strike(peer: Peer): void {
    this.stats.strikes += 1;
    peer.strikes += 1;
    if (peer.strikes >= MAX_STRIKES) this.#ban(peer);
  }

  #ban(peer: Peer): void {
    if (peer.banned) return;
    peer.banned = true;
    this.stats.bans += 1;
    peer.inFlight.clear();
    if (this.#hashesAskedOf === peer.link.id) this.#hashesAskedOf = null;
    this.#pump();
  }

  async #handle(peer: Peer, m: WireMessage): Promise<void> {
    switch (m.op) {
      case 'hello':
        peer.account = m.account;
        peer.have = m.have;
        for (const listener of this.#peerListeners) listener();
        return this.#pump();
      case 'have':
        if (m.index >= this.n || !peer.have) return this.#strike(peer);
        setBit(peer.have, m.index);
        return this.#pump();
      case 'hashes-get':
        // An honest peer asks once per link; a second ask is answered only after a failure.
        if (!this.#hashes || peer.answeredHashes) return this.#strike(peer);
        peer.answeredHashes = true;
        return this.#send(peer.link.id, { op: 'hashes', hashes: this.#hashes });
      case 'hashes':
        return this.#onHashes(peer, m.hashes);
      case 'get':
        return this.#serve(peer, m.request, m.index);
      case 'chunk':
        return this.#onChunk(peer, m.request, m.index, m.bytes);
      case 'nope': {
        const asked = peer.inFlight.get(m.request);
        if (!asked || asked.index !== m.index) return this.#strike(peer);
        peer.inFlight.delete(m.request);
        // Busy is honest; "not held" after claiming it is a strike, and the claim is forgotten.
        if (m.reason !== NOPE_BUSY) {
          if (peer.have) setBit(peer.have, m.index, false);
          this.#strike(peer);
        }
        return this.#pump();
      }
    }
  }

  async #onHashes(peer: Peer, hashes: Uint8Array): Promise<void> {
    if (this.#hashesAskedOf !== peer.link.id) return this.#strike(peer);
    this.#hashesAskedOf = null;
    if (this.#hashes) return;
    const copy = hashes.slice();
    if (!(await this.#checkHashes(copy))) {
      this.stats.hashListsRejected += 1;
      this.#ban(peer);
      return;
    }
    if (this.#hashes) return;
    this.#hashes = copy;
    await this.#opts.store.putHashes(copy);
    this.#pump();
  }

  async #serve(peer: Peer, request: number, index: number): Promise<void> {
    if (index >= this.n) return this.#strike(peer);
    if (!hasBit(this.#have, index)) return this.#send(peer.link.id, { op: 'nope', request, index, reason: NOPE_NOT_HELD });
    if (peer.serving >= MAX_SERVING_PER_PEER || (peer.link.backlog?.() ?? 0) > SERVE_BACKLOG_BYTES) {
      this.stats.requestsDropped += 1;
      return this.#send(peer.link.id, { op: 'nope', request, index, reason: NOPE_BUSY });
    }
    peer.serving += 1;
    try {
      const bytes = await this.#opts.store.getChunk(index);
      if (!bytes || !this.#peers.has(peer.link.id)) return;
      this.#send(peer.link.id, { op: 'chunk', request, index, bytes });
      this.stats.chunksServed += 1;
    } finally {
      peer.serving -= 1;
    }
  }

  async #onChunk(peer: Peer, request: number, index: number, bytes: Uint8Array): Promise<void> {
    const asked = peer.inFlight.get(request);
    if (!asked || asked.index !== index || !this.#hashes) return this.#strike(peer);
    peer.inFlight.delete(request);
    const expected = this.#hashes.subarray(index * HASH_BYTES, (index + 1) * HASH_BYTES);
    this.#verifying.add(index);
    let good: boolean;
    try {
      good = bytes.length === this.#len(index) && sameBytes(await digest(bytes), expected);
    } finally {
      this.#verifying.delete(index);
    }
    if (!good) {
      this.stats.chunksRejected += 1;
      this.#ban(peer);
      return;
    }
    if (hasBit(this.#have, index) || this.#closed) return this.#pump();
    setBit(this.#have, index);
    this.#heldCount += 1;
    this.#verifiedBytes += bytes.length;
    peer.delivered = true;
    if (peer.account && peer.account !== this.#opts.account) {
      this.#byAccount[peer.account] = (this.#byAccount[peer.account] ?? 0) + bytes.length;
    }
    await this.#opts.store.putChunk(index, bytes, this.#byAccount);
    for (const id of this.#peers.keys()) this.#send(id, { op: 'have', index });
    this.#notify();
    this.#pump();
  }

  #notify(): void {
    const p = this.progress();
    for (const listener of this.#listeners) listener(p);
    if (p.complete) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      this.#wanted = false;
      for (const resolve of this.#completeWaiters.splice(0)) resolve();
    }
  }

  /** Requests that waited too long are given up (a strike: the peer claimed and did not deliver). */
  #expire(): void {
    const now = this.#now();
    for (const peer of this.#peers.values()) {
      for (const [request, asked] of peer.inFlight) {
        if (now - asked.at < REQUEST_TIMEOUT_MS) continue;
        peer.inFlight.delete(request);
        if (peer.have) setBit(peer.have, asked.index, false);
        this.#strike(peer);
      }
    }
    if (this.#hashesAskedOf && now - this.#hashesAskedAt > REQUEST_TIMEOUT_MS) {
      const peer = this.#peers.get(this.#hashesAskedOf);
      this.#hashesAskedOf = null;
      if (peer) this.#ban(peer);
    }
    this.#pump();
  }

  #usable(peer: Peer): boolean {
    return !peer.banned && peer.have !== null && peer.account !== null;
  }

  /** Asks for what is missing, of the peers that claim it. */
  #pump(): void {
    if (!this.#wanted || this.#closed || this.complete) return;
    if (!this.#hashes) {
      if (this.#hashesAskedOf) return;
      for (const peer of this.#peers.values()) {
        if (!this.#usable(peer) || !peer.have!.some((b) => b !== 0)) continue;
        this.#hashesAskedOf = peer.link.id;
        this.#hashesAskedAt = this.#now();
        this.#send(peer.link.id, { op: 'hashes-get' });
        return;
      }
      return;
    }
    const requested = new Set<number>(this.#verifying);
    for (const peer of this.#peers.values()) for (const a of peer.inFlight.values()) requested.add(a.index);
    // Fill the least busy peers first, so several peers share the work.
    const peers = [...this.#peers.values()].filter((p) => this.#usable(p)).sort((a, b) => a.inFlight.size - b.inFlight.size);
    let progress = true;
    while (progress) {
      progress = false;
      for (const peer of peers) {
        if (peer.inFlight.size >= PER_PEER_IN_FLIGHT) continue;
        const index = this.#nextFor(peer, requested);
        if (index < 0) continue;
        const request = this.#nextRequest++ >>> 0;
        peer.inFlight.set(request, { index, at: this.#now() });
        requested.add(index);
        this.#send(peer.link.id, { op: 'get', request, index });
        progress = true;
      }
    }
  }

  #nextFor(peer: Peer, requested: Set<number>): number {
    for (let i = 0; i < this.n; i++) {
      if (!hasBit(this.#have, i) && !requested.has(i) && hasBit(peer.have!, i)) return i;
    }
    return -1;
  }
}
