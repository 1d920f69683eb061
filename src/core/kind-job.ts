// Kind "job" (code 6): the author (owner) posts a compute job and locks its budget in escrow for
// the donors who will compute it (docs/COMPUTE.md).
//
// Body wire format:
//   1 byte        kernel tag: 0 = catalog kernel, 1 = user module
//   …             tag 0: varuint length + ASCII id (1–32 characters, [a-z0-9-], starting with a
//                 letter, e.g. "primes"); tag 1: 32 bytes SHA-256 of the WebAssembly module
//   32 bytes      SHA-256 of the job's manifest (unit inputs, parameters: in the per-job room)
//   varuint       units, 1..MAX_JOB_UNITS
//   1 byte        redundancy, 1..MAX_REDUNDANCY
//   varuint       per-unit deadline (lease time), ms, MIN_UNIT_DEADLINE_MS..MAX_UNIT_DEADLINE_MS
//   varuint       ceiling: the most one replica of one unit is paid, CH milli, ≥ 1
//   varuint       budget, CH milli, units × redundancy × ceiling ≤ budget ≤ MAX_AMOUNT_MILLI
//   varuint       expires: ms since the Unix epoch; no result dated at or after it counts
//   varuint length + UTF-8 title, 1–MAX_TITLE_CHARS code points, no U+0000–U+001F or U+007F
//
// Invariants:
// - Stateless: the fields within their ranges, and the budget covers every replica of every unit
//   at the ceiling, so a validated unit is always paid in full (losing replicas are paid nothing,
//   so at most redundancy × ceiling leaves the escrow per unit).
// - In replay order: expires is after the entry's time and at most MAX_JOB_LIFETIME_MS after it,
//   the owner has fewer than MAX_OPEN_JOBS open jobs, and the budget fits in the owner's CH room
//   (credit.ts, under the settings the entry acks).
//   Then the budget is locked (escrowed) until the job closes: done when every unit is validated
//   or failed, expired at its expiry. What was not paid is unlocked then. Nothing else closes a
//   job: an owner's "cancel" would be a claim of time that could undo payments already seen
//   (see docs/COMPUTE.md "Why no cancel").

import { MAX_AMOUNT_MILLI, formatAmount, parseAmount } from './amounts';
import { ByteReader, ByteWriter, parseHex, toHex } from './bytes';
import type { AccountId } from './encoding';
import type { KindSpec } from './kinds';
import { recordHistory } from './ledger-state';
import { creditRoomProblem, settingsOfEntry, spendableOf, type CreditReader } from './credit';
import { openJob } from './compute-apply';

export interface JobBody {
  /** A catalog kernel id ('primes', 'mandelbrot', 'montecarlo', …) or a user module's SHA-256 (64 hex). */
  kernel: string;
  /** SHA-256 hex of the job's manifest (lives in the per-job room). */
  manifest: string;
  units: number;
  redundancy: number;
  /** Lease time per unit, ms. */
  unitDeadlineMs: number;
  /** CH milli: the most one replica of one unit is paid. */
  ceiling: number;
  /** CH milli locked at posting. */
  budget: number;
  /** ms since the epoch. */
  expires: number;
  title: string;
}

export const MAX_JOB_UNITS = 100_000;
export const MAX_REDUNDANCY = 5;
export const DEFAULT_REDUNDANCY = 2;
export const MIN_UNIT_DEADLINE_MS = 1_000;
export const MAX_UNIT_DEADLINE_MS = 24 * 3_600_000;
export const MAX_JOB_LIFETIME_MS = 30 * 24 * 3_600_000;
export const MAX_TITLE_CHARS = 120;
/**
 * Open jobs per owner. Bounds what one account's jobs cost every peer (the expiry queue is
 * copied when a job opens or closes, the job map at each checkpoint): a budget of 1 milli
 * would otherwise let 10 CH of credit open 10,000 jobs.
 */
export const MAX_OPEN_JOBS = 100;
const CATALOG_ID = /^[a-z][a-z0-9-]{0,31}$/;
const HASH = /^[0-9a-f]{64}$/;

export function isModuleKernel(kernel: string): boolean {
  return HASH.test(kernel);
}

/** The least budget that pays every replica of every unit at the ceiling (may exceed MAX_AMOUNT_MILLI). */
export function fullBudget(units: number, redundancy: number, ceiling: number): number {
  return units * redundancy * ceiling;
}

