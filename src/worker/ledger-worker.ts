// The ledger worker's entry point (issue 12): the economy's documents, verification, replay and
// persistence run here, off the page's main thread. A SharedWorker where the browser has one, so
// the tabs of one person share one ledger; a dedicated worker otherwise (./ledger-client.ts).
import * as Comlink from 'comlink';
import { createWebCryptoPort } from '../core';
import { openHourmeshDb } from '../net/db';
import { createIdbEntryStore, createMemoryEntryStore, type EntryStore } from '../net/entry-store';
import { LedgerService } from './ledger-service';

let idb: Promise<EntryStore> | null = null;
const debug = import.meta.env.DEV || import.meta.env.MODE === 'test';
let releaseWrites: (() => void) | null = null;
let writesHeld: Promise<void> | null = null;
const debugFlags = {
  diskFull: false,
  holdWrites(on: boolean) {
    if (on && !writesHeld) writesHeld = new Promise((resolve) => (releaseWrites = resolve));
    if (!on && releaseWrites) {
      releaseWrites();
      releaseWrites = null;
      writesHeld = null;
    }
  },
};
if (debug) {
  // Test builds: IndexedDB writes of entries fail like a full disk while debugFlags.diskFull is
  // set (LedgerService.debugDiskFull), so an e2e test can check what a person is told.
  const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
    if (debugFlags.diskFull && this.name === 'entries') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    return put.apply(this, args);
  };
  // …and own writes wait for LedgerService.debugHoldWrites(false): the Web Lock every own write
  // takes (net/own-writes.ts) is held back, like a slow phone.
  const locks = navigator.locks;
  const request = locks.request.bind(locks) as (name: string, work: () => Promise<unknown>) => Promise<unknown>;
  (locks as unknown as { request: typeof request }).request = (name, work) => {
    const held = writesHeld;
    return held && name.startsWith('hourmesh-write:') ? held.then(() => request(name, work)) : request(name, work);
  };
}

const service = new LedgerService({
  crypto: createWebCryptoPort(crypto.subtle),
  now: Date.now,
  debug,
  debugFlags,
  // One database connection for every economy this worker opens; memory where storage is refused.
  entries: async (persistent) => {
    if (!persistent) return createMemoryEntryStore();
    idb ??= openHourmeshDb().then(createIdbEntryStore);
    return idb;
  },
});

const scope = self as unknown as { onconnect?: unknown };
if ('onconnect' in scope) {
  scope.onconnect = (event: MessageEvent) => Comlink.expose(service, event.ports[0]!);
} else {
  Comlink.expose(service);
}
