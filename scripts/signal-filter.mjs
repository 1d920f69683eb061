// The guard in front of y-webrtc's bundled signaling server (node_modules/y-webrtc/bin/server.js).
//
// That server throws, and so exits, on a message it cannot handle: text that is not JSON, a
// `topics` that is not an array, a binary frame, and any WebSocket protocol error (ws emits
// 'error' on the connection, which has no listener there). serve.mjs therefore reads the
// client → server bytes of every /signal connection frame by frame (RFC 6455 §5) and passes on
// only what that server handles safely:
// - text messages that are JSON objects with a string `type` and, when present, an array
//   `topics` (valid UTF-8, no byte-order mark: the server parses the raw bytes). A message in one
//   frame goes on byte for byte; a fragmented one goes on reassembled as one frame;
// - ping and pong frames as they are; a close frame as an empty close (no code or reason to check).
// Other messages (binary, or text that fails the check) are dropped without a word. A protocol
// error (an unmasked frame, reserved bits, an unknown opcode, a fragmented or oversized control
// frame, a message over MAX_MESSAGE_BYTES) ends the connection. Nothing after a close is passed on.
// The server → client direction is not inspected.

/** Far above any signaling message (an encrypted SDP offer is a few KiB), far below ws's 100 MiB. */
export const MAX_MESSAGE_BYTES = 1 << 20;

const OP_CONTINUATION = 0x0, OP_TEXT = 0x1, OP_BINARY = 0x2, OP_CLOSE = 0x8, OP_PING = 0x9, OP_PONG = 0xa;

/** True when `payload` is a message the bundled server can take without throwing. */
export function isSignalMessage(payload) {
  let value;
  try {
    // ignoreBOM keeps a byte-order mark in the text, so JSON.parse fails here as it would there.
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(payload));
  } catch {
    return false;
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    && typeof value.type === 'string' && (value.topics === undefined || Array.isArray(value.topics));
}

/** A final, masked client frame. The zero mask is valid and leaves the payload as it is. */
export function encodeClientFrame(opcode, payload) {
  const n = payload.length;
  const size = n < 126 ? [n] : n < 0x10000 ? [126, n >> 8, n & 0xff] : [127, 0, 0, 0, 0, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | size[0], ...size.slice(1), 0, 0, 0, 0]), payload]);
}

/** Reads one frame from the front of `buffer`: the frame, null when incomplete, or an error text. */
function readFrame(buffer) {
  if (buffer.length < 2) return null;
  const fin = (buffer[0] & 0x80) !== 0;
  const opcode = buffer[0] & 0x0f;
  if (buffer[0] & 0x70) return 'reserved bits set';
  if (!(buffer[1] & 0x80)) return 'unmasked client frame';
  let length = buffer[1] & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buffer.length < 4) return null;
    length = buffer.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return null;
    const long = buffer.readBigUInt64BE(2);
    if (long > BigInt(MAX_MESSAGE_BYTES)) return 'message too large';
    length = Number(long);
    offset = 10;
  }
  if (length > MAX_MESSAGE_BYTES) return 'message too large';
  const end = offset + 4 + length;
  if (buffer.length < end) return null;
  const mask = buffer.subarray(offset, offset + 4);
  const payload = Buffer.from(buffer.subarray(offset + 4, end));
  for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
  return { fin, opcode, payload, raw: buffer.subarray(0, end) };
}

/**
 * Returns `push(chunk)`, to be fed the client's bytes in order. It calls `forward(frame)` with
 * each frame to pass on, and `fail(reason)` once on a protocol error (then ignores the rest).
 */
export function createClientFrameFilter({ forward, fail }) {
  let pending = Buffer.alloc(0);
  /** The fragmented message being received: its opcode, parts and size so far. */
  let message = null;
  let done = false;

  const finish = (opcode, payload, raw) => {
    if (opcode === OP_TEXT && isSignalMessage(payload)) forward(raw ?? encodeClientFrame(OP_TEXT, payload));
  };

  const handle = ({ fin, opcode, payload, raw }) => {
    switch (opcode) {
      case OP_CLOSE:
        done = true;
        forward(encodeClientFrame(OP_CLOSE, Buffer.alloc(0)));
        return null;
      case OP_PING:
      case OP_PONG:
        if (!fin || payload.length > 125) return 'malformed control frame';
        forward(raw);
        return null;
      case OP_TEXT:
      case OP_BINARY:
        if (message) return 'a new message inside a fragmented one';
        if (fin) finish(opcode, payload, raw);
        else message = { opcode, parts: [payload], size: payload.length };
        return null;
      case OP_CONTINUATION:
        if (!message) return 'continuation without a message';
        message.size += payload.length;
        if (message.size > MAX_MESSAGE_BYTES) return 'message too large';
        message.parts.push(payload);
        if (fin) {
          const { opcode: first, parts } = message;
          message = null;
          finish(first, Buffer.concat(parts), null);
        }
        return null;
      default:
        return 'unknown opcode';
    }
  };

  return function push(chunk) {
    if (done) return;
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (!done) {
      const frame = readFrame(pending);
      if (frame === null) return;
      const error = typeof frame === 'string' ? frame : handle(frame);
      if (error) {
        done = true;
        fail(error);
        return;
      }
      pending = pending.subarray(frame.raw.length);
    }
  };
}
