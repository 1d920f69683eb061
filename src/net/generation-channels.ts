// The document generations (./generations.ts) an open economy follows: one channel per joined
// generation — its Yjs document, the document's y-indexeddb cache, its y-webrtc room — all feeding
// one LedgerSync (so one ledger and one own-entry store).
//
// Invariants:
// - The joined set is `generationsToJoin(now)`, re-checked on a timer (at the next moment the
//   answer can change, at least every minute) and on every room status change; generations no
//   longer listed are closed and their cached document deleted (the entries stay in the store).
// - A channel's document is checked by the ledger before its room connects (as at start-up).
//   A cached document (a reload within the generation) is re-published at once, as before
//   generations; an empty one is refilled by the rule in ./refill.ts ('staggered' when entered
//   before the end of the generation's first overlap, when every peer enters it empty;
//   'on-sync' later), which writes only once every connected peer of that room has sent its
//   document.
// - Presence is written to the newest channel's awareness only (one broadcast per change, not one
//   per generation); who is online is read from every channel, once per account.
// - Channels open and close one at a time (a promise chain), so a status change during an open
//   cannot open the same generation twice.
import * as Y from 'yjs';
import { IndexeddbPersistence, clearDocument } from 'y-indexeddb';
import type { Awareness } from 'y-protocols/awareness';
import { ENTRIES_MAP, type LedgerSync } from './ledger-sync';
import { connectRoom, type RoomConnection, type RoomStatus } from './room';
import { onPresenceChange, readPresence, setLocalPresence, type Presence } from './presence';
import {
  DEFAULT_GENERATIONS, generationDocumentName, generationRoomName, generationsToJoin, isDocumentNameOf, msUntilGenerationsChange,
  type GenerationClock,
} from './generations';
import type { IceServer } from './network-config';

export interface GenerationChannelsOptions {
  economyId: string;
  secret: string;
  network: { signaling: string[]; ice: IceServer[] };
  persistDocument: boolean;
  sync: LedgerSync;
  /** The wall clock generations are counted on. */
  now: () => number;
  clock?: GenerationClock;
  onStatus: (status: RoomStatus) => void;
  onPresence: () => void;
}

interface Channel {
  generation: number;
  doc: Y.Doc;
  persistence: IndexeddbPersistence | null;
  room: RoomConnection | null;
  stopPresence: () => void;
}

/** The longest wait between two checks of the joined set (a sleeping laptop, a changed clock). */
const MAX_CHECK_MS = 60_000;
const NO_STATUS: RoomStatus = { signaling: [], webrtcPeers: 0, secretMismatch: false, synced: false };

export class GenerationChannels {
  readonly #opts: GenerationChannelsOptions;
  readonly #clock: GenerationClock;
  readonly #channels = new Map<number, Channel>();
  #queue: Promise<void> = Promise.resolve();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #presence: Presence | null = null;
  /** Stands in for `doc` before the first channel opens (never shared). */
  readonly #placeholder = new Y.Doc();

  constructor(opts: GenerationChannelsOptions) {
    this.#opts = opts;
    this.#clock = opts.clock ?? DEFAULT_GENERATIONS;
  }

  /** Opens the generations to join now; resolves once their documents are followed. */
  async start(): Promise<void> {
    this.#check();
    await this.#queue;
    this.#schedule();
  }

  /** The newest joined generation's channel. */
  get #newest(): Channel | undefined {
    let newest: Channel | undefined;
    for (const channel of this.#channels.values()) if (!newest || channel.generation > newest.generation) newest = channel;
    return newest;
  }

  /** The newest joined generation's document (what a late joiner downloads). */
  get doc(): Y.Doc {
    return this.#newest?.doc ?? this.#placeholder;
  }

