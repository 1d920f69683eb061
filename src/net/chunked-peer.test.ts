import Peer from 'simple-peer/simplepeer.min.js';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  chunkingStats,
  hasChunking,
  installChunking,
  MAX_FRAME_BYTES,
  resetChunkingStats,
  SEND_HIGH_WATER_BYTES,
  type ChunkablePeer,
  type PeerClassLike,
} from './chunked-peer';
import { FRAME_LAST } from './frames';
import { seededBytes } from './seeded-bytes';

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

function setup() {
  const PeerClass = makeFakePeerClass();
  const onError = vi.fn();
  expect(installChunking(PeerClass as PeerClassLike, { onError })).toBe(true);
  return { PeerClass, onError, a: new PeerClass(), b: new PeerClass() };
}

beforeEach(() => resetChunkingStats());

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
