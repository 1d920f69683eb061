// The ledger worker's entry point (issue 12): the economy's documents, verification, replay and
// persistence run here, off the page's main thread. A SharedWorker where the browser has one, so
// the tabs of one person share one ledger; a dedicated worker otherwise (./ledger-client.ts).
import * as Comlink from 'comlink';
import { createWebCryptoPort } from '../core';
import { openHourmeshDb } from '../net/db';
import { createIdbEntryStore, createMemoryEntryStore, type EntryStore } from '../net/entry-store';
import { LedgerService } from './ledger-service';

let idb: Promise<EntryStore> | null = null;

const service = new LedgerService({
  crypto: createWebCryptoPort(crypto.subtle),
  now: Date.now,
  debug: import.meta.env.DEV || import.meta.env.MODE === 'test',
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
