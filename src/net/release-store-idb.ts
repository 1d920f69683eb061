// Release files on this device, in an IndexedDB database of their own (`hourmesh-releases`), not in
// the app's db.ts schema: a 50 MB file must not share transactions or upgrades with the ledger.
//   records: "<economy>:<chunksRoot hex>" → { hashes?, byAccount }   (ReleaseProgressRecord)
//   chunks:  ["<economy>:<chunksRoot hex>", index] → verified chunk bytes
// Keyed by the file's chunksRoot, not the release id: a publisher keeps the file before it signs
// the release-post (so nothing is lost if the tab closes in between), when the id is not known.
// A chunk and the per-account counts after it are written in one transaction, so a reload resumes
// with counts that match the chunks held exactly.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { ChunkStore, ReleaseProgressRecord } from './release-store';

export const RELEASES_DB = 'hourmesh-releases';

interface ReleasesSchema extends DBSchema {
  records: { key: string; value: ReleaseProgressRecord };
  chunks: { key: [string, number]; value: Uint8Array };
}

let dbPromise: Promise<IDBPDatabase<ReleasesSchema>> | null = null;

function db(): Promise<IDBPDatabase<ReleasesSchema>> {
  dbPromise ??= openDB<ReleasesSchema>(RELEASES_DB, 1, {
    upgrade(d) {
      d.createObjectStore('records');
      d.createObjectStore('chunks');
    },
  });
  return dbPromise;
}

export class IdbChunkStore implements ChunkStore {
  readonly #scope: string;

  constructor(economyId: string, chunksRootHex: string) {
    this.#scope = `${economyId}:${chunksRootHex}`;
  }

  /** How many chunks this device keeps of the file (0: none). */
  async heldCount(): Promise<number> {
    return (await db()).count('chunks', IDBKeyRange.bound([this.#scope, 0], [this.#scope, Infinity]));
  }

  async record(): Promise<ReleaseProgressRecord | undefined> {
    return (await db()).get('records', this.#scope);
  }

  async putHashes(hashes: Uint8Array): Promise<void> {
    const d = await db();
    const tx = d.transaction('records', 'readwrite');
    const now = (await tx.store.get(this.#scope)) ?? { byAccount: {} };
    await tx.store.put({ ...now, hashes }, this.#scope);
    await tx.done;
  }

  async held(): Promise<number[]> {
    const keys = await (await db()).getAllKeys('chunks', IDBKeyRange.bound([this.#scope, 0], [this.#scope, Infinity]));
    return keys.map((k) => k[1]);
  }

  async getChunk(index: number): Promise<Uint8Array | undefined> {
    return (await db()).get('chunks', [this.#scope, index]);
  }

  async putChunk(index: number, bytes: Uint8Array, byAccount: Record<string, number>): Promise<void> {
    const d = await db();
    const tx = d.transaction(['chunks', 'records'], 'readwrite');
    const records = tx.objectStore('records');
    const now = (await records.get(this.#scope)) ?? { byAccount: {} };
    await Promise.all([
      tx.objectStore('chunks').put(bytes.slice(), [this.#scope, index]),
      records.put({ ...now, byAccount }, this.#scope),
      tx.done,
    ]);
  }
}
