// Our Ed25519 rule gives the expected verdict on every published edge case, through the real
// WebCrypto port; and its tables (small-order points, canonical encodings, L) agree with noble's
// audited point arithmetic, so none of it rests on hand-rolled curve code.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { parseHex } from './bytes';
import { createWebCryptoPort, generateSigner } from './crypto-port';
import {
  SMALL_ORDER_ENCODINGS, checkPublicKey, checkSignatureEncoding, isCanonicalPoint, isScalarBelowL,
  isSmallOrderEncoding,
} from './ed25519-strict';
import { ED25519_VECTORS, type Ed25519Vector, type PointClass, type ScalarClass } from './ed25519-vectors';
import { createRandom } from './random';

const subtle = globalThis.crypto.subtle;
const Point = ed25519.Point;
const L = Point.CURVE().n;
const P = Point.CURVE().p;

const hex = (h: string): Uint8Array => parseHex(h)!;
const toHexString = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const littleEndian = (b: Uint8Array): bigint => BigInt('0x' + (toHexString(b.slice().reverse()) || '0'));
const encodeLE = (n: bigint): Uint8Array => hex(n.toString(16).padStart(64, '0')).reverse();

function parts(v: Ed25519Vector) {
  const sig = hex(v.signature);
  return { a: hex(v.publicKey), r: sig.slice(0, 32), s: sig.slice(32), sig, m: hex(v.message) };
}

/** RFC 8032 strict decoding (y < p, no x = 0 with sign 1), or undefined. */
function decodeStrict(bytes: Uint8Array) {
  try {
    return Point.fromBytes(bytes, false);
  } catch {
    return undefined;
  }
}
/** ZIP-215 lenient decoding (any y below 2^255, sign bit of x = 0 ignored). */
function decodeLenient(bytes: Uint8Array) {
  try {
    return Point.fromBytes(bytes, true);
  } catch {
    return undefined;
  }
}

function classifyPoint(bytes: Uint8Array): PointClass | 'invalid' {
  const strict = decodeStrict(bytes);
  if (!strict) return decodeLenient(bytes)?.isSmallOrder() ? 'small*' : 'invalid';
  if (strict.isSmallOrder()) return 'small';
  return strict.isTorsionFree() ? 'prime' : 'mixed';
}

function classifyScalar(bytes: Uint8Array): ScalarClass {
  const s = littleEndian(bytes);
  return s === 0n ? 'zero' : s < L ? 'below L' : 'at least L';
}

/** Our rule computed with noble alone: strict decode, no small order, S < L, [S]B = R + [k]A. */
function nobleVerdict(v: Ed25519Vector): boolean {
  const { a, r, s, m } = parts(v);
  const A = decodeStrict(a);
  const R = decodeStrict(r);
  const S = littleEndian(s);
  if (!A || !R || A.isSmallOrder() || R.isSmallOrder() || S >= L) return false;
  const k = littleEndian(createHash('sha512').update(r).update(a).update(m).digest()) % L;
  const left = S === 0n ? Point.ZERO : Point.BASE.multiply(S);
  const right = R.add(k === 0n ? Point.ZERO : A.multiplyUnsafe(k));
  return left.equals(right);
}

async function rawWebCryptoVerdict(v: Ed25519Vector): Promise<boolean> {
  const { a, sig, m } = parts(v);
  try {
    const key = await subtle.importKey('raw', a as Uint8Array<ArrayBuffer>, { name: 'Ed25519' }, false, ['verify']);
    return await subtle.verify('Ed25519', key, sig as Uint8Array<ArrayBuffer>, m as Uint8Array<ArrayBuffer>);
  } catch {
    return false;
  }
}

describe('Ed25519 rule on the published edge cases', () => {
  it('has the 12 cases of "Taming the many EdDSAs", RFC 8032 test 1 and the identity forgery', () => {
    expect(ED25519_VECTORS.map((v) => v.name)).toEqual([
      ...Array.from({ length: 12 }, (_, i) => `case ${i}`), 'RFC 8032 test 1', 'identity forgery',
    ]);
  });

  it('describes each A, R and S as noble classifies them', () => {
    for (const v of ED25519_VECTORS) {
      const { a, r, s } = parts(v);
      expect({ name: v.name, a: classifyPoint(a), r: classifyPoint(r), s: classifyScalar(s) })
        .toEqual({ name: v.name, a: v.a, r: v.r, s: v.s });
    }
  });

  it('expects what the rule, computed with noble alone, decides', () => {
    for (const v of ED25519_VECTORS) expect({ name: v.name, accept: nobleVerdict(v) }).toEqual({ name: v.name, accept: v.accept });
  });

  it('rejects each case by the pre-check its reason names', () => {
    for (const v of ED25519_VECTORS) {
      const { a, sig } = parts(v);
      const preCheck = checkPublicKey(a) ?? checkSignatureEncoding(sig);
      const expected = v.reason === undefined || v.reason === 'equation' ? undefined : v.reason;
      expect({ name: v.name, preCheck }).toEqual({ name: v.name, preCheck: expected });
    }
  });

  it('gives the expected verdict through the WebCrypto port, where raw WebCrypto does not', async () => {
    const port = createWebCryptoPort(subtle);
    const rows: string[] = [];
    const raw = new Map<string, boolean>();
    for (const v of ED25519_VECTORS) {
      const { a, sig, m } = parts(v);
      const ours = await port.verify(a, sig, m);
      raw.set(v.name, await rawWebCryptoVerdict(v));
      rows.push(`${v.name.padEnd(17)} raw Node ${raw.get(v.name) ? 'accept' : 'reject'}  ours ${ours ? 'accept' : 'reject'}`);
      expect({ name: v.name, accept: ours }).toEqual({ name: v.name, accept: v.accept });
    }
    console.log(`Ed25519 verdicts in Node ${process.version}:\n${rows.join('\n')}`);
    // The bug being fixed: the identity key "signs" every message for plain WebCrypto.
    expect(raw.get('identity forgery')).toBe(true);
    expect(raw.get('case 0')).toBe(true);
    const identity = ED25519_VECTORS.find((v) => v.name === 'identity forgery')!;
    const { a, sig } = parts(identity);
    for (const text of ['', 'pay Mallory 1000 hours', 'anything at all']) {
      expect(await port.verify(a, sig, new TextEncoder().encode(text))).toBe(false);
    }
  });

  it('still accepts honest signatures and rejects junk without throwing', async () => {
    const port = createWebCryptoPort(subtle);
    const signer = await generateSigner(subtle);
    for (let i = 0; i < 20; i++) {
      const msg = new Uint8Array([i, 1, 2, 3]);
      expect(await port.verify(signer.publicKey, await signer.sign(msg), msg)).toBe(true);
    }
    expect(await port.verify(new Uint8Array(31), new Uint8Array(64), new Uint8Array())).toBe(false);
    expect(await port.verify(signer.publicKey, new Uint8Array(65), new Uint8Array())).toBe(false);
    expect(checkPublicKey(new Uint8Array(33))).toBe('public key is not 32 bytes');
    expect(checkSignatureEncoding(new Uint8Array(63))).toBe('signature is not 64 bytes');
  });
});

