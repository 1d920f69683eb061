// Ed25519 edge-case vectors and the verdict our signature rule (ed25519-strict.ts) gives each.
//
// Cases 0–11 are the published vectors of Chalkias, Garillot, Nikolaenko, "Taming the many
// EdDSAs" (SSR 2020), transcribed from novifinancial/ed25519-speccheck, `cases.txt` at commit
// 2297da78dbbf8b2ace6b807208d09a3460ac67b8 (the 12-case set; the stored `cases.json` versions
// hold the earlier 10- and 15-case sets). The descriptions follow the paper's table: S is the
// signature scalar; A the public key; R the signature's point. "small" = order divides 8;
// "mixed" = a prime-order point plus a non-zero small component; "prime" = order L; "small*" =
// a non-canonical encoding of a small-order point. Two more cases are ours: RFC 8032 test 1
// (an honest signature, accepted) and the identity-key forgery (A = R = identity, S = 0), which
// plain WebCrypto accepts for every message in Node 20 and Chromium.
//
// `accept` is the verdict of OUR rule (pre-checks + cofactorless equation; the libsodium
// table). `reason` names the pre-check that rejects it, or 'equation' when only the cofactorless
// equation does. ed25519-strict.test.ts recomputes each verdict and each A/R/S class with noble.

export type PointClass = 'small' | 'mixed' | 'prime' | 'small*';
export type ScalarClass = 'zero' | 'below L' | 'at least L';

export interface Ed25519Vector {
  readonly name: string;
  readonly description: string;
  readonly message: string;
  readonly publicKey: string;
  readonly signature: string;
  readonly a: PointClass;
  readonly r: PointClass;
  readonly s: ScalarClass;
  readonly accept: boolean;
  readonly reason?: string;
}

