// The page's half of an open economy's document generations: one y-webrtc room per generation
// the ledger worker follows (src/worker/generation-docs.ts), relaying each link's sync messages
// to the worker's document and the worker's updates to every link (./room.ts RoomRelay). The
// page's own Yjs document of each room stays empty; presence (awareness) stays here.
//
// Invariants:
// - The rooms open are the worker's list (`setGenerations`), which it sends only once the
//   documents are checked, so a room never connects before its document was verified.
// - Presence is written to the newest room's awareness only; who is online is read from every
//   room, once per account (as before the worker).
// - Each room's state as the refill rule sees it ('alone' / 'waiting' / 'synced') is reported to
//   the worker whenever the room's status changes.
import * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import { connectRoom, type RoomConnection, type RoomStatus } from './room';
import { onPresenceChange, readPresence, setLocalPresence, type Presence } from './presence';
import { generationRoomName } from './generations';
import type { IceServer } from './network-config';
import type { PeerState } from './refill';
import type { LedgerServiceApi } from '../worker/ledger-api';

export interface RelayRoomsOptions {
  economyId: string;
  secret: string;
  network: { signaling: string[]; ice: IceServer[] };
  ledger: LedgerServiceApi;
  /** This tab's id at the worker (LedgerServiceApi.open). */
  tab: string;
  onStatus: (status: RoomStatus) => void;
  onPresence: () => void;
  onProblem: (reason: string) => void;
}

interface Room {
  generation: number;
  /** Stays empty: y-webrtc needs a document, the worker holds the real one. */
  doc: Y.Doc;
  room: RoomConnection;
  stopPresence: () => void;
}

const NO_STATUS: RoomStatus = { signaling: [], webrtcPeers: 0, secretMismatch: false, synced: false };

function peerStateOf(status: RoomStatus): PeerState {
  if (status.webrtcPeers === 0) return 'alone';
  return status.synced ? 'synced' : 'waiting';
}

export class RelayRooms {
  readonly #opts: RelayRoomsOptions;
  readonly #rooms = new Map<number, Room>();
  #presence: Presence | null = null;
  #closed = false;

  constructor(opts: RelayRoomsOptions) {
    this.#opts = opts;
  }

  get generations(): number[] {
    return [...this.#rooms.keys()].sort((a, b) => a - b);
  }

  get #newest(): Room | undefined {
    let newest: Room | undefined;
    for (const r of this.#rooms.values()) if (!newest || r.generation > newest.generation) newest = r;
    return newest;
  }

  /** Opens rooms for generations newly followed, closes those no longer followed. */
  setGenerations(list: readonly number[]): void {
    if (this.#closed) return;
    const newestBefore = this.#newest;
    for (const generation of list) if (!this.#rooms.has(generation)) this.#open(generation);
    for (const r of [...this.#rooms.values()]) if (!list.includes(r.generation)) this.#leave(r);
    const newest = this.#newest;
    if (newest !== newestBefore) {
      if (newest && this.#presence) setLocalPresence(newest.room.awareness, this.#presence);
      // The previous generation's awareness stops announcing us; peers there drop us on its timeout.
      if (newestBefore && this.#rooms.has(newestBefore.generation)) newestBefore.room.awareness.setLocalState(null);
      this.#opts.onPresence();
      this.#opts.onStatus(this.status());
    }
  }

  /** A change of the worker's document of `generation`: to every link but the one it came from. */
  deliver(generation: number, message: Uint8Array, except: string | null): void {
    // Links are named `<tab>/<link>` at the worker; another tab's link is none of ours.
    const prefix = `${this.#opts.tab}/`;
    const mine = except !== null && except.startsWith(prefix) ? except.slice(prefix.length) : null;
    this.#rooms.get(generation)?.room.broadcast?.(message, mine);
  }

  /** Signaling of the newest room; peers, sync and a mismatch over all of them. */
  status(): RoomStatus {
    const statuses = [...this.#rooms.values()].map((r) => r.room.status());
    const newest = this.#newest?.room.status() ?? NO_STATUS;
    return {
      signaling: newest.signaling,
      webrtcPeers: Math.max(0, ...statuses.map((s) => s.webrtcPeers)),
      secretMismatch: statuses.some((s) => s.secretMismatch),
      synced: statuses.some((s) => s.synced),
    };
  }

  get awareness(): Awareness | undefined {
    return this.#newest?.room.awareness;
  }

  online(): Presence[] {
    const byAccount = new Map<string, Presence>();
    for (const r of [...this.#rooms.values()].sort((a, b) => b.generation - a.generation)) {
      for (const p of readPresence(r.room.awareness)) if (!byAccount.has(p.account)) byAccount.set(p.account, p);
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
    for (const r of this.#rooms.values()) this.#closeRoom(r);
    this.#rooms.clear();
  }

  #open(generation: number): void {
    const { economyId, ledger, tab } = this.#opts;
    const doc = new Y.Doc();
    const room = connectRoom(doc, {
      room: generationRoomName(economyId, generation), password: this.#opts.secret,
      signaling: this.#opts.network.signaling, ice: this.#opts.network.ice,
      relay: {
        receive: (link, message) => ledger.receive(economyId, generation, `${tab}/${link}`, message),
        syncStep1: () => ledger.syncStep1(economyId, generation),
        linkClosed: (link) => void ledger.linkClosed(economyId, generation, `${tab}/${link}`).catch(() => undefined),
        onProblem: (link, reason) => this.#opts.onProblem(`link ${link}: ${reason}`),
      },
    });
    const r: Room = { generation, doc, room, stopPresence: () => {} };
    this.#rooms.set(generation, r);
    let reported: PeerState | null = null;
    const report = (status: RoomStatus) => {
      const state = peerStateOf(status);
      if (state === reported) return;
      reported = state;
      void ledger.roomState(economyId, generation, tab, state).catch(() => undefined);
    };
    report(room.status());
    room.onStatus((status) => {
      report(status);
      this.#opts.onStatus(this.status());
    });
    r.stopPresence = onPresenceChange(room.awareness, this.#opts.onPresence);
  }

  #leave(r: Room): void {
    this.#rooms.delete(r.generation);
    this.#closeRoom(r);
  }

  #closeRoom(r: Room): void {
    r.stopPresence();
    r.room.close();
    r.doc.destroy();
  }
}
