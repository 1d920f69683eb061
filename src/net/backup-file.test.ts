import { describe, expect, it } from 'vitest';
import {
  backupFileName,
  checkNewPassphrase,
  createBackup,
  KEY_MISMATCH,
  NOT_A_BACKUP,
  openBackup,
  WRONG_PASSPHRASE,
  type BackupContents,
} from './backup-file';

const subtle = globalThis.crypto.subtle;
// Few iterations keep the tests fast; the app uses BACKUP_ITERATIONS.
const FAST = { iterations: 1_000 };

async function makeKey(): Promise<BackupContents> {
  const pair = (await subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  return {
    publicKey: new Uint8Array(await subtle.exportKey('raw', pair.publicKey)),
    pkcs8: new Uint8Array(await subtle.exportKey('pkcs8', pair.privateKey)),
    name: 'Ada',
    colour: '#1d4ed8',
    economies: [],
  };
}

function edit(text: string, change: (file: Record<string, any>) => void): string {
  const file = JSON.parse(text);
  change(file);
  return JSON.stringify(file);
}

describe('backup file', () => {
  it('round-trips the key and profile with the right passphrase', async () => {
    const key = await makeKey();
    const text = await createBackup(subtle, key, 'correct horse', FAST);
    const file = JSON.parse(text);
    expect(file).toMatchObject({ format: 'hourmesh-key-backup', version: 2, name: 'Ada', colour: '#1d4ed8' });
    expect(file.kdf).toMatchObject({ name: 'PBKDF2', hash: 'SHA-256', iterations: 1_000 });
    expect(atob(file.kdf.salt)).toHaveLength(16);
    expect(atob(file.cipher.iv)).toHaveLength(12);
    expect(text).not.toContain(btoa(String.fromCharCode(...key.pkcs8)));

    const opened = await openBackup(subtle, text, 'correct horse');
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    expect(opened.value.publicKey).toEqual(key.publicKey);
    expect(opened.value.pkcs8).toEqual(key.pkcs8);
    expect(opened.value.name).toBe('Ada');
  });

  it('uses at least 310,000 PBKDF2 iterations and fresh salt and IV by default', async () => {
    const key = await makeKey();
    const [a, b] = await Promise.all([createBackup(subtle, key, 'passphrase'), createBackup(subtle, key, 'passphrase')]);
    const fa = JSON.parse(a);
    const fb = JSON.parse(b);
    expect(fa.kdf.iterations).toBeGreaterThanOrEqual(310_000);
    expect(fa.kdf.salt).not.toBe(fb.kdf.salt);
    expect(fa.cipher.iv).not.toBe(fb.cipher.iv);
  });

  it('carries the economies inside the encrypted part only', async () => {
    const economies = [
      { id: 'a'.repeat(64), name: 'Café coders', founder: 'b'.repeat(64), nonce: 'c'.repeat(32), secret: 'the-economy-secret' },
      { id: 'd'.repeat(64), name: 'Night shift', founder: 'e'.repeat(64), nonce: 'f'.repeat(32), secret: 'another-secret', signaling: ['wss://s.example/signal'] },
    ];
    const text = await createBackup(subtle, { ...(await makeKey()), economies }, 'correct horse', FAST);
    expect(text).not.toContain('Café coders');
    expect(text).not.toContain('the-economy-secret');
    const opened = await openBackup(subtle, text, 'correct horse');
    expect(opened.ok && opened.value.economies).toEqual(economies);
    // The version is bound to the ciphertext: calling a version 2 file version 1 does not open it.
    expect((await openBackup(subtle, edit(text, (f) => (f.version = 1)), 'correct horse')).ok).toBe(false);
  });

  it('still opens a version 1 file (key only, no economies)', async () => {
    const key = await makeKey();
    const salt = new Uint8Array(16).fill(1);
    const iv = new Uint8Array(12).fill(2);
    const material = await subtle.importKey('raw', new TextEncoder().encode('correct horse'), 'PBKDF2', false, ['deriveKey']);
    const aes = await subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations: 1_000 }, material, { name: 'AES-GCM', length: 256 }, false, ['encrypt']);
    const data = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: new TextEncoder().encode('hourmesh-key-backup/1') }, aes, new Uint8Array(key.pkcs8)));
    const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
    const v1 = JSON.stringify({
      format: 'hourmesh-key-backup', version: 1, publicKey: Buffer.from(key.publicKey).toString('hex'), name: 'Ada', colour: '#1d4ed8',
      kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: 1_000, salt: b64(salt) }, cipher: { name: 'AES-GCM', iv: b64(iv) }, data: b64(data),
    });
    const opened = await openBackup(subtle, v1, 'correct horse');
    expect(opened.ok && opened.value.pkcs8).toEqual(key.pkcs8);
    expect(opened.ok && opened.value.economies).toEqual([]);
  });

  it('names the file after the short id', async () => {
    const key = new Uint8Array(32).map((_, i) => i);
    expect(backupFileName(key)).toBe('hourmesh-backup-00010203-1e1f.json');
  });

  it('says when the passphrase does not open the backup', async () => {
    const text = await createBackup(subtle, await makeKey(), 'correct horse', FAST);
    expect(await openBackup(subtle, text, 'wrong horse')).toEqual({ ok: false, error: WRONG_PASSPHRASE });
  });

  it('rejects a flipped byte in the encrypted key', async () => {
    const text = await createBackup(subtle, await makeKey(), 'correct horse', FAST);
    const tampered = edit(text, (f) => {
      const bytes = Uint8Array.from(atob(f.data), (c) => c.charCodeAt(0));
      bytes[5]! ^= 0x01;
      f.data = btoa(String.fromCharCode(...bytes));
    });
    const opened = await openBackup(subtle, tampered, 'correct horse');
    expect(opened.ok).toBe(false);
  });

  it('detects a swapped public key', async () => {
    const text = await createBackup(subtle, await makeKey(), 'correct horse', FAST);
    const other = await makeKey();
    const swapped = edit(text, (f) => {
      f.publicKey = Buffer.from(other.publicKey).toString('hex');
    });
    expect(await openBackup(subtle, swapped, 'correct horse')).toEqual({ ok: false, error: KEY_MISMATCH });
  });

  it('refuses other files and damaged headers', async () => {
    const text = await createBackup(subtle, await makeKey(), 'correct horse', FAST);
    expect(await openBackup(subtle, 'not json {', 'correct horse')).toEqual({ ok: false, error: NOT_A_BACKUP });
    expect(await openBackup(subtle, '[1,2]', 'correct horse')).toEqual({ ok: false, error: NOT_A_BACKUP });
    const wrongFormat = edit(text, (f) => (f.format = 'some-other-backup'));
    expect(await openBackup(subtle, wrongFormat, 'correct horse')).toEqual({ ok: false, error: NOT_A_BACKUP });
    const newer = await openBackup(subtle, edit(text, (f) => (f.version = 3)), 'correct horse');
    expect(newer.ok || newer.error).toMatch(/newer version/);
    for (const change of [
      (f: Record<string, any>) => (f.kdf.salt = 'AAAA'),
      (f: Record<string, any>) => (f.kdf.iterations = 0),
      (f: Record<string, any>) => (f.kdf.hash = 'SHA-1'),
      (f: Record<string, any>) => (f.cipher.iv = '!!!'),
      (f: Record<string, any>) => (f.publicKey = 'abcd'),
      (f: Record<string, any>) => delete f.data,
    ]) {
      const opened = await openBackup(subtle, edit(text, change), 'correct horse');
      expect(opened.ok || opened.error).toMatch(/damaged/);
    }
  });

  it('asks for a long enough passphrase, typed twice the same', () => {
    expect(checkNewPassphrase('short', 'short')).toMatch(/at least 8/);
    expect(checkNewPassphrase('long enough', 'long enougH')).toMatch(/differ/);
    expect(checkNewPassphrase('long enough', 'long enough')).toBeNull();
  });
});
