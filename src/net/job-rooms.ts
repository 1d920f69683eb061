// The job rooms (./job-room.ts) one open economy has joined, by job id. A room is opened once and
// shared by whoever asks for it (the donor loop, the owner's view); `retain` says who still needs
// it, and a room nobody retains is closed. Closing the economy closes them all.
import { JobRoom } from './job-room';
import type { IceServer } from './network-config';

export interface JobRoomsOptions {
  economyId: string;
  secret: string;
  network: { signaling: string[]; ice: IceServer[] };
  persist: boolean;
  /** Connect to peers (default); off in Node tests. */
  connect?: boolean;
}

export class JobRooms {
  readonly #opts: JobRoomsOptions;
  readonly #rooms = new Map<string, Promise<JobRoom>>();
  /** job id → the holders that retain it ('donor', 'owner'). */
  readonly #holders = new Map<string, Set<string>>();
  #closed = false;

  constructor(opts: JobRoomsOptions) {
    this.#opts = opts;
  }

  /** The job's room, opened on first use (its cached document loaded first), retained by `holder`. */
  open(jobId: string, holder: string): Promise<JobRoom> {
    if (this.#closed) return Promise.reject(new Error('economy closed'));
    let holders = this.#holders.get(jobId);
    if (!holders) this.#holders.set(jobId, (holders = new Set()));
    holders.add(holder);
    let room = this.#rooms.get(jobId);
    if (!room) {
      room = JobRoom.open({ ...this.#opts, jobId });
      this.#rooms.set(jobId, room);
    }
    return room;
  }

  /** The room if it is open already (no side effect). */
  peek(jobId: string): Promise<JobRoom> | undefined {
    return this.#rooms.get(jobId);
  }

  /** A room only for this device's cache (no peers): to stage a manifest before the job is signed. */
  openLocal(name: string): Promise<JobRoom> {
    return JobRoom.open({ ...this.#opts, jobId: name, connect: false });
  }

  /** `holder` no longer needs the room; the last one out closes it. */
  release(jobId: string, holder: string): void {
    const holders = this.#holders.get(jobId);
    if (!holders) return;
    holders.delete(holder);
    if (holders.size > 0) return;
    this.#holders.delete(jobId);
    const room = this.#rooms.get(jobId);
    this.#rooms.delete(jobId);
    void room?.then((r) => r.close());
  }

  get openJobs(): string[] {
    return [...this.#rooms.keys()];
  }

  close(): void {
    this.#closed = true;
    for (const room of this.#rooms.values()) void room.then((r) => r.close());
    this.#rooms.clear();
    this.#holders.clear();
  }
}
