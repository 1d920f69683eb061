// The /signal guard on its own: which client frames reach y-webrtc's server, as what, and which
// end the connection. (scripts/serve.test.ts drives the same guard against the real server.)
import { describe, expect, it } from 'vitest';
import { createClientFrameFilter, encodeClientFrame, isSignalMessage, MAX_MESSAGE_BYTES } from './signal-filter.mjs';

/** A client frame as a browser sends it: masked with a random key unless told otherwise. */
function frame(opcode: number, payload: Buffer | string, options: { fin?: boolean; mask?: boolean; rsv?: number } = {}): Buffer {
  const { fin = true, mask = true, rsv = 0 } = options;
  const body = Buffer.from(payload);
  const n = body.length;
  const size = n < 126 ? [n] : n < 0x10000 ? [126, n >> 8, n & 0xff] : [127, 0, 0, 0, 0, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  const key = mask ? Buffer.from([0x37, 0xfa, 0x21, 0x3d]) : Buffer.alloc(0);
  const masked = Buffer.from(body.map((b, i) => (mask ? b ^ key[i & 3]! : b)));
  return Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | rsv | opcode, (mask ? 0x80 : 0) | size[0]!, ...size.slice(1)]), key, masked]);
}

/** Unmasks a forwarded frame back to [opcode, payload text]. */
function decode(bytes: Buffer): [number, string] {
  let n = bytes[1]! & 0x7f;
  let offset = 2;
  if (n === 126) { n = bytes.readUInt16BE(2); offset = 4; }
  const key = bytes.subarray(offset, offset + 4);
  const body = bytes.subarray(offset + 4, offset + 4 + n).map((b, i) => b ^ key[i & 3]!);
  return [bytes[0]! & 0x0f, Buffer.from(body).toString('utf8')];
}

function run(...chunks: Buffer[]) {
  const forwarded: Buffer[] = [];
  const failures: string[] = [];
  const push = createClientFrameFilter({ forward: (f: Buffer) => forwarded.push(f), fail: (r: string) => failures.push(r) });
  for (const c of chunks) push(c);
  return { forwarded, failures };
}

const subscribe = JSON.stringify({ type: 'subscribe', topics: ['hourmesh:v1:abc'] });

describe('isSignalMessage', () => {
  it('takes what y-webrtc clients send', () => {
    for (const m of [{ type: 'subscribe', topics: ['a'] }, { type: 'unsubscribe', topics: [] }, { type: 'publish', topic: 'a', data: { x: 1 } }, { type: 'ping' }]) {
      expect(isSignalMessage(Buffer.from(JSON.stringify(m)))).toBe(true);
    }
  });
  it('refuses what would make the server throw', () => {
    for (const text of ['not json', '{"type":"subscribe","topics":5}', '{"type":"unsubscribe","topics":"abc"}', '{"type":"subscribe","topics":{}}',
      'null', '[1,2]', '"subscribe"', '{"topics":[]}', '\ufeff{"type":"ping"}', '']) {
      expect(isSignalMessage(Buffer.from(text)), text).toBe(false);
    }
    expect(isSignalMessage(Buffer.from([0x7b, 0xff, 0x7d]))).toBe(false); // not UTF-8
  });
});

describe('createClientFrameFilter', () => {
  it('forwards a valid message byte for byte, even split across chunks', () => {
    const f = frame(0x1, subscribe);
    const { forwarded, failures } = run(f.subarray(0, 1), f.subarray(1, 5), f.subarray(5));
    expect(failures).toEqual([]);
    expect(Buffer.concat(forwarded)).toEqual(f);
  });

  it('drops bad text and every binary message, and keeps the connection', () => {
    const { forwarded, failures } = run(frame(0x1, 'garbage'), frame(0x2, subscribe), frame(0x1, '{"type":"subscribe","topics":5}'), frame(0x1, subscribe));
    expect(failures).toEqual([]);
    expect(forwarded.map(decode)).toEqual([[0x1, subscribe]]);
  });

  it('reassembles a fragmented message, with a ping between its fragments', () => {
    const { forwarded, failures } = run(frame(0x1, subscribe.slice(0, 10), { fin: false }), frame(0x9, 'p'), frame(0x0, subscribe.slice(10, 20), { fin: false }), frame(0x0, subscribe.slice(20)));
    expect(failures).toEqual([]);
    expect(forwarded.map(decode)).toEqual([[0x9, 'p'], [0x1, subscribe]]);
  });

  it('turns a close frame into an empty close and passes nothing after it', () => {
    const { forwarded } = run(frame(0x8, Buffer.from([0x03, 0xe8, 0xff])), frame(0x1, subscribe));
    expect(forwarded.map(decode)).toEqual([[0x8, '']]);
  });

  it.each([
    ['an unmasked frame', frame(0x1, subscribe, { mask: false })],
    ['reserved bits', frame(0x1, subscribe, { rsv: 0x40 })],
    ['an unknown opcode', frame(0x3, subscribe)],
    ['a fragmented ping', frame(0x9, 'p', { fin: false })],
    ['a ping over 125 bytes', frame(0x9, 'x'.repeat(126))],
    ['a continuation with no message', frame(0x0, subscribe)],
    ['a message over the limit', frame(0x1, 'x'.repeat(MAX_MESSAGE_BYTES + 1))],
  ])('ends the connection on %s, forwarding nothing from then on', (_name, bad) => {
    const { forwarded, failures } = run(bad, frame(0x1, subscribe));
    expect(failures).toHaveLength(1);
    expect(forwarded).toEqual([]);
  });

  it('refuses a message that grows over the limit in fragments before buffering all of it', () => {
    const half = 'x'.repeat(MAX_MESSAGE_BYTES / 2 + 1);
    const { failures } = run(frame(0x1, half, { fin: false }), frame(0x0, half));
    expect(failures).toEqual(['message too large']);
  });

  it('encodes frames of every length class so that they read back', () => {
    for (const n of [0, 100, 125, 126, 65535, 65536]) {
      const text = JSON.stringify({ type: 'ping', pad: 'a'.repeat(n) });
      const bytes = encodeClientFrame(0x1, Buffer.from(text));
      const { forwarded, failures } = run(bytes);
      expect(failures).toEqual([]);
      expect(forwarded).toHaveLength(1);
      expect(forwarded[0]).toEqual(bytes);
      expect(bytes.length - text.length).toBe(text.length < 126 ? 6 : text.length < 0x10000 ? 8 : 14);
    }
  });
});
