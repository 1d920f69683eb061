// "Donate this tab": the donor loop. While switched on it joins the rooms of open jobs with budget
// left (not my own), takes a batch of units with the core's lease planner, announces the batch as
// ONE lease in the job room's awareness (renewed at half its deadline while it runs), computes the
// units in the runtime's sandboxed pool, and for each unit stores the result bytes in the job room
// first and then signs the `result` entry (hash + metered claim) through the session's own-writes
// path. Payment is the ledger's business: replay pays validated units, whoever is online.
//
// Losing nothing:
// - a result computed but not yet signed is kept in the job room's local record `pending` (beside
//   the cached document that holds its bytes) and signed when the room opens again;
// - a tab closed mid-unit leaves a lease that expires within the job's per-unit deadline, after
//   which the planner hands the unit to someone else.
// The same account never computes two replicas of one unit: the planner skips units this account
// returned (ledger), leased (awareness: my other tabs too) or has in flight here (`mine`).
import { SvelteMap, createSubscriber } from 'svelte/reactivity';
import { planUnits, type JobRecord, type Lease } from '../core';
import type { EconomySession } from '../net/economy-session';
import type { JobRoom } from '../net/job-room';
import { readLeases, setLocalLeases, MAX_LEASED_UNITS } from '../net/job-leases';
import { checkManifestAgainstJob, decodeManifest, type JobManifest } from '../net/job-manifest';
import { checkModule, type ComputePool, type KernelRef, type SpeedMeasure, type CatalogKernelId, CATALOG } from '../compute';

export interface DonorDeps {
  session: EconomySession;
  createPool: (size: number) => ComputePool;
  now: () => number;
  /** Logical cores of this device (navigator.hardwareConcurrency). */
  cores: number;
  /**
   * Told what this tab offers whenever it changes: workers and measured speed (per-mille) while
   * donating, null when not (switched off or paused). The economy's presence carries it
   * (net/presence.ts), which is what other peers count as donors online.
   */
  onOffer?: (offer: DonorOffer | null) => void;
}

export interface DonorOffer {
  workers: number;
  /** Speed factor in per-mille of the reference device, once measured. */
  speed?: number;
}

export interface RunningUnit {
  job: string;
  title: string;
  unit: number;
  units: number;
  startedAt: number;
  /** What this kind of unit took here last time, for the progress bar (null: not known yet). */
  expectMs: number | null;
}

interface PreparedJob {
  job: JobRecord;
  room: JobRoom;
  manifest: JobManifest;
  kernel: KernelRef;
}

interface PendingResult {
  unit: number;
  hash: string;
  claim: number;
}

const HOLDER = 'donor';
/** How long the loop sleeps when nothing changes (a lease of another donor may expire meanwhile). */
const IDLE_POLL_MS = 1_000;
/** How long a donating tab keeps serving a closed job's results to its owner. */
const SERVE_AFTER_CLOSE_MS = 24 * 3_600_000;
const MAX_SERVED_ROOMS = 20;
const JOIN_JITTER_MS = 1_500;
const REMEASURE_MS = 10 * 60_000;

export class ComputeDonor {
  readonly #deps: DonorDeps;
  #enabled = $state(false);
  #paused = $state(false);
  #poolSize = $state(1);
  #speed = $state<SpeedMeasure | null>(null);
  #status = $state('Not donating.');
  #problem = $state<string | null>(null);
  #unitsDone = $state(0);
  readonly running = new SvelteMap<string, RunningUnit>();
  /** Test-only (window.hourmesh): corrupt every result this tab returns. */
  tamper = false;
  /** Test-only (window.hourmesh): never finish a unit, as a tab closed mid-unit never does. */
  holdUnits = false;

  #pool: ComputePool | null = null;
  #loop: Promise<void> | null = null;
  /** Counts the loops started; only the newest one runs. */
  #runs = 0;
  #wake: (() => void) | null = null;
  readonly #prepared = new Map<string, Promise<PreparedJob | null>>();
  /** job → units computed or sent here, whatever the ledger shows yet. */
  readonly #mine = new Map<string, Set<number>>();
  /** job → ms the last unit took here. */
  readonly #lastMs = new Map<string, number>();
  #unsubscribe: (() => void) | null = null;
  readonly #subscribe: () => void;

  constructor(deps: DonorDeps) {
    this.#deps = deps;
    this.#poolSize = Math.max(1, deps.cores - 1);
    this.#subscribe = createSubscriber((update) => deps.session.subscribe(update));
  }

  /** CH milli this account earned from validated units (the ledger's count, every tab and device). */
  get earnedMilli(): number {
    this.#subscribe();
    return this.#deps.session.ledger.computeEarned(this.#deps.session.me);
  }

