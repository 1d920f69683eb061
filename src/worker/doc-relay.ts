// The Yjs sync protocol of one worker document, spoken through the pages' WebRTC links.
//
// y-webrtc on a page would read sync messages into the page's own copy of the document; here the
// page's copy stays empty and every sync message of a link is handed to `receive` instead (see
// net/relay-rooms.ts). The message is what y-webrtc would have read (y-protocols' sync messages
// behind y-webrtc's messageSync byte), so peers on either side of the change speak the same wire.
//
// Invariants:
// - Every relayed message passes the sync guard of its link first (net/sync-guard.ts: schema,
//   sizes, step-1 rate), exactly as it did on the page; a dropped message changes nothing.
// - A step 1 is answered with a step 2 on the same link; a step 2 is reported (that link's peer
//   has sent us its document, which the room's `synced` status counts).
// - Updates applied here carry the link as transaction origin, so the document's 'update' event
//   names the link it came from and the pages do not echo an update back to its sender.
// - Nothing here throws for a peer's bytes: Yjs errors on hostile input are reported as problems.
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import { createSyncGuard, ECONOMY_SCHEMA, type SyncGuard } from '../net/sync-guard';
import type { RelayAnswer } from './ledger-api';

/** y-webrtc's message type for sync messages. */
const MESSAGE_SYNC = 0;

/** The transaction origin of an update a link brought. */
export interface LinkOrigin {
  readonly link: string;
}

export class DocRelay {
  readonly doc: Y.Doc;
  readonly #guards = new Map<string, SyncGuard>();
  readonly #origins = new Map<string, LinkOrigin>();
  readonly #now: () => number;

  constructor(doc: Y.Doc, now: () => number = Date.now) {
    this.doc = doc;
    this.#now = now;
  }

  /** Our sync step 1 (the state vector), as y-webrtc sends it when a link opens. */
  syncStep1(): Uint8Array {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeSyncStep1(encoder, this.doc);
    return encoding.toUint8Array(encoder);
  }

  /** One whole sync message from `link`. */
  receive(link: string, message: Uint8Array): RelayAnswer {
    let guard = this.#guards.get(link);
    if (!guard) this.#guards.set(link, (guard = createSyncGuard(ECONOMY_SCHEMA, { now: this.#now })));
    const verdict = guard.check(message);
    if (verdict.action === 'drop') return { problem: `sync guard dropped a message: ${verdict.reason}` };
    const bytes = verdict.action === 'rewrite' ? verdict.message : message;
    const answer: RelayAnswer = verdict.action === 'rewrite' ? { problem: `sync guard: ${verdict.reason}` } : {};
    try {
      const decoder = decoding.createDecoder(bytes);
      if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) return { problem: 'not a sync message' };
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MESSAGE_SYNC);
      const type = syncProtocol.readSyncMessage(decoder, encoder, this.doc, this.#originOf(link));
      if (type === syncProtocol.messageYjsSyncStep1) answer.reply = encoding.toUint8Array(encoder);
      if (type === syncProtocol.messageYjsSyncStep2) answer.step2 = true;
    } catch (error) {
      answer.problem = `the document refused a message: ${error instanceof Error ? error.message : String(error)}`;
    }
    return answer;
  }

  /** A link closed: forget its guard (a new link starts with fresh rate limits, as on a page). */
  forget(link: string): void {
    this.#guards.delete(link);
    this.#origins.delete(link);
  }

  /** Wraps a document update as the sync message y-webrtc broadcasts. */
  static updateMessage(update: Uint8Array): Uint8Array {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MESSAGE_SYNC);
    syncProtocol.writeUpdate(encoder, update);
    return encoding.toUint8Array(encoder);
  }

  #originOf(link: string): LinkOrigin {
    let origin = this.#origins.get(link);
    if (!origin) this.#origins.set(link, (origin = { link }));
    return origin;
  }
}

/** The link an update came from, if a relayed link brought it. */
export function linkOfOrigin(origin: unknown): string | null {
  return typeof origin === 'object' && origin !== null && typeof (origin as LinkOrigin).link === 'string' ? (origin as LinkOrigin).link : null;
}
