// Where a release's verified chunks are kept on this device. The swarm (./release-swarm.ts) only
// ever puts chunks whose hash it checked; the store trusts it. Two implementations: in memory
// (Node tests, the bench's raw figure) and IndexedDB (./release-store-idb.ts, the app: its own
// database, not the app's db.ts schema, so a 50 MB file never slows the ledger's stores).

export interface ReleaseProgressRecord {
  /** The chunk hash list, checked against the signed chunksRoot (absent until fetched). */
  hashes?: Uint8Array;
  /** Verified bytes received per serving account (the download entry names them). */
  byAccount: Record<string, number>;
}

export interface ChunkStore {
  /** The record of this release, if any work was kept. */
  record(): Promise<ReleaseProgressRecord | undefined>;
  putHashes(hashes: Uint8Array): Promise<void>;
  /** Indexes of the chunks held. */
  held(): Promise<number[]>;
  getChunk(index: number): Promise<Uint8Array | undefined>;
  /** Keeps a verified chunk and the per-account counts after it, together (resume is exact). */
  putChunk(index: number, bytes: Uint8Array, byAccount: Record<string, number>): Promise<void>;
}

export class MemoryChunkStore implements ChunkStore {
  hashes: Uint8Array | undefined;
  byAccount: Record<string, number> = {};
  readonly chunks = new Map<number, Uint8Array>();

  async record(): Promise<ReleaseProgressRecord | undefined> {
    if (!this.hashes && this.chunks.size === 0) return undefined;
    return { hashes: this.hashes, byAccount: { ...this.byAccount } };
  }

  async putHashes(hashes: Uint8Array): Promise<void> {
    this.hashes = hashes.slice();
  }

  async held(): Promise<number[]> {
    return [...this.chunks.keys()];
  }

  async getChunk(index: number): Promise<Uint8Array | undefined> {
    return this.chunks.get(index);
  }

  async putChunk(index: number, bytes: Uint8Array, byAccount: Record<string, number>): Promise<void> {
    this.chunks.set(index, bytes.slice());
    this.byAccount = { ...byAccount };
  }
}