export function validateJob(body: JobBody, _author: AccountId): string | undefined {
  if (!CATALOG_ID.test(body.kernel) && !HASH.test(body.kernel)) return 'kernel is neither a catalog id nor a SHA-256';
  if (!HASH.test(body.manifest)) return 'manifest is not a SHA-256';
  if (!Number.isSafeInteger(body.units) || body.units < 1 || body.units > MAX_JOB_UNITS) return `units must be 1 to ${MAX_JOB_UNITS}`;
  if (!Number.isSafeInteger(body.redundancy) || body.redundancy < 1 || body.redundancy > MAX_REDUNDANCY) return `redundancy must be 1 to ${MAX_REDUNDANCY}`;
  if (!Number.isSafeInteger(body.unitDeadlineMs) || body.unitDeadlineMs < MIN_UNIT_DEADLINE_MS || body.unitDeadlineMs > MAX_UNIT_DEADLINE_MS) {
    return `unit deadline must be ${MIN_UNIT_DEADLINE_MS / 1000} s to ${MAX_UNIT_DEADLINE_MS / 3_600_000} h`;
  }
  if (!Number.isSafeInteger(body.ceiling) || body.ceiling < 1 || body.ceiling > MAX_AMOUNT_MILLI) return 'ceiling is not a positive integer of milli-hours';
  if (!Number.isSafeInteger(body.budget) || body.budget < 1 || body.budget > MAX_AMOUNT_MILLI) return `budget must be 0.001 to ${formatAmount(MAX_AMOUNT_MILLI)} CH`;
  if (fullBudget(body.units, body.redundancy, body.ceiling) > body.budget) return 'budget does not cover units × redundancy × ceiling';
  if (!Number.isSafeInteger(body.expires) || body.expires < 1) return 'expiry is not a time';
  const chars = [...body.title].length;
  if (chars < 1) return 'title is empty';
  if (chars > MAX_TITLE_CHARS) return `title is longer than ${MAX_TITLE_CHARS} characters`;
  // eslint-disable-next-line no-control-regex -- the point is to find control characters
  if (/[\u0000-\u001f\u007f]/.test(body.title)) return 'title contains control characters';
  return undefined;
}

export const jobKind: KindSpec<JobBody> = {
  name: 'job',
  code: 6,
  encodeBody(body, w: ByteWriter) {
    if (isModuleKernel(body.kernel)) {
      w.writeByte(1);
      w.writeBytes(parseHex(body.kernel)!);
    } else {
      w.writeByte(0);
      w.writeString(body.kernel);
    }
    w.writeBytes(parseHex(body.manifest) ?? new Uint8Array(32));
    w.writeVarUint(body.units);
    w.writeByte(body.redundancy);
    w.writeVarUint(body.unitDeadlineMs);
    w.writeVarUint(body.ceiling);
    w.writeVarUint(body.budget);
    w.writeVarUint(body.expires);
    w.writeString(body.title);
  },
  decodeBody(r: ByteReader) {
    const tag = r.readByte();
    let kernel: string | undefined;
    if (tag === 1) {
      const h = r.readBytes(32);
      kernel = h && toHex(h);
    } else if (tag === 0) {
      kernel = r.readString(32);
      // A catalog id must not be readable as a module hash (one body, one meaning): ids are ≤ 32.
    }
    const manifest = r.readBytes(32);
    const units = r.readVarUint();
    const redundancy = r.readByte();
    const unitDeadlineMs = r.readVarUint();
    const ceiling = r.readVarUint();
    const budget = r.readVarUint();
    const expires = r.readVarUint();
    const title = r.readString(MAX_TITLE_CHARS * 4);
    if (kernel === undefined || !manifest || units === undefined || redundancy === undefined || unitDeadlineMs === undefined) return undefined;
    if (ceiling === undefined || budget === undefined || expires === undefined || title === undefined) return undefined;
    return { kernel, manifest: toHex(manifest), units, redundancy, unitDeadlineMs, ceiling, budget, expires, title };
  },
  validateBody: validateJob,
  applyBody(state, entry, body) {
    if (body.expires <= entry.time) return 'job expires before it is posted';
    if (body.expires - entry.time > MAX_JOB_LIFETIME_MS) return `job runs longer than ${MAX_JOB_LIFETIME_MS / 86_400_000} days`;
    if ((state.compute.openJobs.get(entry.author) ?? 0) >= MAX_OPEN_JOBS) return `too many open jobs: at most ${MAX_OPEN_JOBS} per account`;
    const room = spendableOf(state, entry.author, 'CH', settingsOfEntry(state, entry));
    if (body.budget > room) return `insufficient credit: a budget of ${formatAmount(body.budget)} CH is more than the room of ${formatAmount(Math.max(0, room))} CH`;
    openJob(state, { id: entry.id, owner: entry.author, posted: entry.time, body, escrow: body.budget, paid: 0, validated: 0, failed: 0, status: 'open' });
    recordHistory(state, entry.author, { entryId: entry.id, time: entry.time, kind: 'job', status: 'applied', currency: 'CH', delta: 0, memo: body.title });
    return undefined;
  },
};

/** What a person filled in to post a job (the Compute view's form). */
export interface JobInput {
  title: string;
  /** A catalog id or a user module's SHA-256 hex. */
  kernel: string;
  /** SHA-256 hex of the manifest (already stored in the job's room). */
  manifest: string;
  units: number;
  /** Defaults to DEFAULT_REDUNDANCY. */
  redundancy?: number;
  unitDeadlineMs: number;
  /** CH per replica of a unit, as typed ("0.05"). */
  ceilingText: string;
  /** CH, as typed; empty or missing = units × redundancy × ceiling (the least that is accepted). */
  budgetText?: string;
  /** ms since the epoch. */
  expires: number;
}

