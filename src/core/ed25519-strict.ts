// Our Ed25519 rule set: encoding pre-checks that run before WebCrypto's verify.
//
// The rule. A signature (R ‖ S) by public key A over message M is valid iff
//   1. A is a canonical point encoding and not one of the 8 small-order points;
//   2. R is a canonical point encoding and not one of the 8 small-order points;
//   3. S, read little-endian, is below L = 2^252 + 27742317777372353535851937790883648493;
//   4. the cofactorless RFC 8032 equation holds: [S]B = R + [k]A, k = SHA-512(R ‖ A ‖ M) mod L,
//      as WebCrypto computes it (A and R are hashed exactly as sent; both are canonical by then).
// Checks 1–3 are these pure functions; check 4 is WebCrypto. The resulting verdict table is the
// one of libsodium's crypto_sign_verify_detached (same rejections, same cofactorless equation),
// so a client written against libsodium agrees with us on every input.
//
// Why. Ed25519 as specified leaves edge cases open, and engines answer them differently: Node 20
// (OpenSSL) and Chromium (BoringSSL) accept the identity key with R = identity, S = 0 for ANY
// message, so anyone could "sign" as that key; other engines and libraries differ on mixed-order
// points, non-canonical encodings and S ≥ L. A ledger must give one verdict in every peer, or
// peers disagree about which entries exist. Pre-checks that reject every disputed encoding leave
// only inputs on which all RFC 8032 implementations compute the same cofactorless equation.
//
// What it rejects (and nothing an honest RFC 8032 signer produces):
// - a point whose y coordinate (low 255 bits, little-endian) is ≥ p = 2^255 − 19, or whose sign
//   bit is 1 while x = 0 (only y = 1 and y = p − 1 have x = 0): non-canonical encodings, which
//   some engines reduce and some refuse;
// - the 8 points of order dividing 8 (identity, order 2, two of order 4, four of order 8), as A
//   or as R: a small-order A makes signatures that verify for messages its "owner" never saw;
// - S ≥ L: a malleable second signature for the same message (S + L verifies where S does).
// Mixed-order points (a prime-order part plus a small component) are NOT rejected, as libsodium
// does not: a full-order check costs a scalar multiplication per key, and the cofactorless
// equation already gives one answer for them in every cofactorless engine (Node, Chromium).
//
// Invariants: pure, no globals, no allocation on the hot path (verify calls this per entry).

export const PUBLIC_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;

// Canonical encodings of the 8 small-order points. Each is a 32-byte little-endian y with the
// sign of x in the top bit. Cross-checked against noble's point arithmetic in the tests.
export const SMALL_ORDER_ENCODINGS: readonly string[] = [
  '0100000000000000000000000000000000000000000000000000000000000000', // identity (0, 1)
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // order 2: (0, −1)
  '0000000000000000000000000000000000000000000000000000000000000000', // order 4: y = 0, x even
  '0000000000000000000000000000000000000000000000000000000000000080', // order 4: y = 0, x odd
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', // order 8
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85', // order 8
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', // order 8
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', // order 8
];

const SMALL_ORDER = SMALL_ORDER_ENCODINGS.map((hex) => {
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
});

// L in little-endian bytes: 0x10000000000000000000000000000000 14def9dea2f79cd65812631a5cf5d3ed.
const L_BYTES = new Uint8Array([
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
]);

/**
 * True when the 32 bytes at `at` are a canonical point encoding: y < p, and the sign bit is 0
 * when x = 0 (y = 1 or y = p − 1). Does not check that y is on the curve: an off-curve y is
 * refused by every engine's decoder, so the verdict is the same without us.
 */
export function isCanonicalPoint(bytes: Uint8Array, at = 0): boolean {
  const top = bytes[at + 31]!;
  const sign = top & 0x80;
  // y ≥ p only when y is within 19 of 2^255 − 1: bytes 1..30 all 0xff, top 7 bits all set,
  // and the low byte ≥ 0xed (p = 2^255 − 19 ends in 0xed).
  if ((top & 0x7f) === 0x7f) {
    let allOnes = true;
    for (let i = 1; i < 31 && allOnes; i++) allOnes = bytes[at + i] === 0xff;
    if (allOnes) {
      if (bytes[at]! >= 0xed) return false;
      // y = p − 1: x = 0, so the sign bit must be 0.
      if (bytes[at] === 0xec && sign) return false;
    }
  }
  // y = 1: x = 0, so the sign bit must be 0.
  if (sign && bytes[at] === 1 && top === 0x80) {
    let zeros = true;
    for (let i = 1; i < 31 && zeros; i++) zeros = bytes[at + i] === 0;
    if (zeros) return false;
  }
  return true;
}

/** True when the 32 bytes at `at` are exactly one of the 8 canonical small-order encodings. */
export function isSmallOrderEncoding(bytes: Uint8Array, at = 0): boolean {
  const first = bytes[at];
  for (const point of SMALL_ORDER) {
    if (point[0] !== first) continue;
    let same = true;
    for (let i = 1; i < 32 && same; i++) same = point[i] === bytes[at + i];
    if (same) return true;
  }
  return false;
}

/** True when the 32 bytes at `at`, read little-endian, are below the group order L. */
export function isScalarBelowL(bytes: Uint8Array, at = 0): boolean {
  // Compare from the most significant byte down; equal to L is not below it.
  for (let i = 31; i >= 0; i--) {
    const b = bytes[at + i]!;
    if (b !== L_BYTES[i]) return b < L_BYTES[i]!;
  }
  return false;
}

/** Why a public key breaks our rule, or undefined if it passes the pre-checks. */
export function checkPublicKey(key: Uint8Array): string | undefined {
  if (key.length !== PUBLIC_KEY_BYTES) return 'public key is not 32 bytes';
  if (!isCanonicalPoint(key)) return 'non-canonical public key';
  if (isSmallOrderEncoding(key)) return 'small-order public key';
  return undefined;
}

/** Why a signature's encoding breaks our rule (R, then S), or undefined if it passes. */
export function checkSignatureEncoding(sig: Uint8Array): string | undefined {
  if (sig.length !== SIGNATURE_BYTES) return 'signature is not 64 bytes';
  if (!isCanonicalPoint(sig, 0)) return 'non-canonical R';
  if (isSmallOrderEncoding(sig, 0)) return 'small-order R';
  if (!isScalarBelowL(sig, 32)) return 'S not below L';
  return undefined;
}
