// Forecast inputs from the replayed state (docs/ORCHESTRATOR.md "Forecast and replenishment").
//
// Demand is what waits now, in each currency:
// - CH: the compute units of open jobs (not expired by the clock) that still need results, each
//   valued at the replicas it still needs × the job's ceiling (the most one replica is paid),
//   and never more than the job's escrow left (what the owner can still pay);
// - MH: the settled estimates of tasks waiting for a developer (estimated, unclaimed). Tasks still
//   open or estimating have no agreed hours yet: they are counted, not valued.
// - Expected downloads: for each release published in the epoch in progress or the
//   RELEASE_DEMAND_EPOCHS − 1 before it, the downloads still predicted (predicted − done, ≥ 0):
//   each will pay the release's price in MH and at most servingFee(file size) in CH. The MH part is
//   at most the release's invested hours (price × predicted ≤ invested), so one release can never
//   ask for more than it carries; older releases are not counted (their prediction has had its
//   time: RELEASE_DEMAND_EPOCHS = the mint window, 4 epochs).
// Supply is what the economy delivers per epoch: the paid flow per complete epoch (Holt's forecast
// of its next value, forecast.ts), or the donors' capacity seen when the caller has it, whichever
// is larger; minus what was already paid in the epoch in progress (that part has already shrunk
// the backlog). Shortfall = max(0, backlog − supply left this epoch).
// Everything is integer milli, so every peer holding the same entries prints the same requests.

import type { Currency } from './amounts';
import type { JobRecord, UnitRecord } from './compute-state';
import { forecastCurrency, holt, type CurrencyForecast, type HoltParams, DEFAULT_HOLT, type OpenNeed } from './forecast';
import type { TaskRecord } from './task-state';
import { epochOf, epochStart } from './epochs';
import { servingFee, type ReleaseRecord } from './release-state';

/** Releases count toward demand for this many epochs, the one they were published in included. */
export const RELEASE_DEMAND_EPOCHS = 4;

export interface Backlog {
  /** CH milli the queued units still need (replicas missing × ceiling, ≤ escrow per job). */
  readonly CH: number;
  /** MH milli of estimated tasks nobody has claimed. */
  readonly MH: number;
  /** Units of open jobs still needing at least one result. */
  readonly units: number;
  /** Tasks open or estimating: waiting, but without agreed hours. */
  readonly unestimated: number;
  /** One need per estimated, unclaimed task (for "task X needs 20 man-hours"). */
  readonly needs: readonly OpenNeed[];
  /** Downloads still predicted for recent releases (included in MH and CH above). */
  readonly downloadsExpected: number;
}

/** Replicas a unit still needs: redundancy − the largest group of pending results with one hash. */
function replicasMissing(unit: UnitRecord | undefined, redundancy: number): number {
  if (!unit) return redundancy;
  if (unit.status !== 'open') return 0;
  const counts = new Map<string, number>();
  let best = 0;
  for (const r of unit.results) {
    const n = (counts.get(r.hash) ?? 0) + 1;
    counts.set(r.hash, n);
    if (n > best) best = n;
  }
  return Math.max(0, redundancy - best);
}

/**
 * What waits now. `unitsOf(job)` gives the units with counted results (compute-state.ts: units
 * without results are absent, so a job of 100,000 units costs only its recorded ones here).
 */
export function backlogOf(
  jobs: Iterable<JobRecord>, unitsOf: (jobId: string) => ReadonlyMap<number, UnitRecord>, tasks: Iterable<TaskRecord>, now: number,
  releases?: { readonly records: Iterable<ReleaseRecord>; readonly epochMs: number },
): Backlog {
  let ch = 0;
  let units = 0;
  for (const job of jobs) {
    if (job.status !== 'open' || job.body.expires <= now) continue;
    const recorded = unitsOf(job.id);
    const { redundancy, ceiling } = job.body;
    let replicas = (job.body.units - recorded.size) * redundancy;
    units += job.body.units - recorded.size;
    for (const unit of recorded.values()) {
      const missing = replicasMissing(unit, redundancy);
      replicas += missing;
      if (missing > 0) units++;
    }
    ch += Math.min(job.escrow, replicas * ceiling);
  }
  let mh = 0;
  let unestimated = 0;
  const needs: OpenNeed[] = [];
  for (const task of tasks) {
    if (task.status === 'open' || task.status === 'estimating') unestimated++;
    else if (task.status === 'estimated' && task.estimate !== undefined) {
      mh += task.estimate;
      needs.push({ id: task.id, title: task.title, currency: 'MH', missing: task.estimate });
    }
  }
  let downloadsExpected = 0;
  if (releases) {
    const since = epochStart(epochOf(now, releases.epochMs) - RELEASE_DEMAND_EPOCHS + 1, releases.epochMs);
    for (const r of releases.records) {
      if (r.time < since || r.time > now) continue;
      const left = Math.max(0, r.predicted - r.downloads);
      downloadsExpected += left;
      mh += left * r.price;
      ch += left * servingFee(r.file.size);
    }
  }
  return { CH: ch, MH: mh, units, unestimated, needs, downloadsExpected };
}

export interface BacklogForecast extends CurrencyForecast {
  /** What waits now, milli. */
  readonly backlog: number;
  /** Supply forecast for the epoch in progress (max of paid flow and capacity forecasts), milli. */
  readonly supplyNext: number;
  /** Of it, what is still to come: supplyNext − paid so far this epoch, ≥ 0. */
  readonly supplyLeft: number;
}

/**
 * The forecast for the epoch in progress. `paid`: gross flow per complete epoch (oldest first);
 * `paidSoFar`: gross flow of the epoch in progress; `capacity`: donors' capacity seen per
 * complete epoch (CH), when the caller measured it. `demand` stays the paid-flow forecast (what
 * was bought per epoch, drawn against actual); `shortfall` is the backlog the supply left will
 * not clear.
 */
export function forecastBacklog(currency: Currency, paid: readonly number[], paidSoFar: number, backlog: number, capacity?: readonly number[], params: HoltParams = DEFAULT_HOLT): BacklogForecast {
  const base = forecastCurrency(currency, paid, paid, params);
  const supplyNext = Math.max(base.supply.next, capacity && capacity.length > 0 ? holt(capacity, params).next : 0);
  const supplyLeft = Math.max(0, supplyNext - paidSoFar);
  return { ...base, backlog, supplyNext, supplyLeft, shortfall: Math.max(0, backlog - supplyLeft) };
}
