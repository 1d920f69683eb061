// This device's identity: an Ed25519 key pair, kept in IndexedDB (store `identity`, key 'self').
//
// Key handling (the app itself never stores or sends the private key in plain bytes):
// - The pair is generated extractable only so the PKCS#8 can be exported once. That PKCS#8 is
//   encrypted with a fresh non-extractable AES-GCM "device wrap key" (stored beside it) and kept
//   as `wrappedPrivateKey`, solely to make passphrase backups later. The PKCS#8 is then imported
//   again as a NON-extractable signing key, which is what the app signs with. The extractable
//   original and the plaintext bytes are dropped (and zeroed where we hold them).
// - What that is worth (README, Security notes): non-extractable means WebCrypto will not export
//   the key's bytes; the wrap key sits beside what it wraps, so the wrapping only keeps the
//   PKCS#8 out of casual reads of the store. Any script running on this origin can sign with the
//   key and can unwrap the PKCS#8 exactly as `unwrapPrivateKey` does. A backup file, which leaves
//   the device, is protected by its passphrase instead (backup-file.ts).
// - A restored key goes through the same path with this device's wrap key, so a restored identity
//   is indistinguishable in storage from a created one except for `restoredAt`.
// - CryptoKeys are structured-cloneable, so IndexedDB stores them as they are.
//
// Two IdentityStore implementations side by side: IndexedDB for the app, a variable for tests.
// Unlike settings, a read that fails is an error, never "absent": treating it as absent would
// create a new identity and overwrite the person's account on the next write.
import { toHex } from '../core';
import type { HourmeshDb, IdentityRecord } from './db';
import { describeStorageError } from './settings-store';

export type { IdentityRecord };

export interface IdentityStore {
  /** The stored identity, or undefined on a first visit. Rejects when storage cannot be read. */
  read(): Promise<IdentityRecord | undefined>;
  /** Replaces the stored identity. Rejects with a message a person can act on. */
  write(record: IdentityRecord): Promise<void>;
}

export function createIdbIdentityStore(db: HourmeshDb): IdentityStore {
  return {
    async read() {
      try {
        return await db.get('identity', 'self');
      } catch (error) {
        throw new Error(`Your identity could not be read from this device's storage. ${describeStorageError(error)}`);
      }
    },
    async write(record) {
      try {
        await db.put('identity', record, 'self');
      } catch (error) {
        throw new Error(describeStorageError(error));
      }
    },
  };
}

/** Survives a simulated reload when the same store object is handed to a new loader. */
export function createMemoryIdentityStore(): IdentityStore {
  let stored: IdentityRecord | undefined;
  return {
    async read() {
      return stored === undefined ? undefined : structuredClone(stored);
    },
    async write(record) {
      stored = structuredClone(record);
    },
  };
}

/**
 * Colours for a person's dot and name. Each has at least 4.5:1 contrast on white (and white text
 * on it), so a name written in its colour stays readable.
 */
export const PROFILE_COLOURS: readonly { value: string; label: string }[] = [
  { value: '#1f6f5c', label: 'Teal' },
  { value: '#1d4ed8', label: 'Blue' },
  { value: '#6d28d9', label: 'Violet' },
  { value: '#be185d', label: 'Pink' },
  { value: '#b91c1c', label: 'Red' },
  { value: '#9a3412', label: 'Rust' },
  { value: '#3f6212', label: 'Olive' },
  { value: '#475569', label: 'Slate' },
];

export const MAX_NAME_CHARS = 64;

/** "Member 3f2a" and a palette colour, both picked from the key so they are stable. */
export function defaultProfile(publicKey: Uint8Array): { name: string; colour: string } {
  const colour = PROFILE_COLOURS[(publicKey[0] ?? 0) % PROFILE_COLOURS.length]!.value;
  return { name: `Member ${toHex(publicKey.subarray(0, 2))}`, colour };
}

/**
 * Same rules as the ledger's profile entries (1–64 characters, no control characters, no outer
 * spaces), after trimming what the person typed.
 */
export function checkName(text: string): { ok: true; value: string } | { ok: false; error: string } {
  const name = text.trim();
  const chars = [...name].length;
  if (chars === 0) return { ok: false, error: 'Type a name of at least one character.' };
  if (chars > MAX_NAME_CHARS) return { ok: false, error: `A name can have at most ${MAX_NAME_CHARS} characters (this one has ${chars}).` };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return { ok: false, error: 'A name cannot contain line breaks or other control characters.' };
  return { ok: true, value: name };
}

export function isProfileColour(colour: string): boolean {
  return PROFILE_COLOURS.some((c) => c.value === colour);
}

export async function createWrapKey(subtle: SubtleCrypto): Promise<CryptoKey> {
  return subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

/** A brand-new identity with the default profile. */
export async function createIdentity(subtle: SubtleCrypto, now: number): Promise<IdentityRecord> {
  const pair = (await subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const publicKey = new Uint8Array(await subtle.exportKey('raw', pair.publicKey));
  const pkcs8 = new Uint8Array(await subtle.exportKey('pkcs8', pair.privateKey));
  try {
    return await sealIdentity(subtle, { publicKey, pkcs8, ...defaultProfile(publicKey) }, await createWrapKey(subtle), now);
  } finally {
    pkcs8.fill(0);
  }
}

/**
 * Builds the stored form of a key pair given as PKCS#8: wrapped with `wrapKey`, signing key
 * re-imported non-extractable. The caller owns (and should zero) `pkcs8`.
 */
export async function sealIdentity(
  subtle: SubtleCrypto,
  key: { publicKey: Uint8Array; pkcs8: Uint8Array; name: string; colour: string },
  wrapKey: CryptoKey,
  now: number,
): Promise<IdentityRecord> {
  const plain = new Uint8Array(key.pkcs8);
  try {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const data = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv }, wrapKey, plain));
    const signingKey = await subtle.importKey('pkcs8', plain, { name: 'Ed25519' }, false, ['sign']);
    return {
      publicKey: new Uint8Array(key.publicKey),
      signingKey,
      wrappedPrivateKey: { iv, data },
      wrapKey,
      name: key.name,
      colour: key.colour,
      createdAt: now,
    };
  } finally {
    plain.fill(0);
  }
}

/** The PKCS#8 private key, decrypted with the device wrap key. Zero it when done. */
export async function unwrapPrivateKey(subtle: SubtleCrypto, record: IdentityRecord): Promise<Uint8Array> {
  const { iv, data } = record.wrappedPrivateKey;
  return new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv: new Uint8Array(iv) }, record.wrapKey, new Uint8Array(data)));
}

export interface LoadedIdentity {
  record: IdentityRecord;
  /** Set when the identity works for this visit but could not be kept (or read). */
  problem: string | null;
  /** False when the stored identity could not be read: writing would overwrite an account. */
  canSave: boolean;
}

/** Reads the identity, creating and storing one on the first visit. Never rejects. */
export async function loadOrCreateIdentity(store: IdentityStore, subtle: SubtleCrypto, now: number): Promise<LoadedIdentity> {
  let existing: IdentityRecord | undefined;
  try {
    existing = await store.read();
  } catch (error) {
    const record = await createIdentity(subtle, now);
    const reason = error instanceof Error ? error.message : String(error);
    return { record, canSave: false, problem: `${reason} A temporary identity is used until you reload; nothing about it is saved.` };
  }
  if (existing) return { record: existing, problem: null, canSave: true };
  const record = await createIdentity(subtle, now);
  try {
    await store.write(record);
    return { record, problem: null, canSave: true };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { record, canSave: true, problem: `Your new identity could not be saved, so a reload would lose it. ${reason}` };
  }
}
