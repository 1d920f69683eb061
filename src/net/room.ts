// One y-webrtc room: a Yjs document shared with every peer that knows the room name and password.
//
// Invariants:
// - Chunking is installed before the first provider exists (see ./chunked-peer.ts): without it a
//   message over 256 KiB kills the data channel for good.
// - y-webrtc allows one provider per room name per page; callers keep one RoomConnection per room
//   and `close()` it before opening the room again.
// - The password encrypts everything that passes through the signaling server (y-webrtc derives
//   an AES-GCM key with PBKDF2 from it), so a peer with the wrong password never sees the others.
// - Every peer of the room is bound to the room's document schema before its channel opens, so
//   the sync guard (./sync-guard.ts) checks what it sends against the right roots.
// - `synced` means what RoomStatus says (every connected peer has sent us its document), counted
//   per connection here; a connection that does not open within CONNECT_TIMEOUT_MS is closed so
//   the peers try again (both: see connectRoom).
// - `secretMismatch` follows the rule in ./mismatch-detector.ts: persistent, well-formed foreign
//   announces raise it, quiet clears it; a publish of junk on the topic does not.
// - y-webrtc's signaling handler only sees publishes on our topics that our key opens and that
//   hold an announce or a signal (guardSignalingConn): junk there cannot make the page throw.
import { WebrtcProvider } from 'y-webrtc';
import type * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { toBase64 } from 'lib0/buffer';
import { bindPeerRelay, installChunking, pendingSendBytes, sendRelayed } from './chunked-peer';
import { bindSideChannel } from './side-channel';
import { bindPeerSchema, schemaForRoom } from './sync-guard';
import { isAnnounceShaped, MismatchDetector, parseEnvelope, type Envelope } from './mismatch-detector';
import { stampLocalPeer, trackLiveness } from './presence';
import type { IceServer } from './network-config';
import { pageTrace } from './page-trace';

installChunking();

export interface RoomOptions {
  room: string;
  password: string;
  signaling: string[];
  ice: IceServer[];
  /** Messages of our own on this room's links (./side-channel.ts), e.g. a release's chunks. */
  side?: SideLinks;
  /**
   * The room's document lives elsewhere (the ledger worker): the page's document stays empty and
   * every link's sync messages go through this relay (see ./chunked-peer.ts bindPeerRelay and
   * ./relay-rooms.ts). Without it, y-webrtc syncs the page's document as usual.
   */
  relay?: RoomRelay;
  /**
   * Whether tabs of this browser skip WebRTC between them (y-webrtc's default: they meet over
   * BroadcastChannel). A relayed room whose tabs each have their own ledger worker (no
   * SharedWorker) sets it false, so those tabs' documents sync with each other over WebRTC.
   */
  filterBcConns?: boolean;
}

/** A WebRTC link of the room, for side-channel messages. */
export interface SideLink {
  /** y-webrtc's id of the remote peer (random per page load). */
  readonly id: string;
  send(message: Uint8Array): void;
  /** Bytes waiting to go out on the link. */
  backlog(): number;
}

export interface SideLinks {
  onOpen(link: SideLink): void;
  onMessage(linkId: string, message: Uint8Array): void;
  onClose(linkId: string): void;
}

/** Where a relayed room's sync messages go, link by link. */
export interface RoomRelay {
  receive(link: string, message: Uint8Array): Promise<{ replies?: Uint8Array[]; step2?: boolean; problem?: string }>;
  /** The sync step 1 to send on a link that opened (null: nothing to sync any more). */
  syncStep1(): Promise<Uint8Array | null>;
  linkClosed(link: string): void;
  /** A relayed message was refused (by the guard, or the document). */
  onProblem(link: string, reason: string): void;
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
  /** Relayed rooms: sends a sync message to every open link but `exceptLink`. */
  broadcast?(message: Uint8Array, exceptLink: string | null): void;
  close(): void;
}

