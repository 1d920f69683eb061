// The person using this device: their key pair (as a Signer), display name and colour, and the
// backup / restore of the key. Created once by main.ts through `Identity.load`.
//
// Invariants:
// - What the getters show is what is stored: every change is written first and applied after,
//   so a reload shows the same identity (except when `problem` says storage is unavailable).
// - `version` increases and `onChange` listeners run after every change of key or profile, so
//   profile publishing and presence can follow without polling.
// - Restoring replaces the key at once; callers holding the old `signer` must take the new one
//   from the change notification.
import { toHex, type Signer } from '../core';
import {
  backupFileName,
  checkNewPassphrase,
  createBackup,
  MAX_BACKUP_BYTES,
  NOT_A_BACKUP,
  openBackup,
} from '../net/backup-file';
import {
  checkName,
  defaultProfile,
  isProfileColour,
  loadOrCreateIdentity,
  sealIdentity,
  unwrapPrivateKey,
  type IdentityRecord,
  type IdentityStore,
} from '../net/identity-store';
import type { EconomyInvite } from '../net/invite';

export { PROFILE_COLOURS, MAX_NAME_CHARS } from '../net/identity-store';
export { MIN_PASSPHRASE_CHARS } from '../net/backup-file';

export type BackupDownload = { ok: true; blob: Blob; fileName: string } | { ok: false; error: string };
/** A restore that worked carries the economies found in the backup, still to be checked and added. */
export type RestoreResult = { ok: true; economies: readonly unknown[] } | { ok: false; error: string };
export type IdentityChange = 'profile' | 'key';

export interface IdentityOptions {
  now?: () => number;
  /** PBKDF2 iterations for new backups; only tests lower it. */
  backupIterations?: number;
}

export class Identity {
  #record = $state.raw<IdentityRecord>() as IdentityRecord;
  #problem = $state<string | null>(null);
  #version = $state(0);
  #signer = $state.raw<Signer>() as Signer;
  #canSave: boolean;
  #store: IdentityStore;
  #subtle: SubtleCrypto;
  #options: IdentityOptions;
  #listeners = new Set<(change: IdentityChange) => void>();

  private constructor(store: IdentityStore, subtle: SubtleCrypto, options: IdentityOptions, loaded: Awaited<ReturnType<typeof loadOrCreateIdentity>>) {
    this.#store = store;
    this.#subtle = subtle;
    this.#options = options;
    this.#canSave = loaded.canSave;
    this.#problem = loaded.problem;
    this.#use(loaded.record);
  }

  /** Loads this device's identity, creating it on the first visit. */
  static async load(store: IdentityStore, subtle: SubtleCrypto, options: IdentityOptions = {}): Promise<Identity> {
    const loaded = await loadOrCreateIdentity(store, subtle, (options.now ?? Date.now)());
    return new Identity(store, subtle, options, loaded);
  }

