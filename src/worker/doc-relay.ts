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
// - A step 1 is answered on the same link with what the peer lacks, in slices of about a MiB
//   (net/update-slices.ts): updates first, the last slice as the step 2 (docs/PROTOCOL.md §4). A
//   step 2 is reported (that link's peer has sent us its document, which the room's `synced`
//   status counts).
// - A link whose peer sends slice-sized updates (≥ HOLD_MIN_BYTES) before its step 2 is sending
//   its document in slices: what that link brings is *held* (`onHold`, by the link's transaction
//   origin) until its step 2 arrives, so the ledger verifies the whole history as one batch (from
//   each author's signed head down) instead of slice by slice. Small updates (a live entry, a
//   refill slice of ≤ 2,000 entries) never start a hold: a peer whose step 2 is late or lost must
//   not delay its live entries. Only that link's changes wait, so a peer that never finishes can
//   delay nothing but what it sends itself. A hold ends with the step 2, when the link closes, when
//   the guard drops one of its messages, HOLD_IDLE_MS after its last slice, or HOLD_MAX_MS after
//   its first (then the link's updates count as live ones).
// - Updates applied here carry the link as transaction origin, so the document's 'update' event
//   names the link it came from and the pages do not echo an update back to its sender.
// - Nothing here throws for a peer's bytes: Yjs errors on hostile input are reported as problems.
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import { createSyncGuard, ECONOMY_SCHEMA, type SyncGuard } from '../net/sync-guard';
import { sliceUpdate, UPDATE_SLICE_BYTES } from '../net/update-slices';
import type { RelayAnswer } from './ledger-api';

/** y-webrtc's message type for sync messages. */
const MESSAGE_SYNC = 0;
/**
 * The longest a link's sliced document holds back verification (a phone-class browser at a
 * quarter of one core receives 25 MiB in about 20–30 s); after it, its slices count as live ones.
 */
export const HOLD_MAX_MS = 60_000;
/** A hold also ends when no slice came for this long (slices are sent back to back). */
export const HOLD_IDLE_MS = 5_000;
const HOLD_CHECK_MS = 1_000;
/**
 * Only an update this big starts a hold: our slices are within a few KiB of UPDATE_SLICE_BYTES,
 * while a refill slice (≤ 2,000 entries, ~540 KB) or a live entry is smaller.
 */
export const HOLD_MIN_BYTES = (UPDATE_SLICE_BYTES * 3) / 4;

/** The transaction origin of an update a link brought. */
export interface LinkOrigin {
  readonly link: string;
}

export class DocRelay {
  readonly doc: Y.Doc;
  readonly #guards = new Map<string, SyncGuard>();
  readonly #origins = new Map<string, LinkOrigin>();
  readonly #now: () => number;
  /** Links whose document is arriving in slices: when their first and their last slice came. */
  readonly #holding = new Map<string, { since: number; last: number }>();
  /** Links that have sent their step 2 (later updates are live changes, never a hold). */
  readonly #synced = new Set<string>();
  #holdTimer: ReturnType<typeof setInterval> | undefined;
  /** Called when a link starts or stops holding what it brings (`origin`: its transaction origin). */
  onHold: (origin: LinkOrigin, held: boolean) => void = () => {};

  constructor(doc: Y.Doc, now: () => number = Date.now) {
    this.doc = doc;
    this.#now = now;
  }

  /** Whether an update that came from `origin` (null: a local one) has any other link to go to. */
  hasLinksBesides(origin: string | null): boolean {
    return this.#guards.size > (origin !== null && this.#guards.has(origin) ? 1 : 0);
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
    if (verdict.action === 'drop') {
      this.#endHold(link);
      return { problem: `sync guard dropped a message: ${verdict.reason}` };
    }
    const bytes = verdict.action === 'rewrite' ? verdict.message : message;
    const answer: RelayAnswer = verdict.action === 'rewrite' ? { problem: `sync guard: ${verdict.reason}` } : {};
    try {
      const decoder = decoding.createDecoder(bytes);
      if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) return { problem: 'not a sync message' };
      const type = decoding.peekVarUint(decoder);
      if (type === syncProtocol.messageYjsSyncStep1) {
        decoding.readVarUint(decoder);
        answer.replies = this.#answerStep1(decoding.readVarUint8Array(decoder));
        return answer;
      }
      // Slice-sized updates before the link's step 2: its document, arriving in slices.
      if (type === syncProtocol.messageYjsUpdate && !this.#synced.has(link) && (bytes.length >= HOLD_MIN_BYTES || this.#holding.has(link))) this.#holdFor(link);
      const encoder = encoding.createEncoder();
      syncProtocol.readSyncMessage(decoder, encoder, this.doc, this.#originOf(link));
      if (type === syncProtocol.messageYjsSyncStep2) {
        answer.step2 = true;
        this.#synced.add(link);
        this.#endHold(link);
      }
    } catch (error) {
      answer.problem = `the document refused a message: ${error instanceof Error ? error.message : String(error)}`;
    }
    return answer;
  }

  /** A link closed: forget its guard (a new link starts with fresh rate limits, as on a page). */
  forget(link: string): void {
    this.#endHold(link);
    this.#guards.delete(link);
    this.#origins.delete(link);
    this.#synced.delete(link);
  }

  /** What the peer lacks, as y-webrtc's step 2 would carry it, in slices (see the header). */
  #answerStep1(stateVector: Uint8Array): Uint8Array[] {
    const slices = sliceUpdate(Y.encodeStateAsUpdate(this.doc, stateVector));
    return slices.map((slice, i) => {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MESSAGE_SYNC);
      encoding.writeVarUint(encoder, i === slices.length - 1 ? syncProtocol.messageYjsSyncStep2 : syncProtocol.messageYjsUpdate);
      encoding.writeVarUint8Array(encoder, slice);
      return encoding.toUint8Array(encoder);
    });
  }

  /** Starts a hold, or notes one more slice of it. */
  #holdFor(link: string): void {
    const now = this.#now();
    const hold = this.#holding.get(link);
    if (hold) {
      hold.last = now;
      return;
    }
    this.#holding.set(link, { since: now, last: now });
    this.#armHoldTimer();
    this.onHold(this.#originOf(link), true);
  }

  #endHold(link: string): void {
    if (!this.#holding.delete(link)) return;
    this.#armHoldTimer();
    this.onHold(this.#originOf(link), false);
  }

  /**
   * Ends holds that went HOLD_IDLE_MS without a slice, and those HOLD_MAX_MS old (that link's later
   * updates then count as live ones). Checked once a second while any hold lasts.
   */
  #armHoldTimer(): void {
    if (this.#holding.size === 0) {
      clearInterval(this.#holdTimer);
      this.#holdTimer = undefined;
      return;
    }
    this.#holdTimer ??= setInterval(() => {
      const now = this.#now();
      for (const [link, { since, last }] of [...this.#holding]) {
        if (now - since >= HOLD_MAX_MS) this.#synced.add(link);
        if (now - since >= HOLD_MAX_MS || now - last >= HOLD_IDLE_MS) this.#endHold(link);
      }
    }, HOLD_CHECK_MS);
  }

  /** Stops the hold timer (the document is closing). */
  close(): void {
    clearInterval(this.#holdTimer);
    this.#holdTimer = undefined;
    this.#holding.clear();
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
