// The economies this device belongs to and the one that is open. Methods are named after what a
// person does: create, join (by invite), switch, leave. Errors come back as sentences to show.
import type { CryptoPort } from '../core';
import { EconomySession } from '../net/economy-session';
import type { LedgerClient } from '../worker/ledger-client';
import { checkInvite, checkInviteAgainstKnown, checkSecret, inviteLink, MAX_INVITE_SIGNALING, newEconomyKeys, type EconomyInvite } from '../net/invite';
import { economyIdOf } from '../core';
import type { EconomyDirectory, EconomyRecord } from '../net/economy-directory';
import type { EntryStore } from '../net/entry-store';
import type { GenerationClock } from '../net/generations';
import { ReleaseDesk } from './releases.svelte';
import { ActiveEconomy } from './active-economy.svelte';
import type { Identity } from './identity.svelte';
import type { NetworkSettings } from './network-settings.svelte';

export interface EconomiesDeps {
  directory: EconomyDirectory;
  entries: EntryStore;
  /** The ledger worker (worker/ledger-client.ts): every open economy's ledger lives there. */
  ledger: LedgerClient;
  identity: Identity;
  network: NetworkSettings;
  crypto: CryptoPort;
  now: () => number;
  randomBytes: (n: number) => Uint8Array;
  persistDocument: boolean;
  /** Document generations (net/generations.ts); the default unless a test build shortens them. */
  generations?: GenerationClock;
  /** Whether this device can reach the network (OnlineStatus); presence is empty while it cannot. */
  online?: { readonly online: boolean };
}

export interface NewEconomy {
  name: string;
  secret: string;
  /** Credit limits in milli-hours. */
  creditLimit: { MH: number; CH: number };
  /** The orchestrator's epoch length in ms, fixed for good (absent: a day). */
  epochMs?: number;
}

export class Economies {
  #list = $state.raw<EconomyRecord[]>([]);
  #active = $state.raw<ActiveEconomy | null>(null);
  /** The open economy's releases (serving the files this device keeps while it is open). */
  #releases = $state.raw<ReleaseDesk | null>(null);
  #busy = $state<string | null>(null);
  #problem = $state<string | null>(null);
  readonly #deps: EconomiesDeps;

