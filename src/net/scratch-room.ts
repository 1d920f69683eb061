// A throwaway shared note used by Settings → "Check a connection": two devices type the same
// check name and see each other's text, which proves signaling and WebRTC work between them
// before any economy is involved. The document lives only in memory.
//
// Document layout: one Y.Text under the key "note".
import * as Y from 'yjs';
import { connectRoom, type RoomConnection, type RoomStatus } from './room';
import type { IceServer } from './network-config';

const ORIGIN_LOCAL = 'scratch-local';

export interface ScratchRoom {
  readonly name: string;
  note(): string;
  setNote(text: string): void;
  onNoteChange(callback: () => void): () => void;
  status(): RoomStatus;
  onStatus(callback: (status: RoomStatus) => void): () => void;
  close(): void;
}

export function openScratchRoom(name: string, signaling: string[], ice: IceServer[]): ScratchRoom {
  const doc = new Y.Doc();
  const text = doc.getText('note');
  const connection: RoomConnection = connectRoom(doc, {
    room: `hourmesh-check:${name}`,
    password: `hourmesh-check:${name}`,
    signaling,
    ice,
  });
  return {
    name,
    note: () => text.toString(),
    setNote(next) {
      doc.transact(() => {
        text.delete(0, text.length);
        text.insert(0, next);
      }, ORIGIN_LOCAL);
    },
    onNoteChange(callback) {
      text.observe(callback);
      return () => text.unobserve(callback);
    },
    status: connection.status,
    onStatus: connection.onStatus,
    close() {
      connection.close();
      doc.destroy();
    },
  };
}
