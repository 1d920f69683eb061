// Settings → "Check a connection": join a named scratch room and share a note with another
// device. Status and note are read through createSubscriber from the live room, never copied.
import { createSubscriber } from 'svelte/reactivity';
import { openScratchRoom, type ScratchRoom } from '../net/scratch-room';
import type { RoomStatus } from '../net/room';
import type { NetworkSettings } from './network-settings.svelte';

const idle: RoomStatus = { signaling: [], webrtcPeers: 0, secretMismatch: false, synced: false };

/** A joined room with its own subscribers, so a new room never inherits a stale subscription. */
class LiveRoom {
  readonly room: ScratchRoom;
  readonly subscribeNote: () => void;
  readonly subscribeStatus: () => void;
  constructor(room: ScratchRoom) {
    this.room = room;
    this.subscribeNote = createSubscriber((update) => room.onNoteChange(update));
    this.subscribeStatus = createSubscriber((update) => room.onStatus(update));
  }
}

export class ConnectionCheck {
  #live = $state.raw<LiveRoom | null>(null);
  #settings: NetworkSettings;

  constructor(settings: NetworkSettings) {
    this.#settings = settings;
  }

  get joined(): string | null {
    return this.#live?.room.name ?? null;
  }

  get note(): string {
    const live = this.#live;
    if (!live) return '';
    live.subscribeNote();
    return live.room.note();
  }

  get status(): RoomStatus {
    const live = this.#live;
    if (!live) return idle;
    live.subscribeStatus();
    return live.room.status();
  }

  /** A short sentence saying what is happening, for people, not engineers. */
  get summary(): string {
    if (!this.#live) return 'Not checking.';
    const s = this.status;
    const up = s.signaling.filter((x) => x.connected).length;
    if (up === 0) return `Cannot reach the signaling server (${s.signaling.map((x) => x.url).join(', ')}) yet. Is it running, and is the address right?`;
    if (s.webrtcPeers === 0) return 'Signaling server reached. Waiting for another device to join the same check name…';
    return `Connected directly to ${s.webrtcPeers} other device${s.webrtcPeers === 1 ? '' : 's'}.`;
  }

  join(name: string): void {
    this.leave();
    this.#live = new LiveRoom(openScratchRoom(name.trim(), this.#settings.signaling, this.#settings.config.ice));
  }

  leave(): void {
    this.#live?.room.close();
    this.#live = null;
  }

  setNote(text: string): void {
    this.#live?.room.setNote(text);
  }
}
