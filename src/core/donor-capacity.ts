// Donors online and the compute they could deliver (docs/ORCHESTRATOR.md "Donor capacity").
//
// A peer samples, while its app is open, how many members' presence says they donate and how
// many reference cores they advertise (workers × speed factor, docs/PROTOCOL.md §9). This is a
// LOCAL observation: presence is unsigned awareness, so any member can claim any number of
// donors and cores, and two peers see different samples. It only informs the forecast's
// replenishment requests (a banner); it never enters the ledger, mints or pays anything.
//
// Method, integer throughout:
// - sample: {time, donors, milliCores}, where a donor advertises `workers` (1..MAX_WORKERS,
//   absent → 1) at `speed` per-mille of the reference device (1..MAX_SPEED, absent → 1000), so
//   it contributes workers × speed milli-cores; one account's tabs add up, capped at
//   MAX_WORKERS × MAX_SPEED (a claim beyond the cap is cut, not trusted);
// - each sample holds until the next one, at most maxHold (the sampler uses 2 × its period:
//   beyond that this peer was closed) and never past now; an epoch's capacity (CH milli) = the
//   time-weighted mean milli-cores over its observed part × L / 3,600,000 (floor): one reference
//   core for one hour is one cpu-hour. The observed mean stands for the whole epoch: time this
//   peer was closed is unobserved, not zero, so an epoch never observed has no capacity value at
//   all (left out of the series, not counted as 0);
// - the capacity forecast for the epoch in progress is Holt's one step ahead (forecast.ts) over
//   the complete epochs observed among the last RECENT_EPOCHS ("seen recently"); without any, the
//   epoch in progress's own observed mean so far;
// - what is still to come this epoch = that forecast × (time left in the epoch) / L (floor).
// Samples are bounded (MAX_SAMPLES, oldest dropped) and rate-limited (a new sample within
// MIN_SAMPLE_GAP_MS of the last one replaces it), so storage stays small whatever presence does.

import { epochEnd, epochOf } from './epochs';
import { holt, DEFAULT_HOLT, type HoltParams } from './forecast';

export interface DonorSample {
  /** ms since the Unix epoch (this peer's clock). */
  readonly time: number;
  /** Accounts whose presence said "donating". */
  readonly donors: number;
  /** Σ workers × speed per-mille over them: reference cores × 1000. */
  readonly milliCores: number;
}

/** What one presence row tells about donating (net/presence.ts reads it from awareness). */
export interface DonorClaim {
  readonly account: string;
  readonly activity: string;
  readonly workers?: number;
  readonly speed?: number;
}

export const MAX_WORKERS = 64;
/** 16× the reference device, per-mille. */
export const MAX_SPEED = 16_000;
export const MAX_SAMPLES = 2_000;
export const MIN_SAMPLE_GAP_MS = 5_000;
const HOUR_MS = 3_600_000;

function clampInt(value: number | undefined, fallback: number, max: number): number {
  if (value === undefined || !Number.isSafeInteger(value) || value < 1) return fallback;
  return Math.min(value, max);
}

/** One sample from the presence rows seen now (any number of rows per account: tabs add up). */
export function sampleDonors(claims: Iterable<DonorClaim>, time: number): DonorSample {
  const perAccount = new Map<string, number>();
  for (const c of claims) {
    if (c.activity !== 'donating') continue;
    const cores = clampInt(c.workers, 1, MAX_WORKERS) * clampInt(c.speed, 1_000, MAX_SPEED);
    perAccount.set(c.account, Math.min(MAX_WORKERS * MAX_SPEED, (perAccount.get(c.account) ?? 0) + cores));
  }
  let milliCores = 0;
  for (const v of perAccount.values()) milliCores += v;
  return { time, donors: perAccount.size, milliCores };
}

/**
 * Adds a sample to a list kept in time order: one within MIN_SAMPLE_GAP_MS after the last
 * replaces it (the newest observation wins), an older one is dropped (a clock set back), and the
 * list keeps the newest MAX_SAMPLES. Returns a new array.
 */
export function appendSample(samples: readonly DonorSample[], sample: DonorSample, max = MAX_SAMPLES): DonorSample[] {
  const last = samples[samples.length - 1];
  if (last && sample.time < last.time) return [...samples];
  const kept = last && sample.time - last.time < MIN_SAMPLE_GAP_MS ? samples.slice(0, -1) : samples.slice();
  kept.push(sample);
  return kept.length > max ? kept.slice(kept.length - max) : kept;
}

