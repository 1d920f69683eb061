// The donor loop's lease planner: which units of a job this donor should compute next. Pure: the
// ledger's unit records and the leases visible in awareness go in, unit indexes come out.
//
// Leases are ephemeral coordination, not value (docs/COMPUTE.md "Leases"): a lease is what a
// donor announces in awareness, {account, job, unit, expires}; a closed tab's leases vanish with
// it and an expired one no longer counts, so its unit is reissued to the next donor that plans.
// Nothing here is trusted for payment: the ledger pays only validated results.
//
// Rules, per unit (tie-breaks in the comments below):
// - skip a unit that is validated or failed, or that this donor already returned a result for
//   (in the ledger, or in `mine`: sent but not yet applied), or holds a live lease on, or that
//   an account related to it returned (its result would not count: kind-result.ts rule 8);
// - need = redundancy − (most results agreeing on one hash): the replicas still missing for a
//   quorum; skip the unit when fewer result slots remain than that (2·redundancy − 1 counted
//   results at most: it can no longer validate);
// - live leases of other donors who have not returned a result yet cover part of the need; skip
//   the unit when they cover all of it;
// - among the rest prefer the fewest counted results (fresh replicas before tie-breaking
//   re-runs of a disagreement), then the lowest index. Live leases do not lower a unit's rank:
//   so the donors of one job move through its units together, in index order, and each unit
//   validates as soon as its replicas are done (the owner sees results, a Mandelbrot image
//   fills in, in order) instead of every unit waiting at one result until the last is started.

import type { AccountId } from './encoding';
import type { UnitRecord } from './compute-state';
import { maxResultsPerUnit } from './kind-result';

/** A lease as announced in awareness. */
export interface Lease {
  account: AccountId;
  /** Job entry id. */
  job: string;
  unit: number;
  /** ms since the epoch; a lease with expires ≤ now does not count. */
  expires: number;
}

export interface LeasePlanInput {
  job: { id: string; units: number; redundancy: number; expires: number };
  /** The job's units with counted results (Ledger.unitsOf); a missing unit has none. */
  units: ReadonlyMap<number, UnitRecord>;
  /** Every lease visible now (any job; others are ignored). */
  leases: readonly Lease[];
  me: AccountId;
  now: number;
  /** How many units to return at most. */
  max: number;
  /** Units this donor already computed or sent, whatever the ledger says yet. */
  mine?: ReadonlySet<number>;
  /**
   * Accounts related to this donor (Ledger.relatedDonors): a unit one of them returned would
   * not count this donor's result (kind-result.ts rule 8), so it is not offered.
   */
  related?: ReadonlySet<AccountId>;
}

/** The units to lease next, best first (see the header). */
export function planUnits(input: LeasePlanInput): number[] {
  const { job, units, me, now } = input;
  if (input.max <= 0 || now >= job.expires) return [];
  const live = new Map<number, Set<AccountId>>();
  for (const l of input.leases) {
    if (l.job !== job.id || l.expires <= now || !Number.isSafeInteger(l.unit) || l.unit < 0 || l.unit >= job.units) continue;
    let set = live.get(l.unit);
    if (!set) live.set(l.unit, (set = new Set()));
    set.add(l.account);
  }
  const slots = maxResultsPerUnit(job.redundancy);
  const candidates: { unit: number; load: number }[] = [];
  for (let unit = 0; unit < job.units; unit++) {
    if (input.mine?.has(unit)) continue;
    const rec = units.get(unit);
    if (rec && rec.status !== 'open') continue;
    const results = rec?.results ?? [];
    if (results.some((r) => r.donor === me || input.related?.has(r.donor))) continue;
    const leased = live.get(unit);
    if (leased?.has(me)) continue;
    const need = job.redundancy - mostAgreeing(results);
    if (need > slots - results.length) continue;
    // A lease held by a donor that has already returned this unit is stale: it covers nothing.
    let covering = 0;
    if (leased) for (const a of leased) if (!results.some((r) => r.donor === a)) covering++;
    if (covering >= need) continue;
    candidates.push({ unit, load: results.length });
  }
  candidates.sort((a, b) => a.load - b.load || a.unit - b.unit);
  return candidates.slice(0, input.max).map((c) => c.unit);
}

/** The largest number of results that agree on one hash. */
function mostAgreeing(results: UnitRecord['results']): number {
  const counts = new Map<string, number>();
  let most = 0;
  for (const r of results) {
    const n = (counts.get(r.hash) ?? 0) + 1;
    counts.set(r.hash, n);
    if (n > most) most = n;
  }
  return most;
}
