// Compute jobs in the replayed state: the records kinds `job` and `result` write, the escrow
// they lock, and the reads the Ledger offers (docs/COMPUTE.md).
//
// Invariants:
// - Values are replaced, never mutated in place: a JobRecord or a UnitRecord is a new object on
//   every change, and a job's unit map is changed by `set` only. So a snapshot is a copy of the
//   maps (two levels: jobs → units) and restoring one is exact (ledger-state.ts).
// - escrowed[owner] = Σ escrow of the owner's open jobs and openJobs[owner] = their number, kept
//   in step by openJob and setJob only. The escrow
//   counts against the owner's room (credit.ts spendableOf), so what is locked for donors cannot
//   be spent or staked again; payments move balance from owner to donor and shrink the escrow by
//   the same amount, so the owner's room does not move when a unit is paid.
// - A unit map holds only units that received a counted result: a job of 10,000 units costs
//   nothing per unit until results arrive.
// - expiries lists the open jobs ascending by (expires, id); releaseExpiredJobs closes every job
//   whose expiry ≤ the time of the entry being applied, before that entry applies. Replay goes
//   in time order, so this is the same on every peer for the same set of entries.

import type { AccountId } from './encoding';
import type { JobBody } from './kind-job';

/** A job as the ledger sees it; replaced on every change. */
export interface JobRecord {
  /** Entry id of the job entry. */
  readonly id: string;
  readonly owner: AccountId;
  /** The job entry's signed time, ms. */
  readonly posted: number;
  readonly body: JobBody;
  /** CH milli still locked for this job (0 once closed). */
  readonly escrow: number;
  /** CH milli paid to donors so far. */
  readonly paid: number;
  readonly validated: number;
  /** Units that reached 2·redundancy − 1 counted results without a quorum (see kind-result.ts). */
  readonly failed: number;
  /** open → done (every unit validated or failed) or expired (an entry dated ≥ expires applied). */
  readonly status: 'open' | 'done' | 'expired';
  /** Time at which the job closed (the completing result's time, or its expiry). */
  readonly closedAt?: number;
}

/** One counted result of a unit. */
export interface UnitResult {
  readonly entryId: string;
  readonly donor: AccountId;
  /** SHA-256 hex of the result bytes. */
  readonly hash: string;
  /** The donor's metered reference CH, milli. */
  readonly claim: number;
  readonly time: number;
  /** What this result earned: pending (no quorum yet), paid (in the quorum), lost (another hash won, or the unit failed). */
  readonly outcome: 'pending' | 'paid' | 'lost';
}

/** A unit with at least one counted result; replaced on every change. */
export interface UnitRecord {
  readonly index: number;
  readonly status: 'open' | 'validated' | 'failed';
  /** Counted results in replay order (at most 2·redundancy − 1). */
  readonly results: readonly UnitResult[];
  /** The validated hash. */
  readonly hash?: string;
  /** CH milli paid to each replica of the quorum. */
  readonly pay?: number;
}

export interface ComputeState {
  jobs: Map<string, JobRecord>;
  /** job id → unit index → record; only units with counted results. */
  units: Map<string, Map<number, UnitRecord>>;
  /** CH milli locked by each owner's open jobs. */
  escrowed: Map<AccountId, number>;
  /** How many open jobs each owner has (at most MAX_OPEN_JOBS, kind-job.ts). */
  openJobs: Map<AccountId, number>;
  /** CH milli each account earned from validated units. */
  earned: Map<AccountId, number>;
  /** Open jobs ascending by (expires, id); replaced, never mutated. */
  expiries: readonly { readonly expires: number; readonly id: string }[];
}

export function createComputeState(): ComputeState {
  return { jobs: new Map(), units: new Map(), escrowed: new Map(), openJobs: new Map(), earned: new Map(), expiries: [] };
}

/** A copy that shares only immutable values (records), never a map. */
export function copyComputeState(c: ComputeState): ComputeState {
  const units = new Map<string, Map<number, UnitRecord>>();
  for (const [job, map] of c.units) units.set(job, new Map(map));
  return { jobs: new Map(c.jobs), units, escrowed: new Map(c.escrowed), openJobs: new Map(c.openJobs), earned: new Map(c.earned), expiries: c.expiries };
}

function byKey<V>(map: ReadonlyMap<string, V>): [string, V][] {
  return [...map.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** Canonical JSON-able form (sorted), for serializeState. */
export function serializeCompute(c: ComputeState): unknown {
  return {
    jobs: byKey(c.jobs),
    units: byKey(c.units).map(([job, map]) => [job, [...map.values()].sort((a, b) => a.index - b.index)]),
    escrowed: byKey(c.escrowed),
    openJobs: byKey(c.openJobs),
    earned: byKey(c.earned),
    expiries: c.expiries,
  };
}

export function readEscrowed(c: ComputeState, account: AccountId): number {
  return c.escrowed.get(account) ?? 0;
}

export function readEarned(c: ComputeState, account: AccountId): number {
  return c.earned.get(account) ?? 0;
}

export function unitOf(c: ComputeState, job: string, unit: number): UnitRecord | undefined {
  return c.units.get(job)?.get(unit);
}

/** Job status as a person reads it (Ledger.jobStatus). */
export interface JobStatus {
  job: JobRecord;
  /** open until expiry by the reader's clock (the ledger closes it at the first entry dated after). */
  status: 'open' | 'done' | 'expired';
  validated: number;
  failed: number;
  /** Units not yet validated or failed. */
  pending: number;
  /** Units with at least one counted result. */
  started: number;
  escrowLeft: number;
  paid: number;
}

export function jobStatusOf(c: ComputeState, id: string, now: number): JobStatus | undefined {
  const job = c.jobs.get(id);
  if (!job) return undefined;
  const status = job.status === 'open' && now >= job.body.expires ? 'expired' : job.status;
  return {
    job,
    status,
    validated: job.validated,
    failed: job.failed,
    pending: job.body.units - job.validated - job.failed,
    started: c.units.get(id)?.size ?? 0,
    escrowLeft: status === 'open' ? job.escrow : 0,
    paid: job.paid,
  };
}

/** Jobs, newest first (by posted time, then id). */
export function listJobs(c: ComputeState): JobRecord[] {
  return [...c.jobs.values()].sort((a, b) => b.posted - a.posted || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Escrow of `account`'s jobs that are open in the state but expired by `now` (released at the next entry). */
export function escrowExpiredBy(c: ComputeState, account: AccountId, now: number): number {
  let sum = 0;
  for (const { expires, id } of c.expiries) {
    if (expires > now) break;
    const job = c.jobs.get(id);
    if (job && job.owner === account) sum += job.escrow;
  }
  return sum;
}