/** The minimum of lib0's WebsocketClient (y-webrtc's SignalingConn) that we use. */
interface SignalingConnLike {
  url: string;
  connected: boolean;
  send(message: object): void;
  on(event: 'connect' | 'disconnect', f: () => void): void;
  off(event: 'connect' | 'disconnect', f: () => void): void;
  emit(name: string, args: unknown[]): void;
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

/** Numbers side-channel links so each connection has an id of its own. */
let sideLinkCounter = 0;

/** How long a WebRTC connection may take to open before it is closed and tried again. */
const CONNECT_TIMEOUT_MS = 20_000;

/** y-protocols' message ids: y-webrtc's messageSync, then sync's messageYjsSyncStep2. */
const MESSAGE_SYNC = 0;
const SYNC_STEP_2 = 1;

/** A peer's answer to our sync step 1: its whole document (what it has that we lacked). */
function isSyncStep2(data: Uint8Array): boolean {
  try {
    const decoder = decoding.createDecoder(data);
    return decoding.readVarUint(decoder) === MESSAGE_SYNC && decoding.readVarUint(decoder) === SYNC_STEP_2;
  } catch {
    return false;
  }
}

/** Re-announce at most this often in answer to foreign announces (the rhythm the rule expects). */
const REANNOUNCE_INTERVAL_MS = 5_000;
/** Members wait up to this long before answering, so one answer usually suffices for all. */
const REANNOUNCE_JITTER_MS = 1_000;

/** What a publish on one of our topics is, once opened with that room's key. */
type Opened = 'announce' | 'signal' | 'foreign' | 'malformed';

/**
 * Opens an envelope with our key: 'foreign' when it does not decrypt (another secret, or junk),
 * 'malformed' when it decrypts to something y-webrtc cannot read, else what it is.
 */
async function openEnvelope(envelope: Envelope, key: CryptoKey): Promise<Opened> {
  let plain: ArrayBuffer;
  try {
    plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: new Uint8Array(envelope.iv) }, key, new Uint8Array(envelope.ciphertext));
  } catch {
    return 'foreign';
  }
  try {
    const m = decoding.readAny(decoding.createDecoder(new Uint8Array(plain))) as Record<string, unknown> | null;
    if (typeof m !== 'object' || m === null || typeof m.from !== 'string') return 'malformed';
    if (m.type === 'announce') return 'announce';
    const signalOk = typeof m.signal === 'object' && m.signal !== null && typeof m.to === 'string';
    return m.type === 'signal' && signalOk ? 'signal' : 'malformed';
  } catch {
    return 'malformed';
  }
}

interface TopicHandler {
  key: PromiseLike<CryptoKey | null>;
  /** Every well-formed envelope published on the topic, in arrival order, once opened. */
  onEnvelope(envelope: Envelope, opened: Opened, key: CryptoKey, conn: SignalingConnLike, arrivedAt: number): void;
}

/** Room name (= signaling topic) → its handler, for every room this page has open. */
const topicHandlers = new Map<string, TopicHandler>();
const GUARDED = Symbol.for('hourmesh.room.signaling-guard');

/**
 * Puts a check in front of y-webrtc's own handler on a signaling connection (one connection per
 * URL serves every room of the page, so this wraps each once). y-webrtc decodes and decrypts
 * every publish on a room's topic without catching anything: `data` that is not base64 throws in
 * the socket's event handler, and data that fails decryption or decrypts to an unexpected shape
 * rejects a promise nobody handles. The topic is the economy id, not a secret, so anyone could
 * make every member's page throw at will. A publish on one of our topics therefore reaches
 * y-webrtc only when it is a well-formed envelope that our key opens, holding an announce or a
 * signal. The checks run one after another per connection, so y-webrtc still sees the messages
 * it gets in the order they arrived.
 */
