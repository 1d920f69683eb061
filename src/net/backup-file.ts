// Passphrase-protected backup file of an identity's private key and the economies it belongs to.
//
// Wire format (JSON, UTF-8), version 2 (version 1 is still read):
//   { format: "hourmesh-key-backup", version: 1,
//     publicKey: <64 lowercase hex chars>, name: <display name>, colour: <#rrggbb>,
//     kdf: { name: "PBKDF2", hash: "SHA-256", iterations: <int>, salt: <base64 of 16 bytes> },
//     cipher: { name: "AES-GCM", iv: <base64 of 12 bytes> },
//     data: <base64 of AES-GCM(plaintext) with its 16-byte tag> }
// Version 2 plaintext: UTF-8 JSON { key: <base64 of the PKCS#8 Ed25519 private key>,
//   economies: [{ id, name, founder, nonce, secret, signaling? }] } — the economies' invites are
//   secrets, so they live only inside the encrypted part. Version 1 plaintext: the PKCS#8 bytes.
// The AES-GCM additional data is the UTF-8 text "hourmesh-key-backup/<version>", binding the
// ciphertext to this format and version.
//
// Invariants:
// - The public key is deliberately NOT in the additional data: after decrypting, the key inside
//   signs a challenge that must verify under the header's public key. A swapped header is caught
//   either way, and checking after decryption lets us say "the key does not match" instead of the
//   misleading "wrong passphrase".
// - AES-GCM cannot tell a wrong passphrase from a changed ciphertext, salt or IV: both fail the
//   tag check and are reported as the passphrase not opening the backup.
// - Nothing here touches storage or the DOM: SubtleCrypto and the random source are parameters, so
//   Node tests run the same code with `globalThis.crypto.subtle` and few PBKDF2 iterations.
// - openBackup never throws: every failure becomes a message a person can act on.

import { toHex } from '../core';

export const BACKUP_FORMAT = 'hourmesh-key-backup';
export const BACKUP_VERSION = 2;
/** OWASP's 2023 floor for PBKDF2-HMAC-SHA-256. */
export const BACKUP_ITERATIONS = 310_000;
/** Above this a file would freeze the tab for minutes: treat it as damaged, not as a real backup. */
const MAX_ITERATIONS = 10_000_000;
/** A real backup is well under 1 kB; anything much larger is some other file. */
export const MAX_BACKUP_BYTES = 64 * 1024;
export const MIN_PASSPHRASE_CHARS = 8;

const aadOf = (version: number) => new TextEncoder().encode(`${BACKUP_FORMAT}/${version}`);
const AAD = aadOf(BACKUP_VERSION);

export const WRONG_PASSPHRASE = 'The passphrase does not open this backup.';
export const NOT_A_BACKUP = 'This file is not a hourmesh backup.';
export const KEY_MISMATCH = 'The key inside this backup does not match the account id written on it: the file was altered. Use another copy.';

/** What a backup carries: the key pair (as PKCS#8 + raw public key), the profile, the economies. */
export interface BackupContents {
  publicKey: Uint8Array;
  pkcs8: Uint8Array;
  name: string;
  colour: string;
  /**
   * The invites of the economies the person belongs to. Read back unchecked (any objects): the
   * restoring side checks each like an invite (net/invite.ts checkInvite). Empty for version 1.
   */
  economies: readonly unknown[];
}

export interface BackupFile {
  format: typeof BACKUP_FORMAT;
  version: 1 | 2;
  publicKey: string;
  name: string;
  colour: string;
  kdf: { name: 'PBKDF2'; hash: 'SHA-256'; iterations: number; salt: string };
  cipher: { name: 'AES-GCM'; iv: string };
  data: string;
}

export type OpenBackupResult = { ok: true; value: BackupContents } | { ok: false; error: string };

export interface CreateBackupOptions {
  iterations?: number;
  /** Fills the array with random bytes; defaults to crypto.getRandomValues. */
  random?: (bytes: Uint8Array<ArrayBuffer>) => void;
}

/** Returns a message when the passphrase is not acceptable for a new backup, else null. */
export function checkNewPassphrase(passphrase: string, repeat: string): string | null {
  if ([...passphrase].length < MIN_PASSPHRASE_CHARS) return `The passphrase needs at least ${MIN_PASSPHRASE_CHARS} characters.`;
  if (passphrase !== repeat) return 'The two passphrases differ. Type the same passphrase twice.';
  return null;
}

/** `hourmesh-backup-<first 8 hex>-<last 4 hex>.json`: the short id, in characters a file name allows. */
export function backupFileName(publicKey: Uint8Array): string {
  const hex = toHex(publicKey);
  return `hourmesh-backup-${hex.slice(0, 8)}-${hex.slice(-4)}.json`;
}

export async function createBackup(
  subtle: SubtleCrypto,
  contents: Omit<BackupContents, 'economies'> & { economies?: readonly unknown[] },
  passphrase: string,
  options: CreateBackupOptions = {},
): Promise<string> {
  const iterations = options.iterations ?? BACKUP_ITERATIONS;
  const random = options.random ?? ((bytes) => crypto.getRandomValues(bytes));
  const salt = new Uint8Array(16);
  const iv = new Uint8Array(12);
  random(salt);
  random(iv);
  const key = await derivePassphraseKey(subtle, passphrase, salt, iterations);
  const plaintext = new TextEncoder().encode(JSON.stringify({ key: toBase64(contents.pkcs8), economies: contents.economies ?? [] }));
  const data = await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: AAD }, key, plaintext);
  plaintext.fill(0);
  const file: BackupFile = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    publicKey: toHex(contents.publicKey),
    name: contents.name,
    colour: contents.colour,
    kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations, salt: toBase64(salt) },
    cipher: { name: 'AES-GCM', iv: toBase64(iv) },
    data: toBase64(new Uint8Array(data)),
  };
  return JSON.stringify(file, null, 2);
}