  /** Open jobs of others, with how far each is and how many of its units I returned. */
  get jobs(): { id: string; title: string; units: number; validated: number; mine: number }[] {
    this.#subscribe();
    const { session } = this.#deps;
    return this.#openJobs().map((job) => {
      let mine = 0;
      for (const rec of session.ledger.unitsOf(job.id).values()) if (rec.results.some((r) => r.donor === session.me)) mine += 1;
      return { id: job.id, title: job.body.title, units: job.body.units, validated: job.validated, mine };
    });
  }

  get enabled() { return this.#enabled; }
  get paused() { return this.#paused; }
  get poolSize() { return this.#poolSize; }
  get maxPoolSize() { return Math.max(1, this.#deps.cores); }
  get speed() { return this.#speed; }
  get status() { return this.#status; }
  get problem() { return this.#problem; }
  /** Units this tab computed and signed since it was switched on. */
  get unitsDone() { return this.#unitsDone; }

  /** Tells presence what this tab offers now (one awareness change per real change). */
  #announce(): void {
    const offering = this.#enabled && !this.#paused;
    const speed = this.#speed ? Math.max(1, Math.round(this.#speed.factor * 1_000)) : undefined;
    const offer = offering ? { workers: this.#poolSize, ...(speed !== undefined ? { speed } : {}) } : null;
    const key = JSON.stringify(offer);
    if (key === this.#announced) return;
    this.#announced = key;
    this.#deps.onOffer?.(offer);
  }
  #announced = 'null';

  setEnabled(on: boolean): void {
    if (on === this.#enabled) return;
    this.#enabled = on;
    if (on) {
      this.#paused = false;
      this.#announce();
      this.#unsubscribe = this.#deps.session.subscribe(() => this.#poke());
      this.#loop = this.#run().catch((error: unknown) => {
        this.#problem = `Donating stopped: ${error instanceof Error ? error.message : String(error)}`;
        this.#enabled = false;
        this.#announce();
      });
    } else {
      this.#stop();
    }
  }

  setPoolSize(size: number): void {
    const next = Math.min(this.maxPoolSize, Math.max(1, Math.round(size)));
    this.#poolSize = next;
    this.#pool?.setSize(next);
    this.#announce();
  }

  /**
   * Stops taking units. Units already taken are finished and returned (a batch is small: twice
   * the workers), so pausing never strands a lease nor throws work away.
   */
  pause(): void {
    this.#paused = true;
    this.#status = this.running.size > 0 ? 'Pausing after the units in progress…' : 'Paused.';
    this.#announce();
  }

  resume(): void {
    this.#paused = false;
    this.#announce();
    this.#poke();
  }

  /** Measures the device's speed factor again (also done when donating starts). */
  async measureSpeed(): Promise<void> {
    if (!this.#pool) return;
    this.#speed = await this.#pool.measureSpeed();
    this.#announce();
  }

  close(): void {
    this.#stop();
  }

  #stop(): void {
    this.#enabled = false;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#pool?.terminate();
    this.#pool = null;
    this.running.clear();
    for (const [jobId, prepared] of this.#prepared) {
      void prepared.then((p) => p?.room.awareness && setLocalLeases(p.room.awareness, null));
      this.#deps.session.jobRooms.release(jobId, HOLDER);
    }
    this.#prepared.clear();
    this.#status = 'Not donating.';
    this.#announce();
    this.#poke();
  }

  #poke(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = null;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async #run(): Promise<void> {
    const { session, now } = this.#deps;
    const run = ++this.#runs;
    this.#status = 'Measuring this device\'s speed…';
    this.#pool = this.#deps.createPool(this.#poolSize);
    this.#speed = await this.#pool.measureSpeed();
    this.#announce();
    let measuredAt = now();
    // Switched off and on again while this loop was waiting: the newer loop carries on alone.
    while (this.#enabled && run === this.#runs) {
      // The device's speed changes (thermal throttling, other tabs, a charger): re-measure now and then.
      if (now() - measuredAt > REMEASURE_MS && this.#pool) {
        this.#speed = await this.#pool.measureSpeed();
        this.#announce();
        measuredAt = now();
      }
      if (this.#paused) {
        this.#status = 'Paused.';
        await this.#sleep(60_000);
        continue;
      }
      const notCounted = session.ledger.quorumProblem(session.me);
      if (notCounted) {
        this.#status = 'Waiting: your results would not count yet. Ask a member to vouch for you.';
        this.#problem = notCounted;
        await this.#sleep(5_000);
        continue;
      }
      this.#problem = null;
      const jobs = this.#openJobs();
      this.#releaseClosed(jobs);
      let worked = false;
      for (const job of jobs) {
        if (!this.#enabled || this.#paused) break;
        const prepared = await this.#prepare(job);
        if (!prepared) continue;
        if (await this.#work(prepared)) {
          worked = true;
          break;
        }
      }
      if (!worked && this.#enabled && !this.#paused) {
        this.#status = jobs.length === 0 ? 'Waiting for jobs: none is open.' : 'Waiting for work: every open unit is taken or done.';
        await this.#sleep(IDLE_POLL_MS);
      }
    }
  }

  /** Open jobs of others with budget left, oldest first (finish what was started). */
  #openJobs(): JobRecord[] {
    const { session, now } = this.#deps;
    const at = now();
    return session.ledger.jobs
      .filter((j) => j.status === 'open' && j.owner !== session.me && at < j.body.expires && j.escrow > 0)
      .slice()
      .reverse();
  }

  #releaseClosed(open: JobRecord[]): void {
    const ids = new Set(open.map((j) => j.id));
    const now = this.#deps.now();
    for (const jobId of [...this.#prepared.keys()]) {
      if (ids.has(jobId)) continue;
      // A finished job's room stays joined a while: its owner may be away and come back for the
      // results, which only donors hold then.
      const closedAt = this.#deps.session.ledger.jobOf(jobId)?.closedAt;
      if (closedAt !== undefined && now - closedAt < SERVE_AFTER_CLOSE_MS && this.#prepared.size <= MAX_SERVED_ROOMS) continue;
      void this.#prepared.get(jobId)!.then((p) => p?.room.awareness && setLocalLeases(p.room.awareness, null));
      this.#prepared.delete(jobId);
      this.#mine.delete(jobId);
      // The room stays cached in IndexedDB; its connection goes.
      this.#deps.session.jobRooms.release(jobId, HOLDER);
    }
  }

  /** Joins the job's room and reads its manifest (and module); null while they are not here. */
  #prepare(job: JobRecord): Promise<PreparedJob | null> {
    let prepared = this.#prepared.get(job.id);
    if (!prepared) {
      prepared = this.#load(job);
      this.#prepared.set(job.id, prepared);
    }
    return prepared.then(async (p) => {
      if (p) return p;
      // Not here yet: try again later (the next pass re-reads the room).
      this.#prepared.delete(job.id);
      return null;
    });
  }

  async #load(job: JobRecord): Promise<PreparedJob | null> {
    const { session } = this.#deps;
    // Every waiting donor sees a new job at the same moment; joining its room at the same moment
    // invites WebRTC offer glare (see job-room.ts): spread the joins a little.
    if (!session.jobRooms.peek(job.id)) await new Promise((resolve) => setTimeout(resolve, Math.random() * JOIN_JITTER_MS));
    const room = await session.jobRooms.open(job.id, HOLDER);
    await this.#signPending(job, room);
    const manifestBytes = room.get(job.body.manifest) ?? await waitFor(room, job.body.manifest, 3_000);
    if (!manifestBytes) {
      this.#status = `Waiting for the inputs of “${job.body.title}” from its owner or other donors…`;
      return null;
    }
    const manifest = decodeManifest(manifestBytes);
    const wrong = manifest ? checkManifestAgainstJob(manifest, job.body) : 'the manifest cannot be read';
    if (!manifest || wrong) {
      this.#problem = `Skipping “${job.body.title}”: ${wrong}.`;
      return null;
    }
    let kernel: KernelRef;
    if (CATALOG.some((k) => k.id === job.body.kernel)) {
      kernel = job.body.kernel as CatalogKernelId;
    } else {
      const module = room.get(job.body.kernel) ?? await waitFor(room, job.body.kernel, 3_000);
      if (!module) return null;
      // A hostile owner can skip the upload page: every donor checks the module again.
      const checked = checkModule(module);
      if (!checked.ok) {
        this.#problem = `Skipping “${job.body.title}”: ${checked.reason}`;
        return null;
      }
      kernel = module;
    }
    // Tell the owner its inputs are held here (and served on): one awareness field, set once.
    room.awareness?.setLocalStateField('holder', { account: session.me, manifest: job.body.manifest });
    return { job, room, manifest, kernel };
  }

  /** Takes one batch of the job and computes it; false when there was nothing to take. */
  async #work(p: PreparedJob): Promise<boolean> {
    const { session, now } = this.#deps;
    const job = session.ledger.jobOf(p.job.id) ?? p.job;
    if (job.status !== 'open') return false;
    const awareness = p.room.awareness;
    const deadline = job.body.unitDeadlineMs;
    const leases: Lease[] = awareness
      ? readLeases(awareness, job.body.units, now(), deadline).flatMap((b) => b.units.map((unit) => ({ account: b.account, job: job.id, unit, expires: b.until })))
      : [];
    const mine = this.#mineOf(job.id);
    const pool = this.#pool!;
    const recorded = session.ledger.unitsOf(job.id);
    // Accounts related to me by stakes: a unit one of them returned would not count from me (rule 8).
    const donors = new Set<string>();
    for (const rec of recorded.values()) for (const r of rec.results) donors.add(r.donor);
    const units = planUnits({
      job: { id: job.id, units: job.body.units, redundancy: job.body.redundancy, expires: job.body.expires },
      units: recorded, leases, me: session.me, now: now(), max: Math.min(MAX_LEASED_UNITS, pool.size * 2), mine,
      related: session.ledger.relatedDonors(session.me, donors),
    });
    if (units.length === 0) return false;
    for (const unit of units) mine.add(unit);
    // One awareness change for the batch, renewed at half the deadline while it runs.
    const announce = () => awareness && setLocalLeases(awareness, { account: session.me, units, until: now() + deadline });
    announce();
    const renew = setInterval(announce, Math.max(500, deadline / 2));
    try {
      await Promise.all(units.map((unit) => this.#compute(p, job, unit)));
    } finally {
      clearInterval(renew);
      if (awareness) setLocalLeases(awareness, null);
    }
    return true;
  }

  async #compute(p: PreparedJob, job: JobRecord, unit: number): Promise<void> {
    const { session, now } = this.#deps;
    const key = `${job.id}:${unit}`;
    const pool = this.#pool;
    if (!pool || !this.#enabled) return;
    this.running.set(key, { job: job.id, title: job.body.title, unit, units: job.body.units, startedAt: now(), expectMs: this.#lastMs.get(job.id) ?? null });
    this.#status = `Computing unit ${unit + 1} of ${job.body.units} of “${job.body.title}”.`;
    try {
      const result = await pool.runUnit(p.kernel, p.manifest.inputs[unit]!, job.body.unitDeadlineMs);
      if (this.holdUnits) await new Promise(() => {});
      this.#lastMs.set(job.id, result.ms);
      let output = result.output;
      if (this.tamper) {
        output = output.slice();
        output[0] = (output[0] ?? 0) ^ 0xff;
      }
      const hash = p.room.put(output);
      const pending: PendingResult = { unit, hash, claim: result.chMilli };
      await this.#keepPending(p.room, pending, true);
      await this.#sign(job, pending);
      await this.#keepPending(p.room, pending, false);
    } catch (error) {
      // A unit that failed here (timeout, trap) is left to others: the lease expires.
      this.#problem = `Unit ${unit + 1} of “${job.body.title}” failed here: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      this.running.delete(key);
    }
  }

  async #sign(job: JobRecord, pending: PendingResult): Promise<void> {
    const sent = await this.#deps.session.publishResult({ job: job.id, unit: pending.unit, hash: pending.hash, claim: pending.claim });
    if (sent.ok) this.#unitsDone += 1;
  }

  async #keepPending(room: JobRoom, pending: PendingResult, add: boolean): Promise<void> {
    const list = await readPending(room);
    const next = add ? [...list.filter((x) => x.unit !== pending.unit), pending] : list.filter((x) => x.unit !== pending.unit);
    await room.putLocal('pending', JSON.stringify(next));
  }

  /** Signs results computed before a reload (their bytes are in the cached room). */
  async #signPending(job: JobRecord, room: JobRoom): Promise<void> {
    for (const pending of await readPending(room)) {
      this.#mineOf(job.id).add(pending.unit);
      if (room.has(pending.hash)) await this.#sign(job, pending);
      await this.#keepPending(room, pending, false);
    }
  }

  #mineOf(jobId: string): Set<number> {
    let set = this.#mine.get(jobId);
    if (!set) this.#mine.set(jobId, (set = new Set()));
    return set;
  }
}

/** The local record of results computed here and not yet signed (kept as JSON text). */
async function readPending(room: JobRoom): Promise<PendingResult[]> {
  const text = await room.getLocal<string>('pending');
  if (typeof text !== 'string') return [];
  try {
    const list = JSON.parse(text) as PendingResult[];
    return Array.isArray(list) ? list.filter((x) => Number.isInteger(x.unit) && typeof x.hash === 'string' && Number.isInteger(x.claim)) : [];
  } catch {
    return [];
  }
}

async function waitFor(room: JobRoom, hash: string, ms: number): Promise<Uint8Array | null> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), ms);
  try {
    return await room.whenBlob(hash, abort.signal);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}