  constructor(deps: EconomiesDeps) {
    this.#deps = deps;
    // A restored key is a different account: reopen the economy with it. A new name or colour
    // is published as a signed profile entry.
    deps.identity.onChange((change) => {
      if (change === 'key' && this.#active) void this.switchTo(this.#active.id);
      else void this.#publishProfile();
    });
  }

  get list(): readonly EconomyRecord[] {
    return this.#list;
  }
  get active(): ActiveEconomy | null {
    return this.#active;
  }

  get releases(): ReleaseDesk | null {
    return this.#releases;
  }
  /** What is happening right now ("Opening Café coders…"), or null. */
  get busy(): string | null {
    return this.#busy;
  }
  /** The last problem to show (storage full, bad invite…), or null. */
  get problem(): string | null {
    return this.#problem;
  }

  dismissProblem(): void {
    this.#problem = null;
  }

  async load(): Promise<void> {
    this.#busy = 'Loading your economies…';
    try {
      this.#list = await this.#deps.directory.list();
      const id = await this.#deps.directory.activeId();
      const record = this.#list.find((e) => e.id === id) ?? this.#list[0];
      if (record) await this.#open(record);
    } catch (error) {
      this.#problem = `Could not open your economies: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      this.#busy = null;
    }
  }

  suggestSecret(): string {
    return newEconomyKeys(this.#deps.randomBytes).secret;
  }

  async create(input: NewEconomy): Promise<string | null> {
    const name = input.name.trim();
    if (!name || name.length > 80) return 'Give the economy a name of 1 to 80 characters.';
    const badSecret = checkSecret(input.secret);
    if (badSecret) return badSecret;
    const { nonce } = newEconomyKeys(this.#deps.randomBytes);
    const founder = this.#deps.identity.accountId;
    const id = economyIdOf(founder, nonce)!;
    // A new economy (fresh nonce, so a fresh id) holds no entry of any key yet: nothing unseen to
    // wait for, even with a restored key (see mayHaveUnseenEntries).
    const record: EconomyRecord = { id, name, founder, nonce, secret: input.secret, joinedAt: this.#deps.now(), syncedAt: this.#deps.now() };
    const error = await this.#remember(record);
    if (error) return error;
    await this.#open(record);
    // The founder's first settings entry fixes the epoch length with the limits.
    const settings = await this.#active?.foundSettings({ creditLimit: input.creditLimit, ...(input.epochMs !== undefined ? { epochMs: input.epochMs } : {}) });
    return settings && !settings.ok ? settings.error : null;
  }

  async join(invite: EconomyInvite): Promise<string | null> {
    const existing = this.#list.find((e) => e.id === invite.id);
    const refused = checkInviteAgainstKnown(invite, existing);
    if (refused) return refused;
    if (existing) {
      await this.switchTo(existing.id);
      return null;
    }
    const record: EconomyRecord = { ...invite, joinedAt: this.#deps.now() };
    const error = await this.#remember(record);
    if (error) return error;
    await this.#open(record);
    return null;
  }

  async switchTo(id: string): Promise<void> {
    const record = this.#list.find((e) => e.id === id);
    if (record) await this.#open(record);
  }

  /**
   * Leaves an economy on this device: forgets its secret, its cached document and the other
   * members' entries. This identity's own entries and chain head stay (entry-store.ts), so
   * rejoining continues the same chain instead of signing a second seq 1 — a fork that would
   * freeze the account and undo payments others had already seen applied. Rejoining also waits
   * for a sync again if the key was restored (the record, with its syncedAt, is gone).
   */
  async leave(id: string): Promise<void> {
    if (this.#active?.id === id) {
      this.#releases?.close();
      this.#releases = null;
      this.#active.session.close();
      this.#active = null;
    }
    try {
      await this.#deps.directory.remove(id);
      await this.#deps.entries.removeEconomy(id, this.#deps.identity.accountId);
      if (this.#deps.persistDocument) await EconomySession.clearCachedDocument(id, this.#deps.now(), this.#deps.generations);
    } catch (error) {
      // Whatever was not removed stays on this device and is removed on the next attempt.
      this.#problem = `Leaving was not finished: ${error instanceof Error ? error.message : String(error)}`;
    }
    this.#list = this.#list.filter((e) => e.id !== id);
    const next = this.#list[0];
    if (next) await this.#open(next);
    else await this.#deps.directory.setActive(null);
  }

  /**
   * The invite carries the signaling servers this room uses other than the page's default (a
   * joiner's default is its own page's host, which may be another one).
   */
  inviteLinkOf(record: EconomyRecord): string {
    const { network } = this.#deps;
    const signaling = roomSignaling(network.signaling, record).filter((url) => url !== network.defaultSignaling).slice(0, MAX_INVITE_SIGNALING);
    return inviteLink(location.href, { ...record, signaling });
  }

  /** What a backup file keeps of each economy: what its invite holds (secrets included). */
  get invitesForBackup(): EconomyInvite[] {
    return this.#list.map(({ id, name, founder, nonce, secret, signaling }) => ({ id, name, founder, nonce, secret, ...(signaling ? { signaling } : {}) }));
  }

  /**
   * Adds the economies of a restored backup that this device does not know yet; a known one with
   * another secret is left as it is (checkInviteAgainstKnown). Opens the first added one when none
   * is open. Returns the names added and the sentences for the ones skipped.
   */
  async addFromBackup(items: readonly unknown[]): Promise<{ added: string[]; skipped: string[]; summary: string }> {
    const added: string[] = [];
    const addedIds: string[] = [];
    const skipped: string[] = [];
    for (const item of items) {
      const checked = checkInvite(item);
      if (!checked.ok) {
        skipped.push(checked.error);
        continue;
      }
      const invite = checked.invite;
      const existing = this.#list.find((e) => e.id === invite.id);
      const refused = checkInviteAgainstKnown(invite, existing);
      if (refused) skipped.push(refused);
      if (existing) continue;
      // One millisecond apart, so the list keeps the backup's order (it is sorted by joinedAt).
      const error = await this.#remember({ ...invite, joinedAt: this.#deps.now() + added.length });
      if (error) skipped.push(`${invite.name}: ${error}`);
      else {
        added.push(invite.name);
        addedIds.push(invite.id);
      }
    }
    // Not while the restored key reopens the active economy (busy): two opens would race.
    const first = this.#list.find((e) => e.id === addedIds[0]);
    if (!this.#active && this.#busy === null && first) await this.#open(first);
    const count = added.length === 1 ? '1 economy' : `${added.length} economies`;
    let summary = added.length ? `Restored your key and ${count}: ${added.join(', ')}.` : 'Restored. The backup holds no economy new to this device: open your invite links again to rejoin.';
    if (skipped.length) summary += ` Not restored: ${skipped.join(' ')}`;
    return { added, skipped, summary };
  }

  async #remember(record: EconomyRecord): Promise<string | null> {
    try {
      await this.#deps.directory.put(record);
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
    this.#list = [...this.#list.filter((e) => e.id !== record.id), record];
    return null;
  }

  async #open(record: EconomyRecord): Promise<void> {
    this.#releases?.close();
    this.#releases = null;
    this.#active?.session.close();
    this.#active = null;
    this.#busy = `Opening ${record.name}…`;
    try {
      const { identity, network } = this.#deps;
      const session = await EconomySession.open({
        record,
        signer: identity.signer,
        key: identity.signingKey,
        ledger: this.#deps.ledger,
        restored: mayHaveUnseenEntries(record, identity.restoredAt),
        crypto: this.#deps.crypto,
        network: { signaling: roomSignaling(network.signaling, record), ice: network.config.ice },
        now: this.#deps.now,
        persistDocument: this.#deps.persistDocument,
        generations: this.#deps.generations,
        onProblem: (message) => (this.#problem = message),
        onUnsharedChange: (ids) => void this.#updateRecord(record.id, { unshared: ids }),
      });
      void session.whenSyncedWithPeer().then(() => this.#updateRecord(record.id, { syncedAt: this.#deps.now() }));
      const active = new ActiveEconomy(session, this.#deps.now, () => this.#deps.online?.online ?? true);
      active.present(identity.name, identity.colour);
      this.#active = active;
      if (this.#deps.persistDocument) {
        this.#releases = new ReleaseDesk(active, { signaling: roomSignaling(network.signaling, record), ice: network.config.ice });
      }
      await this.#deps.directory.setActive(record.id).catch(() => undefined);
      // Not awaited: a restored key publishes only after a sync, and opening (or joining) must not
      // hang while no peer is online. Writes still go out in call order (one queue, own-writes.ts).
      void this.#publishProfile();
    } catch (error) {
      this.#problem = `Could not open ${record.name}: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      this.#busy = null;
    }
  }

  async #publishProfile(): Promise<void> {
    const active = this.#active;
    if (!active) return;
    const { name, colour } = this.#deps.identity;
    active.present(name, colour);
    // A restored key may have entries on another device that this one has not seen: writing
    // before the first sync would put a second entry at the same seq, a fork. So wait for a peer.
    if (mayHaveUnseenEntries(active.session.record, this.#deps.identity.restoredAt)) await active.session.whenSyncedWithPeer();
    if (this.#active !== active) return;
    const result = await active.session.publishProfile(name, colour);
    if (!result.ok) this.#problem = `Your profile was not published: ${result.error}`;
  }

  /**
   * Remembers sync facts about an economy on this device. If saving fails the facts are simply
   * not remembered: the next visit waits for a sync before writing, or shows an entry as shared
   * that was not — the entry itself is safe in the entry store either way.
   */
  async #updateRecord(id: string, change: Partial<Pick<EconomyRecord, 'syncedAt' | 'unshared'>>): Promise<void> {
    const record = this.#list.find((e) => e.id === id);
    if (!record) return;
    const next = { ...record, ...change };
    this.#list = this.#list.map((e) => (e.id === id ? next : e));
    await this.#deps.directory.put(next).catch(() => undefined);
  }
}

/** This device's signaling servers, then those the invite brought for this economy's room. */
function roomSignaling(own: readonly string[], record: EconomyRecord): string[] {
  return [...new Set([...own, ...(record.signaling ?? [])])];
}

/**
 * A key restored from a backup may have entries, written on another device, that this device has
 * not seen in this economy; writing before a sync would then fork the account. Once this device
 * has synced with a peer after the restore, its view of its own chain is current.
 */
function mayHaveUnseenEntries(record: EconomyRecord, restoredAt: number | undefined): boolean {
  return restoredAt !== undefined && !(record.syncedAt !== undefined && record.syncedAt >= restoredAt);
}