export async function openBackup(subtle: SubtleCrypto, text: string, passphrase: string): Promise<OpenBackupResult> {
  const header = parseBackupHeader(text);
  if (!header.ok) return header;
  const { publicKey, salt, iv, data, iterations, name, colour, version } = header.value;
  let plaintext: Uint8Array<ArrayBuffer>;
  try {
    const key = await derivePassphraseKey(subtle, passphrase, salt, iterations);
    plaintext = new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv, additionalData: aadOf(version) }, key, data));
  } catch {
    return { ok: false, error: WRONG_PASSPHRASE };
  }
  let inner: { pkcs8: Uint8Array<ArrayBuffer>; economies: unknown[] } | undefined = { pkcs8: plaintext, economies: [] };
  if (version !== 1) {
    inner = readPlaintext(plaintext);
    plaintext.fill(0);
  }
  if (!inner) return { ok: false, error: 'This backup file is damaged: its contents cannot be read.' };
  const { pkcs8, economies } = inner;
  const matches = await keyMatches(subtle, pkcs8, publicKey);
  if (matches === undefined) return { ok: false, error: 'This backup file is damaged: the key inside cannot be read.' };
  if (!matches) return { ok: false, error: KEY_MISMATCH };
  return { ok: true, value: { publicKey, pkcs8, name, colour, economies } };
}

/** The decrypted part of a version 2 file; undefined when it is not what createBackup writes. */
function readPlaintext(plaintext: Uint8Array): { pkcs8: Uint8Array<ArrayBuffer>; economies: unknown[] } | undefined {
  try {
    const json: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext));
    if (!isObject(json) || !Array.isArray(json.economies)) return undefined;
    const pkcs8 = fromBase64(json.key);
    return pkcs8 ? { pkcs8, economies: json.economies.filter(isObject) } : undefined;
  } catch {
    return undefined;
  }
}

interface BackupHeader {
  version: 1 | 2;
  publicKey: Uint8Array<ArrayBuffer>;
  name: string;
  colour: string;
  iterations: number;
  salt: Uint8Array<ArrayBuffer>;
  iv: Uint8Array<ArrayBuffer>;
  data: Uint8Array<ArrayBuffer>;
}

function parseBackupHeader(text: string): { ok: true; value: BackupHeader } | { ok: false; error: string } {
  const damaged = (what: string) => ({ ok: false as const, error: `This backup file is damaged (${what}). Use another copy.` });
  if (text.length > MAX_BACKUP_BYTES) return { ok: false, error: NOT_A_BACKUP };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: NOT_A_BACKUP };
  }
  if (!isObject(json) || json.format !== BACKUP_FORMAT) return { ok: false, error: NOT_A_BACKUP };
  if (json.version !== 1 && json.version !== BACKUP_VERSION) {
    return typeof json.version === 'number' && json.version > BACKUP_VERSION
      ? { ok: false, error: 'This backup was made by a newer version of hourmesh. Update the app and try again.' }
      : damaged('unknown version');
  }
  const publicKey = parsePublicKeyHex(json.publicKey);
  if (!publicKey) return damaged('account id');
  const { kdf, cipher } = json;
  if (!isObject(kdf) || kdf.name !== 'PBKDF2' || kdf.hash !== 'SHA-256') return damaged('key derivation');
  const iterations = kdf.iterations;
  if (typeof iterations !== 'number' || !Number.isInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) {
    return damaged('iteration count');
  }
  const salt = fromBase64(kdf.salt);
  if (!salt || salt.length !== 16) return damaged('salt');
  if (!isObject(cipher) || cipher.name !== 'AES-GCM') return damaged('cipher');
  const iv = fromBase64(cipher.iv);
  if (!iv || iv.length !== 12) return damaged('IV');
  const data = fromBase64(json.data);
  // 16 bytes of tag at least; an Ed25519 PKCS#8 is 48 bytes.
  if (!data || data.length <= 16) return damaged('encrypted key');
  // The profile is not secret and not protected: it only pre-fills the name and colour.
  const name = typeof json.name === 'string' ? json.name : '';
  const colour = typeof json.colour === 'string' ? json.colour : '';
  return { ok: true, value: { version: json.version, publicKey, name, colour, iterations, salt, iv, data } };
}

/** undefined when the bytes are not an Ed25519 PKCS#8 key at all. */
async function keyMatches(subtle: SubtleCrypto, pkcs8: Uint8Array<ArrayBuffer>, publicKey: Uint8Array<ArrayBuffer>): Promise<boolean | undefined> {
  let signingKey: CryptoKey;
  try {
    signingKey = await subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, false, ['sign']);
  } catch {
    return undefined;
  }
  try {
    const verifyKey = await subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
    const challenge = AAD;
    const signature = await subtle.sign('Ed25519', signingKey, challenge);
    return await subtle.verify('Ed25519', verifyKey, signature, challenge);
  } catch {
    // A header public key that is not a valid curve point cannot match anything.
    return false;
  }
}

async function derivePassphraseKey(subtle: SubtleCrypto, passphrase: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<CryptoKey> {
  const material = await subtle.importKey('raw', new TextEncoder().encode(passphrase), 'PBKDF2', false, ['deriveKey']);
  return subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

function parsePublicKeyHex(value: unknown): Uint8Array<ArrayBuffer> | undefined {
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) return undefined;
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = parseInt(value.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary);
}

/** undefined for anything that is not canonical base64 text. */
export function fromBase64(value: unknown): Uint8Array<ArrayBuffer> | undefined {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) return undefined;
  try {
    const binary = atob(value);
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  } catch {
    return undefined;
  }
}
