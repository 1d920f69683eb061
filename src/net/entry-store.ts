// Persistence seam for a peer's own verified entries, per economy: the truth a peer keeps when
// the shared document is emptied, vandalised or not yet synced. IndexedDB for the app, a Map for
// tests. Entries are content-addressed (id = SHA-256 of the bytes), so saving is idempotent.
//
// Own chain heads (see own-writes.ts): `saveOwn` stores an entry this device signed and moves its
// author's head record to it in ONE transaction, and refuses (returns 'stale') when the record is
// already at that seq or beyond — so two writers that raced past every other guard still cannot
// both make a seq durable. A head record only moves forward, and is never removed by
// `removeEconomy(…, keepAuthor)`: leaving an economy keeps that author's own entries and head.
import { decodeEnvelope, type EntryHead } from '../core';
import type { HeadRecord, HourmeshDb } from './db';
import { describeStorageError } from './settings-store';

const SAVE_SLICE = 2_000;

export interface StoredEntryBytes {
  id: string;
  bytes: Uint8Array;
}

/** An own chain head as stored: the head (its hash is the entry id) and the entry's bytes. */
export type StoredHead = EntryHead & { bytes: Uint8Array };

export interface EntryStore {
  load(economyId: string): Promise<Uint8Array[]>;
  /** Rejects with a message a person can act on (e.g. a full disk); nothing is half-saved per entry. */
  save(economyId: string, entries: readonly StoredEntryBytes[]): Promise<void>;
  /**
   * Saves an entry `author` just signed (id = head.hash) and makes it the author's head, atomically.
   * 'stale': the stored head is already at head.seq or beyond, nothing was written. Rejects like
   * `save` (the error's `cause` is the storage error), and then nothing was written either.
   */
  saveOwn(economyId: string, author: string, head: StoredHead): Promise<'saved' | 'stale'>;
  /** The head record of `author` in this economy, if this device ever signed an entry there. */
  loadHead(economyId: string, author: string): Promise<StoredHead | undefined>;
  /** Forgets an economy's entries, except those signed by `keepAuthor` (and its head record). */
  removeEconomy(economyId: string, keepAuthor?: string): Promise<void>;
}

function authorOf(bytes: Uint8Array): string | undefined {
  const decoded = decodeEnvelope(bytes);
  return decoded.ok ? decoded.entry.author : undefined;
}

function storageError(error: unknown): Error {
  return new Error(describeStorageError(error), { cause: error });
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
        throw storageError(error);
      }
    },
    async saveOwn(economyId, author, head) {
      try {
        const tx = db.transaction(['entries', 'heads'], 'readwrite');
        const heads = tx.objectStore('heads');
        const current = await heads.get([economyId, author]);
        if (current && current.seq >= head.seq) {
          await tx.done; // nothing written
          return 'stale';
        }
        const record: HeadRecord = { economyId, author, seq: head.seq, hash: head.hash, time: head.time, bytes: head.bytes };
        void tx.objectStore('entries').put({ economyId, id: head.hash, bytes: head.bytes });
        void heads.put(record);
        await tx.done;
        return 'saved';
      } catch (error) {
        throw storageError(error);
      }
    },
    async loadHead(economyId, author) {
      try {
        const r = await db.get('heads', [economyId, author]);
        return r && { seq: r.seq, hash: r.hash, time: r.time, bytes: r.bytes };
      } catch (error) {
        throw storageError(error);
      }
    },
    async removeEconomy(economyId, keepAuthor) {
      const tx = db.transaction(['entries', 'heads'], 'readwrite');
      const entries = tx.objectStore('entries');
      let cursor = await entries.index('by-economy').openCursor(IDBKeyRange.only(economyId));
      while (cursor) {
        if (keepAuthor === undefined || authorOf(cursor.value.bytes) !== keepAuthor) void cursor.delete();
        cursor = await cursor.continue();
      }
      // Head records of other keys (this device's earlier identities) go with their entries.
      const heads = tx.objectStore('heads');
      let head = await heads.openCursor(IDBKeyRange.bound([economyId, ''], [economyId, '\uffff']));
      while (head) {
        if (head.value.author !== keepAuthor) void head.delete();
        head = await head.continue();
      }
      await tx.done;
    },
  };
}

export function createMemoryEntryStore(): EntryStore {
  const economies = new Map<string, Map<string, Uint8Array>>();
  /** Head records by economy id, then author. */
  const heads = new Map<string, Map<string, StoredHead>>();
  const saveNow = (economyId: string, entries: readonly StoredEntryBytes[]) => {
    let map = economies.get(economyId);
    if (!map) economies.set(economyId, (map = new Map()));
    for (const e of entries) map.set(e.id, e.bytes.slice());
  };
  return {
    async load(economyId) {
      return [...(economies.get(economyId)?.values() ?? [])].map((b) => b.slice());
    },
    async save(economyId, entries) {
      saveNow(economyId, entries);
    },
    async saveOwn(economyId, author, head) {
      // No await before the writes: like the IndexedDB transaction, the check and both writes are one step.
      let byAuthor = heads.get(economyId);
      if (!byAuthor) heads.set(economyId, (byAuthor = new Map()));
      if ((byAuthor.get(author)?.seq ?? 0) >= head.seq) return 'stale';
      saveNow(economyId, [{ id: head.hash, bytes: head.bytes }]);
      byAuthor.set(author, { ...head, bytes: head.bytes.slice() });
      return 'saved';
    },
    async loadHead(economyId, author) {
      const head = heads.get(economyId)?.get(author);
      return head && { ...head, bytes: head.bytes.slice() };
    },
    async removeEconomy(economyId, keepAuthor) {
      const map = economies.get(economyId);
      for (const [id, bytes] of map ?? []) if (keepAuthor === undefined || authorOf(bytes) !== keepAuthor) map!.delete(id);
      for (const author of heads.get(economyId)?.keys() ?? []) if (author !== keepAuthor) heads.get(economyId)!.delete(author);
    },
  };
}