export const ED25519_VECTORS: readonly Ed25519Vector[] = [
  {
    name: 'case 0',
    description: 'S = 0, small-order A and R: passes both equations for a crafted message',
    message: '8c93255d71dcab10e8f379c26200f3c7bd5f09d9bc3068d3ef4edeb4853022b6',
    publicKey: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
    signature:
      'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a' +
      '0000000000000000000000000000000000000000000000000000000000000000',
    a: 'small', r: 'small', s: 'zero',
    accept: false, reason: 'small-order public key',
  },
  {
    name: 'case 1',
    description: '0 < S < L, small-order A, mixed-order R: passes both equations',
    message: '9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79',
    publicKey: 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
    signature:
      'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43' +
      'a5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04',
    a: 'small', r: 'mixed', s: 'below L',
    accept: false, reason: 'small-order public key',
  },
  {
    name: 'case 2',
    description: '0 < S < L, mixed-order A, small-order R: passes both equations',
    message: 'aebf3f2601a0c8c5d39cc7d8911642f740b78168218da8471772b35f9d35b9ab',
    publicKey: 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43',
    signature:
      'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa' +
      '8c4bd45aecaca5b24fb97bc10ac27ac8751a7dfe1baff8b953ec9f5833ca260e',
    a: 'mixed', r: 'small', s: 'below L',
    accept: false, reason: 'small-order R',
  },
  {
    name: 'case 3',
    description: '0 < S < L, mixed-order A and R: passes both equations (only a full-order check rejects it)',
    message: '9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79',
    publicKey: 'cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d',
    signature:
      '9046a64750444938de19f227bb80485e92b83fdb4b6506c160484c016cc1852f' +
      '87909e14428a7a1d62e9f22f3d3ad7802db02eb2e688b6c52fcd6648a98bd009',
    a: 'mixed', r: 'mixed', s: 'below L',
    accept: true,
  },
  {
    name: 'case 4',
    description: '0 < S < L, mixed-order A and R: passes the cofactored equation only',
    message: 'e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c',
    publicKey: 'cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d',
    signature:
      '160a1cb0dc9c0258cd0a7d23e94d8fa878bcb1925f2c64246b2dee1796bed512' +
      '5ec6bc982a269b723e0668e540911a9a6a58921d6925e434ab10aa7940551a09',
    a: 'mixed', r: 'mixed', s: 'below L',
    accept: false, reason: 'equation',
  },
  {
    name: 'case 5',
    description: '0 < S < L, mixed-order A, prime-order R: passes cofactored only if 8h is not pre-reduced; fails cofactorless',
    message: 'e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c',
    publicKey: 'cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d',
    signature:
      '21122a84e0b5fca4052f5b1235c80a537878b38f3142356b2c2384ebad4668b7' +
      'e40bc836dac0f71076f9abe3a53f9c03c1ceeeddb658d0030494ace586687405',
    a: 'mixed', r: 'prime', s: 'below L',
    accept: false, reason: 'equation',
  },
  {
    name: 'case 6',
    description: 'S > L (S − L would verify), prime-order A and R, high bits of S clear',
    message: '85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40',
    publicKey: '442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623',
    signature:
      'e96f66be976d82e60150baecff9906684aebb1ef181f67a7189ac78ea23b6c0e' +
      '547f7690a0e2ddcd04d87dbc3490dc19b3b3052f7ff0538cb68afb369ba3a514',
    a: 'prime', r: 'prime', s: 'at least L',
    accept: false, reason: 'S not below L',
  },
  {
    name: 'case 7',
    description: 'S >> L (top bits of S set, caught by a high-bits-only check), prime-order A and R',
    message: '85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40',
    publicKey: '442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623',
    signature:
      '8ce5b96c8f26d0ab6c47958c9e68b937104cd36e13c33566acd2fe8d38aa1942' +
      '7e71f98a473474f2f13f06f97c20d58cc3f54b8bd0d272f42b695dd7e89a8c22',
    a: 'prime', r: 'prime', s: 'at least L',
    accept: false, reason: 'S not below L',
  },
  {
    name: 'case 8',
    description: 'mixed-order A, non-canonical small-order R; verifies if R is re-encoded before hashing',
    message: '9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41',
    publicKey: 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43',
    signature:
      'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff' +
      '03be9678ac102edcd92b0210bb34d7428d12ffc5df5f37e359941266a4e35f0f',
    a: 'mixed', r: 'small*', s: 'below L',
    accept: false, reason: 'non-canonical R',
  },
  {
    name: 'case 9',
    description: 'mixed-order A, non-canonical small-order R; verifies if R is hashed as sent',
    message: '9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41',
    publicKey: 'f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43',
    signature:
      'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff' +
      'ca8c5b64cd208982aa38d4936621a4775aa233aa0505711d8fdcfdaa943d4908',
    a: 'mixed', r: 'small*', s: 'below L',
    accept: false, reason: 'non-canonical R',
  },
  {
    name: 'case 10',
    description: 'non-canonical small-order A, mixed-order R; verifies if A is re-encoded before hashing',
    message: 'e96b7021eb39c1a163b6da4e3093dcd3f21387da4cc4572be588fafae23c155b',
    publicKey: 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    signature:
      'a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dc' +
      'a5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04',
    a: 'small*', r: 'mixed', s: 'below L',
    accept: false, reason: 'non-canonical public key',
  },
  {
    name: 'case 11',
    description: 'non-canonical small-order A, mixed-order R; verifies if A is hashed as sent',
    message: '39a591f5321bbe07fd5a23dc2f39d025d74526615746727ceefd6e82ae65c06f',
    publicKey: 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    signature:
      'a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dc' +
      'a5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04',
    a: 'small*', r: 'mixed', s: 'below L',
    accept: false, reason: 'non-canonical public key',
  },
  {
    name: 'RFC 8032 test 1',
    description: 'honest signature over the empty message (RFC 8032 section 7.1, test 1)',
    message: '',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155' +
      '5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    a: 'prime', r: 'prime', s: 'below L',
    accept: true,
  },
  {
    name: 'identity forgery',
    description: 'A = R = identity, S = 0: satisfies the equation for every message (ours, not the paper\'s)',
    message: '686f75726d657368',
    publicKey: '0100000000000000000000000000000000000000000000000000000000000000',
    signature:
      '0100000000000000000000000000000000000000000000000000000000000000' +
      '0000000000000000000000000000000000000000000000000000000000000000',
    a: 'small', r: 'small', s: 'zero',
    accept: false, reason: 'small-order public key',
  },
];
