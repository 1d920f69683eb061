// Frame-level chunking for one ordered, reliable byte channel (an RTCDataChannel in practice).
//
// Why: Chromium refuses data-channel messages over 256 KiB and the channel then stays dead, and
// y-webrtc sends a whole Yjs document as one message. So every message is cut into frames of at
// most `MAX_FRAME_BYTES` and glued back together on the other side. Pure functions, no DOM.
//
// Wire format, one frame:
//   byte 0     flag: FRAME_LAST (0x00) = this frame ends a message,
//                    FRAME_MORE (0x01) = more frames of the same message follow
//   bytes 1..  payload: the next slice of the message (may be empty only in a FRAME_LAST frame)
// A message is zero or more FRAME_MORE frames and exactly one FRAME_LAST frame, sent back to back.
// The channel is ordered and reliable, so frames need no message id or sequence number; a message
// of n bytes costs ceil(max(n, 1) / (maxFrame - 1)) frames, a small one exactly 1 byte of overhead.
//
// Invariants of the assembler:
// - It never throws on input: a bad frame yields an `error` result and the state is reset.
// - A message that cannot be completed (bad frame in the middle, or beyond `maxMessageBytes`) is
//   dropped as a whole: frames are skipped up to and including that message's FRAME_LAST, so its
//   tail is never handed over as if it were a message of its own.

export const FRAME_LAST = 0x00;
export const FRAME_MORE = 0x01;
/** 16 KiB: the size every browser's data channel delivers without fragmentation trouble. */
export const MAX_FRAME_BYTES = 16 * 1024;
/** Cap on one reassembled message, so a broken or hostile peer cannot make us buffer forever. */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** Cuts `message` into frames of at most `maxFrame` bytes (flag byte included), in send order. */
export function splitIntoFrames(message: Uint8Array, maxFrame = MAX_FRAME_BYTES): Uint8Array[] {
  if (!Number.isInteger(maxFrame) || maxFrame < 2) {
    throw new RangeError(`maxFrame must be an integer >= 2, got ${maxFrame}`);
  }
  const payloadPerFrame = maxFrame - 1;
  const frames: Uint8Array[] = [];
  let offset = 0;
  // do/while: an empty message still needs its one FRAME_LAST frame.
  do {
    const end = Math.min(offset + payloadPerFrame, message.byteLength);
    const frame = new Uint8Array(1 + end - offset);
    frame[0] = end === message.byteLength ? FRAME_LAST : FRAME_MORE;
    frame.set(message.subarray(offset, end), 1);
    frames.push(frame);
    offset = end;
  } while (offset < message.byteLength);
  return frames;
}

export type FrameResult =
  | { kind: 'message'; message: Uint8Array }
  | { kind: 'pending' }
  | { kind: 'error'; reason: string };

export interface FrameAssembler {
  /**
   * Feeds the next frame from the channel; returns a whole message once its last frame arrives.
   * The assembler keeps views into earlier frames until then, so callers must not reuse frame
   * buffers (each data-channel event brings a fresh ArrayBuffer, so this holds there).
   */
  push(frame: Uint8Array): FrameResult;
  /** Bytes of the message currently being collected (0 between messages). */
  readonly pendingBytes: number;
}

export interface FrameAssemblerOptions {
  maxMessageBytes?: number;
}

const PENDING: FrameResult = { kind: 'pending' };

/** An assembler for one channel. Frames must be pushed in the order they arrived. */
export function createFrameAssembler(options: FrameAssemblerOptions = {}): FrameAssembler {
  const maxMessageBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  let parts: Uint8Array[] = [];
  let collected = 0;
  // True while skipping the rest of a message that was already reported as broken.
  let skipping = false;

  function reset(): void {
    parts = [];
    collected = 0;
  }

  function fail(reason: string, skipRestOfMessage: boolean): FrameResult {
    reset();
    skipping = skipRestOfMessage;
    return { kind: 'error', reason };
  }

  function push(frame: Uint8Array): FrameResult {
    if (frame.byteLength === 0) {
      // We cannot tell where an unparseable frame belongs; if a message was in progress, its
      // remaining frames are still coming and must not start a message of their own.
      return fail('empty frame', skipping || parts.length > 0);
    }
    const flag = frame[0];
    if (flag !== FRAME_LAST && flag !== FRAME_MORE) {
      return fail(`unknown frame flag ${flag}`, skipping || parts.length > 0);
    }
    const isLast = flag === FRAME_LAST;
    if (skipping) {
      if (isLast) skipping = false;
      return PENDING;
    }
    const payload = frame.subarray(1);
    if (collected + payload.byteLength > maxMessageBytes) {
      return fail(`message exceeds ${maxMessageBytes} bytes`, !isLast);
    }
    if (!isLast) {
      parts.push(payload);
      collected += payload.byteLength;
      return PENDING;
    }
    // Common case, a message of one frame: hand over a view, no copy.
    if (parts.length === 0) return { kind: 'message', message: payload };
    const message = new Uint8Array(collected + payload.byteLength);
    let offset = 0;
    for (const part of parts) {
      message.set(part, offset);
      offset += part.byteLength;
    }
    message.set(payload, offset);
    reset();
    return { kind: 'message', message };
  }

  return {
    push,
    get pendingBytes() {
      return collected;
    },
  };
}
