// The app's one IndexedDB database, opened through idb.
//
// Invariant: every object store is created here and only here, in the upgrade callback, so the
// schema version is bumped in one place when a store is added. Other modules take an opened
// database (or an in-memory stand-in) as a parameter; they never open their own.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

export interface HourmeshSchema extends DBSchema {
  /** Small app-wide records by name: network settings, the active economy… */
  settings: { key: string; value: unknown };
}

export type HourmeshDb = IDBPDatabase<HourmeshSchema>;

export const DB_NAME = 'hourmesh';
const DB_VERSION = 1;

export function openHourmeshDb(name = DB_NAME): Promise<HourmeshDb> {
  return openDB<HourmeshSchema>(name, DB_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) db.createObjectStore('settings');
    },
  });
}
