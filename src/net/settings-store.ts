// Persistence seam for small settings records. Two implementations side by side: IndexedDB for
// the app, a Map for tests. Reads never throw: a record that cannot be read is reported as absent
// and the caller falls back to defaults; writes reject with a message a person can act on.
import type { HourmeshDb } from './db';

export interface SettingsStore {
  read(key: string): Promise<unknown>;
  write(key: string, value: unknown): Promise<void>;
}

export function createIdbSettingsStore(db: HourmeshDb): SettingsStore {
  return {
    async read(key) {
      try {
        return await db.get('settings', key);
      } catch {
        return undefined;
      }
    },
    async write(key, value) {
      try {
        await db.put('settings', value, key);
      } catch (error) {
        throw new Error(describeStorageError(error));
      }
    },
  };
}

export function createMemorySettingsStore(): SettingsStore {
  const records = new Map<string, unknown>();
  return {
    async read(key) {
      return structuredClone(records.get(key));
    },
    async write(key, value) {
      records.set(key, structuredClone(value));
    },
  };
}

export function describeStorageError(error: unknown): string {
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'QuotaExceededError') return 'This device is out of storage space for hourmesh. Free some space (or clear other sites\' data) and try again.';
  if (name === 'InvalidStateError' || name === 'SecurityError') return 'This browser refuses to store data here (private mode or storage disabled). hourmesh needs site storage.';
  return `Saving failed: ${error instanceof Error ? error.message : String(error)}`;
}
