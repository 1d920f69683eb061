// The owner's view of one of its jobs: progress from the ledger (validated units, payments,
// escrow), results from the job's room (the validated hash of each unit → its bytes → a row), and
// how many donors hold the job's inputs (so the owner knows when it may close the tab).
//
// The room stays joined while this watch lives: it serves the inputs to donors and receives the
// result bytes, which its IndexedDB cache keeps, so an owner who comes back finds every result it
// received (and fetches the rest from the donors who hold them).
import { createSubscriber } from 'svelte/reactivity';
import type { JobRecord, UnitRecord } from '../core';
import type { EconomySession } from '../net/economy-session';
import type { JobRoom } from '../net/job-room';
import { decodeManifest, type JobManifest } from '../net/job-manifest';
import { CATALOG, catalogKernel, type CatalogKernel, type CatalogKernelId, type ResultRow } from '../compute';
import { STAGING_PREFIX } from './compute-owner.svelte';
import { toCsv } from './csv';

const HOLDER = 'owner';

export interface Tile {
  unit: number;
  x: number;
  y: number;
  width: number;
  height: number;
  rgba: Uint8Array;
}

export class JobWatch {
  readonly id: string;
  readonly #session: EconomySession;
  #room = $state.raw<JobRoom | null>(null);
  #manifest = $state.raw<JobManifest | null>(null);
  /** Bumped when blobs or awareness of the room change. */
  #roomVersion = $state(0);
  readonly #subscribe: () => void;
  #stops: (() => void)[] = [];
  #closed = false;

  constructor(session: EconomySession, jobId: string) {
    this.#session = session;
    this.id = jobId;
    this.#subscribe = createSubscriber((update) => session.subscribe(update));
    void this.#start();
  }

  async #start(): Promise<void> {
    const job = this.#session.ledger.jobOf(this.id);
    if (!job) return;
    const room = await this.#session.jobRooms.open(this.id, HOLDER);
    if (this.#closed) return;
    if (!room.has(job.body.manifest)) await this.#restoreStaging(room, job);
    const bump = () => (this.#roomVersion += 1);
    this.#stops.push(room.onBlobs(() => {
      if (!this.#manifest) this.#readManifest(room, job);
      bump();
    }));
    this.#stops.push(room.onAwareness(bump));
    this.#readManifest(room, job);
    this.#room = room;
  }

  #readManifest(room: JobRoom, job: JobRecord): void {
    const bytes = room.get(job.body.manifest);
    if (bytes) this.#manifest = decodeManifest(bytes);
  }

  /** The tab closed between signing and storing the inputs: copy them from the staging cache. */
  async #restoreStaging(room: JobRoom, job: JobRecord): Promise<void> {
    const staging = await this.#session.jobRooms.openLocal(`${STAGING_PREFIX}${job.body.manifest}`);
    const manifest = staging.get(job.body.manifest);
    if (manifest) room.put(manifest);
    const module = staging.get(job.body.kernel);
    if (module) room.put(module);
    staging.close();
    if (manifest) await this.#session.forgetJobRoom(`${STAGING_PREFIX}${job.body.manifest}`);
  }

  get job(): JobRecord | undefined {
    this.#subscribe();
    return this.#session.ledger.jobOf(this.id);
  }

  get kernel(): CatalogKernel | null {
    const job = this.job;
    return job && CATALOG.some((k) => k.id === job.body.kernel) ? catalogKernel(job.body.kernel as CatalogKernelId) : null;
  }

  get units(): ReadonlyMap<number, UnitRecord> {
    this.#subscribe();
    return this.#session.ledger.unitsOf(this.id);
  }

  /** Distinct donors that announced they hold the job's inputs (and serve them on). */
  get holders(): number {
    void this.#roomVersion;
    const room = this.#room;
    const job = this.job;
    if (!room?.awareness || !job) return 0;
    const accounts = new Set<string>();
    for (const [client, state] of room.awareness.getStates()) {
      if (client === room.awareness.clientID) continue;
      const h = (state as { holder?: { account?: unknown; manifest?: unknown } }).holder;
      if (h && typeof h.account === 'string' && h.manifest === job.body.manifest) accounts.add(h.account);
    }
    return accounts.size;
  }

  /** A sentence that says where the job stands. */
  get statusText(): string {
    const job = this.job;
    if (!job) return 'This job is not in the ledger yet.';
    const { units, redundancy } = job.body;
    if (job.status === 'done') {
      return job.failed === 0 ? `Job validated: all ${units} units agreed by ${redundancy} donors each.` : `Job finished: ${job.validated} units validated, ${job.failed} without a majority.`;
    }
    if (job.status === 'expired' || Date.now() >= job.body.expires) return `Job expired: ${job.validated} of ${units} units validated.`;
    if (this.units.size === 0) return this.holders === 0 ? 'Waiting for donors: keep this tab open until a donor holds the inputs.' : `Waiting for donors to return results (${this.holders} hold the inputs).`;
    return `Computing: ${job.validated} of ${units} units validated.`;
  }

  /** Validated units whose result bytes are here, in unit order. */
  get results(): { unit: number; output: Uint8Array; input: Uint8Array }[] {
    void this.#roomVersion;
    const room = this.#room;
    const manifest = this.#manifest;
    if (!room || !manifest) return [];
    const out: { unit: number; output: Uint8Array; input: Uint8Array }[] = [];
    for (const [unit, rec] of [...this.units].sort((a, b) => a[0] - b[0])) {
      if (rec.status !== 'validated' || !rec.hash) continue;
      const output = room.get(rec.hash);
      if (output && manifest.inputs[unit]) out.push({ unit, output, input: manifest.inputs[unit] });
    }
    return out;
  }

  /** One row per validated unit (catalog kernels: the kernel's reading; modules: hex bytes). */
  get rows(): ResultRow[] {
    const kernel = this.kernel;
    return this.results.map(({ unit, input, output }): ResultRow => {
      if (!kernel) return { unit, output: hex(output) };
      // Image kernels: the pixels are in the PNG, the row says where the tile goes.
      return { unit, ...kernel.readResult(input, output) };
    });
  }

  get summary(): ResultRow | null {
    const kernel = this.kernel;
    const job = this.job;
    if (!kernel?.summarize || !job || job.validated < job.body.units) return null;
    return kernel.summarize(this.rows);
  }

  /** Image kernels: the tiles to paint, and the image's size. */
  get image(): { width: number; height: number; tiles: Tile[] } | null {
    const kernel = this.kernel;
    const params = this.#manifest?.params;
    if (!kernel?.image || !kernel.placeTile || !params) return null;
    const size = kernel.image(params);
    const tiles = this.results.map(({ unit, input, output }) => ({ unit, ...kernel.placeTile!(input), rgba: output }));
    return { ...size, tiles };
  }

  toJson(): string {
    const job = this.job;
    return JSON.stringify({ job: this.id, title: job?.body.title, kernel: job?.body.kernel, units: job?.body.units, summary: this.summary, results: this.rows }, null, 2);
  }

  toCsv(): string {
    const rows = this.rows;
    const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    return toCsv([columns, ...rows.map((r) => columns.map((c) => String(r[c] ?? '')))]);
  }

  close(): void {
    this.#closed = true;
    for (const stop of this.#stops) stop();
    this.#session.jobRooms.release(this.id, HOLDER);
  }
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}
