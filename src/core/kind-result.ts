// Kind "result" (code 7): a donor reports the SHA-256 of one unit's result and its metered CH
// claim. Replay cross-checks replicas and pays validated units from the job's escrow, with no
// need for the owner to be online (docs/COMPUTE.md).
//
// Body wire format: 32 bytes job id (the job entry's id), varuint unit index, 32 bytes result
// SHA-256, varuint claim (CH milli, 1..MAX_AMOUNT_MILLI): 66 bytes for a unit < 128 and a claim
// < 128 milli. A whole result entry is 220 bytes with seq, ack, unit and claim of one varuint
// byte each and a present-day time; each further varuint byte adds one (docs/COMPUTE.md).
//
// Replay rules, in order (the first that fails rejects the entry with its reason; nothing changes):
//  1. the job is known here: applied before this entry in replay order. A result dated before its
//     job is refused (no honest donor saw a job before it was posted); one that arrives before its
//     job is re-applied once the job arrives (the state is a function of the set of entries);
//  2. the job is open and the result is dated before its expiry;
//  3. the unit index is below the job's unit count;
//  4. the donor is not the job's owner (self-dealing: an owner validating its own job);
//  5. the unit is still open (not validated, not failed): results after validation are not paid;
//  6. the donor has not returned a counted result for this unit before (one replica per account);
//  7. the donor counts in a quorum (quorumEligibilityProblem): the founder, or an account others
//     have vouched for (stakes received > 0, any currency) whose credit lineage (below) has at
//     most MAX_LINEAGE accounts. A fresh key's result is recorded (its entry is kept, rejected
//     with the reason) but never counted, so keys alone validate nothing;
//  8. no earlier counted result of this unit is from an account related to the donor: one has
//     a stake on the other (the founder's stakes excepted), or their credit lineages meet.
//     Credit lineage of A: A, and — unless the founder has a stake on A — every account with a
//     stake on A, and their lineages in turn. The founder answers for the members it vouches for
//     (it is the economy's gate), so the walk stops at them; everyone else's credit comes from
//     someone, and two accounts whose credit comes from one account are one person as far as the
//     rules can tell: a member's keys, vouched by it directly or through a chain, all have the
//     member in their lineage, so one person with one founder stake never holds two seats of
//     a quorum.
// Then the result is added to the unit. When `redundancy` counted results carry the same hash,
// the unit is validated: each of those replicas (the quorum: the first `redundancy` with that
// hash in replay order) is paid the same amount, min(lowest claim of the quorum, ceiling), from
// the owner to the donor (a FlowRecord each); the others are "lost" and paid nothing. A unit
// that reaches 2·redundancy − 1 counted results without a quorum fails (no majority out of
// that many), and takes no more results. When every unit is validated or failed the job is done
// and its remaining escrow is unlocked.

import { MAX_AMOUNT_MILLI, MAX_BALANCE_MILLI } from './amounts';
import { ByteReader, ByteWriter, parseHex, toHex } from './bytes';
import type { AccountId } from './encoding';
import type { KindSpec } from './kinds';
import { readBalance, type LedgerState } from './ledger-state';
import { readBackers, readStake, readVouched } from './credit';
import { closeJob, payQuorum, setJob, setUnit } from './compute-apply';
import { unitOf, type JobRecord, type UnitRecord, type UnitResult } from './compute-state';

export interface ResultBody {
  /** Entry id of the job. */
  job: string;
  unit: number;
  /** SHA-256 hex of the unit's result bytes. */
  hash: string;
  /** Metered reference CH, milli. */
  claim: number;
}

const HASH = /^[0-9a-f]{64}$/;

export function validateResult(body: ResultBody, _author: AccountId): string | undefined {
  if (!HASH.test(body.job)) return 'job is not an entry id';
  if (!Number.isSafeInteger(body.unit) || body.unit < 0) return 'unit is not an index';
  if (!HASH.test(body.hash)) return 'result hash is not a SHA-256';
  if (!Number.isSafeInteger(body.claim) || body.claim < 1 || body.claim > MAX_AMOUNT_MILLI) return 'claim is not a positive integer of milli-hours';
  return undefined;
}

