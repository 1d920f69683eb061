// Persistence seam for a peer's own verified entries, per economy: the truth a peer keeps when
// the shared document is emptied, vandalised or not yet synced. IndexedDB for the app, a Map for
// tests. Entries are content-addressed (id = SHA-256 of the bytes), so saving is idempotent.
import type { HourmeshDb } from './db';
import { describeStorageError } from './settings-store';

const SAVE_SLICE = 2_000;

export interface StoredEntryBytes {
  id: string;
  bytes: Uint8Array;
}

export interface EntryStore {
  load(economyId: string): Promise<Uint8Array[]>;
  /** Rejects with a message a person can act on (e.g. a full disk); nothing is half-saved per entry. */
  save(economyId: string, entries: readonly StoredEntryBytes[]): Promise<void>;
  removeEconomy(economyId: string): Promise<void>;
}

export function createIdbEntryStore(db: HourmeshDb): EntryStore {
  return {
    async load(economyId) {
      const records = await db.getAllFromIndex('entries', 'by-economy', economyId);
      return records.map((r) => r.bytes);
    },
    async save(economyId, entries) {
      // Slices of SAVE_SLICE entries per transaction: issuing a put costs the page's main thread
      // about 30 µs, so 100,000 in one loop would freeze the page for seconds. Each slice is
      // atomic; a failure stops at that slice and says why (entries are content-addressed, so a
      // retry of the whole list is harmless).
      try {
        for (let i = 0; i < entries.length; i += SAVE_SLICE) {
          const tx = db.transaction('entries', 'readwrite');
          for (const e of entries.slice(i, i + SAVE_SLICE)) void tx.store.put({ economyId, id: e.id, bytes: e.bytes });
          await tx.done;
        }
      } catch (error) {
        throw new Error(describeStorageError(error));
      }
    },
    async removeEconomy(economyId) {
      const tx = db.transaction('entries', 'readwrite');
      let cursor = await tx.store.index('by-economy').openKeyCursor(IDBKeyRange.only(economyId));
      while (cursor) {
        void tx.store.delete(cursor.primaryKey);
        cursor = await cursor.continue();
      }
      await tx.done;
    },
  };
}

export function createMemoryEntryStore(): EntryStore {
  const economies = new Map<string, Map<string, Uint8Array>>();
  return {
    async load(economyId) {
      return [...(economies.get(economyId)?.values() ?? [])].map((b) => b.slice());
    },
    async save(economyId, entries) {
      let map = economies.get(economyId);
      if (!map) economies.set(economyId, (map = new Map()));
      for (const e of entries) map.set(e.id, e.bytes.slice());
    },
    async removeEconomy(economyId) {
      economies.delete(economyId);
    },
  };
}
