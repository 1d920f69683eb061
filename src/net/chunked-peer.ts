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
// - Only whole messages reach simple-peer's original `_onChannelMessage`, as an ArrayBuffer.
// - Nothing thrown from the channel's event handlers: bad frames and failed flushes are reported
//   through `onError` and counted in `chunkingStats`.
import Peer from 'simple-peer/simplepeer.min.js';
import { createFrameAssembler, MAX_FRAME_BYTES, splitIntoFrames, type FrameAssembler } from './frames';

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
}

export interface PeerClassLike {
  prototype: ChunkablePeer;
}

export interface ChunkingOptions {
  /** Called for a malformed incoming frame or a failed flush; the default logs a warning. */
  onError?: (reason: string, peer: ChunkablePeer) => void;
}

/** Counters over all patched peers of this page, for tests and diagnostics. */
export const chunkingStats = {
  messagesSent: 0,
  framesSent: 0,
  framesQueued: 0,
  framesReceived: 0,
  messagesReceived: 0,
  errors: 0,
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
}

function defaultOnError(reason: string): void {
  console.warn(`hourmesh chunking: ${reason}`);
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
  const onError = options.onError ?? defaultOnError;
  const originalSend = proto.send;
  const originalOnMessage = proto._onChannelMessage;
  const originalOnLow = proto._onChannelBufferedAmountLow;
  const states = new WeakMap<ChunkablePeer, PeerState>();

  function stateOf(peer: ChunkablePeer): PeerState {
    let state = states.get(peer);
    if (!state) {
      state = { queue: [], assembler: createFrameAssembler() };
      states.set(peer, state);
    }
    return state;
  }

  function report(peer: ChunkablePeer, reason: string): void {
    chunkingStats.errors += 1;
    onError(reason, peer);
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
    const result = stateOf(this).assembler.push(frame);
    if (result.kind === 'error') {
      report(this, result.reason);
    } else if (result.kind === 'message') {
      chunkingStats.messagesReceived += 1;
      originalOnMessage.call(this, { data: toExactArrayBuffer(result.message) });
    }
  };

  proto[INSTALLED] = true;
  return true;
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