/** Whether a sample should be recorded now: the count changed, or `every` ms passed since the last. */
export function sampleDue(last: DonorSample | undefined, next: DonorSample, every: number): boolean {
  if (!last) return true;
  if (last.donors !== next.donors || last.milliCores !== next.milliCores) return true;
  return next.time - last.time >= every;
}

/** Drops malformed items (a stored list is read back from IndexedDB). */
export function checkSamples(value: unknown): DonorSample[] {
  if (!Array.isArray(value)) return [];
  const out: DonorSample[] = [];
  for (const v of value.slice(-MAX_SAMPLES)) {
    const { time, donors, milliCores } = (v ?? {}) as Record<string, unknown>;
    if (![time, donors, milliCores].every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0)) continue;
    if (out.length > 0 && (time as number) < out[out.length - 1]!.time) continue;
    out.push({ time: time as number, donors: donors as number, milliCores: milliCores as number });
  }
  return out;
}

export interface EpochCapacity {
  readonly epoch: number;
  /** ms of the epoch covered by samples. */
  readonly observedMs: number;
  /** Time-weighted mean milli-cores over the observed part (floor). */
  readonly milliCores: number;
  /** CH milli the donors seen could deliver in the whole epoch: milliCores × L / 1 h (floor). */
  readonly capacity: number;
}

/** How often a peer samples at least, for an epoch length: 48 per epoch, 5 s to 10 minutes apart. */
export function sampleEvery(epochMs: number): number {
  return Math.min(600_000, Math.max(MIN_SAMPLE_GAP_MS, Math.floor(epochMs / 48)));
}

/**
 * Capacity per epoch with observed time, oldest first (epochs never observed are absent). Each
 * sample holds until the next one, at most `maxHoldMs` (beyond, this peer was closed: not
 * observed) and never past `now`; a hold that crosses an epoch end is split between the epochs.
 */
export function capacityPerEpoch(samples: readonly DonorSample[], epochMs: number, now: number, maxHoldMs: number): EpochCapacity[] {
  const acc = new Map<number, { ms: bigint; weighted: bigint }>();
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    if (s.time >= now) break;
    const until = Math.min(samples[i + 1]?.time ?? now, s.time + maxHoldMs, now);
    let t = s.time;
    while (t < until) {
      const e = epochOf(t, epochMs);
      const stop = Math.min(until, epochEnd(e, epochMs));
      const a = acc.get(e) ?? { ms: 0n, weighted: 0n };
      const dt = BigInt(stop - t);
      a.ms += dt;
      a.weighted += dt * BigInt(s.milliCores);
      acc.set(e, a);
      t = stop;
    }
  }
  return [...acc.entries()].sort((a, b) => a[0] - b[0]).map(([epoch, { ms, weighted }]) => {
    const milliCores = Number(weighted / ms);
    // BigInt: milli-cores × a year of ms passes 2^53.
    const capacity = Number((BigInt(milliCores) * BigInt(epochMs)) / BigInt(HOUR_MS));
    return { epoch, observedMs: Number(ms), milliCores, capacity };
  });
}

export interface CapacitySupply {
  /** CH milli the donors could deliver in the whole epoch in progress (forecast). */
  readonly next: number;
  /** Of it, what the time left in the epoch in progress still allows. */
  readonly left: number;
  /** The recent complete epochs' capacities the forecast used (oldest first). */
  readonly history: readonly number[];
}

/** Complete epochs before the current one whose capacity counts as "seen recently". */
export const RECENT_EPOCHS = 8;

/**
 * The donors' capacity as CH supply for the epoch in progress at `now`; undefined when nothing
 * was observed in the RECENT_EPOCHS before it nor in it.
 */
export function capacitySupply(samples: readonly DonorSample[], epochMs: number, now: number, maxHoldMs: number, params: HoltParams = DEFAULT_HOLT): CapacitySupply | undefined {
  const current = epochOf(now, epochMs);
  const per = capacityPerEpoch(samples, epochMs, now, maxHoldMs).filter((c) => c.epoch >= current - RECENT_EPOCHS);
  const complete = per.filter((c) => c.epoch < current).map((c) => c.capacity);
  const open = per.find((c) => c.epoch === current);
  if (complete.length === 0 && !open) return undefined;
  const next = complete.length > 0 ? holt(complete, params).next : open!.capacity;
  const remaining = Math.max(0, epochEnd(current, epochMs) - now);
  const left = Number((BigInt(next) * BigInt(remaining)) / BigInt(epochMs));
  return { next, left, history: complete };
}