  get generations(): number[] {
    return [...this.#channels.keys()].sort((a, b) => a - b);
  }

  documentOf(generation: number): Y.Doc | undefined {
    return this.#channels.get(generation)?.doc;
  }

  /** Signaling of the newest room; peers, sync and a mismatch over all of them. */
  status(): RoomStatus {
    const statuses = [...this.#channels.values()].map((c) => c.room?.status() ?? NO_STATUS);
    const newest = this.#newest?.room?.status() ?? NO_STATUS;
    return {
      signaling: newest.signaling,
      webrtcPeers: Math.max(0, ...statuses.map((s) => s.webrtcPeers)),
      secretMismatch: statuses.some((s) => s.secretMismatch),
      synced: statuses.some((s) => s.synced),
    };
  }

  get awareness(): Awareness | undefined {
    return this.#newest?.room?.awareness;
  }

  online(): Presence[] {
    const byAccount = new Map<string, Presence>();
    for (const channel of [...this.#channels.values()].sort((a, b) => b.generation - a.generation)) {
      for (const p of channel.room ? readPresence(channel.room.awareness) : []) if (!byAccount.has(p.account)) byAccount.set(p.account, p);
    }
    return [...byAccount.values()];
  }

  setPresence(presence: Presence): void {
    this.#presence = presence;
    const awareness = this.awareness;
    if (awareness) setLocalPresence(awareness, presence);
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const channel of this.#channels.values()) {
      this.#opts.sync.removeDocument(channel.doc);
      channel.stopPresence();
      channel.room?.close();
      void channel.persistence?.destroy();
      channel.doc.destroy();
    }
    this.#channels.clear();
    this.#placeholder.destroy();
  }

  /** Forgets every cached document of the economy on this device, whatever its generation. */
  static async clearCachedDocuments(economyId: string, now: number, clock: GenerationClock = DEFAULT_GENERATIONS): Promise<void> {
    const names = new Set([`hourmesh-doc-${economyId}`, ...generationsToJoin(now, clock).map((g) => generationDocumentName(economyId, g))]);
    for (const name of await listDatabases()) if (isDocumentNameOf(economyId, name)) names.add(name);
    await Promise.all([...names].map((name) => clearDocument(name)));
  }

  /** Re-checks which generations to follow (cheap when nothing changed). */
  #check(): void {
    if (this.#closed) return;
    this.#queue = this.#queue.then(() => this.#reconcile()).catch(() => undefined);
  }

  #schedule(): void {
    if (this.#closed) return;
    const wait = Math.min(MAX_CHECK_MS, msUntilGenerationsChange(this.#opts.now(), this.#clock));
    this.#timer = setTimeout(() => {
      this.#check();
      this.#schedule();
    }, wait);
  }

  async #reconcile(): Promise<void> {
    const wanted = generationsToJoin(this.#opts.now(), this.#clock);
    const newestBefore = this.#newest;
    for (const generation of wanted) if (!this.#closed && !this.#channels.has(generation)) await this.#open(generation);
    for (const channel of [...this.#channels.values()]) if (!wanted.includes(channel.generation)) await this.#leave(channel);
    if (this.#closed) return;
    const newest = this.#newest;
    if (newest !== newestBefore) {
      if (newest?.room && this.#presence) setLocalPresence(newest.room.awareness, this.#presence);
      // The previous generation's awareness stops announcing us; peers there drop us on its timeout.
      if (newestBefore?.room && this.#channels.has(newestBefore.generation)) newestBefore.room.awareness.setLocalState(null);
      this.#opts.onPresence();
      this.#opts.onStatus(this.status());
    }
    if (this.#opts.persistDocument && newestBefore === undefined) void this.#forgetOlderCaches(wanted[0]!);
  }

  async #open(generation: number): Promise<void> {
    const { economyId, sync } = this.#opts;
    const doc = new Y.Doc();
    const channel: Channel = { generation, doc, persistence: null, room: null, stopPresence: () => {} };
    if (this.#opts.persistDocument) {
      channel.persistence = new IndexeddbPersistence(generationDocumentName(economyId, generation), doc);
      await channel.persistence.whenSynced;
    }
    const cached = doc.getMap(ENTRIES_MAP).size > 0;
    // Around its start every peer enters a generation empty: stagger. Later, peers filled it long
    // ago: what they send on sync is nearly everything.
    const rotating = this.#opts.now() < generation * this.#clock.generationMs + this.#clock.overlapMs;
    this.#channels.set(generation, channel);
    await sync.addDocument(doc, {
      refill: cached ? 'now' : rotating ? 'staggered' : 'on-sync',
      peers: () => {
        const status = channel.room?.status();
        if (!status || status.webrtcPeers === 0) return 'alone';
        return status.synced ? 'synced' : 'waiting';
      },
    });
    if (this.#closed || this.#channels.get(generation) !== channel) return;
    channel.room = connectRoom(doc, {
      room: generationRoomName(economyId, generation), password: this.#opts.secret,
      signaling: this.#opts.network.signaling, ice: this.#opts.network.ice,
    });
    channel.room.onStatus(() => {
      this.#opts.onStatus(this.status());
      this.#check();
    });
    channel.stopPresence = onPresenceChange(channel.room.awareness, this.#opts.onPresence);
  }

  async #leave(channel: Channel): Promise<void> {
    this.#channels.delete(channel.generation);
    this.#opts.sync.removeDocument(channel.doc);
    channel.stopPresence();
    channel.room?.close();
    // Its entries are held in the store and refilled into the newer generation: the cache goes.
    // Not awaited: another tab that still has it open would hold the deletion (and this queue).
    const persistence = channel.persistence;
    void (persistence ? persistence.clearData() : Promise.resolve()).catch(() => undefined).finally(() => channel.doc.destroy());
  }

  /** Cached documents of generations before `oldest` (or from before generations existed). */
  async #forgetOlderCaches(oldest: number): Promise<void> {
    const prefix = `hourmesh-doc-${this.#opts.economyId}`;
    const stale = (await listDatabases()).filter((name) => {
      if (!isDocumentNameOf(this.#opts.economyId, name)) return false;
      const generation = Number(name.slice(prefix.length + 2));
      return name === prefix || generation < oldest;
    });
    await Promise.all(stale.map((name) => clearDocument(name).catch(() => undefined)));
  }
}

async function listDatabases(): Promise<string[]> {
  try {
    const found = typeof indexedDB !== 'undefined' && indexedDB.databases ? await indexedDB.databases() : [];
    return found.map((d) => d.name ?? '').filter((name) => name !== '');
  } catch {
    return [];
  }
}
