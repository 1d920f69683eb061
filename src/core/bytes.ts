// Byte helpers shared by the canonical encoding: a growable writer, a strict reader, hex.
//
// Invariants:
// - varuints are unsigned LEB128 (7 bits per byte, low group first) and must be minimal: the
//   reader rejects a final 0x00 group after the first byte (an "overlong" form), so one number
//   has exactly one encoding. Values above Number.MAX_SAFE_INTEGER are rejected.
// - The reader never throws: every read returns undefined on malformed input and the caller turns
//   that into a human-readable error.
// - Hex is lowercase, two characters per byte; parseHex rejects odd lengths and other characters.

const HEX_DIGITS = '0123456789abcdef';
const BYTE_TO_HEX: string[] = Array.from({ length: 256 }, (_, b) => HEX_DIGITS[b >> 4]! + HEX_DIGITS[b & 15]!);

const HEX_CODES = new TextEncoder().encode(HEX_DIGITS);
const latin1 = new TextDecoder('latin1');
const SHORT_HEX_BYTES = 64;
const HEX_SCRATCH = new Uint8Array(SHORT_HEX_BYTES * 2);

export function toHex(bytes: Uint8Array): string {
  // Short inputs: plain concatenation. Hashes and keys (32 bytes) are converted by writing ASCII
  // codes and building the string once, which yields a flat string (Map keys hash it without
  // flattening): from char codes up to 64 bytes (a TextDecoder call costs Chromium several times
  // more for such short strings: ~300,000 ids and keys for a late joiner), decoded above that.
  if (bytes.length < 16) {
    let out = '';
    for (let i = 0; i < bytes.length; i++) out += BYTE_TO_HEX[bytes[i]!];
    return out;
  }
  const short = bytes.length <= SHORT_HEX_BYTES;
  const codes = short ? HEX_SCRATCH.subarray(0, bytes.length * 2) : new Uint8Array(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) {
    codes[2 * i] = HEX_CODES[bytes[i]! >> 4]!;
    codes[2 * i + 1] = HEX_CODES[bytes[i]! & 15]!;
  }
  return short ? String.fromCharCode.apply(null, codes as unknown as number[]) : latin1.decode(codes);
}

export function parseHex(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/.test(hex)) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class ByteWriter {
  private buf = new Uint8Array(256);
  private len = 0;

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + extra));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  writeByte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b & 0xff;
  }

  writeBytes(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  /** Caller guarantees a safe non-negative integer; encoders validate before writing. */
  writeVarUint(n: number): void {
    // Division instead of >>> because values may exceed 32 bits.
    while (n >= 0x80) {
      this.writeByte((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    this.writeByte(n);
  }

  writeString(s: string): void {
    const bytes = textEncoder.encode(s);
    this.writeVarUint(bytes.length);
    this.writeBytes(bytes);
  }

  toBytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

export class ByteReader {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  readByte(): number | undefined {
    return this.pos < this.bytes.length ? this.bytes[this.pos++] : undefined;
  }

  readBytes(n: number): Uint8Array | undefined {
    if (this.remaining < n) return undefined;
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  readVarUint(): number | undefined {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.readByte();
      if (b === undefined) return undefined;
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (b === 0 && i > 0) return undefined; // overlong: a trailing zero group adds nothing
        return value <= Number.MAX_SAFE_INTEGER ? value : undefined;
      }
      scale *= 0x80;
    }
    return undefined; // more than 8 groups (56 bits) cannot be a safe integer
  }

  /** A varuint length followed by strict UTF-8; invalid UTF-8 is rejected, not replaced. */
  readString(maxBytes: number): string | undefined {
    const n = this.readVarUint();
    if (n === undefined || n > maxBytes) return undefined;
    if (n === 0) return '';
    const raw = this.readBytes(n);
    if (raw === undefined) return undefined;
    try {
      return strictDecoder.decode(raw);
    } catch {
      return undefined;
    }
  }
}

const textEncoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function encodeUtf8(s: string): Uint8Array {
  return textEncoder.encode(s);
}
