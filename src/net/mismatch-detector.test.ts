import { describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import { toBase64 } from 'lib0/buffer';
import {
  ANNOUNCE_CIPHER_BYTES,
  isAnnounceShaped,
  MismatchDetector,
  parseEnvelope,
} from './mismatch-detector';

function envelope(cipherBytes: number, ivBytes = 12, algorithm = 'AES-GCM', trailing = 0): string {
  const e = encoding.createEncoder();
  encoding.writeVarString(e, algorithm);
  encoding.writeVarUint8Array(e, new Uint8Array(ivBytes));
  encoding.writeVarUint8Array(e, new Uint8Array(cipherBytes).fill(7));
  for (let i = 0; i < trailing; i++) encoding.writeUint8(e, 0);
  return toBase64(encoding.toUint8Array(e));
}

describe('parseEnvelope', () => {
  it('reads a y-webrtc envelope and says whether it has an announce’s size', () => {
    expect(ANNOUNCE_CIPHER_BYTES).toBe(76); // 60 bytes of writeAny + the 16-byte GCM tag
    const parsed = parseEnvelope(envelope(ANNOUNCE_CIPHER_BYTES));
    expect(parsed?.iv.byteLength).toBe(12);
    expect(parsed && isAnnounceShaped(parsed)).toBe(true);
    expect(isAnnounceShaped(parseEnvelope(envelope(300))!)).toBe(false);
  });

  it.each([
    ['not base64 of anything', '!!!'],
    ['JSON', '{"type":"announce"}'],
    ['another algorithm', envelope(76, 12, 'AES-CBC')],
    ['a short iv', envelope(76, 8)],
    ['trailing bytes', envelope(76, 12, 'AES-GCM', 1)],
    ['truncated', envelope(76).slice(0, 20)],
    ['empty', ''],
  ])('refuses %s', (_name, data) => {
    expect(parseEnvelope(data)).toBeNull();
  });
});

describe('MismatchDetector', () => {
  it('ignores one foreign envelope, or a burst of them', () => {
    const d = new MismatchDetector();
    d.recordForeign(0);
    expect(d.isMismatch(0)).toBe(false);
    for (let t = 100; t < 3_000; t += 100) d.recordForeign(t);
    expect(d.isMismatch(3_000)).toBe(false);
    expect(d.clearsAt(3_000)).toBeNull();
  });

  it('raises the flag when they persist (two at least 4 s apart within 30 s)', () => {
    const d = new MismatchDetector();
    d.recordForeign(1_000);
    d.recordForeign(4_999);
    expect(d.isMismatch(4_999)).toBe(false);
    d.recordForeign(5_000);
    expect(d.isMismatch(5_000)).toBe(true);
  });

  it('needs both within the window', () => {
    const d = new MismatchDetector();
    d.recordForeign(0);
    d.recordForeign(30_000); // the first one left the window
    expect(d.isMismatch(30_000)).toBe(false);
    d.recordForeign(34_000);
    expect(d.isMismatch(34_000)).toBe(true);
  });

  it('stays up while a wrong-secret peer keeps answering every 5 s, and clears 30 s after it left', () => {
    const d = new MismatchDetector();
    for (let t = 0; t <= 60_000; t += 5_000) d.recordForeign(t);
    expect(d.isMismatch(60_000)).toBe(true);
    expect(d.clearsAt(60_000)).toBe(90_000);
    expect(d.isMismatch(89_999)).toBe(true);
    expect(d.isMismatch(90_000)).toBe(false);
    // After clearing it takes persistence again, not a single envelope.
    d.recordForeign(100_000);
    expect(d.isMismatch(100_000)).toBe(false);
  });

  it('takes its limits as options', () => {
    const d = new MismatchDetector({ minForeign: 3, minSpanMs: 8_000, windowMs: 20_000, quietMs: 10_000 });
    d.recordForeign(0);
    d.recordForeign(8_000);
    expect(d.isMismatch(8_000)).toBe(false);
    d.recordForeign(9_000);
    expect(d.isMismatch(9_000)).toBe(true);
    expect(d.isMismatch(19_000)).toBe(false);
  });
});
