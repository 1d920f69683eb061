import Peer from 'simple-peer/simplepeer.min.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import * as awarenessProtocol from 'y-protocols/awareness';
import {
  chunkingStats,
  hasChunking,
  installChunking,
  MAX_FRAME_BYTES,
  resetChunkingStats,
  SEND_HIGH_WATER_BYTES,
  type ChunkablePeer,
  type ChunkingOptions,
  type PeerClassLike,
} from './chunked-peer';
import { FRAME_LAST, FRAME_MORE } from './frames';
import { seededBytes } from './seeded-bytes';
import { bindSideChannel, SIDE_CHANNEL_TYPE } from './side-channel';
import { bindPeerSchema, CONNECTION_CHECK_SCHEMA, resetSyncGuardStats, syncGuardStats } from './sync-guard';

/** An RTCDataChannel stand-in: records sends, holds them in `bufferedAmount` until drained. */
class FakeChannel {
  bufferedAmount = 0;
  readyState = 'open';
  /** Every frame ever sent, in order. */
  readonly sent: Uint8Array[] = [];
  private inFlight: Uint8Array[] = [];
  failSends = false;

  send(data: Uint8Array): void {
    if (this.failSends) throw new Error('InvalidStateError: channel closed');
    const copy = data.slice();
    this.sent.push(copy);
    this.inFlight.push(copy);
    this.bufferedAmount += copy.byteLength;
  }

  /** Puts the oldest buffered frame on the wire. */
  takeOne(): Uint8Array | undefined {
    const frame = this.inFlight.shift();
    if (frame) this.bufferedAmount -= frame.byteLength;
    return frame;
  }

  /** Puts every buffered frame on the wire without anyone listening (no events). */
  discardAll(): void {
    while (this.takeOne());
  }
}

/** A fresh class each time (the patch marks a prototype once), with simple-peer's method names. */
function makeFakePeerClass() {
  return class FakePeer implements ChunkablePeer {
    destroyed = false;
    destroying = false;
    _channel: FakeChannel | null = new FakeChannel();
    readonly received: unknown[] = [];
    lowCalls = 0;
    destroyCalls = 0;

    send(chunk: unknown): void {
      if (this.destroying) return;
      if (this.destroyed) throw new Error('cannot send after peer is destroyed');
      this._channel!.send(chunk as Uint8Array);
    }
    _onChannelMessage(event: { data: unknown }): void {
      if (this.destroyed) return;
      this.received.push(event.data);
    }
    _onChannelBufferedAmountLow(): void {
      this.lowCalls += 1;
    }
    destroy(): void {
      this.destroyCalls += 1;
      this.destroyed = true;
    }
  };
}
type FakePeer = InstanceType<ReturnType<typeof makeFakePeerClass>>;

const LOW_THRESHOLD = 64 * 1024; // what simple-peer sets as bufferedAmountLowThreshold

/**
 * Moves a's buffered frames to b one at a time, the way the browser would, and fires
 * bufferedamountlow whenever the buffer falls from above simple-peer's threshold to it or below.
 */
function pump(a: FakePeer, b: FakePeer): void {
  const channel = a._channel!;
  for (let frame = channel.takeOne(); frame; frame = channel.takeOne()) {
    const before = channel.bufferedAmount + frame.byteLength;
    b._onChannelMessage({ data: frame.slice().buffer }); // the browser hands a fresh ArrayBuffer
    if (before > LOW_THRESHOLD && channel.bufferedAmount <= LOW_THRESHOLD) {
      a._onChannelBufferedAmountLow();
    }
  }
}


function sameBytes(a: unknown, b: Uint8Array): boolean {
  return a instanceof ArrayBuffer && Buffer.from(a).equals(b);
}

/** Framing alone: messages here are random bytes, so the sync guard is off. */
function setup(options: Omit<ChunkingOptions, 'onError'> = { guardFor: null }) {
  const PeerClass = makeFakePeerClass();
  const onError = vi.fn();
  expect(installChunking(PeerClass as PeerClassLike, { onError, ...options })).toBe(true);
  return { PeerClass, onError, a: new PeerClass(), b: new PeerClass() };
}

