// The messages peers exchange to move a release's file (docs/RELEASES-WIRE.md). Pure: encode and
// decode only; what a peer does with them is ./release-swarm.ts.
//
// They travel on a release room's WebRTC links, beside y-webrtc's own messages, through our
// framing (./frames.ts, ≤ 32 MiB a message, 16 KiB frames): the first byte of every message is
// RELEASE_WIRE_TYPE, a value y-webrtc never uses as a message type (it uses 0, 1, 3, 4), so the
// framing layer hands these to the release swarm and never to y-webrtc (./side-channel.ts).
//
// Layout (all integers unsigned big-endian):
//   byte 0  RELEASE_WIRE_TYPE (0x48)
//   byte 1  op
//   HELLO  (1): u8 version (1), u8 account length a (1…128), a bytes UTF-8 account id,
//               bitfield of ceil(n / 8) bytes (n = chunk count; bit i = byte i>>3, mask 0x80>>(i&7))
//   HAVE   (2): u32 chunk index
//   HASHES_GET (3): nothing
//   HASHES (4): n × 32 bytes, the SHA-256 of every chunk in order
//   GET    (5): u32 request id, u32 chunk index
//   CHUNK  (6): u32 request id, u32 chunk index, the chunk's bytes
//   NOPE   (7): u32 request id, u32 chunk index, u8 reason (1 not held, 2 busy)
// Anything else — another version, trailing bytes, a bitfield of the wrong length, an account
// that is not UTF-8 — decodes to null and the sender is struck (./release-swarm.ts).

import { SIDE_CHANNEL_TYPE } from './side-channel';

export const RELEASE_WIRE_TYPE = SIDE_CHANNEL_TYPE;
export const WIRE_VERSION = 1;
export const MAX_ACCOUNT_BYTES = 128;
export const HASH_BYTES = 32;

export const OP = { HELLO: 1, HAVE: 2, HASHES_GET: 3, HASHES: 4, GET: 5, CHUNK: 6, NOPE: 7 } as const;
export const NOPE_NOT_HELD = 1;
export const NOPE_BUSY = 2;

export type WireMessage =
  | { op: 'hello'; account: string; have: Uint8Array }
  | { op: 'have'; index: number }
  | { op: 'hashes-get' }
  | { op: 'hashes'; hashes: Uint8Array }
  | { op: 'get'; request: number; index: number }
  | { op: 'chunk'; request: number; index: number; bytes: Uint8Array }
  | { op: 'nope'; request: number; index: number; reason: number };

export function bitfieldBytes(chunkCount: number): number {
  return Math.ceil(chunkCount / 8);
}

export function hasBit(bits: Uint8Array, i: number): boolean {
  return (bits[i >> 3]! & (0x80 >> (i & 7))) !== 0;
}

export function setBit(bits: Uint8Array, i: number, on = true): void {
  if (on) bits[i >> 3]! |= 0x80 >> (i & 7);
  else bits[i >> 3]! &= ~(0x80 >> (i & 7));
}

function head(op: number, rest: number): { bytes: Uint8Array; view: DataView } {
  const bytes = new Uint8Array(2 + rest);
  bytes[0] = RELEASE_WIRE_TYPE;
  bytes[1] = op;
  return { bytes, view: new DataView(bytes.buffer) };
}

export function encodeWire(m: WireMessage): Uint8Array {
  switch (m.op) {
    case 'hello': {
      const account = new TextEncoder().encode(m.account);
      if (account.length === 0 || account.length > MAX_ACCOUNT_BYTES) throw new RangeError('account id length');
      const { bytes } = head(OP.HELLO, 2 + account.length + m.have.length);
      bytes[2] = WIRE_VERSION;
      bytes[3] = account.length;
      bytes.set(account, 4);
      bytes.set(m.have, 4 + account.length);
      return bytes;
    }
    case 'have': {
      const { bytes, view } = head(OP.HAVE, 4);
      view.setUint32(2, m.index);
      return bytes;
    }
    case 'hashes-get':
      return head(OP.HASHES_GET, 0).bytes;
    case 'hashes': {
      const { bytes } = head(OP.HASHES, m.hashes.length);
      bytes.set(m.hashes, 2);
      return bytes;
    }
    case 'get': {
      const { bytes, view } = head(OP.GET, 8);
      view.setUint32(2, m.request);
      view.setUint32(6, m.index);
      return bytes;
    }
    case 'chunk': {
      const { bytes, view } = head(OP.CHUNK, 8 + m.bytes.length);
      view.setUint32(2, m.request);
      view.setUint32(6, m.index);
      bytes.set(m.bytes, 10);
      return bytes;
    }
    case 'nope': {
      const { bytes, view } = head(OP.NOPE, 9);
      view.setUint32(2, m.request);
      view.setUint32(6, m.index);
      bytes[10] = m.reason;
      return bytes;
    }
  }
}

/** Whether a framed message belongs to the release wire (and not to y-webrtc). */
export function isReleaseWire(message: Uint8Array): boolean {
  return message.length >= 2 && message[0] === RELEASE_WIRE_TYPE;
}

/**
 * Decodes one message of a release whose file has `chunkCount` chunks, or null when it is not a
 * well-formed message of this version. Never throws. CHUNK/HASHES bytes are views into `message`.
 */
export function decodeWire(message: Uint8Array, chunkCount: number): WireMessage | null {
  if (!isReleaseWire(message)) return null;
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  const body = message.length - 2;
  switch (message[1]) {
    case OP.HELLO: {
      if (body < 2 || message[2] !== WIRE_VERSION) return null;
      const a = message[3]!;
      if (a === 0 || a > MAX_ACCOUNT_BYTES || body !== 2 + a + bitfieldBytes(chunkCount)) return null;
      let account: string;
      try {
        account = new TextDecoder('utf-8', { fatal: true }).decode(message.subarray(4, 4 + a));
      } catch {
        return null;
      }
      return { op: 'hello', account, have: message.slice(4 + a) };
    }
    case OP.HAVE:
      return body === 4 ? { op: 'have', index: view.getUint32(2) } : null;
    case OP.HASHES_GET:
      return body === 0 ? { op: 'hashes-get' } : null;
    case OP.HASHES:
      return body === chunkCount * HASH_BYTES ? { op: 'hashes', hashes: message.subarray(2) } : null;
    case OP.GET:
      return body === 8 ? { op: 'get', request: view.getUint32(2), index: view.getUint32(6) } : null;
    case OP.CHUNK:
      return body >= 8 ? { op: 'chunk', request: view.getUint32(2), index: view.getUint32(6), bytes: message.subarray(10) } : null;
    case OP.NOPE:
      return body === 9 ? { op: 'nope', request: view.getUint32(2), index: view.getUint32(6), reason: message[10]! } : null;
    default:
      return null;
  }
}