describe('Ed25519 rule tables, checked with noble', () => {
  it('lists exactly the 8 points of order dividing 8, canonically encoded', () => {
    expect(new Set(SMALL_ORDER_ENCODINGS).size).toBe(8);
    for (const encoding of SMALL_ORDER_ENCODINGS) {
      const point = decodeStrict(hex(encoding));
      expect(point, encoding).toBeDefined();
      expect(toHexString(point!.toBytes())).toBe(encoding);
      expect(point!.multiplyUnsafe(8n).is0(), encoding).toBe(true);
    }
    // The 8-torsion of Ed25519 is cyclic: an order-8 point T gives all of it as 0·T … 7·T.
    const t = decodeStrict(hex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'))!;
    expect(t.multiplyUnsafe(4n).is0()).toBe(false);
    const generated = new Set<string>();
    let multiple = Point.ZERO;
    for (let k = 0; k < 8; k++, multiple = multiple.add(t)) generated.add(toHexString(multiple.toBytes()));
    expect(generated).toEqual(new Set(SMALL_ORDER_ENCODINGS));
  });

  it('flags only those encodings as small order, and a fresh key never', async () => {
    for (const encoding of SMALL_ORDER_ENCODINGS) expect(isSmallOrderEncoding(hex(encoding))).toBe(true);
    const random = createRandom(7);
    for (let i = 0; i < 2000; i++) {
      const bytes = Uint8Array.from({ length: 32 }, () => Math.floor(random() * 256));
      const point = decodeStrict(bytes);
      if (point) expect(isSmallOrderEncoding(bytes), toHexString(bytes)).toBe(point.isSmallOrder());
    }
    const signer = await generateSigner(subtle);
    expect(checkPublicKey(signer.publicKey)).toBeUndefined();
  });

  it('calls an encoding canonical exactly when noble decodes it strictly (for points on the curve)', () => {
    const candidates: Uint8Array[] = [];
    const random = createRandom(42);
    for (let i = 0; i < 3000; i++) candidates.push(Uint8Array.from({ length: 32 }, () => Math.floor(random() * 256)));
    // Every encoding near the edges: y = 2^255 − 256 … 2^255 − 1 (which holds p − 1 and all of
    // y ≥ p) and y = 0 … 255 (which holds y = 1), each with both sign bits.
    for (let low = 0; low < 256; low++) {
      for (const sign of [0, 0x80]) {
        const high = new Uint8Array(32).fill(0xff);
        high[0] = low;
        high[31] = 0x7f | sign;
        const small = new Uint8Array(32);
        small[0] = low;
        small[31] = sign;
        candidates.push(high, small);
      }
    }
    let onCurve = 0;
    let nonCanonical = 0;
    for (const bytes of candidates) {
      const lenient = decodeLenient(bytes);
      const y = littleEndian(bytes) & ((1n << 255n) - 1n);
      if (y >= P) expect(isCanonicalPoint(bytes), toHexString(bytes)).toBe(false);
      if (!lenient) continue;
      onCurve++;
      const strict = decodeStrict(bytes) !== undefined;
      if (!strict) nonCanonical++;
      expect(isCanonicalPoint(bytes), toHexString(bytes)).toBe(strict);
    }
    expect(onCurve).toBeGreaterThan(1000);
    expect(nonCanonical).toBeGreaterThanOrEqual(4); // y = p (two signs), y = p + 1, y = 1 or p − 1 signed
  });

  it('bounds S by L exactly', () => {
    const random = createRandom(3);
    const values = [0n, 1n, L - 1n, L, L + 1n, 2n * L, (1n << 253n) - 1n, (1n << 256n) - 1n];
    for (let i = 0; i < 500; i++) values.push(littleEndian(Uint8Array.from({ length: 32 }, () => Math.floor(random() * 256))) >> BigInt(Math.floor(random() * 8)));
    for (const s of values) {
      const sig = new Uint8Array(64);
      sig.set(encodeLE(s), 32);
      expect(isScalarBelowL(sig, 32), s.toString(16)).toBe(s < L);
    }
  });
});
