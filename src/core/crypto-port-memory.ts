// An in-memory stand-in for Ed25519, for simulations where thousands of real signatures would
// dominate the run time. It keeps the one property the ledger relies on: only the holder of a
// key's secret can produce a signature that verify accepts.
//
// Scheme: secret = 32 random bytes from the caller's seeded source; public key = SHA-256(secret);
// signature = SHA-256(secret ‖ message) ‖ SHA-256(message ‖ secret). verify looks the secret up in
// the registry the signers were made with. NOT a real signature scheme: the registry holds every
// secret, so it is only for tests. Hashing goes through the real port so ids match production.

import { toHex } from './bytes';
import { createWebCryptoPort, type CryptoPort, type Signer } from './crypto-port';
import { createRandom, type Random } from './random';

export interface MemoryCrypto {
  port: CryptoPort;
  createSigner(random: Random): Promise<Signer>;
}

export function createMemoryCrypto(hashPort: CryptoPort): MemoryCrypto {
  const secrets = new Map<string, Uint8Array>();
  const mac = async (secret: Uint8Array, message: Uint8Array): Promise<Uint8Array> => {
    const a = new Uint8Array(secret.length + message.length);
    a.set(secret);
    a.set(message, secret.length);
    const b = new Uint8Array(secret.length + message.length);
    b.set(message);
    b.set(secret, message.length);
    const [h1, h2] = await Promise.all([hashPort.sha256(a), hashPort.sha256(b)]);
    const sig = new Uint8Array(64);
    sig.set(h1!);
    sig.set(h2!, 32);
    return sig;
  };
  const port: CryptoPort = {
    sha256: (bytes) => hashPort.sha256(bytes),
    ...(hashPort.sha256Sync ? { sha256Sync: hashPort.sha256Sync } : {}),
    async verify(publicKey, signature, message) {
      const secret = secrets.get(toHex(publicKey));
      if (!secret || signature.length !== 64) return false;
      const expected = await mac(secret, message);
      return expected.every((b, i) => b === signature[i]);
    },
  };
  return {
    port,
    async createSigner(random) {
      const secret = Uint8Array.from({ length: 32 }, () => Math.floor(random() * 256));
      const publicKey = await hashPort.sha256(secret);
      secrets.set(toHex(publicKey), secret);
      return { publicKey, sign: (message) => mac(secret, message) };
    },
  };
}

/** A simulation's key pool: `count` memory signers from `seed`, hashing with the given WebCrypto. */
export async function createSimulationKeys(subtle: SubtleCrypto, count: number, seed: number): Promise<{ memory: MemoryCrypto; signers: Signer[] }> {
  const memory = createMemoryCrypto(createWebCryptoPort(subtle));
  const random = createRandom(seed);
  const signers: Signer[] = [];
  for (let i = 0; i < count; i++) signers.push(await memory.createSigner(random));
  return { memory, signers };
}
