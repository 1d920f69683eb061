// Chunking for every y-webrtc peer, by patching simple-peer's prototype once at startup.
//
// Why it exists: y-webrtc hands a whole Yjs update (a full document for a late joiner) to
// `peer.send` as one message. Chromium's RTCDataChannel refuses messages over 256 KiB and the
// channel then stays dead, so big documents, later small updates and late joiners all fail.
// Here every message is cut into frames of at most 16 KiB (wire format in ./frames.ts) and
// reassembled on the other side before y-webrtc sees it.
//
// Why the prototype: y-webrtc creates its simple-peer instances internally (`new Peer(...)` inside
// WebrtcConn) and offers no hook to wrap them or their channel. It imports
// 'simple-peer/simplepeer.min.js', and so do we, with the same specifier, so the bundler resolves
// one module and one class; patching that class's prototype reaches every peer y-webrtc makes.
// Call `installChunking()` before creating any WebrtcProvider; every peer of the app must run it,
// because the framing is not compatible with an unpatched peer.
//
// Invariants:
// - Frames of one message go out back to back and in order: while a peer has queued frames, new
//   messages are queued behind them, never sent ahead.
// - At most about `SEND_HIGH_WATER_BYTES` wait in the channel's own send buffer (Chromium closes a
//   channel whose buffer passes 16 MiB); the rest waits in our per-peer queue and is flushed when
//   the channel fires `bufferedamountlow` (simple-peer sets its threshold to 64 KiB).
// - Only whole messages reach simple-peer's original `_onChannelMessage`, as an ArrayBuffer, and
//   only after the sync guard (./sync-guard.ts) passed them (or rewrote them: junk structs
//   replaced by GC). y-webrtc reads them synchronously from there, so the guard's verdict is
//   about exactly the bytes y-webrtc parses.
// - Nothing thrown from the channel's event handlers: bad frames, dropped messages, failed
//   flushes and even an exception from y-webrtc's own handler are reported through `onError` and
//   counted in `chunkingStats` (and `syncGuardStats`).
// - Receiving memory is bounded (./frames.ts): one message ≤ 32 MiB, a partial message with no
//   frame for 30 s is dropped (a timer sweeps every few seconds while any partial exists), and
//   all links together hold ≤ 48 MiB of partial messages. A link evicted from that budget is
//   closed (`destroy()`); y-webrtc announces again and the peers reconnect and re-sync, so an
//   honest message lost that way (e.g. a sync step 2) is sent again on the new connection.
// - A message over the cap is not sent at all (reported): every receiver would drop it.
// - Relayed links (bindPeerRelay, used by net/relay-rooms.ts since the ledger moved into a
//   worker): their whole sync messages go to the relay instead of the guard and y-webrtc (the
//   worker guards and applies them), and the empty page document's sync step 1, which y-webrtc
//   sends when the link opens, is replaced by the relay's (sendRelayed carries the real one).
//   Awareness messages still pass the guard to y-webrtc as before.
import Peer from 'simple-peer/simplepeer.min.js';
import {
  createFrameAssembler,
  createPartialBudget,
  MAX_FRAME_BYTES,
  MAX_MESSAGE_BYTES,
  PARTIAL_BUDGET_BYTES,
  PARTIAL_IDLE_TIMEOUT_MS,
  splitIntoFrames,
  type FrameAssembler,
} from './frames';
import { createSyncGuard, schemaOfPeer, type SyncGuard } from './sync-guard';
import { isSideMessage, sideChannelOf } from './side-channel';

export { MAX_FRAME_BYTES, MAX_MESSAGE_BYTES } from './frames';

/** Stop handing frames to the channel once this much is waiting in its send buffer. */
export const SEND_HIGH_WATER_BYTES = 1024 * 1024;

/** The part of an RTCDataChannel the patch uses. */
export interface ChannelLike {
  readonly bufferedAmount: number;
  readonly readyState?: string;
  send(data: Uint8Array): void;
}

/** The part of a simple-peer instance the patch uses; the method names are simple-peer's own. */
export interface ChunkablePeer {
  destroyed: boolean;
  destroying?: boolean;
  _channel: ChannelLike | null;
  send(chunk: unknown): void;
  _onChannelMessage(event: { data: unknown }): void;
  _onChannelBufferedAmountLow(): void;
  /** simple-peer's; closes the connection (y-webrtc then re-announces and reconnects). */
  destroy?(): void;
}

export interface PeerClassLike {
  prototype: ChunkablePeer;
}

