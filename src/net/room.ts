// One y-webrtc room: a Yjs document shared with every peer that knows the room name and password.
//
// Invariants:
// - Chunking is installed before the first provider exists (see ./chunked-peer.ts): without it a
//   message over 256 KiB kills the data channel for good.
// - y-webrtc allows one provider per room name per page; callers keep one RoomConnection per room
//   and `close()` it before opening the room again.
// - The password encrypts everything that passes through the signaling server (y-webrtc derives
//   an AES-GCM key with PBKDF2 from it), so a peer with the wrong password never sees the others.
import { WebrtcProvider } from 'y-webrtc';
import type * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { fromBase64, toBase64 } from 'lib0/buffer';
import { installChunking } from './chunked-peer';
import type { IceServer } from './network-config';

installChunking();

export interface RoomOptions {
  room: string;
  password: string;
  signaling: string[];
  ice: IceServer[];
}

export interface SignalingStatus {
  url: string;
  connected: boolean;
}

export interface RoomStatus {
  signaling: SignalingStatus[];
  /** Peers connected over WebRTC (not through BroadcastChannel between tabs of one browser). */
  webrtcPeers: number;
  /** Someone announced themselves in this room with a different password (secret). */
  secretMismatch: boolean;
  /** At least one peer is connected and every connected peer has sent us its document. */
  synced: boolean;
}

export interface RoomConnection {
  readonly awareness: Awareness;
  status(): RoomStatus;
  /** Calls back whenever the signaling or peer status changes; returns the unsubscribe. */
  onStatus(callback: (status: RoomStatus) => void): () => void;
  close(): void;
}

/** The minimum of lib0's WebsocketClient that we read. */
interface SignalingConnLike {
  url: string;
  connected: boolean;
  send(message: object): void;
  on(event: 'connect' | 'disconnect' | 'message', f: (message?: unknown) => void): void;
  off(event: 'connect' | 'disconnect' | 'message', f: (message?: unknown) => void): void;
}

/** The same encrypted announce y-webrtc sends when it joins (crypto.js format, see above). */
async function encryptAnnounce(peerId: string, key: CryptoKey): Promise<string> {
  const plain = encoding.createEncoder();
  encoding.writeAny(plain, { type: 'announce', from: peerId });
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const cipher = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, encoding.toUint8Array(plain));
  const out = encoding.createEncoder();
  encoding.writeVarString(out, 'AES-GCM');
  encoding.writeVarUint8Array(out, iv);
  encoding.writeVarUint8Array(out, new Uint8Array(cipher));
  return toBase64(encoding.toUint8Array(out));
}

/**
 * True when a signaling message of this room cannot be opened with our key: its sender used a
 * different password. y-webrtc drops such messages silently; we count them to tell the person.
 * Format (y-webrtc's crypto.js): base64 of varString "AES-GCM", varUint8Array iv, varUint8Array data.
 */
async function isForeignSecret(data: string, key: CryptoKey): Promise<boolean> {
  try {
    const decoder = decoding.createDecoder(fromBase64(data));
    if (decoding.readVarString(decoder) !== 'AES-GCM') return true;
    const iv = decoding.readVarUint8Array(decoder);
    const cipher = decoding.readVarUint8Array(decoder);
    await crypto.subtle.decrypt({ name: 'AES-GCM', iv: new Uint8Array(iv) }, key, new Uint8Array(cipher));
    return false;
  } catch {
    return true;
  }
}

export function connectRoom(doc: Y.Doc, options: RoomOptions): RoomConnection {
  const provider = new WebrtcProvider(options.room, doc, {
    signaling: options.signaling,
    password: options.password,
    // Explicit empty ICE list: simple-peer's default points at public STUN servers, which are not
    // reachable from a closed network and only slow down gathering. Loopback and LAN work without.
    peerOpts: { config: { iceServers: options.ice } },
  });
  const listeners = new Set<(status: RoomStatus) => void>();
  const conns = provider.signalingConns as unknown as SignalingConnLike[];

  let secretMismatch = false;
  const status = (): RoomStatus => {
    const webrtcPeers = [...(provider.room?.webrtcConns.values() ?? [])].filter((c) => c.connected).length;
    return {
      signaling: conns.map((c) => ({ url: c.url, connected: c.connected })),
      webrtcPeers,
      secretMismatch,
      synced: webrtcPeers > 0 && provider.room?.synced === true,
    };
  };
  const notify = () => {
    const now = status();
    for (const listener of listeners) listener(now);
  };
  // y-webrtc emits 'peers' when a connection is created or closed, but nothing when its data
  // channel opens; watch each new simple-peer for 'connect' so the count is live.
  const watched = new WeakSet<object>();
  const onPeers = () => {
    for (const conn of provider.room?.webrtcConns.values() ?? []) {
      if (watched.has(conn.peer)) continue;
      watched.add(conn.peer);
      conn.peer.on('connect', notify);
    }
    notify();
  };
  provider.on('peers', onPeers);
  provider.on('status', notify);
  provider.on('synced', notify);
  // A newcomer with the wrong secret announces itself; we cannot read it, and y-webrtc would not
  // answer, so the newcomer would hear nothing at all. Re-announcing ourselves (at most every few
  // seconds) lets it fail to read *our* message, and so learn that the secrets differ.
  let lastReannounce = 0;
  const reannounce = async (conn: SignalingConnLike, key: CryptoKey) => {
    const peerId = provider.room?.peerId;
    if (!peerId || Date.now() - lastReannounce < 5_000) return;
    lastReannounce = Date.now();
    conn.send({ type: 'publish', topic: options.room, data: await encryptAnnounce(peerId, key) });
  };
  const onSignalFrom = (conn: SignalingConnLike) => (message: unknown) => {
    const m = message as { type?: unknown; topic?: unknown; data?: unknown };
    if (m?.type !== 'publish' || m.topic !== options.room || typeof m.data !== 'string') return;
    const data = m.data;
    void provider.key.then(async (key) => {
      if (!key || !(await isForeignSecret(data, key))) return;
      await reannounce(conn, key);
      if (!secretMismatch) {
        secretMismatch = true;
        notify();
      }
    });
  };
  const onSignal = new Map(conns.map((conn) => [conn, onSignalFrom(conn)]));
  for (const conn of conns) {
    conn.on('connect', notify);
    conn.on('disconnect', notify);
    conn.on('message', onSignal.get(conn)!);
  }

  return {
    awareness: provider.awareness,
    status,
    onStatus(callback) {
      listeners.add(callback);
      return () => listeners.delete(callback);
    },
    close() {
      for (const conn of conns) {
        conn.off('connect', notify);
        conn.off('disconnect', notify);
        conn.off('message', onSignal.get(conn)!);
      }
      listeners.clear();
      provider.destroy();
    },
  };
}
