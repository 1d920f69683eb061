import { describe, expect, it } from 'vitest';
import {
  checkName,
  createMemoryIdentityStore,
  defaultProfile,
  isProfileColour,
  loadOrCreateIdentity,
  sealIdentity,
  unwrapPrivateKey,
  type IdentityStore,
} from './identity-store';
import { createBackup, openBackup } from './backup-file';

const subtle = globalThis.crypto.subtle;

async function verifies(publicKey: Uint8Array, signingKey: CryptoKey): Promise<boolean> {
  const message = new TextEncoder().encode('an entry to sign');
  const signature = await subtle.sign('Ed25519', signingKey, message);
  const verifyKey = await subtle.importKey('raw', new Uint8Array(publicKey), { name: 'Ed25519' }, false, ['verify']);
  return subtle.verify('Ed25519', verifyKey, signature, message);
}

describe('identity store', () => {
  it('creates the identity once and returns the same one after a reload', async () => {
    const store = createMemoryIdentityStore();
    const first = await loadOrCreateIdentity(store, subtle, 1000);
    expect(first.problem).toBeNull();
    expect(first.record.publicKey).toHaveLength(32);
    expect(first.record).toMatchObject({ createdAt: 1000, ...defaultProfile(first.record.publicKey) });
    const again = await loadOrCreateIdentity(store, subtle, 2000);
    expect(again.record.publicKey).toEqual(first.record.publicKey);
    expect(again.record.createdAt).toBe(1000);
    expect(await verifies(again.record.publicKey, again.record.signingKey)).toBe(true);
  });

  it('keeps the signing key and the wrap key non-extractable', async () => {
    const { record } = await loadOrCreateIdentity(createMemoryIdentityStore(), subtle, 0);
    expect(record.signingKey.extractable).toBe(false);
    expect(record.wrapKey.extractable).toBe(false);
    await expect(subtle.exportKey('pkcs8', record.signingKey)).rejects.toThrow();
    await expect(subtle.exportKey('raw', record.wrapKey)).rejects.toThrow();
  });

  it('wraps the private key so only the device wrap key opens it', async () => {
    const { record } = await loadOrCreateIdentity(createMemoryIdentityStore(), subtle, 0);
    const pkcs8 = await unwrapPrivateKey(subtle, record);
    const reimported = await subtle.importKey('pkcs8', new Uint8Array(pkcs8), { name: 'Ed25519' }, false, ['sign']);
    expect(await verifies(record.publicKey, reimported)).toBe(true);
    const other = await loadOrCreateIdentity(createMemoryIdentityStore(), subtle, 0);
    await expect(unwrapPrivateKey(subtle, { ...record, wrapKey: other.record.wrapKey })).rejects.toThrow();
  });

  it('re-seals a key from a backup with another device wrap key', async () => {
    const a = (await loadOrCreateIdentity(createMemoryIdentityStore(), subtle, 0)).record;
    const b = (await loadOrCreateIdentity(createMemoryIdentityStore(), subtle, 0)).record;
    const pkcs8 = await unwrapPrivateKey(subtle, a);
    const text = await createBackup(subtle, { publicKey: a.publicKey, pkcs8, name: a.name, colour: a.colour }, 'passphrase', { iterations: 1000 });
    const opened = await openBackup(subtle, text, 'passphrase');
    if (!opened.ok) throw new Error(opened.error);
    const moved = await sealIdentity(subtle, opened.value, b.wrapKey, 5);
    expect(moved.publicKey).toEqual(a.publicKey);
    expect(moved.signingKey.extractable).toBe(false);
    expect(await verifies(a.publicKey, moved.signingKey)).toBe(true);
    expect(await unwrapPrivateKey(subtle, moved)).toEqual(pkcs8);
  });

  it('never creates a new identity over one it could not read', async () => {
    const written: unknown[] = [];
    const broken: IdentityStore = {
      read: () => Promise.reject(new Error('Your identity could not be read.')),
      write: async (record) => void written.push(record),
    };
    const loaded = await loadOrCreateIdentity(broken, subtle, 0);
    expect(loaded.canSave).toBe(false);
    expect(loaded.problem).toMatch(/could not be read/);
    expect(written).toHaveLength(0);
  });

  it('reports a refused first write but still works for the visit', async () => {
    const full: IdentityStore = {
      read: async () => undefined,
      write: () => Promise.reject(new Error('This device is out of storage space for hourmesh.')),
    };
    const loaded = await loadOrCreateIdentity(full, subtle, 0);
    expect(loaded.problem).toMatch(/could not be saved.*out of storage/);
    expect(await verifies(loaded.record.publicKey, loaded.record.signingKey)).toBe(true);
  });

  it('checks names and colours', () => {
    expect(checkName('  Ada  ')).toEqual({ ok: true, value: 'Ada' });
    expect(checkName('   ').ok).toBe(false);
    expect(checkName('x'.repeat(65)).ok).toBe(false);
    expect(checkName('😀'.repeat(64)).ok).toBe(true);
    expect(checkName('a\nb').ok).toBe(false);
    const profile = defaultProfile(new Uint8Array([0x3f, 0x2a, 1]));
    expect(profile.name).toBe('Member 3f2a');
    expect(isProfileColour(profile.colour)).toBe(true);
    expect(isProfileColour('#000000')).toBe(false);
  });
});