export interface ChunkingOptions {
  /** Called for a malformed frame, a dropped message or a failed flush; the default logs a warning. */
  onError?: (reason: string, peer: ChunkablePeer) => void;
  /**
   * The guard each link's whole messages pass before simple-peer sees them; null turns guarding
   * off (tests of the framing alone). Default: a sync guard for the schema room.ts bound to the
   * peer (./sync-guard.ts).
   */
  guardFor?: ((peer: ChunkablePeer) => SyncGuard) | null;
  /** The clock for idle partial messages, the budget and the guards' rate limits. */
  now?: () => number;
  maxMessageBytes?: number;
  idleTimeoutMs?: number;
  budgetBytes?: number;
  /** How often partial messages are checked for idleness while any exists. */
  sweepIntervalMs?: number;
}

/** Counters over all patched peers of this page, for tests and diagnostics. */
export const chunkingStats = {
  messagesSent: 0,
  framesSent: 0,
  framesQueued: 0,
  framesReceived: 0,
  messagesReceived: 0,
  errors: 0,
  /** Partial messages dropped because no frame came for the idle timeout. */
  idleDrops: 0,
  /** Links closed because their partial message did not fit the page-wide budget. */
  budgetEvictions: 0,
  /** Messages not sent because they exceed the per-message cap. */
  oversizeNotSent: 0,
};

export function resetChunkingStats(): void {
  for (const key of Object.keys(chunkingStats) as (keyof typeof chunkingStats)[]) {
    chunkingStats[key] = 0;
  }
}

// Symbol.for, not a module-local symbol: a second copy of this module (hot reload, a duplicated
// chunk) must still see the mark and not wrap the methods twice.
const INSTALLED = Symbol.for('hourmesh.chunked-peer.installed');

interface PeerState {
  queue: Uint8Array[];
  assembler: FrameAssembler;
  guard: SyncGuard | null | undefined;
}

/** Logs a warning, at most 20 per 10 s: a hostile peer must not flood the console. */
function createDefaultOnError(): (reason: string) => void {
  let windowStart = 0;
  let inWindow = 0;
  let suppressed = 0;
  return (reason) => {
    const now = Date.now();
    if (now - windowStart >= 10_000) {
      if (suppressed > 0) console.warn(`hourmesh chunking: ${suppressed} more problems not shown`);
      windowStart = now;
      inWindow = 0;
      suppressed = 0;
    }
    if (inWindow < 20) {
      inWindow += 1;
      console.warn(`hourmesh chunking: ${reason}`);
    } else {
      suppressed += 1;
    }
  };
}

/**
 * Patches `PeerClass` (by default the simple-peer class y-webrtc uses) to chunk every message.
 * Idempotent: returns true when it patched, false when the class was already patched.
 */