/** The most counted results a unit takes: a majority of them is `redundancy`. */
export function maxResultsPerUnit(redundancy: number): number {
  return 2 * redundancy - 1;
}

/**
 * Why `account`'s results would not count toward a quorum (rule 7), or undefined when they do.
 * Read at the result's place in replay order.
 */
export function quorumEligibilityProblem(state: LedgerState, account: AccountId): string | undefined {
  if (account === state.founder) return undefined;
  const v = readVouched(state, account);
  if (v.MH === 0 && v.CH === 0) return 'not counted: results count toward a quorum only from accounts a member has vouched for';
  if (!creditLineage(state, account)) return `not counted: this account's credit comes through more than ${MAX_LINEAGE} vouching accounts`;
  return undefined;
}

/** The most accounts a credit lineage may hold; a longer one does not count (it costs a walk per result). */
export const MAX_LINEAGE = 32;

/**
 * The credit lineage of `account` (rule 8 of the header): it, and unless the founder vouches for
 * it, its backers' lineages. Undefined when it holds more than MAX_LINEAGE accounts. The verdict
 * does not depend on the walk's order: the lineage is a set, and its size is what is capped.
 */
export function creditLineage(state: LedgerState, account: AccountId): Set<AccountId> | undefined {
  const lineage = new Set<AccountId>([account]);
  const todo = [account];
  while (todo.length > 0) {
    const backers = readBackers(state, todo.pop()!);
    if (backers.includes(state.founder)) continue; // the founder answers for it
    for (const b of backers) {
      if (lineage.has(b)) continue;
      lineage.add(b);
      if (lineage.size > MAX_LINEAGE) return undefined;
      todo.push(b);
    }
  }
  return lineage;
}

/**
 * An account among `donors` related to `account` (rule 8): a stake between them either way, or
 * credit lineages that meet. The founder's stakes relate nobody: the founder is the economy's
 * gate and vouches for every member it admits (credit.ts), so counting them would keep it out of
 * every quorum with its members, and every member out of a quorum with every other.
 */
export function relatedDonor(state: LedgerState, account: AccountId, donors: Iterable<AccountId>): AccountId | undefined {
  const hasStake = (voucher: AccountId, member: AccountId) => {
    if (voucher === state.founder) return false;
    const s = readStake(state, voucher, member);
    return s.MH > 0 || s.CH > 0;
  };
  const mine = creditLineage(state, account);
  for (const d of donors) {
    if (hasStake(d, account) || hasStake(account, d)) return d;
    const theirs = creditLineage(state, d);
    // A lineage grown past the cap since that result counted: related, to be safe.
    if (!mine || !theirs) return d;
    for (const a of theirs) if (mine.has(a)) return d;
  }
  return undefined;
}

export const resultKind: KindSpec<ResultBody> = {
  name: 'result',
  code: 7,
  encodeBody(body, w: ByteWriter) {
    w.writeBytes(parseHex(body.job) ?? new Uint8Array(32));
    w.writeVarUint(body.unit);
    w.writeBytes(parseHex(body.hash) ?? new Uint8Array(32));
    w.writeVarUint(body.claim);
  },
  decodeBody(r: ByteReader) {
    const job = r.readBytes(32);
    const unit = r.readVarUint();
    const hash = r.readBytes(32);
    const claim = r.readVarUint();
    if (!job || unit === undefined || !hash || claim === undefined) return undefined;
    return { job: toHex(job), unit, hash: toHex(hash), claim };
  },
  validateBody: validateResult,
  applyBody(state, entry, body) {
    const problem = resultProblem(state, entry.author, body, entry.time);
    if (problem) return problem;
    const job = state.compute.jobs.get(body.job)!;
    const { redundancy, ceiling } = job.body;
    const before = unitOf(state.compute, body.job, body.unit);
    const mine: UnitResult = { entryId: entry.id, donor: entry.author, hash: body.hash, claim: body.claim, time: entry.time, outcome: 'pending' };
    const results = [...(before?.results ?? []), mine];
    const agreeing = results.filter((x) => x.hash === body.hash);
    if (agreeing.length === redundancy) {
      const pay = Math.min(ceiling, ...agreeing.map((x) => x.claim));
      for (const x of agreeing) {
        if (readBalance(state, x.donor).CH + pay > MAX_BALANCE_MILLI) return 'a donor\'s balance would exceed the maximum';
      }
      const outcomes = results.map((x): UnitResult => ({ ...x, outcome: x.hash === body.hash ? 'paid' : 'lost' }));
      setUnit(state, body.job, { index: body.unit, status: 'validated', results: outcomes, hash: body.hash, pay });
      payQuorum(state, job, agreeing, pay, entry);
      const total = pay * redundancy;
      settleJob(state, { ...job, escrow: job.escrow - total, paid: job.paid + total, validated: job.validated + 1 }, entry.time);
      return undefined;
    }
    if (results.length === maxResultsPerUnit(redundancy)) {
      setUnit(state, body.job, { index: body.unit, status: 'failed', results: results.map((x) => ({ ...x, outcome: 'lost' })) });
      settleJob(state, { ...job, failed: job.failed + 1 }, entry.time);
      return undefined;
    }
    setUnit(state, body.job, { index: body.unit, status: 'open', results });
    return undefined;
  },
};

