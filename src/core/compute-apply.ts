// The writes behind kinds `job` and `result`: open a job, change it, close it, pay a quorum.
// Every change goes through setJob so the escrow sums and the expiry queue stay in step with the
// job records (compute-state.ts has the invariants).

import type { AccountId } from './encoding';
import { changeBalance, recordHistory, type LedgerState } from './ledger-state';
import type { JobRecord, UnitRecord } from './compute-state';

/** Adds a new open job: locks its escrow and queues its expiry. */
export function openJob(state: LedgerState, job: JobRecord): void {
  const c = state.compute;
  const item = { expires: job.body.expires, id: job.id };
  // Binary search for the place; the copy keeps the array immutable (snapshots share it).
  let lo = 0;
  let hi = c.expiries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const x = c.expiries[mid]!;
    if (x.expires < item.expires || (x.expires === item.expires && x.id < item.id)) lo = mid + 1;
    else hi = mid;
  }
  const next = c.expiries.slice();
  next.splice(lo, 0, item);
  c.expiries = next;
  c.openJobs.set(job.owner, (c.openJobs.get(job.owner) ?? 0) + 1);
  setJob(state, job);
}

/** Replaces a job record; keeps escrowed[owner] in step and dequeues a job that closed. */
export function setJob(state: LedgerState, next: JobRecord): void {
  const c = state.compute;
  const prev = c.jobs.get(next.id);
  const delta = next.escrow - (prev?.escrow ?? 0);
  if (delta !== 0) {
    const sum = (c.escrowed.get(next.owner) ?? 0) + delta;
    if (sum === 0) c.escrowed.delete(next.owner);
    else c.escrowed.set(next.owner, sum);
  }
  if (prev?.status === 'open' && next.status !== 'open') {
    c.expiries = c.expiries.filter((x) => x.id !== next.id);
    const open = (c.openJobs.get(next.owner) ?? 1) - 1;
    if (open === 0) c.openJobs.delete(next.owner);
    else c.openJobs.set(next.owner, open);
  }
  c.jobs.set(next.id, next);
}

/** Closes a job: what is left of its escrow is unlocked for the owner. */
export function closeJob(state: LedgerState, job: JobRecord, status: 'done' | 'expired', time: number): JobRecord {
  const closed: JobRecord = { ...job, escrow: 0, status, closedAt: time };
  setJob(state, closed);
  return closed;
}

/**
 * Closes every open job whose expiry ≤ `time`: called before each entry of the replay applies
 * (replay.ts), so an entry dated at or after a job's expiry sees it closed and its escrow free.
 * Cost: one comparison when nothing expires.
 */
export function releaseExpiredJobs(state: LedgerState, time: number): void {
  const c = state.compute;
  while (c.expiries.length > 0 && c.expiries[0]!.expires <= time) {
    const { expires, id } = c.expiries[0]!;
    const job = c.jobs.get(id);
    if (!job || job.status !== 'open') {
      c.expiries = c.expiries.slice(1); // cannot happen: setJob dequeues closed jobs
      continue;
    }
    closeJob(state, job, 'expired', expires);
  }
}

export function setUnit(state: LedgerState, job: string, unit: UnitRecord): void {
  const c = state.compute;
  let map = c.units.get(job);
  if (!map) c.units.set(job, (map = new Map()));
  map.set(unit.index, unit);
}

/**
 * Pays `pay` CH milli from the job's owner to each donor, zero-sum, with a flow record and a
 * history line on both sides per payment. The caller has checked the escrow and the bounds.
 */
export function payQuorum(state: LedgerState, job: JobRecord, donors: readonly { donor: AccountId; entryId: string }[], pay: number, entry: { id: string; time: number }): void {
  const c = state.compute;
  for (const { donor, entryId } of donors) {
    changeBalance(state, job.owner, 'CH', -pay);
    changeBalance(state, donor, 'CH', pay);
    c.earned.set(donor, (c.earned.get(donor) ?? 0) + pay);
    state.flows.push({ entryId: entry.id, time: entry.time, currency: 'CH', payer: job.owner, payee: donor, amount: pay, source: 'compute' });
    const memo = job.body.title;
    recordHistory(state, job.owner, { entryId, time: entry.time, kind: 'result', status: 'applied', currency: 'CH', counterparty: donor, delta: -pay, memo });
    recordHistory(state, donor, { entryId, time: entry.time, kind: 'result', status: 'applied', currency: 'CH', counterparty: job.owner, delta: pay, memo });
  }
}
