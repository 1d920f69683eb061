// One release's room: a y-webrtc room of its own (`hourmesh-release:<economy>:<release entry id>`,
// password = the economy's secret, so only members find it), whose links carry the release wire
// (./release-wire.ts) as side-channel messages. Its Yjs document stays empty (RELEASE_SCHEMA has no
// roots): y-webrtc needs one to run, and the bytes must never be in one (docs/RELEASES-WIRE.md).
// Open while this page holds or wants the file: the publisher and every downloader serve from here.
import * as Y from 'yjs';
import { connectRoom, type RoomConnection, type RoomStatus } from './room';
import { RELEASE_ROOM_PREFIX } from './sync-guard';
import { ReleaseSwarm } from './release-swarm';
import { IdbChunkStore } from './release-store-idb';
import type { ChunkStore } from './release-store';
import type { ReleaseFileInfo } from './release-file';
import type { IceServer } from './network-config';
import { toHex } from '../core/bytes';

export function releaseRoomName(economyId: string, releaseId: string): string {
  return `${RELEASE_ROOM_PREFIX}${economyId}:${releaseId}`;
}

export interface ReleaseRoomOptions {
  economyId: string;
  releaseId: string;
  secret: string;
  network: { signaling: string[]; ice: IceServer[] };
  account: string;
  file: ReleaseFileInfo;
  /** Defaults to this device's IndexedDB store of the release. */
  store?: ChunkStore;
}

export class ReleaseRoom {
  readonly doc = new Y.Doc();
  readonly #opts: ReleaseRoomOptions;
  readonly #connection: RoomConnection;

  private constructor(readonly swarm: ReleaseSwarm, opts: ReleaseRoomOptions) {
    this.#opts = opts;
    this.#connection = this.#connect();
  }

  #connect(): RoomConnection {
    const { swarm } = this;
    return connectRoom(this.doc, {
      room: releaseRoomName(this.#opts.economyId, this.#opts.releaseId),
      password: this.#opts.secret,
      signaling: this.#opts.network.signaling,
      ice: this.#opts.network.ice,
      side: {
        onOpen: (link) => swarm.addLink(link),
        onMessage: (id, message) => swarm.receive(id, message),
        onClose: (id) => swarm.removeLink(id),
      },
    });
  }

  /** Opens the room on what this device kept of the release (resuming a download). */
  static async open(opts: ReleaseRoomOptions): Promise<ReleaseRoom> {
    const store = opts.store ?? new IdbChunkStore(opts.economyId, toHex(opts.file.chunksRoot));
    return new ReleaseRoom(await ReleaseSwarm.open({ file: opts.file, account: opts.account, store }), opts);
  }

  /** The publisher: keeps `file` (checked against the signed root) and serves it. */
  static async seed(opts: ReleaseRoomOptions, file: Uint8Array): Promise<ReleaseRoom> {
    const store = opts.store ?? new IdbChunkStore(opts.economyId, toHex(opts.file.chunksRoot));
    return new ReleaseRoom(await ReleaseSwarm.seed({ file: opts.file, account: opts.account, store }, file), opts);
  }

  status(): RoomStatus {
    return this.#connection.status();
  }

  close(): void {
    this.swarm.close();
    this.#connection.close();
    this.doc.destroy();
  }
}