export function installChunking(
  PeerClass: PeerClassLike = Peer as PeerClassLike,
  options: ChunkingOptions = {},
): boolean {
  const proto = PeerClass.prototype as ChunkablePeer & { [INSTALLED]?: true };
  if (proto[INSTALLED]) return false;
  for (const name of ['send', '_onChannelMessage', '_onChannelBufferedAmountLow'] as const) {
    // Fail at startup, loudly, if a simple-peer upgrade renamed what we patch.
    if (typeof proto[name] !== 'function') {
      throw new TypeError(`installChunking: peer class has no method ${name}`);
    }
  }
  const onError = options.onError ?? createDefaultOnError();
  const now = options.now ?? (() => Date.now());
  const maxMessageBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  const idleTimeoutMs = options.idleTimeoutMs ?? PARTIAL_IDLE_TIMEOUT_MS;
  const sweepIntervalMs = options.sweepIntervalMs ?? 5_000;
  const guardFor =
    options.guardFor === undefined
      ? (peer: ChunkablePeer) => createSyncGuard(schemaOfPeer(peer), { now })
      : options.guardFor;
  // One budget for every link of the page (every peer this class makes).
  const budget = createPartialBudget(options.budgetBytes ?? PARTIAL_BUDGET_BYTES, now);
  const originalSend = proto.send;
  const originalOnMessage = proto._onChannelMessage;
  const originalOnLow = proto._onChannelBufferedAmountLow;
  const states = new WeakMap<ChunkablePeer, PeerState>();
  // Peers holding a partial message, for the idle sweep (strong references, removed as soon as
  // the partial completes, is dropped, or the peer is found destroyed).
  const holding = new Set<ChunkablePeer>();
  let sweepTimer: ReturnType<typeof setInterval> | null = null;

  function stateOf(peer: ChunkablePeer): PeerState {
    let state = states.get(peer);
    if (!state) {
      const assembler = createFrameAssembler({
        maxMessageBytes,
        idleTimeoutMs,
        now,
        budget,
        onEvicted: (reason) => closeLink(peer, reason),
      });
      state = { queue: [], assembler, guard: undefined };
      states.set(peer, state);
      sendQueues.set(peer, state.queue);
    }
    return state;
  }

  function report(peer: ChunkablePeer, reason: string): void {
    chunkingStats.errors += 1;
    onError(reason, peer);
  }

  /** The link's partial message was evicted from the budget: close it so it reconnects later. */
  function closeLink(peer: ChunkablePeer, reason: string): void {
    chunkingStats.budgetEvictions += 1;
    holding.delete(peer);
    report(peer, `${reason}; closing the link`);
    try {
      peer.destroy?.();
    } catch (err) {
      report(peer, `closing the link failed, ${String(err)}`);
    }
  }

  function trackPartial(peer: ChunkablePeer, assembler: FrameAssembler): void {
    if (assembler.pendingBytes > 0) holding.add(peer);
    else holding.delete(peer);
    if (holding.size > 0 && sweepTimer === null) {
      sweepTimer = setInterval(sweep, sweepIntervalMs);
    } else if (holding.size === 0 && sweepTimer !== null) {
      clearInterval(sweepTimer);
      sweepTimer = null;
    }
  }

  /** Drops partial messages of closed links and of links silent for the idle timeout. */
  function sweep(): void {
    for (const peer of [...holding]) {
      const { assembler } = stateOf(peer);
      if (peer.destroyed) {
        assembler.discard();
      } else {
        const expired = assembler.expireIdle();
        if (expired?.kind === 'error') {
          chunkingStats.idleDrops += 1;
          report(peer, expired.reason);
        }
      }
      trackPartial(peer, assembler);
    }
  }

  /** Hands a whole message to simple-peer (and so to y-webrtc), through the guard. */
  function deliver(peer: ChunkablePeer, state: PeerState, message: Uint8Array): void {
    // Our own messages (./side-channel.ts) go to the room that asked for them, never to y-webrtc.
    const side = isSideMessage(message) ? sideChannelOf(peer) : undefined;
    if (side) {
      chunkingStats.messagesReceived += 1;
      try {
        side(message);
      } catch (err) {
        report(peer, `the side-channel handler threw, ${String(err)}`);
      }
      return;
    }
    const relay = relays.get(peer);
    if (relay && message.length > 0 && message[0] === 0) {
      chunkingStats.messagesReceived += 1;
      try {
        relay.receive(message);
      } catch (err) {
        report(peer, `the relay threw, ${String(err)}`);
      }
      return;
    }
    if (state.guard === undefined) state.guard = guardFor ? guardFor(peer) : null;
    let bytes = message;
    if (state.guard) {
      const verdict = state.guard.check(message);
      if (verdict.action === 'drop') {
        report(peer, `sync guard dropped a message: ${verdict.reason}`);
        return;
      }
      if (verdict.action === 'rewrite') {
        report(peer, `sync guard: ${verdict.reason}`);
        bytes = verdict.message;
      }
    }
    chunkingStats.messagesReceived += 1;
    try {
      originalOnMessage.call(peer, { data: toExactArrayBuffer(bytes) });
    } catch (err) {
      // y-webrtc and Yjs trust what they parse; whatever still throws stays out of the page.
      report(peer, `the message handler threw, ${String(err)}`);
    }
  }

  /** Sends queued frames until the channel's buffer reaches the high-water mark. */
  function flush(peer: ChunkablePeer, queue: Uint8Array[]): void {
    let sent = 0;
    while (sent < queue.length && (peer._channel?.bufferedAmount ?? 0) < SEND_HIGH_WATER_BYTES) {
      // The original send keeps simple-peer's checks (destroyed → throws, destroying → no-op).
      originalSend.call(peer, queue[sent]);
      sent += 1;
    }
    chunkingStats.framesSent += sent;
    // One splice instead of shift() per frame: a 20 MB message is about 1,300 frames.
    queue.splice(0, sent);
  }

  proto.send = function send(this: ChunkablePeer, chunk: unknown): void {
    const message = toBytes(chunk);
    if (!message) {
      // y-webrtc only ever sends Uint8Array; a string would arrive as bytes, so refuse it.
      throw new TypeError('chunked peer: send() takes binary data only');
    }
    if (!relayedSend && isSyncStep1(message)) {
      const relay = relays.get(this);
      if (relay) {
        relay.sendStep1();
        return;
      }
    }
    if (message.byteLength > maxMessageBytes) {
      // Every compatible receiver drops it after buffering it: do not make it try.
      chunkingStats.oversizeNotSent += 1;
      report(this, `not sent: a message of ${message.byteLength} bytes exceeds ${maxMessageBytes}`);
      return;
    }
    const { queue } = stateOf(this);
    const frames = splitIntoFrames(message, MAX_FRAME_BYTES);
    chunkingStats.messagesSent += 1;
    for (const frame of frames) queue.push(frame);
    try {
      flush(this, queue);
    } catch (err) {
      // Like the unpatched send, a dead channel throws to the caller; drop the rest, since the
      // channel cannot carry it and a half-sent message must not be followed by a new one.
      queue.length = 0;
      throw err;
    }
    // This message's frames are the tail of the queue; those still there had to wait.
    chunkingStats.framesQueued += Math.min(queue.length, frames.length);
  };

  proto._onChannelBufferedAmountLow = function onBufferedAmountLow(this: ChunkablePeer): void {
    const state = states.get(this);
    if (state && state.queue.length > 0) {
      if (this.destroyed || this.destroying) {
        state.queue.length = 0;
      } else {
        try {
          flush(this, state.queue);
        } catch (err) {
          state.queue.length = 0;
          report(this, `flush failed, ${String(err)}`);
        }
      }
    }
    originalOnLow.call(this);
  };

  proto._onChannelMessage = function onChannelMessage(this: ChunkablePeer, event: { data: unknown }): void {
    if (this.destroyed) return;
    const frame = toBytes(event.data);
    if (!frame) {
      report(this, `dropped a non-binary frame (${typeof event.data})`);
      return;
    }
    chunkingStats.framesReceived += 1;
    const state = stateOf(this);
    const result = state.assembler.push(frame);
    trackPartial(this, state.assembler);
    if (result.kind === 'error') {
      if (result.fatal) closeLink(this, result.reason);
      else report(this, result.reason);
    } else if (result.kind === 'message') {
      deliver(this, state, result.message);
    }
  };

  proto[INSTALLED] = true;
  return true;
}

