// The app's one IndexedDB database, opened through idb.
//
// Invariant: every object store is created here and only here, in the upgrade callback, so the
// schema version is bumped in one place when a store is added. Other modules take an opened
// database (or an in-memory stand-in) as a parameter; they never open their own.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

/**
 * This device's identity. `signingKey` is a non-extractable CryptoKey: WebCrypto signs with it but
 * never exports it. That stops no script on this origin: it can sign with the key, and it can
 * unwrap `wrappedPrivateKey` with `wrapKey` as the backup does (README, Security notes).
 */
export interface IdentityRecord {
  publicKey: Uint8Array;
  signingKey: CryptoKey;
  /** The PKCS#8 private key, encrypted with `wrapKey` (AES-GCM), kept only for passphrase backups. */
  wrappedPrivateKey: { iv: Uint8Array; data: Uint8Array };
  /**
   * Non-extractable AES-GCM key of this device, stored beside what it wraps: the wrapping keeps the
   * PKCS#8 out of a casual read of this store, not out of reach of a script on this origin.
   */
  wrapKey: CryptoKey;
  name: string;
  colour: string;
  createdAt: number;
  /** Set when the key came from a backup: the same key on two devices forks its chain. */
  restoredAt?: number;
}

export interface EconomyRecord {
  id: string;
  name: string;
  /** Account id of the founder, the only author whose economy-settings entries count. */
  founder: string;
  /** With the founder, fixes the id: id = economyIdOf(founder, nonce) (src/core/economy-id.ts). */
  nonce: string;
  secret: string;
  joinedAt: number;
  /** Last time this device completed a sync with a peer of this economy (see Economies). */
  syncedAt?: number;
  /** Own entries written while no peer was reachable and not yet offered to one. */
  unshared?: string[];
  /** Signaling servers the invite brought, used for this economy's room besides the device's own. */
  signaling?: string[];
}

export interface EntryRecord {
  economyId: string;
  id: string;
  bytes: Uint8Array;
}

/**
 * The last entry this device signed for one author in one economy, saved in the same transaction
 * as that entry (see own-writes.ts): the seq the next own entry must follow, whatever this tab's
 * ledger has seen yet. Only ever moves forward.
 */
export interface HeadRecord {
  economyId: string;
  author: string;
  seq: number;
  /** Entry id (hex SHA-256) of the head entry. */
  hash: string;
  time: number;
  /** The head entry itself, so a tab that has not seen it yet can add it to its ledger. */
  bytes: Uint8Array;
}

export interface HourmeshSchema extends DBSchema {
  /** Small app-wide records by name: network settings, the active economy… */
  settings: { key: string; value: unknown };
  identity: { key: 'self'; value: IdentityRecord };
  economies: { key: string; value: EconomyRecord };
  /** Every verified entry of every economy this device belongs to: the peer's own truth. */
  entries: { key: [string, string]; value: EntryRecord; indexes: { 'by-economy': string } };
  /** This device's own chain head per (economy, author); kept when the economy is left. */
  heads: { key: [string, string]; value: HeadRecord };
}

export type HourmeshDb = IDBPDatabase<HourmeshSchema>;

export const DB_NAME = 'hourmesh';
const DB_VERSION = 3;

export async function openHourmeshDb(name = DB_NAME): Promise<HourmeshDb> {
  const db: HourmeshDb = await openDB<HourmeshSchema>(name, DB_VERSION, {
    upgrade(db, oldVersion, _newVersion, transaction) {
      if (oldVersion < 1) db.createObjectStore('settings');
      if (oldVersion < 2) {
        db.createObjectStore('identity');
        db.createObjectStore('economies', { keyPath: 'id' });
        const entries = db.createObjectStore('entries', { keyPath: ['economyId', 'id'] });
        entries.createIndex('by-economy', 'economyId');
      }
      if (oldVersion < 3) {
        db.createObjectStore('heads', { keyPath: ['economyId', 'author'] });
        if (oldVersion >= 2) {
          // Version 3 came with entry format 2 (economy id and ack in the signed part) and derived
          // economy ids: version-1 entries cannot be read any more, nor their economies joined.
          void transaction.objectStore('entries').clear();
          void transaction.objectStore('economies').clear();
        }
      }
    },
    // A newer version of the app opened in another tab must not wait for this one: let go. This
    // tab's later writes then fail and say so (nothing is sent unsaved, see own-writes.ts).
    blocking: () => db.close(),
  });
  return db;
}
