// The ledger worker's API (./ledger-api.ts) over the open economies of this browser: one
// LedgerHost per economy, shared by every tab that opens it (a SharedWorker serves all the
// tabs of one origin, so two tabs of one person replay the ledger once, not twice).
//
// Invariants:
// - One host per economy id; `open` from a second tab joins it (same key: one browser profile
//   has one identity) and gets the current view at once.
// - A host is closed when its last tab closes it. A tab that vanished without closing (a crash)
//   leaves its listener behind; events to it are dropped (see LedgerHost.#emit).
// - Calls for an economy that is not open reject with a sentence (the page shows it).
import { toHex, type AddReport, type AuditReport, type CryptoPort, type KindBodies, type KindName, type OrchestratorResult, type Signer } from '../core';
import type { EntryStore } from '../net/entry-store';
import type { PeerState } from '../net/refill';
import type { SendResult } from '../net/own-writes';
import { LedgerHost } from './ledger-host';
import type { DebugCorruption, DebugDocumentOp, DebugDocumentResult, HostEvent, LedgerServiceApi, OpenEconomy, RelayAnswer, SigningKey, Viewed } from './ledger-api';

export interface LedgerServiceDeps {
  crypto: CryptoPort;
  /** The entry store of an economy opened with or without persistence. */
  entries: (persistent: boolean) => Promise<EntryStore>;
  now: () => number;
  subtle?: SubtleCrypto;
  /** Answer the debug calls (development and test builds only; production refuses them). */
  debug: boolean;
}

export class LedgerService implements LedgerServiceApi {
  readonly #deps: LedgerServiceDeps;
  readonly #hosts = new Map<string, Promise<LedgerHost>>();
  #tabs = 0;

  constructor(deps: LedgerServiceDeps) {
    this.#deps = deps;
  }

  async open(args: OpenEconomy, listener: (event: HostEvent) => void): Promise<string> {
    const id = args.record.id;
    let host = this.#hosts.get(id);
    if (!host) {
      const signer = this.#signerOf(args.key);
      if (toHex(signer.publicKey) !== args.me) throw new Error('The key does not match the account.');
      const opening = this.#deps.entries(args.persistDocument).then((entries) =>
        LedgerHost.open(args, { crypto: this.#deps.crypto, entries, now: this.#deps.now, signer }));
      this.#hosts.set(id, opening);
      opening.catch(() => this.#hosts.delete(id));
      host = opening;
    }
    const tab = `t${++this.#tabs}`;
    (await host).listen(tab, listener);
    return tab;
  }

  async close(economyId: string, tab: string): Promise<void> {
    const opening = this.#hosts.get(economyId);
    if (!opening) return;
    const host = await opening;
    if (host.unlisten(tab)) {
      this.#hosts.delete(economyId);
      host.close();
    }
  }

  async receive(economyId: string, generation: number, link: string, message: Uint8Array): Promise<RelayAnswer> {
    return (await this.#host(economyId)).receive(generation, link, message);
  }

  async syncStep1(economyId: string, generation: number): Promise<Uint8Array | null> {
    return (await this.#host(economyId)).syncStep1(generation);
  }

  async roomState(economyId: string, generation: number, tab: string, peers: PeerState): Promise<void> {
    (await this.#host(economyId)).roomState(generation, tab, peers);
  }

  async linkClosed(economyId: string, generation: number, link: string): Promise<void> {
    (await this.#host(economyId)).linkClosed(generation, link);
  }

  async write<K extends KindName>(economyId: string, kind: K, body: KindBodies[K]): Promise<Viewed<SendResult>> {
    const host = await this.#hostOrNull(economyId);
    if (!host) return { result: { ok: false, error: 'Not sent: this economy is not open any more.' }, viewSeq: 0 };
    return host.write(kind, body);
  }

  async importEntries(economyId: string, entries: Uint8Array[]): Promise<Viewed<AddReport>> {
    return (await this.#host(economyId)).importEntries(entries);
  }

  async exportEntries(economyId: string): Promise<Uint8Array[]> {
    return (await this.#host(economyId)).exportEntries();
  }

  async settled(economyId: string): Promise<void> {
    return (await this.#host(economyId)).settled();
  }

  async audit(economyId: string, now: number, shown: OrchestratorResult): Promise<AuditReport> {
    return (await this.#host(economyId)).audit(now, shown);
  }

  async debugDocument(economyId: string, generation: number | null, op: DebugDocumentOp): Promise<DebugDocumentResult> {
    this.#debugOnly();
    return (await this.#host(economyId)).debugDocument(generation, op);
  }

  /** Test build only (see LedgerHost.debugCorrupt). */
  async debugCorrupt(economyId: string, change: DebugCorruption): Promise<void> {
    this.#debugOnly();
    (await this.#host(economyId)).debugCorrupt(change);
  }

  #debugOnly(): void {
    if (!this.#deps.debug) throw new Error('Debug calls are refused in a production build.');
  }

  async #hostOrNull(economyId: string): Promise<LedgerHost | null> {
    const opening = this.#hosts.get(economyId);
    return opening ? opening.catch(() => null) : null;
  }

  async #host(economyId: string): Promise<LedgerHost> {
    const host = await this.#hostOrNull(economyId);
    if (!host) throw new Error('This economy is not open.');
    return host;
  }

  #signerOf(key: SigningKey | Signer): Signer {
    if ('sign' in key && typeof key.sign === 'function') return key;
    const { publicKey, signingKey } = key as SigningKey;
    const subtle = this.#deps.subtle ?? globalThis.crypto.subtle;
    return {
      publicKey: new Uint8Array(publicKey),
      async sign(message) {
        return new Uint8Array(await subtle.sign('Ed25519', signingKey, new Uint8Array(message)));
      },
    };
  }
}