export type JobField = 'title' | 'kernel' | 'manifest' | 'units' | 'redundancy' | 'deadline' | 'ceiling' | 'budget' | 'expires';

export type JobCheck =
  | { ok: true; body: JobBody; /** "Locks 2 CH: 20 units × 2 replicas × at most 0.05 CH." */ reading: string }
  | { ok: false; error: string; field?: JobField };

/**
 * Checks a job the way the ledger will apply it when signed at `now`, so the owner hears why
 * before anything is signed. The budget must cover every replica of every unit at the ceiling:
 * then a validated unit is always paid, and what is not paid is unlocked when the job closes.
 */
/** What checkJob reads (the Ledger implements it). */
export interface JobReader extends CreditReader {
  /** Open jobs of `account` by this device's clock. */
  openJobsOf(account: AccountId): number;
}

export function checkJob(reader: JobReader, me: AccountId, input: JobInput, now: number, timeZone?: string): JobCheck {
  const title = input.title.trim();
  const titleChars = [...title].length;
  if (titleChars === 0) return { ok: false, field: 'title', error: 'Give the job a title.' };
  if (titleChars > MAX_TITLE_CHARS) return { ok: false, field: 'title', error: `The title is longer than ${MAX_TITLE_CHARS} characters.` };
  if (!CATALOG_ID.test(input.kernel) && !HASH.test(input.kernel)) return { ok: false, field: 'kernel', error: 'Choose a kernel from the catalog or upload a WebAssembly module.' };
  if (!HASH.test(input.manifest)) return { ok: false, field: 'manifest', error: 'The job\'s inputs are not stored yet (no manifest hash).' };
  if (!Number.isSafeInteger(input.units) || input.units < 1 || input.units > MAX_JOB_UNITS) {
    return { ok: false, field: 'units', error: `A job has 1 to ${MAX_JOB_UNITS.toLocaleString('en')} units.` };
  }
  const redundancy = input.redundancy ?? DEFAULT_REDUNDANCY;
  if (!Number.isSafeInteger(redundancy) || redundancy < 1 || redundancy > MAX_REDUNDANCY) {
    return { ok: false, field: 'redundancy', error: `Each unit is computed by 1 to ${MAX_REDUNDANCY} donors.` };
  }
  if (!Number.isSafeInteger(input.unitDeadlineMs) || input.unitDeadlineMs < MIN_UNIT_DEADLINE_MS || input.unitDeadlineMs > MAX_UNIT_DEADLINE_MS) {
    return { ok: false, field: 'deadline', error: `The time for one unit must be between ${MIN_UNIT_DEADLINE_MS / 1000} second and ${MAX_UNIT_DEADLINE_MS / 3_600_000} hours.` };
  }
  const ceiling = parseAmount(input.ceilingText);
  if (!ceiling.ok) return { ...ceiling, field: 'ceiling' };
  const least = fullBudget(input.units, redundancy, ceiling.milli);
  if (least > MAX_AMOUNT_MILLI) return { ok: false, field: 'ceiling', error: `Units × donors × price is more than the largest budget, ${formatAmount(MAX_AMOUNT_MILLI)} CH.` };
  let budget = least;
  if (input.budgetText?.trim()) {
    const typed = parseAmount(input.budgetText);
    if (!typed.ok) return { ...typed, field: 'budget' };
    if (typed.milli < least) {
      return { ok: false, field: 'budget', error: `The budget must pay every donor of every unit at the price: at least ${formatAmount(least)} CH (${input.units} units × ${redundancy} × ${formatAmount(ceiling.milli)} CH).` };
    }
    budget = typed.milli;
  }
  if (!Number.isSafeInteger(input.expires) || input.expires <= now) return { ok: false, field: 'expires', error: 'The job must end in the future.' };
  if (input.expires - now > MAX_JOB_LIFETIME_MS) return { ok: false, field: 'expires', error: `A job runs at most ${MAX_JOB_LIFETIME_MS / 86_400_000} days.` };
  if (reader.frozenAt(me) !== undefined) {
    return { ok: false, error: 'Your account is frozen: two different entries were signed with your key (a fork). See Economy → Forks.' };
  }
  if (reader.openJobsOf(me) >= MAX_OPEN_JOBS) return { ok: false, error: `You have ${MAX_OPEN_JOBS} open jobs, the most an account may have: wait for one to finish or expire.` };
  const noRoom = creditRoomProblem(reader, me, 'CH', budget, timeZone);
  if (noRoom) return { ok: false, field: 'budget', error: `The budget is locked when the job is posted. ${noRoom}` };
  const body: JobBody = { kernel: input.kernel, manifest: input.manifest, units: input.units, redundancy, unitDeadlineMs: input.unitDeadlineMs, ceiling: ceiling.milli, budget, expires: input.expires, title };
  const invalid = validateJob(body, me);
  if (invalid) return { ok: false, error: `This job cannot be signed: ${invalid}.` };
  const reading = `Locks ${formatAmount(budget)} CH: ${input.units} units × ${redundancy} ${redundancy === 1 ? 'donor' : 'donors'} × at most ${formatAmount(ceiling.milli)} CH.`;
  return { ok: true, body, reading };
}