beforeEach(() => {
  resetChunkingStats();
  resetSyncGuardStats();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('installChunking', () => {
  it('splits a big message into frames of at most 16 KiB and hands over the whole message', () => {
    const { a, b } = setup();
    const message = seededBytes(5_000_000, 1);
    a.send(message);
    pump(a, b);
    const frames = a._channel!.sent;
    expect(frames.length).toBe(Math.ceil(message.byteLength / (MAX_FRAME_BYTES - 1)));
    expect(frames.every((f) => f.byteLength <= MAX_FRAME_BYTES)).toBe(true);
    expect(b.received).toHaveLength(1);
    expect(sameBytes(b.received[0], message)).toBe(true);
    expect(chunkingStats).toMatchObject({
      messagesSent: 1,
      framesSent: frames.length,
      framesReceived: frames.length,
      messagesReceived: 1,
      errors: 0,
    });
  });

  it('sends a small message as one frame with one byte of overhead', () => {
    const { a, b } = setup();
    a.send(new Uint8Array([1, 2, 3]));
    expect(a._channel!.sent).toEqual([new Uint8Array([FRAME_LAST, 1, 2, 3])]);
    pump(a, b);
    expect(b.received).toEqual([new Uint8Array([1, 2, 3]).buffer]);
  });

  it('keeps the channel buffer under the high-water mark and flushes the queue in order', () => {
    const { a, b } = setup();
    const big = seededBytes(20_000_000, 2);
    const small = seededBytes(10, 3);
    a.send(big);
    a.send(small); // must wait behind the big message, not overtake it
    const channel = a._channel!;
    expect(channel.bufferedAmount).toBeGreaterThanOrEqual(SEND_HIGH_WATER_BYTES);
    expect(channel.bufferedAmount).toBeLessThan(SEND_HIGH_WATER_BYTES + MAX_FRAME_BYTES);
    const sentBeforeDrain = channel.sent.length;
    expect(chunkingStats.framesQueued).toBeGreaterThan(1000);

    // No bufferedamountlow yet: nothing more goes out.
    a.send(seededBytes(5, 4));
    expect(channel.sent.length).toBe(sentBeforeDrain);

    let peak = 0;
    const originalSend = channel.send.bind(channel);
    channel.send = (data) => {
      originalSend(data);
      peak = Math.max(peak, channel.bufferedAmount);
    };
    pump(a, b);
    expect(peak).toBeLessThan(SEND_HIGH_WATER_BYTES + MAX_FRAME_BYTES);
    expect(a.lowCalls).toBeGreaterThan(10); // the original handler still runs every time
    expect(b.received).toHaveLength(3);
    expect(sameBytes(b.received[0], big)).toBe(true);
    expect(sameBytes(b.received[1], small)).toBe(true);
    expect(sameBytes(b.received[2], seededBytes(5, 4))).toBe(true);
  });

  it('delivers many messages of mixed sizes whole and in order', () => {
    const { a, b } = setup();
    const messages = [0, 1, 16_383, 16_384, 16_385, 300_000, 7, 2_000_000, 0, 42].map((n, i) =>
      seededBytes(n, 10 + i),
    );
    for (const m of messages) a.send(m);
    pump(a, b);
    expect(b.received).toHaveLength(messages.length);
    messages.forEach((m, i) => expect(sameBytes(b.received[i], m)).toBe(true));
  });

  it('accepts an ArrayBuffer or another typed-array view, and refuses strings', () => {
    const { a, b } = setup();
    a.send(new Uint8Array([5, 6]).buffer);
    a.send(new Uint16Array([0x0201]));
    expect(() => a.send('text')).toThrow(TypeError);
    pump(a, b);
    expect(b.received).toEqual([new Uint8Array([5, 6]).buffer, new Uint8Array([1, 2]).buffer]);
  });

  it('installs once: a second call is a no-op and frames are not wrapped twice', () => {
    const { PeerClass, a, b } = setup();
    const patchedSend = PeerClass.prototype.send;
    expect(installChunking(PeerClass as PeerClassLike)).toBe(false);
    expect(PeerClass.prototype.send).toBe(patchedSend);
    expect(hasChunking(a)).toBe(true);
    const message = seededBytes(40_000, 5);
    a.send(message);
    expect(a._channel!.sent).toHaveLength(3);
    pump(a, b);
    expect(b.received).toHaveLength(1);
    expect(sameBytes(b.received[0], message)).toBe(true);
  });

  it('reports malformed frames instead of throwing, and recovers at the next message', () => {
    const { a, b, onError } = setup();
    expect(() => b._onChannelMessage({ data: new ArrayBuffer(0) })).not.toThrow();
    expect(() => b._onChannelMessage({ data: 'not binary' })).not.toThrow();
    expect(() => b._onChannelMessage({ data: new Uint8Array([9, 9]).buffer })).not.toThrow();
    expect(onError).toHaveBeenCalledTimes(3);
    expect(onError.mock.calls[0]![1]).toBe(b);
    expect(b.received).toEqual([]);
    a.send(seededBytes(50_000, 6));
    pump(a, b);
    expect(b.received).toHaveLength(1);
    expect(chunkingStats.errors).toBe(3);
  });

  it('drops the queue when the channel dies during a flush, without throwing from the event', () => {
    const { a, onError } = setup();
    a.send(seededBytes(3_000_000, 7));
    const channel = a._channel!;
    channel.discardAll();
    channel.failSends = true;
    expect(() => a._onChannelBufferedAmountLow()).not.toThrow();
    expect(onError).toHaveBeenCalledTimes(1);
    expect(a.lowCalls).toBe(1);
    // The failed flush emptied the queue: the next low event sends nothing.
    channel.failSends = false;
    const sent = channel.sent.length;
    a._onChannelBufferedAmountLow();
    expect(channel.sent.length).toBe(sent);
  });

  it('drops queued frames of a destroyed peer', () => {
    const { a } = setup();
    a.send(seededBytes(3_000_000, 8));
    const channel = a._channel!;
    const sent = channel.sent.length;
    channel.discardAll();
    a.destroyed = true;
    a._onChannelBufferedAmountLow();
    expect(channel.sent.length).toBe(sent);
    expect(() => a.send(new Uint8Array(1))).toThrow(/destroyed/);
  });

  it('refuses a class that lacks the methods it patches', () => {
    class NotAPeer {
      send(): void {}
    }
    expect(() => installChunking(NotAPeer as unknown as PeerClassLike)).toThrow(/_onChannelMessage/);
  });

  it('patches the simple-peer class y-webrtc imports, once', () => {
    // Same specifier as y-webrtc, so in the app this is the very class y-webrtc instantiates.
    const proto = (Peer as PeerClassLike).prototype;
    const originalSend = proto.send;
    expect(installChunking()).toBe(true); // this file is the only one in its worker to patch it
    expect(hasChunking(proto)).toBe(true);
    expect(installChunking(Peer as PeerClassLike)).toBe(false);
    expect(proto.send).not.toBe(originalSend);
  });
});

function syncUpdate(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  encoding.writeVarUint(e, 2);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

const frameOf = (flag: number, payload: number[] | Uint8Array) => {
  const f = new Uint8Array(1 + payload.length);
  f[0] = flag;
  f.set(payload, 1);
  return f.buffer;
};

describe('the sync guard on whole messages', () => {
  it('drops [1,0,0] then [0,9,9,9] (they used to throw in the page) and reports them', () => {
    const { b, onError } = setup({});
    expect(() => b._onChannelMessage({ data: frameOf(FRAME_LAST, [1, 0, 0]) })).not.toThrow();
    expect(() => b._onChannelMessage({ data: frameOf(FRAME_LAST, [0, 9, 9, 9]) })).not.toThrow();
    expect(b.received).toEqual([]);
    expect(onError.mock.calls.map((c) => c[0])).toEqual([
      'sync guard dropped a message: trailing bytes after an awareness message',
      'sync guard dropped a message: unknown sync message subtype 9',
    ]);
    expect(syncGuardStats.dropped).toBe(2);
    expect(chunkingStats.messagesReceived).toBe(0);
  });

  it('keeps y-protocols from throwing on them: what y-webrtc does with a message, guarded and not', () => {
    // y-webrtc's readMessage, reduced to the y-protocols calls it makes for types 0 and 1.
    const doc = new Y.Doc();
    const awareness = new awarenessProtocol.Awareness(doc);
    const readLikeYWebrtc = (data: unknown) => {
      const decoder = decoding.createDecoder(new Uint8Array(data as ArrayBuffer));
      const type = decoding.readVarUint(decoder);
      if (type === 0) syncProtocol.readSyncMessage(decoder, encoding.createEncoder(), doc, null);
      else if (type === 1) awarenessProtocol.applyAwarenessUpdate(awareness, decoding.readVarUint8Array(decoder), null);
    };
    expect(() => readLikeYWebrtc(new Uint8Array([1, 0, 0]).buffer)).toThrow();
    expect(() => readLikeYWebrtc(new Uint8Array([0, 9, 9, 9]).buffer)).toThrow();

    for (const guardFor of [null, undefined]) {
      const PeerClass = makeFakePeerClass();
      const onError = vi.fn();
      installChunking(PeerClass as PeerClassLike, guardFor === null ? { onError, guardFor } : { onError });
      const peer = new PeerClass();
      // y-webrtc's reading stands in for the fake's own handler, under the patch.
      peer.received.push = (data: unknown) => {
        readLikeYWebrtc(data);
        return 0;
      };
      expect(() => peer._onChannelMessage({ data: frameOf(FRAME_LAST, [1, 0, 0]) })).not.toThrow();
      expect(() => peer._onChannelMessage({ data: frameOf(FRAME_LAST, [0, 9, 9, 9]) })).not.toThrow();
      expect(onError.mock.calls.map((c) => c[0] as string).every((r) =>
        guardFor === null ? r.startsWith('the message handler threw') : r.startsWith('sync guard dropped a message'),
      )).toBe(true);
      expect(onError).toHaveBeenCalledTimes(2);
    }
  });

  it('delivers an economy update with junk structs replaced by GC', () => {
    const { a, b, onError } = setup({});
    const mallory = new Y.Doc();
    const updates: Uint8Array[] = [];
    mallory.on('update', (u: Uint8Array) => updates.push(u));
    mallory.transact(() => {
      mallory.getMap('entries').set('k'.repeat(1_000_000), new Uint8Array(10));
      mallory.getMap('entries').set('a'.repeat(64), new Uint8Array([1, 2, 3]));
    });
    a.send(syncUpdate(updates[0]!));
    pump(a, b);
    expect(b.received).toHaveLength(1);
    const delivered = new Uint8Array(b.received[0] as ArrayBuffer);
    expect(delivered.byteLength).toBeLessThan(1_000);
    expect(onError.mock.calls[0]![0]).toMatch(/^sync guard: 1 struct\(s\) outside the document schema replaced by GC/);
    const bob = new Y.Doc();
    Y.applyUpdate(bob, delivered.subarray(3)); // [0, 2, len] header of a short update
    expect(bob.getMap('entries').toJSON()).toEqual({ ['a'.repeat(64)]: new Uint8Array([1, 2, 3]) });
  });

  it('guards each link with the schema bound to its peer', () => {
    const { a, b } = setup({});
    bindPeerSchema(b, CONNECTION_CHECK_SCHEMA);
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    doc.getText('note').insert(0, 'hello');
    a.send(syncUpdate(updates[0]!));
    pump(a, b);
    expect(new Uint8Array(b.received[0] as ArrayBuffer)).toEqual(syncUpdate(updates[0]!));
    expect(syncGuardStats.passed).toBe(1);
  });

  it('hands side-channel messages to the link that asked for them, and nowhere else', () => {
    const { a, b, onError } = setup({});
    const got: Uint8Array[] = [];
    bindSideChannel(b, (m) => got.push(m.slice()));
    const side = new Uint8Array(300_000).fill(7);
    side[0] = SIDE_CHANNEL_TYPE;
    a.send(side);
    pump(a, b);
    expect(got).toEqual([side]); // reassembled, and never shown to y-webrtc
    expect(b.received).toHaveLength(0);
    // A link without a side channel (an economy room): the guard drops it as an unknown type.
    const c = new (a.constructor as new () => typeof a)();
    a.send(side);
    pump(a, c);
    expect(c.received).toHaveLength(0);
    expect(onError.mock.calls.some(([r]) => String(r).includes('unknown message type 72'))).toBe(true);
  });

  it('reports an exception from the message handler instead of letting it out of the event', () => {
    const { b, onError } = setup({ guardFor: null });
    // Make the original handler (the fake's) throw for this instance only.
    (b as unknown as { received: { push: () => never } }).received.push = () => {
      throw new Error('boom');
    };
    expect(() => b._onChannelMessage({ data: frameOf(FRAME_LAST, [1]) })).not.toThrow();
    expect(onError.mock.calls[0]![0]).toMatch(/the message handler threw, Error: boom/);
  });
});

describe('receiving limits', () => {
  it('does not send a message over the cap, and says so', () => {
    const { a, onError } = setup({ guardFor: null, maxMessageBytes: 1_000 });
    expect(() => a.send(new Uint8Array(1_001))).not.toThrow();
    expect(a._channel!.sent).toHaveLength(0);
    expect(chunkingStats.oversizeNotSent).toBe(1);
    expect(onError.mock.calls[0]![0]).toBe('not sent: a message of 1001 bytes exceeds 1000');
    a.send(new Uint8Array(1_000));
    expect(a._channel!.sent).toHaveLength(1);
  });

  it('drops a partial message idle for 30 s from a timer, then reads the next message', () => {
    vi.useFakeTimers();
    const { b, onError } = setup({ guardFor: null });
    b._onChannelMessage({ data: frameOf(FRAME_MORE, seededBytes(1_000, 1)) });
    vi.advanceTimersByTime(29_000);
    expect(onError).not.toHaveBeenCalled();
    vi.advanceTimersByTime(6_000);
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0]![0]).toMatch(/partial message of 1000 bytes dropped: no frame for 30000 ms/);
    expect(chunkingStats.idleDrops).toBe(1);
    b._onChannelMessage({ data: frameOf(FRAME_LAST, [5]) }); // the abandoned message's end
    b._onChannelMessage({ data: frameOf(FRAME_LAST, [6]) });
    expect(b.received).toEqual([new Uint8Array([6]).buffer]);
    expect(vi.getTimerCount()).toBe(0); // no partial left, no sweep timer
  });

  it('closes the slowest link when the page-wide budget of partial messages is full', () => {
    vi.useFakeTimers();
    const { PeerClass, onError } = setup({ guardFor: null, budgetBytes: 40_000 });
    const [trickler, honest] = [new PeerClass(), new PeerClass()];
    trickler._onChannelMessage({ data: frameOf(FRAME_MORE, seededBytes(16_000, 1)) });
    vi.advanceTimersByTime(20_000); // one frame every 20 s keeps it under the idle timeout
    trickler._onChannelMessage({ data: frameOf(FRAME_MORE, seededBytes(16_000, 2)) });
    honest._onChannelMessage({ data: frameOf(FRAME_MORE, seededBytes(16_000, 3)) });
    expect(trickler.destroyCalls).toBe(1);
    expect(honest.destroyCalls).toBe(0);
    expect(chunkingStats.budgetEvictions).toBe(1);
    expect(onError.mock.calls[0]![0]).toMatch(/page-wide budget of 40000 bytes .*; closing the link/);
    honest._onChannelMessage({ data: frameOf(FRAME_MORE, seededBytes(16_000, 4)) });
    honest._onChannelMessage({ data: frameOf(FRAME_LAST, [1]) });
    expect(honest.received).toHaveLength(1);
    expect((honest.received[0] as ArrayBuffer).byteLength).toBe(32_001);
  });

  it('closes the arriving link itself when it is the slowest', () => {
    vi.useFakeTimers();
    const { PeerClass } = setup({ guardFor: null, budgetBytes: 40_000 });
    const [fast, slow] = [new PeerClass(), new PeerClass()];
    slow._onChannelMessage({ data: frameOf(FRAME_MORE, seededBytes(1_000, 1)) });
    vi.advanceTimersByTime(10_000);
    fast._onChannelMessage({ data: frameOf(FRAME_MORE, seededBytes(16_000, 2)) });
    fast._onChannelMessage({ data: frameOf(FRAME_MORE, seededBytes(16_000, 3)) });
    slow._onChannelMessage({ data: frameOf(FRAME_MORE, seededBytes(16_000, 4)) });
    expect(slow.destroyCalls).toBe(1);
    expect(fast.destroyCalls).toBe(0);
  });

  it('releases the budget held by a closed link at the next sweep', () => {
    vi.useFakeTimers();
    const { PeerClass } = setup({ guardFor: null, budgetBytes: 40_000 });
    const [gone, next] = [new PeerClass(), new PeerClass()];
    gone._onChannelMessage({ data: frameOf(FRAME_MORE, seededBytes(30_000, 1)) });
    gone.destroyed = true; // closed by the remote side
    vi.advanceTimersByTime(5_000);
    next._onChannelMessage({ data: frameOf(FRAME_MORE, seededBytes(30_000, 2)) });
    expect(next.destroyCalls).toBe(0);
    expect(gone.destroyCalls).toBe(0);
  });
});