/** Stores the job; closes it (unlocking the rest of its escrow) once every unit is settled. */
function settleJob(state: LedgerState, job: JobRecord, time: number): void {
  if (job.validated + job.failed === job.body.units) closeJob(state, job, 'done', time);
  else setJob(state, job);
}

/**
 * Rules 1–8 of the header for `donor` reporting `body` at `time`, in the state as it is: the
 * reducer's check, and checkResult's before signing. Undefined when the result would count.
 */
export function resultProblem(state: LedgerState, donor: AccountId, body: ResultBody, time: number): string | undefined {
  const job = state.compute.jobs.get(body.job);
  if (!job) return 'unknown job (a result must be dated after its job)';
  if (job.status === 'done') return 'job is done: every unit is settled';
  if (job.status === 'expired' || time >= job.body.expires) return 'job expired';
  if (body.unit >= job.body.units) return `unit ${body.unit} is beyond the job's ${job.body.units} units`;
  if (donor === job.owner) return 'the job\'s owner cannot return results to its own job';
  const unit: UnitRecord | undefined = unitOf(state.compute, body.job, body.unit);
  if (unit?.status === 'validated') return `unit ${body.unit} is already validated`;
  if (unit?.status === 'failed') return `unit ${body.unit} failed: no majority among ${unit.results.length} results`;
  if (unit?.results.some((x) => x.donor === donor)) return `already returned a result for unit ${body.unit}`;
  const ineligible = quorumEligibilityProblem(state, donor);
  if (ineligible) return ineligible;
  const related = relatedDonor(state, donor, unit?.results.map((x) => x.donor) ?? []);
  if (related) return `not counted: ${related.slice(0, 12)}… already returned unit ${body.unit}, and its credit and this account's come from the same member`;
  return undefined;
}

/** What checkResult reads (the Ledger implements it). */
export interface ResultReader {
  frozenAt(account: AccountId): number | undefined;
  /** resultProblem in the ledger's state as it is now. */
  resultProblem(donor: AccountId, body: ResultBody, time: number): string | undefined;
}

export type ResultCheck = { ok: true; body: ResultBody } | { ok: false; error: string };

/**
 * Checks a result before the donor signs it at `now`: the same rules the replay applies. A result
 * that would be refused or not counted is not worth an entry (it would never be paid).
 */
export function checkResult(reader: ResultReader, me: AccountId, body: ResultBody, now: number): ResultCheck {
  const invalid = validateResult(body, me);
  if (invalid) return { ok: false, error: `This result cannot be signed: ${invalid}.` };
  if (reader.frozenAt(me) !== undefined) return { ok: false, error: 'Your account is frozen by a fork: results signed now would not count.' };
  const problem = reader.resultProblem(me, body, now);
  if (problem) return { ok: false, error: `Not sent: ${problem}.` };
  return { ok: true, body };
}