function guardSignalingConn(conn: SignalingConnLike): void {
  const marked = conn as SignalingConnLike & { [GUARDED]?: true };
  if (marked[GUARDED]) return;
  marked[GUARDED] = true;
  const emit = conn.emit;
  let queue: Promise<void> = Promise.resolve();
  conn.emit = function guardedEmit(this: SignalingConnLike, name: string, args: unknown[]): void {
    const m = args[0] as { type?: unknown; topic?: unknown; data?: unknown } | undefined;
    const handler = name === 'message' && m?.type === 'publish' && typeof m.topic === 'string' ? topicHandlers.get(m.topic) : undefined;
    if (!handler) {
      emit.call(this, name, args);
      return;
    }
    const envelope = typeof m!.data === 'string' ? parseEnvelope(m!.data) : null;
    if (!envelope) return; // not even an envelope: no client of the room sends that
    const arrivedAt = Date.now();
    queue = queue
      .then(async () => {
        const key = await handler.key;
        if (!key) return;
        const opened = await openEnvelope(envelope, key);
        handler.onEnvelope(envelope, opened, key, this, arrivedAt);
        if (opened === 'announce' || opened === 'signal') emit.call(this, name, args);
      })
      .catch((error: unknown) => console.warn(`hourmesh signaling: ${String(error)}`));
  };
}

