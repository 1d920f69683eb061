// How a page reaches the ledger (./ledger-api.ts): the shared ledger worker in a browser, or a
// LedgerService in the same thread where there is no worker (Node tests).
//
// Comlink carries calls and answers; the listener a page passes to `open` becomes a proxy the
// worker calls back, and a relayed message is transferred (the page does not keep it).
import * as Comlink from 'comlink';
import type { AddReport, AuditReport, KindBodies, KindName, OrchestratorResult } from '../core';
import type { SendResult } from '../net/own-writes';
import type { PeerState } from '../net/refill';
import type { DebugCorruption, DebugDocumentOp, DebugDocumentResult, HostEvent, LedgerServiceApi, OpenEconomy, RelayAnswer, Viewed } from './ledger-api';
import type { LedgerService } from './ledger-service';

export type LedgerClient = LedgerServiceApi & {
  /** Test build only: corrupts the worker's replayed state (e2e of the audit). */
  debugCorrupt(economyId: string, change: DebugCorruption): Promise<void>;
};

/** The ledger worker of this origin (shared by its tabs where SharedWorker exists). */
export function connectLedgerWorker(): LedgerClient {
  let remote: Comlink.Remote<LedgerService>;
  // A worker that cannot start (a script error, a browser without module workers) must not leave
  // "Opening…" on screen for ever: opening fails with the reason instead.
  let fail!: (error: Error) => void;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => undefined);
  const onError = (event: Event) => fail(new Error(`the ledger worker did not start (${(event as ErrorEvent).message || 'unknown error'})`));
  if (typeof SharedWorker !== 'undefined') {
    const worker = new SharedWorker(new URL('./ledger-worker.ts', import.meta.url), { type: 'module', name: 'hourmesh-ledger' });
    worker.addEventListener('error', onError);
    remote = Comlink.wrap<LedgerService>(worker.port);
  } else {
    // Chrome on Android before SharedWorker shipped there: one worker per tab. Two tabs then
    // replay twice and reach each other through the peers (and the shared entry store).
    const worker = new Worker(new URL('./ledger-worker.ts', import.meta.url), { type: 'module', name: 'hourmesh-ledger' });
    worker.addEventListener('error', onError);
    remote = Comlink.wrap<LedgerService>(worker);
  }
  return {
    open: (args: OpenEconomy, listener: (event: HostEvent) => void) => Promise.race([remote.open(args, Comlink.proxy(listener)), failed]),
    close: (economyId: string, tab: string) => remote.close(economyId, tab),
    receive: (economyId: string, generation: number, link: string, message: Uint8Array): Promise<RelayAnswer> =>
      remote.receive(economyId, generation, link, Comlink.transfer(message, [message.buffer])),
    syncStep1: (economyId: string, generation: number) => remote.syncStep1(economyId, generation),
    roomState: (economyId: string, generation: number, tab: string, peers: PeerState) => remote.roomState(economyId, generation, tab, peers),
    linkClosed: (economyId: string, generation: number, link: string) => remote.linkClosed(economyId, generation, link),
    write: <K extends KindName>(economyId: string, kind: K, body: KindBodies[K]): Promise<Viewed<SendResult>> => remote.write(economyId, kind, body as never),
    importEntries: (economyId: string, entries: Uint8Array[]): Promise<Viewed<AddReport>> => remote.importEntries(economyId, entries),
    exportEntries: (economyId: string) => remote.exportEntries(economyId),
    settled: (economyId: string) => remote.settled(economyId),
    audit: (economyId: string, now: number, shown: OrchestratorResult): Promise<AuditReport> => remote.audit(economyId, now, shown),
    debugDocument: (economyId: string, generation: number | null, op: DebugDocumentOp): Promise<DebugDocumentResult> => remote.debugDocument(economyId, generation, op),
    debugCorrupt: (economyId: string, change: DebugCorruption) => remote.debugCorrupt(economyId, change),
  };
}

/**
 * A LedgerService in this thread, seen as the page sees the worker: events reach the listener
 * as structured clones, asynchronously, so nothing the page holds is shared with the ledger.
 */
export function inProcessLedger(service: LedgerService): LedgerClient {
  return {
    open: (args, listener) => service.open(args, (event) => {
      const copy = structuredClone(event);
      queueMicrotask(() => listener(copy));
    }),
    close: (id, tab) => service.close(id, tab),
    receive: (id, g, link, message) => service.receive(id, g, link, message),
    syncStep1: (id, g) => service.syncStep1(id, g),
    roomState: (id, g, tab, peers) => service.roomState(id, g, tab, peers),
    linkClosed: (id, g, link) => service.linkClosed(id, g, link),
    write: (id, kind, body) => service.write(id, kind, body),
    importEntries: (id, entries) => service.importEntries(id, entries),
    exportEntries: (id) => service.exportEntries(id),
    settled: (id) => service.settled(id),
    audit: (id, now, shown) => service.audit(id, now, shown),
    debugDocument: (id, g, op) => service.debugDocument(id, g, op),
    debugCorrupt: (id, change) => service.debugCorrupt(id, change),
  };
}