  get accountId(): string {
    return toHex(this.#record.publicKey);
  }
  /** First 8 and last 4 hex characters: enough to tell people apart at a glance. */
  get shortId(): string {
    const id = this.accountId;
    return `${id.slice(0, 8)}…${id.slice(-4)}`;
  }
  get name(): string {
    return this.#record.name;
  }
  get colour(): string {
    return this.#record.colour;
  }
  /** Whether the person chose a name; otherwise it is the "Member a8a0" made from the key. */
  get hasOwnName(): boolean {
    return this.#record.name !== defaultProfile(this.#record.publicKey).name;
  }
  get signer(): Signer {
    return this.#signer;
  }
  /** The key itself, for the ledger worker to sign own entries with (it cannot call a page's Signer). */
  get signingKey(): { publicKey: Uint8Array; signingKey: CryptoKey } {
    return { publicKey: new Uint8Array(this.#record.publicKey), signingKey: this.#record.signingKey };
  }
  get createdAt(): number {
    return this.#record.createdAt;
  }
  get restoredAt(): number | undefined {
    return this.#record.restoredAt;
  }
  /** Storage trouble to show the person, or null. */
  get problem(): string | null {
    return this.#problem;
  }
  /** Increases on every change of key or profile. */
  get version(): number {
    return this.#version;
  }

  /** Calls back after each change; returns the function that stops it. */
  onChange(callback: (change: IdentityChange) => void): () => void {
    this.#listeners.add(callback);
    return () => this.#listeners.delete(callback);
  }

  /** Returns an error message, or null when the name was saved. */
  async rename(text: string): Promise<string | null> {
    const checked = checkName(text);
    if (!checked.ok) return checked.error;
    if (checked.value === this.#record.name) return null;
    return this.#save({ ...this.#record, name: checked.value }, 'profile');
  }

  /** Name and colour at once (one profile change, so one profile entry), e.g. when joining. */
  async setProfile(name: string, colour: string): Promise<string | null> {
    const checked = checkName(name);
    if (!checked.ok) return checked.error;
    if (!isProfileColour(colour)) return 'Pick one of the colours offered.';
    if (checked.value === this.#record.name && colour === this.#record.colour) return null;
    return this.#save({ ...this.#record, name: checked.value, colour }, 'profile');
  }

  async recolour(colour: string): Promise<string | null> {
    if (!isProfileColour(colour)) return 'Pick one of the colours offered.';
    if (colour === this.#record.colour) return null;
    return this.#save({ ...this.#record, colour }, 'profile');
  }

  /**
   * The encrypted backup file for the component to download, or why there is none. `economies`
   * (their invites, secrets included) go inside the encrypted part.
   */
  async downloadBackup(passphrase: string, repeat: string = passphrase, economies: readonly EconomyInvite[] = []): Promise<BackupDownload> {
    const invalid = checkNewPassphrase(passphrase, repeat);
    if (invalid) return { ok: false, error: invalid };
    const record = this.#record;
    let pkcs8: Uint8Array | undefined;
    try {
      pkcs8 = await unwrapPrivateKey(this.#subtle, record);
      const text = await createBackup(
        this.#subtle,
        { publicKey: record.publicKey, pkcs8, name: record.name, colour: record.colour, economies },
        passphrase,
        this.#options.backupIterations === undefined ? {} : { iterations: this.#options.backupIterations },
      );
      return { ok: true, blob: new Blob([text], { type: 'application/json' }), fileName: backupFileName(record.publicKey) };
    } catch (error) {
      return { ok: false, error: `The backup could not be made: ${error instanceof Error ? error.message : String(error)}` };
    } finally {
      pkcs8?.fill(0);
    }
  }

  /**
   * Replaces this device's identity with the one in a backup file. The caller must have shown the
   * fork warning and had it confirmed. Returns an error message, or (when the restored identity
   * is saved and in use) the economies the backup holds, for Economies.addFromBackup.
   */
  async restoreFrom(file: File, passphrase: string): Promise<RestoreResult> {
    const failed = (error: string) => ({ ok: false as const, error });
    if (file.size > MAX_BACKUP_BYTES) return failed(NOT_A_BACKUP);
    let text: string;
    try {
      text = await file.text();
    } catch {
      return failed('The file could not be read. Pick it again.');
    }
    const opened = await openBackup(this.#subtle, text, passphrase);
    if (!opened.ok) return opened;
    const { publicKey, pkcs8, name, colour, economies } = opened.value;
    try {
      if (toHex(publicKey) === this.accountId) return failed('This backup holds the identity this device already uses. Nothing changed.');
      const fallback = defaultProfile(publicKey);
      const profile = {
        name: checkName(name).ok ? name.trim() : fallback.name,
        colour: isProfileColour(colour) ? colour : fallback.colour,
      };
      const now = (this.#options.now ?? Date.now)();
      const sealed = await sealIdentity(this.#subtle, { publicKey, pkcs8, ...profile }, this.#record.wrapKey, now);
      // A restore is an explicit replacement, so it may be saved even if the first read failed.
      this.#canSave = true;
      const error = await this.#save({ ...sealed, restoredAt: now }, 'key');
      return error ? failed(error) : { ok: true, economies };
    } finally {
      pkcs8.fill(0);
    }
  }

  async #save(next: IdentityRecord, change: IdentityChange): Promise<string | null> {
    if (this.#canSave) {
      try {
        await this.#store.write(next);
        this.#problem = null;
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      }
    }
    this.#use(next);
    this.#version += 1;
    for (const listener of this.#listeners) listener(change);
    return null;
  }

  #use(record: IdentityRecord): void {
    if (this.#record?.signingKey !== record.signingKey) this.#signer = createSigner(this.#subtle, record);
    this.#record = record;
  }
}

function createSigner(subtle: SubtleCrypto, record: IdentityRecord): Signer {
  const publicKey = new Uint8Array(record.publicKey);
  const key = record.signingKey;
  return {
    publicKey,
    async sign(message) {
      return new Uint8Array(await subtle.sign('Ed25519', key, new Uint8Array(message)));
    },
  };
}