// Each patched peer's queue of frames not yet handed to the channel (for pendingSendBytes).
const sendQueues = new WeakMap<object, Uint8Array[]>();

/**
 * Bytes waiting to go out on `peer`: frames queued here plus the channel's own buffer. A server of
 * bulk data (./release-swarm.ts) stops answering while this is high, so a peer that asks and does
 * not read cannot make the page queue without bound.
 */
export function pendingSendBytes(peer: object): number {
  let queued = 0;
  for (const frame of sendQueues.get(peer) ?? []) queued += frame.length;
  return queued + ((peer as Partial<ChunkablePeer>)._channel?.bufferedAmount ?? 0);
}

/** What a relayed link's sync messages go to (see the header). */
export interface PeerRelay {
  /** A whole sync message from the peer (never awareness). */
  receive(message: Uint8Array): void;
  /** y-webrtc is about to send the page document's sync step 1: send the relay's instead. */
  sendStep1(): void;
}

const relays = new WeakMap<object, PeerRelay>();
/** Set while sendRelayed runs: that step 1 is the relay's own and goes out as it is. */
let relayedSend = false;

export function bindPeerRelay(peer: object, relay: PeerRelay): void {
  relays.set(peer, relay);
}

export function relayOfPeer(peer: object): PeerRelay | undefined {
  return relays.get(peer);
}

/** Sends bytes the relay produced (an answer, an update, its own step 1) on a relayed link. */
export function sendRelayed(peer: { send(chunk: unknown): void }, message: Uint8Array): void {
  relayedSend = true;
  try {
    peer.send(message);
  } finally {
    relayedSend = false;
  }
}

/** y-webrtc's messageSync (0) followed by y-protocols' step 1 (0). */
function isSyncStep1(message: Uint8Array): boolean {
  return message.length >= 2 && message[0] === 0 && message[1] === 0;
}

/** Whether a peer instance (or a class's prototype) carries the patch, e.g. for e2e checks. */
export function hasChunking(peerOrPrototype: object): boolean {
  return (peerOrPrototype as { [INSTALLED]?: true })[INSTALLED] === true;
}

function toBytes(data: unknown): Uint8Array | null {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return null;
}

/** simple-peer converts an ArrayBuffer `event.data` to a Buffer; give it one of exact length. */
function toExactArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) {
    return bytes.buffer;
  }
  return bytes.slice().buffer as ArrayBuffer;
}
