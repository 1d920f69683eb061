// The economies this device belongs to, and which one is active. IndexedDB for the app, memory
// for tests. The secret is stored on the device (it is needed to reconnect); it never leaves
// except in invite links the person chooses to share.
import type { EconomyRecord, HourmeshDb } from './db';
import { describeStorageError } from './settings-store';

export type { EconomyRecord };

export interface EconomyDirectory {
  list(): Promise<EconomyRecord[]>;
  put(record: EconomyRecord): Promise<void>;
  remove(id: string): Promise<void>;
  activeId(): Promise<string | null>;
  setActive(id: string | null): Promise<void>;
}

const ACTIVE_KEY = 'active-economy';

export function createIdbEconomyDirectory(db: HourmeshDb): EconomyDirectory {
  const guard = async (work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (error) {
      throw new Error(describeStorageError(error));
    }
  };
  return {
    async list() {
      return (await db.getAll('economies')).sort((a, b) => a.joinedAt - b.joinedAt);
    },
    put: (record) => guard(() => db.put('economies', record)),
    remove: (id) => guard(() => db.delete('economies', id)),
    async activeId() {
      const id = await db.get('settings', ACTIVE_KEY);
      return typeof id === 'string' ? id : null;
    },
    setActive: (id) => guard(() => (id === null ? db.delete('settings', ACTIVE_KEY) : db.put('settings', id, ACTIVE_KEY))),
  };
}

export function createMemoryEconomyDirectory(): EconomyDirectory {
  const records = new Map<string, EconomyRecord>();
  let active: string | null = null;
  return {
    async list() {
      return [...records.values()].sort((a, b) => a.joinedAt - b.joinedAt);
    },
    async put(record) {
      records.set(record.id, { ...record });
    },
    async remove(id) {
      records.delete(id);
    },
    async activeId() {
      return active;
    },
    async setActive(id) {
      active = id;
    },
  };
}
