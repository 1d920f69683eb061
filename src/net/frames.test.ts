import { describe, expect, it } from 'vitest';
import {
  createFrameAssembler,
  FRAME_LAST,
  FRAME_MORE,
  MAX_FRAME_BYTES,
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
