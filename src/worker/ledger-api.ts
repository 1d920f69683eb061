// The one typed API between a page and the ledger worker (issue 12), declared once: the page's
// EconomySession calls it through comlink (./ledger-client.ts), the worker implements it
// (./ledger-service.ts). The same class also runs in-process where there is no worker (Node tests).
//
// Who does what:
// - The worker holds everything heavy of an open economy: the Yjs documents of its generations
//   (and their IndexedDB caches), the verified Ledger and its replay, the entry store, the refill
//   rule and the writer of own entries.
// - The page holds the WebRTC links (RTCPeerConnection exists only on a page), presence, and a
//   LedgerView built from the snapshots the worker sends (core/ledger-view.ts).
// - Between them, the Yjs sync protocol is relayed: every sync message a peer sends is handed to
//   `receive` as bytes (the sync guard runs in the worker), answers go back to that link, and
//   every change of a worker document comes back as an `update` event for the page to broadcast.
//
// Everything that crosses is structured-cloneable; byte arrays are transferred, not copied, where
// the sender no longer needs them.
import type { AddReport, AuditReport, FlowRecord, KindBodies, KindName, LedgerViewSnapshot, OrchestratorResult, Signer } from '../core';
import type { Diagnostic } from '../net/ledger-sync';
import type { EconomyRecord } from '../net/db';
import type { GenerationClock } from '../net/generations';
import type { PeerState } from '../net/refill';
import type { SendResult } from '../net/own-writes';

/** What signs own entries in the worker: the person's key (a non-extractable CryptoKey is fine). */
export interface SigningKey {
  publicKey: Uint8Array;
  signingKey: CryptoKey;
}

export interface OpenEconomy {
  record: EconomyRecord;
  /** The person's account id (64 hex). */
  me: string;
  /** Keep the documents in IndexedDB (false when the browser refuses storage, and in Node tests). */
  persistDocument: boolean;
  generations?: GenerationClock;
  /** Signs own entries: the person's key (worker), or a Signer where the service runs in-process. */
  key: SigningKey | Signer;
}

/** Why the view changed is not said: the page re-reads what it shows. */
export interface ViewEvent {
  type: 'view';
  /** Increases with every view the host sends (writes answer with the view that holds them). */
  seq: number;
  snapshot: LedgerViewSnapshot;
  diagnostics: readonly Diagnostic[];
  /** Entries received from peers being verified now (0 when idle), and of how many. */
  verifying: number;
  /** Entries of a peer's document still arriving in slices, not verified yet (0 when none). */
  receiving: number;
  /** performance.now() of the worker's last remote change (restored keys wait for quiet). */
  lastRemoteChange: number;
}

/**
 * Only the sync's progress changed (the state did not): the page updates its status line without
 * re-reading everything it shows. Sent while a big batch is verified and while older signatures
 * are checked in the background.
 */
export interface ProgressEvent extends SyncProgress {
  type: 'progress';
}

/** Where a sync stands, for the status line. */
export interface SyncProgress {
  /** Entries of a peer's document still arriving in slices, not verified yet (0 when none). */
  receiving: number;
  /** Entries received from peers being verified now (0 when idle). */
  verifying: number;
  /** Entries accepted from their author's signed head whose own signature is still to be checked. */
  unverified: number;
  entryCount: number;
}

export type HostEvent =
  | ViewEvent
  | ProgressEvent
  /** The generations the worker follows now: the page keeps one room open per generation. */
  | { type: 'generations'; list: number[] }
  /** A change of a generation's document, to send to every link of its room but `except`. */
  | { type: 'update'; generation: number; update: Uint8Array; except: string | null }
  /** A problem the person should see (e.g. the disk is full): nothing is lost, but say it. */
  | { type: 'problem'; message: string };

/**
 * An answer and the first view that shows its effect: events and answers travel on different
 * message ports, so the page waits for that view before it reads the effect.
 */
export interface Viewed<T> {
  result: T;
  viewSeq: number;
}

/** What the worker made of one relayed message. */
export interface RelayAnswer {
  /**
   * Messages to send back on the same link, in order: the answer to a step 1, which is what the
   * peer lacks as updates of about a MiB each, the last one its sync step 2 (docs/PROTOCOL.md §4).
   */
  replies?: Uint8Array[];
  /** The message was the link's sync step 2: that peer has sent us its whole document. */
  step2?: boolean;
  /** The sync guard dropped or rewrote it: why (for the page's link diagnostics). */
  problem?: string;
}

export interface LedgerServiceApi {
  /**
   * Opens (or joins, from a second tab) an economy; `listener` receives its events until close.
   * Resolves once stored entries are in the ledger and the cached documents are checked, with a
   * tab id the other calls name.
   */
  open(args: OpenEconomy, listener: (event: HostEvent) => void): Promise<string>;
  close(economyId: string, tab: string): Promise<void>;

  /** A whole sync message from link `link` of generation `generation`'s room. */
  receive(economyId: string, generation: number, link: string, message: Uint8Array): Promise<RelayAnswer>;
  /** The sync step 1 to send on a new link (our state vector), or null when the generation is closed. */
  syncStep1(economyId: string, generation: number): Promise<Uint8Array | null>;
  /** The room of a generation, as the refill rule sees it, from one tab. */
  roomState(economyId: string, generation: number, tab: string, peers: PeerState): Promise<void>;
  /** A link closed: its guard's state goes. */
  linkClosed(economyId: string, generation: number, link: string): Promise<void>;

  /** Signs and publishes an own entry (own-writes.ts): durable before published. */
  write<K extends KindName>(economyId: string, kind: K, body: KindBodies[K]): Promise<Viewed<SendResult>>;
  importEntries(economyId: string, entries: Uint8Array[]): Promise<Viewed<AddReport>>;
  /** Every authentic entry held, for a ledger file and the CSV/JSON export. */
  exportEntries(economyId: string): Promise<Uint8Array[]>;
  /** Resolves once what peers sent so far is verified into the ledger. */
  settled(economyId: string): Promise<void>;
  /**
   * Re-verifies every entry, re-replays and recomputes the orchestrator (core/orchestrator-audit.ts);
   * `shown` is what the page's dashboard draws, checked against the recomputation.
   */
  audit(economyId: string, now: number, shown: OrchestratorResult): Promise<AuditReport>;

  /** Test build only (the debug handle): a generation document's entries map, and raw writes to it. */
  debugDocument(economyId: string, generation: number | null, op: DebugDocumentOp): Promise<DebugDocumentResult>;
}

export type DebugDocumentOp =
  | { op: 'keys' }
  | { op: 'roots' }
  | { op: 'get'; key: string }
  | { op: 'set'; key: string; value: Uint8Array | string | number }
  | { op: 'delete'; key: string }
  | { op: 'generations' }
  /** The whole document as one Yjs update (a page decodes it to inspect structs and tombstones). */
  | { op: 'encode' }
  /** Ids of every authentic entry the ledger holds. */
  | { op: 'entry-ids' }
  /** How many tabs share this economy's ledger in the worker (value: number). */
  | { op: 'tabs' };

export type DebugDocumentResult = { keys?: string[]; value?: unknown; generations?: number[] };

/** Test build only: a change made behind the ledger's back, which the audit must notice. */
export interface DebugCorruption {
  /** Sets an account's balance (milli) in the replayed state. */
  balance?: { account: string; MH: number; CH: number };
  /** Appends flow records not backed by any entry. */
  flows?: FlowRecord[];
}
