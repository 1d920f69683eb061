import { describe, expect, it, vi } from 'vitest';
import {
  createFrameAssembler,
  createPartialBudget,
  FRAME_LAST,
  FRAME_MORE,
  MAX_FRAME_BYTES,
  MAX_MESSAGE_BYTES,
  PARTIAL_BUDGET_BYTES,
  PARTIAL_IDLE_TIMEOUT_MS,
  splitIntoFrames,
  type FrameResult,
} from './frames';
import { seededBytes } from './seeded-bytes';


/** Byte equality without Vitest's element-by-element deep diff, which takes seconds on 5 MB. */
function sameBytes(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

function messagesOf(results: FrameResult[]): Uint8Array[] {
  return results.flatMap((r) => (r.kind === 'message' ? [r.message] : []));
}

describe('splitIntoFrames + FrameAssembler', () => {
  const sizes = [0, 1, 16382, 16383, 16384, 16385, 5_000_000];

  it.each(sizes)('round-trips a message of %i bytes', (size) => {
    const message = seededBytes(size, size + 7);
    const frames = splitIntoFrames(message);
    const expectedFrames = Math.max(1, Math.ceil(size / (MAX_FRAME_BYTES - 1)));
    expect(frames).toHaveLength(expectedFrames);
    frames.forEach((frame, i) => {
      expect(frame.byteLength).toBeGreaterThanOrEqual(1);
      expect(frame.byteLength).toBeLessThanOrEqual(MAX_FRAME_BYTES);
      expect(frame[0]).toBe(i === frames.length - 1 ? FRAME_LAST : FRAME_MORE);
    });
    const assembler = createFrameAssembler();
    const results = frames.map((f) => assembler.push(f));
    expect(results.slice(0, -1).every((r) => r.kind === 'pending')).toBe(true);
    const received = messagesOf(results);
    expect(received).toHaveLength(1);
    expect(sameBytes(received[0], message)).toBe(true);
    expect(assembler.pendingBytes).toBe(0);
  });

  it('costs one byte of overhead for a small message', () => {
    const frames = splitIntoFrames(new Uint8Array([9, 8, 7]));
    expect(frames).toEqual([new Uint8Array([FRAME_LAST, 9, 8, 7])]);
  });

  it('reassembles several messages sent one after another on one channel', () => {
    const messages = [40_000, 0, 3, 16_383, 100_000, 1].map((n, i) => seededBytes(n, i + 1));
    const assembler = createFrameAssembler();
    const results = messages.flatMap((m) => splitIntoFrames(m)).map((f) => assembler.push(f));
    const received = messagesOf(results);
    expect(received).toHaveLength(messages.length);
    messages.forEach((m, i) => expect(sameBytes(received[i], m)).toBe(true));
    expect(results.some((r) => r.kind === 'error')).toBe(false);
  });

  it('honours a custom frame size, down to one payload byte per frame', () => {
    const message = seededBytes(10, 3);
    const frames = splitIntoFrames(message, 2);
    expect(frames).toHaveLength(10);
    const assembler = createFrameAssembler();
    expect(messagesOf(frames.map((f) => assembler.push(f)))).toEqual([message]);
    expect(() => splitIntoFrames(message, 1)).toThrow(RangeError);
    expect(() => splitIntoFrames(message, 2.5)).toThrow(RangeError);
  });

  it('does not alias the caller’s buffer in the frames it sends', () => {
    const message = seededBytes(50_000, 5);
    const frames = splitIntoFrames(message);
    message.fill(0);
    const assembler = createFrameAssembler();
    expect(messagesOf(frames.map((f) => assembler.push(f)))[0]).toEqual(seededBytes(50_000, 5));
  });
});

describe('FrameAssembler on malformed input', () => {
  it('reports an empty frame without throwing and keeps working', () => {
    const assembler = createFrameAssembler();
    expect(assembler.push(new Uint8Array(0))).toEqual({ kind: 'error', reason: 'empty frame' });
    // Between messages a bad frame costs nothing else: the next message arrives whole.
    expect(assembler.push(new Uint8Array([FRAME_LAST, 42]))).toEqual({
      kind: 'message',
      message: new Uint8Array([42]),
    });
  });

  it('reports an unknown flag', () => {
    const assembler = createFrameAssembler();
    const result = assembler.push(new Uint8Array([7, 1, 2]));
    expect(result.kind).toBe('error');
    expect(result.kind === 'error' && result.reason).toMatch(/unknown frame flag 7/);
  });

  it('drops a message broken in the middle as a whole, tail included', () => {
    const broken = splitIntoFrames(seededBytes(60_000, 11)); // 4 frames
    const next = seededBytes(20_000, 12);
    const assembler = createFrameAssembler();
    const results = [
      assembler.push(broken[0]!),
      assembler.push(new Uint8Array([0xff])), // corrupt frame mid-message
      ...broken.slice(1).map((f) => assembler.push(f)), // its tail must not become a "message"
      ...splitIntoFrames(next).map((f) => assembler.push(f)),
    ];
    expect(results.filter((r) => r.kind === 'error')).toHaveLength(1);
    expect(messagesOf(results)).toEqual([next]);
  });

  it('drops a message beyond the size cap and resynchronises at its end', () => {
    const assembler = createFrameAssembler({ maxMessageBytes: 40_000 });
    const tooBig = splitIntoFrames(seededBytes(100_000, 21));
    const fits = seededBytes(40_000, 22);
    const results = [...tooBig, ...splitIntoFrames(fits)].map((f) => assembler.push(f));
    const errors = results.filter((r) => r.kind === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toEqual({ kind: 'error', reason: 'message exceeds 40000 bytes' });
    expect(messagesOf(results)).toEqual([fits]);
    expect(assembler.pendingBytes).toBe(0);
  });

  it('rejects a one-frame message over the cap without skipping the next message', () => {
    const assembler = createFrameAssembler({ maxMessageBytes: 4 });
    expect(assembler.push(new Uint8Array([FRAME_LAST, 1, 2, 3, 4, 5])).kind).toBe('error');
    expect(assembler.push(new Uint8Array([FRAME_LAST, 1, 2, 3, 4]))).toEqual({
      kind: 'message',
      message: new Uint8Array([1, 2, 3, 4]),
    });
  });
});

describe('FrameAssembler limits', () => {
  /** A clock the test moves by hand. */
  function manualClock(start = 1_000_000) {
    let t = start;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  }
  const more = (n: number, fill = 1) => {
    const f = new Uint8Array(n + 1).fill(fill);
    f[0] = FRAME_MORE;
    return f;
  };
  const last = (n: number, fill = 2) => {
    const f = new Uint8Array(n + 1).fill(fill);
    f[0] = FRAME_LAST;
    return f;
  };

  it('caps one message at 32 MiB, inside a 48 MiB page-wide budget', () => {
    expect(MAX_MESSAGE_BYTES).toBe(32 * 1024 * 1024);
    expect(PARTIAL_BUDGET_BYTES).toBe(48 * 1024 * 1024);
    expect(PARTIAL_IDLE_TIMEOUT_MS).toBe(30_000);
    const assembler = createFrameAssembler();
    const frame = more(MAX_FRAME_BYTES - 1);
    const frames = Math.ceil(MAX_MESSAGE_BYTES / (MAX_FRAME_BYTES - 1));
    const results: FrameResult[] = [];
    for (let i = 0; i <= frames; i++) results.push(assembler.push(frame));
    expect(results.filter((r) => r.kind === 'error')).toEqual([
      { kind: 'error', reason: `message exceeds ${MAX_MESSAGE_BYTES} bytes` },
    ]);
    expect(assembler.pendingBytes).toBe(0);
  });

  it('drops a partial message idle for the timeout and skips its tail', () => {
    const clock = manualClock();
    const assembler = createFrameAssembler({ idleTimeoutMs: 30_000, now: clock.now });
    expect(assembler.push(more(100))).toEqual({ kind: 'pending' });
    clock.advance(29_999);
    expect(assembler.expireIdle()).toBeNull();
    expect(assembler.push(more(100))).toEqual({ kind: 'pending' }); // a frame restarts the wait
    clock.advance(29_999);
    expect(assembler.expireIdle()).toBeNull();
    clock.advance(1);
    const expired = assembler.expireIdle();
    expect(expired?.kind).toBe('error');
    expect(expired?.kind === 'error' && expired.reason).toMatch(/partial message of 200 bytes dropped: no frame for 30000 ms/);
    expect(assembler.pendingBytes).toBe(0);
    expect(assembler.expireIdle()).toBeNull();
    // The sender was only slow: the rest of its message must not be read as a message.
    expect(assembler.push(more(10))).toEqual({ kind: 'pending' });
    expect(assembler.push(last(10))).toEqual({ kind: 'pending' });
    expect(assembler.push(new Uint8Array([FRAME_LAST, 7]))).toEqual({ kind: 'message', message: new Uint8Array([7]) });
  });

  it('drops an idle partial when its next frame arrives late, before any timer ran', () => {
    const clock = manualClock();
    const assembler = createFrameAssembler({ idleTimeoutMs: 1_000, now: clock.now });
    assembler.push(more(5));
    clock.advance(5_000);
    const late = assembler.push(last(5));
    expect(late.kind === 'error' && late.reason).toMatch(/no frame for 1000 ms/);
    // That late frame was the tail's end: the next message is read normally.
    expect(assembler.push(new Uint8Array([FRAME_LAST, 9]))).toEqual({ kind: 'message', message: new Uint8Array([9]) });
  });

  it('evicts the slowest partial on the page when a frame would exceed the budget', () => {
    const clock = manualClock();
    const budget = createPartialBudget(1_000, clock.now);
    const onEvicted = vi.fn();
    const trickler = createFrameAssembler({ budget, now: clock.now, onEvicted });
    const fast = createFrameAssembler({ budget, now: clock.now });
    trickler.push(more(400)); // then nothing for 20 s: 20 bytes per second
    clock.advance(20_000);
    expect(fast.push(more(500))).toEqual({ kind: 'pending' });
    expect(budget.usedBytes).toBe(900);
    expect(fast.push(more(500))).toEqual({ kind: 'pending' }); // 1,400 > 1,000: the trickler goes
    expect(onEvicted).toHaveBeenCalledTimes(1);
    expect(onEvicted.mock.calls[0]![0]).toMatch(/page-wide budget of 1000 bytes/);
    expect(trickler.pendingBytes).toBe(0);
    expect(budget.usedBytes).toBe(1_000);
    // The fast message completes whole and leaves the budget.
    expect(fast.push(last(3)).kind).toBe('message');
    expect(budget.usedBytes).toBe(0);
    // The evicted link's tail is skipped, up to its last frame.
    expect(trickler.push(more(10))).toEqual({ kind: 'pending' });
    expect(trickler.push(last(1))).toEqual({ kind: 'pending' });
    expect(trickler.push(new Uint8Array([FRAME_LAST, 1])).kind).toBe('message');
  });

  it('evicts the arriving link itself when it is the slowest, and says the link should close', () => {
    const clock = manualClock();
    const budget = createPartialBudget(1_000, clock.now);
    const onEvicted = vi.fn();
    const busy = createFrameAssembler({ budget, now: clock.now, onEvicted });
    const slow = createFrameAssembler({ budget, now: clock.now });
    busy.push(more(900)); // 900 bytes in its first second
    slow.push(more(50));
    clock.advance(10_000);
    const result = slow.push(more(100)); // 150 bytes in 10 s: the slowest
    expect(result).toEqual({
      kind: 'error',
      reason: 'dropped to stay within the page-wide budget of 1000 bytes for partial messages',
      fatal: true,
    });
    expect(onEvicted).not.toHaveBeenCalled();
    expect(busy.pendingBytes).toBe(900);
    expect(budget.usedBytes).toBe(900);
  });

  it('releases the budget when a partial is discarded (the link closed)', () => {
    const budget = createPartialBudget(100);
    const assembler = createFrameAssembler({ budget });
    assembler.push(more(60));
    expect(budget.usedBytes).toBe(60);
    expect(assembler.discard()).toBe(true);
    expect(budget.usedBytes).toBe(0);
    expect(assembler.discard()).toBe(false);
    // No tail-skipping after a discard: a closed link sends nothing more anyway.
    expect(assembler.push(new Uint8Array([FRAME_LAST, 3])).kind).toBe('message');
  });

  it('does not charge the budget for messages of one frame', () => {
    const budget = createPartialBudget(10);
    const assembler = createFrameAssembler({ budget });
    expect(assembler.push(last(1_000)).kind).toBe('message');
    expect(budget.usedBytes).toBe(0);
  });
});
