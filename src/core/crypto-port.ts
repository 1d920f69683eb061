// The crypto seam: SHA-256 and Ed25519 behind a small interface, so core never reads globals.
//
// Invariants:
// - SHA-256 is computed by sha256.ts (synchronous, standard digest); Ed25519 by WebCrypto after
//   the encoding pre-checks of ed25519-strict.ts, so every engine gives one verdict
//   (docs/SIGNATURES.md).
// - Public keys are 32 raw bytes, signatures 64 raw bytes (RFC 8032 Ed25519). Ed25519 signing is
//   deterministic, so an honest author never produces two signatures over the same message.
// - verify never throws: a malformed key or signature is simply "not valid".
// - createWebCryptoPort works with the browser's and Node 20's `crypto.subtle`; imported public
//   keys are cached per key because importKey costs about as much as a verify.
// - hashMany / verifyMany batch with Promise.all in chunks: subtle calls are async and cheap
//   individually (~4 µs digest, ~60 µs verify), so awaiting them one by one wastes most of the
//   time in scheduling, while one giant Promise.all of 100k would hold 100k promises at once.

import { sha256Sync } from './sha256';
import { checkPublicKey, checkSignatureEncoding } from './ed25519-strict';

export interface CryptoPort {
  sha256(bytes: Uint8Array): Promise<Uint8Array>;
  /** Optional synchronous SHA-256; hashMany uses it to skip one promise per small message. */
  sha256Sync?(bytes: Uint8Array): Uint8Array;
  verify(publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array): Promise<boolean>;
}

export interface Signer {
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

const BATCH = 2048;

export async function hashMany(crypto: CryptoPort, messages: readonly Uint8Array[]): Promise<Uint8Array[]> {
  if (crypto.sha256Sync) return messages.map((m) => crypto.sha256Sync!(m));
  const out: Uint8Array[] = new Array(messages.length);
  for (let i = 0; i < messages.length; i += BATCH) {
    const chunk = messages.slice(i, i + BATCH);
    const hashes = await Promise.all(chunk.map((m) => crypto.sha256(m)));
    for (let j = 0; j < hashes.length; j++) out[i + j] = hashes[j]!;
  }
  return out;
}

export interface VerifyJob {
  publicKey: Uint8Array;
  signature: Uint8Array;
  message: Uint8Array;
}

export async function verifyMany(crypto: CryptoPort, jobs: readonly VerifyJob[]): Promise<boolean[]> {
  const out: boolean[] = new Array(jobs.length);
  for (let i = 0; i < jobs.length; i += BATCH) {
    const chunk = jobs.slice(i, i + BATCH);
    const results = await Promise.all(chunk.map((j) => crypto.verify(j.publicKey, j.signature, j.message)));
    for (let k = 0; k < results.length; k++) out[i + k] = results[k]!;
  }
  return out;
}

// Copies into a fresh ArrayBuffer-backed array: WebCrypto's types refuse views over a
// SharedArrayBuffer, and subarrays of a larger entry buffer would otherwise be fine but untyped.
function asBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

export function createWebCryptoPort(subtle: SubtleCrypto): CryptoPort {
  const keys = new Map<string, Promise<CryptoKey | null>>();
  const importPublicKey = (raw: Uint8Array): Promise<CryptoKey | null> => {
    const cacheKey = String.fromCharCode(...raw);
    let key = keys.get(cacheKey);
    if (!key) {
      key = subtle.importKey('raw', asBuffer(raw), { name: 'Ed25519' }, false, ['verify']).catch(() => null);
      keys.set(cacheKey, key);
    }
    return key;
  };
  return {
    // Hashing uses the synchronous TypeScript SHA-256 (same digest as subtle.digest, tested):
    // for ~170-byte entries it is several times faster than an async WebCrypto call.
    sha256: async (bytes) => sha256Sync(bytes),
    sha256Sync,
    async verify(publicKey, signature, message) {
      // Our rule set (ed25519-strict.ts): encodings WebCrypto engines disagree on, and the
      // small-order keys and R that Node and Chromium accept, are "not valid" before WebCrypto runs.
      if (checkPublicKey(publicKey) !== undefined || checkSignatureEncoding(signature) !== undefined) return false;
      const key = await importPublicKey(publicKey);
      if (!key) return false;
      try {
        return await subtle.verify('Ed25519', key, asBuffer(signature), asBuffer(message));
      } catch {
        return false;
      }
    },
  };
}

export async function createWebCryptoSigner(subtle: SubtleCrypto, keyPair: CryptoKeyPair): Promise<Signer> {
  const publicKey = new Uint8Array(await subtle.exportKey('raw', keyPair.publicKey));
  return {
    publicKey,
    async sign(message) {
      return new Uint8Array(await subtle.sign('Ed25519', keyPair.privateKey, asBuffer(message)));
    },
  };
}

/** A fresh key pair; the private key is non-extractable unless `extractable` (for backups). */
export async function generateSigner(subtle: SubtleCrypto, extractable = false): Promise<Signer> {
  const pair = (await subtle.generateKey({ name: 'Ed25519' }, extractable, ['sign', 'verify'])) as CryptoKeyPair;
  return createWebCryptoSigner(subtle, pair);
}
