// The document generations (net/generations.ts) an open economy follows, on the worker's side:
// one Yjs document per joined generation with its y-indexeddb cache, all feeding one LedgerSync.
// The rooms that carry these documents live on the pages (net/relay-rooms.ts); a page learns
// which generations to keep a room for from `onGenerations`, and reports each room's peers back
// (`setRoomState`) for the refill rule (net/refill.ts).
//
// Invariants (those of the page-side GenerationChannels before the worker, which this replaces):
// - The joined set is `generationsToJoin(now)`, re-checked on a timer (at the next moment the
//   answer can change, at least every minute); generations no longer listed are closed and their
//   cached document deleted (the entries stay in the store).
// - A document is checked by the ledger before any page is told to open its room.
// - A cached document (a reload within the generation) is re-published at once; an empty one is
//   refilled by the rule in net/refill.ts ('staggered' when entered before the end of the
//   generation's first overlap, 'on-sync' later).
// - Documents open and close one at a time (a promise chain).
// - Several tabs may each have a room for one generation: the refill rule sees the best of them
//   (one synced room is enough to know what peers hold).
import * as Y from 'yjs';
import { IndexeddbPersistence, clearDocument } from 'y-indexeddb';
import { ENTRIES_MAP, type LedgerSync } from '../net/ledger-sync';
import {
  DEFAULT_GENERATIONS, generationDocumentName, generationsToJoin, isDocumentNameOf, msUntilGenerationsChange, type GenerationClock,
} from '../net/generations';
import type { PeerState } from '../net/refill';

export interface GenerationDocsOptions {
  economyId: string;
  persistDocument: boolean;
  sync: LedgerSync;
  now: () => number;
  clock?: GenerationClock;
  /** The joined generations changed (ascending). */
  onGenerations: (list: number[]) => void;
  /** A document was added: the caller relays its updates (see ledger-host.ts). */
  onDocument: (generation: number, doc: Y.Doc) => void;
}

interface Generation {
  generation: number;
  doc: Y.Doc;
  persistence: IndexeddbPersistence | null;
  /** Per tab: that tab's room, as the refill rule sees it. */
  rooms: Map<string, PeerState>;
}

const MAX_CHECK_MS = 60_000;
const RANK: Record<PeerState, number> = { alone: 0, waiting: 1, synced: 2 };

export class GenerationDocs {
  readonly #opts: GenerationDocsOptions;
  readonly #clock: GenerationClock;
  readonly #open = new Map<number, Generation>();
  #queue: Promise<void> = Promise.resolve();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(opts: GenerationDocsOptions) {
    this.#opts = opts;
    this.#clock = opts.clock ?? DEFAULT_GENERATIONS;
  }

  /** Opens the generations to join now; resolves once their documents are followed. */
  async start(): Promise<void> {
    this.#check();
    await this.#queue;
    this.#schedule();
  }

  get generations(): number[] {
    return [...this.#open.keys()].sort((a, b) => a - b);
  }

  documentOf(generation: number): Y.Doc | undefined {
    return this.#open.get(generation)?.doc;
  }

  /** The newest joined generation's document. */
  get newest(): Y.Doc | undefined {
    const list = this.generations;
    return list.length ? this.#open.get(list[list.length - 1]!)?.doc : undefined;
  }

  setRoomState(generation: number, tab: string, peers: PeerState | null): void {
    const g = this.#open.get(generation);
    if (!g) return;
    if (peers === null) g.rooms.delete(tab);
    else g.rooms.set(tab, peers);
  }

  /** A tab went away: its rooms no longer count. */
  forgetTab(tab: string): void {
    for (const g of this.#open.values()) g.rooms.delete(tab);
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const g of this.#open.values()) {
      this.#opts.sync.removeDocument(g.doc);
      void g.persistence?.destroy();
      g.doc.destroy();
    }
    this.#open.clear();
  }

  /** Forgets every cached document of the economy on this device, whatever its generation. */
  static async clearCachedDocuments(economyId: string, now: number, clock: GenerationClock = DEFAULT_GENERATIONS): Promise<void> {
    const names = new Set([`hourmesh-doc-${economyId}`, ...generationsToJoin(now, clock).map((g) => generationDocumentName(economyId, g))]);
    for (const name of await listDatabases()) if (isDocumentNameOf(economyId, name)) names.add(name);
    await Promise.all([...names].map((name) => clearDocument(name)));
  }

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
    const before = this.generations.join(',');
    const first = this.#open.size === 0;
    for (const generation of wanted) if (!this.#closed && !this.#open.has(generation)) await this.#add(generation);
    for (const g of [...this.#open.values()]) if (!wanted.includes(g.generation)) this.#leave(g);
    if (this.#closed) return;
    if (this.generations.join(',') !== before) this.#opts.onGenerations(this.generations);
    if (this.#opts.persistDocument && first) void this.#forgetOlderCaches(wanted[0]!);
  }

  async #add(generation: number): Promise<void> {
    const doc = new Y.Doc();
    const g: Generation = { generation, doc, persistence: null, rooms: new Map() };
    if (this.#opts.persistDocument) {
      g.persistence = new IndexeddbPersistence(generationDocumentName(this.#opts.economyId, generation), doc);
      await g.persistence.whenSynced;
    }
    const cached = doc.getMap(ENTRIES_MAP).size > 0;
    // Around its start every peer enters a generation empty: stagger. Later, peers filled it long
    // ago: what they send on sync is nearly everything.
    const rotating = this.#opts.now() < generation * this.#clock.generationMs + this.#clock.overlapMs;
    this.#open.set(generation, g);
    this.#opts.onDocument(generation, doc);
    await this.#opts.sync.addDocument(doc, {
      refill: cached ? 'now' : rotating ? 'staggered' : 'on-sync',
      peers: () => {
        let best: PeerState = 'alone';
        for (const state of g.rooms.values()) if (RANK[state] > RANK[best]) best = state;
        return best;
      },
    });
  }

  #leave(g: Generation): void {
    this.#open.delete(g.generation);
    this.#opts.sync.removeDocument(g.doc);
    // Its entries are held in the store and refilled into the newer generation: the cache goes.
    // Not awaited: another context that still has it open would hold the deletion.
    const persistence = g.persistence;
    void (persistence ? persistence.clearData() : Promise.resolve()).catch(() => undefined).finally(() => g.doc.destroy());
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