export function connectRoom(doc: Y.Doc, options: RoomOptions): RoomConnection {
  const provider = new WebrtcProvider(options.room, doc, {
    signaling: options.signaling,
    password: options.password,
    // Explicit empty ICE list: simple-peer's default points at public STUN servers, which are not
    // reachable from a closed network and only slow down gathering. Loopback and LAN work without.
    peerOpts: { config: { iceServers: options.ice } },
    filterBcConns: options.filterBcConns ?? true,
  });
  const listeners = new Set<(status: RoomStatus) => void>();
  const conns = provider.signalingConns as unknown as SignalingConnLike[];
  pageTrace(() => `${options.room}: room made`);
  for (const c of conns) c.on('connect', () => pageTrace(() => `${options.room}: signaling ${c.url} connected`));

  let secretMismatch = false;
  // `synced` is counted here, per connection, not read from y-webrtc's `room.synced`. That flag
  // counts connections still being set up, and it marks a connection synced only when its sync
  // step 2 arrives while the room as a whole is not: a step 2 arriving while the room counts as
  // synced (e.g. vacuously, right after a connection closed and left none) is never recorded, so
  // once the room is recounted it stays unsynced until a connection closes. Two peers entering a
  // new document generation at the same instant (their clocks agree) often connect that way
  // (offers cross, one connection closes): their refill (./refill.ts) then waited 'waiting' for its
  // whole 30 s back-off, and a late joiner found the new generation empty until then.
  const sentDocument = new WeakSet<object>();
  const status = (): RoomStatus => {
    const connected = [...(provider.room?.webrtcConns.values() ?? [])].filter((c) => c.connected);
    return {
      signaling: conns.map((c) => ({ url: c.url, connected: c.connected })),
      webrtcPeers: connected.length,
      secretMismatch,
      synced: connected.length > 0 && connected.every((c) => sentDocument.has(c.peer)),
    };
  };
  const notify = () => {
    const now = status();
    for (const listener of listeners) listener(now);
  };
  // y-webrtc emits 'peers' when a connection is created or closed, but nothing when its data
  // channel opens; watch each new simple-peer for 'connect' so the count is live.
  // The same handler binds each new peer to the room's schema: y-webrtc emits 'peers' right after
  // creating the peer, before its data channel can open.
  const schema = schemaForRoom(options.room);
  const watched = new WeakSet<object>();
  // Relayed rooms: each connection is a link with a name of its own (a peer may reconnect).
  const links = new Map<object, string>();
  let linkCount = 0;
  const onPeers = () => {
    for (const conn of provider.room?.webrtcConns.values() ?? []) {
      if (watched.has(conn.peer)) continue;
      watched.add(conn.peer);
      bindPeerSchema(conn.peer, schema);
      if (options.relay) relayLink(conn.peer, `${conn.remotePeerId}#${++linkCount}`, options.relay);
      pageTrace(() => `${options.room}: a link to ${conn.remotePeerId} is being made`);
      conn.peer.on('connect', () => pageTrace(() => `${options.room}: link to ${conn.remotePeerId} open`));
      conn.peer.on('connect', notify);
      // After y-webrtc's own handler (added when the peer was made): the document is applied.
      const peer = conn.peer;
      // A connection that never opens is closed, so y-webrtc announces again and the peers
      // reconnect. Without this, when two peers' offers cross (both entering a new generation at
      // the same instant), one side can keep a half-made connection forever while the other has
      // dropped its own: y-webrtc then ignores every later announce from that peer (it already
      // "has" a connection to it), and the two never meet in that room (seen in e2e: a whole
      // generation with no link between two honest peers).
      const giveUp = setTimeout(() => {
        if (!conn.connected && !peer.destroyed) peer.destroy();
      }, CONNECT_TIMEOUT_MS);
      peer.on('connect', () => clearTimeout(giveUp));
      peer.on('close', () => clearTimeout(giveUp));
      const side = options.side;
      if (side) {
        // One id per connection, not per remote peer: y-webrtc may replace a connection to the same
        // peer, and the old one's close must not remove the new one's link.
        const id = `${conn.remotePeerId}#${++sideLinkCounter}`;
        // Opened on simple-peer's 'connect' or on the first message, whichever comes first: the
        // remote side may send as soon as its own 'connect' fires, and ours can come later (simple-
        // peer waits for ICE stats), so a first message must not find the link unknown.
        let opened = false;
        const open = () => {
          if (opened || peer.destroyed) return;
          opened = true;
          side.onOpen({ id, send: (m) => peer.send(m), backlog: () => pendingSendBytes(peer) });
        };
        bindSideChannel(peer, (message) => {
          open();
          side.onMessage(id, message);
        });
        peer.on('connect', open);
        peer.on('close', () => {
          if (opened) side.onClose(id);
        });
      }
      peer.on('data', (data: Uint8Array) => {
        if (!sentDocument.has(peer) && isSyncStep2(data)) {
          sentDocument.add(peer);
          notify();
        }
      });
    }
    notify();
  };
  // A relayed link: its sync messages go to the relay, in order, and the answers come back on it.
  function relayLink(peer: { send(chunk: unknown): void; on(event: string, f: () => void): void; connected?: boolean; destroyed?: boolean }, link: string, relay: RoomRelay): void {
    links.set(peer, link);
    const sendIfOpen = (bytes: Uint8Array | null | undefined) => {
      if (!bytes || closed || peer.destroyed || links.get(peer) !== link) return;
      try {
        sendRelayed(peer, bytes);
      } catch {
        // The channel closed meanwhile: y-webrtc reconnects and the peers sync again.
      }
    };
    bindPeerRelay(peer, {
      receive(message) {
        pageTrace(() => `${options.room} ${link}: received ${message.length} bytes (sync ${message[1]})`);
        void relay.receive(link, message).then((answer) => {
          if (answer.problem) relay.onProblem(link, answer.problem);
          const replies = answer.replies ?? [];
          if (replies.length > 0) pageTrace(() => `${options.room} ${link}: answering with ${replies.reduce((n, r) => n + r.length, 0)} bytes in ${replies.length} message(s)`);
          for (const reply of replies) sendIfOpen(reply);
          if (answer.step2 && !sentDocument.has(peer)) {
            sentDocument.add(peer);
            notify();
          }
        }, (error: unknown) => relay.onProblem(link, String(error)));
      },
      sendStep1() {
        void relay.syncStep1().then(sendIfOpen, () => undefined);
      },
    });
    peer.on('close', () => {
      links.delete(peer);
      relay.linkClosed(link);
    });
  }
  provider.on('peers', onPeers);
  // Presence counts a member as online only while its transport peer is connected: a WebRTC
  // connection with an open data channel, or another tab of this browser (BroadcastChannel).
  // A closed connection is a 'peers' event, so presence is read again at once.
  trackLiveness(provider.awareness, {
    peerId: () => provider.room?.peerId,
    isLive: (peerId) => provider.room?.webrtcConns.get(peerId)?.connected === true || provider.room?.bcConns.has(peerId) === true,
  });
  void provider.key.then(() => stampLocalPeer(provider.awareness));
  provider.on('status', notify);
  provider.on('synced', notify);
  // A newcomer with the wrong secret announces itself; we cannot read it, and y-webrtc would not
  // answer, so the newcomer would hear nothing at all. Re-announcing ourselves lets it fail to
  // read *our* message, and so learn that the secrets differ; it answers likewise, so while both
  // are open they exchange an announce about every REANNOUNCE_INTERVAL_MS, which is the
  // persistence the detector waits for. Each member waits a random moment before answering and
  // skips its answer if a member with our secret announced after the foreign announce: one
  // answer per round serves everyone, instead of every member publishing to every member.
  const detector = new MismatchDetector();
  let closed = false;
  let lastReannounce = 0;
  let lastForeignAt = 0;
  let lastOwnAnnounceAt = 0;
  let reannounceTimer: ReturnType<typeof setTimeout> | null = null;
  let clearTimer: ReturnType<typeof setTimeout> | null = null;
  const refreshMismatch = () => {
    const now = Date.now();
    const next = detector.isMismatch(now);
    if (next !== secretMismatch) {
      secretMismatch = next;
      notify();
    }
    if (clearTimer !== null) clearTimeout(clearTimer);
    const clearsAt = detector.clearsAt(now);
    clearTimer = closed || clearsAt === null ? null : setTimeout(refreshMismatch, clearsAt - now + 50);
  };
  const scheduleReannounce = (conn: SignalingConnLike, key: CryptoKey) => {
    if (reannounceTimer !== null || closed) return;
    const now = Date.now();
    const due = Math.max(now + Math.random() * REANNOUNCE_JITTER_MS, lastReannounce + REANNOUNCE_INTERVAL_MS);
    reannounceTimer = setTimeout(() => {
      reannounceTimer = null;
      const peerId = provider.room?.peerId;
      if (closed || !peerId || lastOwnAnnounceAt > lastForeignAt) return;
      lastReannounce = Date.now();
      void encryptAnnounce(peerId, key).then((data) => {
        if (!closed) conn.send({ type: 'publish', topic: options.room, data });
      });
    }, due - now);
  };
  // Junk that is not even an envelope never gets here (guardSignalingConn): no evidence of anything.
  topicHandlers.set(options.room, {
    key: provider.key,
    onEnvelope(envelope, opened, key, conn, arrivedAt) {
      if (closed) return;
      if (opened === 'announce') lastOwnAnnounceAt = Math.max(lastOwnAnnounceAt, arrivedAt);
      if (opened !== 'foreign' || !isAnnounceShaped(envelope)) return;
      lastForeignAt = Math.max(lastForeignAt, arrivedAt);
      detector.recordForeign(arrivedAt);
      refreshMismatch();
      scheduleReannounce(conn, key);
    },
  });
  for (const conn of conns) {
    guardSignalingConn(conn);
    conn.on('connect', notify);
    conn.on('disconnect', notify);
  }

  return {
    awareness: provider.awareness,
    status,
    onStatus(callback) {
      listeners.add(callback);
      return () => listeners.delete(callback);
    },
    broadcast(message, exceptLink) {
      for (const conn of provider.room?.webrtcConns.values() ?? []) {
        const link = links.get(conn.peer);
        if (!conn.connected || link === undefined || link === exceptLink) continue;
        try {
          sendRelayed(conn.peer, message);
        } catch {
          // A channel that just closed: the peers sync again when they reconnect.
        }
      }
    },
    close() {
      closed = true;
      if (reannounceTimer !== null) clearTimeout(reannounceTimer);
      if (clearTimer !== null) clearTimeout(clearTimer);
      topicHandlers.delete(options.room);
      for (const conn of conns) {
        conn.off('connect', notify);
        conn.off('disconnect', notify);
      }
      listeners.clear();
      provider.destroy();
    },
  };
}
