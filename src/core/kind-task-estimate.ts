// Kind "task-estimate" (code 12): settles a task's estimate from one round's revealed votes.
//
// Body wire format: 32-byte task id, varuint round, varuint estimate (milli-MH), varuint vote
// count (1..MAX_VOTES_PER_ROUND), then per vote: 32-byte voter key, 1 byte card (0 number,
// 1 "?", 2 coffee), varuint value (milli; 0 unless card 0), 16-byte salt, 32-byte commitment.
// A vote is 82–85 bytes, so 32 votes fit in a 4 KiB entry. docs/TASKS.md "Settling".
//
// Invariants (in replay order; anyone can re-run them from the entry and the ledger):
// - The task is estimating (a second settlement finds it estimated and is rejected: two people
//   settling at once end with the one first in replay order — (time, id) — on every peer).
// - The round is the task's latest round; the author is the poster, a reviewer or a voter of it.
// - The votes named are exactly the round's commitments in the ledger (task-vote entries): none
//   missing, none extra, each voter once, each commitment the one its voter signed, and each
//   (card, value, salt) hashing to it (vote-commitment.ts). So the settler can neither invent a
//   vote nor leave an inconvenient one out; a voter who never reveals blocks that round, and the
//   team votes again in the next one.
// - consensus(values, round, DEFAULT_CONSENSUS) is 'settled' with exactly the entry's estimate.

import { ByteReader, ByteWriter, parseHex, toHex } from './bytes';
import type { AccountId } from './encoding';
import type { KindSpec } from './kinds';
import { formatAmount } from './amounts';
import { DEFAULT_CONSENSUS, consensus } from './consensus';
import { cardCode, isEstimateMilli, voteCommitment, voteValueOf, VOTE_SALT_BYTES } from './vote-commitment';
import {
  MAX_VOTES_PER_ROUND, isReviewer, putTask, readTask, recordTaskRejection, short, withEvent,
  type RevealedVote, type TaskRecord,
} from './task-state';

export interface TaskEstimateBody {
  task: string;
  round: number;
  /** The settled estimate, milli-MH. */
  estimate: number;
  votes: RevealedVote[];
}

const HASH = /^[0-9a-f]{64}$/;
const SALT = new RegExp(`^[0-9a-f]{${VOTE_SALT_BYTES * 2}}$`);

export function validateTaskEstimate(body: TaskEstimateBody): string | undefined {
  if (!HASH.test(body.task)) return 'task id is not a 32-byte entry id';
  if (!Number.isSafeInteger(body.round) || body.round < 1) return 'round must be 1 or more';
  if (!isEstimateMilli(body.estimate)) return 'estimate is not a whole number of milli-hours in range';
  if (body.votes.length < 1 || body.votes.length > MAX_VOTES_PER_ROUND) return `1 to ${MAX_VOTES_PER_ROUND} votes`;
  const seen = new Set<string>();
  for (const v of body.votes) {
    if (!HASH.test(v.voter)) return 'a voter is not a 32-byte account id';
    if (seen.has(v.voter)) return `${short(v.voter)} is named twice`;
    seen.add(v.voter);
    if (!SALT.test(v.salt)) return 'a salt is not 16 bytes';
    if (!HASH.test(v.commitment)) return 'a commitment is not a 32-byte hash';
    if (typeof v.value === 'number' ? !isEstimateMilli(v.value) : v.value !== '?' && v.value !== 'coffee') return 'a vote value is out of range';
  }
  return undefined;
}

/**
 * Why the named votes do not settle `task` at `estimate` in `round` (the reducer's rule), or
 * undefined. `economy` is the economy id the commitments are bound to.
 */
export function settleProblem(task: TaskRecord, author: AccountId, body: TaskEstimateBody, economy: string): string | undefined {
  if (task.status !== 'estimating') {
    return task.estimate !== undefined
      ? `task is already estimated at ${formatAmount(task.estimate)} MH`
      : `task is ${task.status}, not estimating`;
  }
  const latest = task.rounds.length;
  if (latest === 0) return 'no votes have been committed yet';
  if (body.round !== latest) return `round ${body.round} is not the latest round (${latest})`;
  const commits = task.rounds[latest - 1]!.commits;
  if (!isReviewer(task, author) && !commits.some((c) => c.voter === author)) {
    return 'only the poster, a reviewer or a voter of the round may settle it';
  }
  const named = new Map(body.votes.map((v) => [v.voter, v]));
  for (const c of commits) {
    const v = named.get(c.voter);
    if (!v) return `the vote of ${short(c.voter)} in round ${body.round} is not named`;
    if (v.commitment !== c.commitment) return `the commitment named for ${short(c.voter)} is not the one signed`;
    const recomputed = voteCommitment({ economy, taskId: task.id, round: body.round, voter: c.voter, value: v.value, salt: v.salt });
    if (recomputed !== c.commitment) return `the reveal of ${short(c.voter)} does not match its commitment`;
  }
  if (named.size !== commits.length) {
    const extra = body.votes.find((v) => !commits.some((c) => c.voter === v.voter))!;
    return `${short(extra.voter)} did not commit a vote in round ${body.round}`;
  }
  const result = consensus(body.votes.map((v) => v.value), body.round, DEFAULT_CONSENSUS);
  if (result.kind === 'revote') return `the votes do not settle: ${result.reason}`;
  if (result.value !== body.estimate) {
    return `the votes settle at ${formatAmount(result.value)} MH, not ${formatAmount(body.estimate)} MH`;
  }
  return undefined;
}

export const taskEstimateKind: KindSpec<TaskEstimateBody> = {
  name: 'task-estimate',
  code: 12,
  encodeBody(body, w: ByteWriter) {
    w.writeBytes(parseHex(body.task) ?? new Uint8Array(32));
    w.writeVarUint(body.round);
    w.writeVarUint(body.estimate);
    w.writeVarUint(body.votes.length);
    for (const v of body.votes) {
      w.writeBytes(parseHex(v.voter) ?? new Uint8Array(32));
      w.writeByte(cardCode(v.value));
      w.writeVarUint(typeof v.value === 'number' ? v.value : 0);
      w.writeBytes(parseHex(v.salt) ?? new Uint8Array(VOTE_SALT_BYTES));
      w.writeBytes(parseHex(v.commitment) ?? new Uint8Array(32));
    }
  },
  decodeBody(r: ByteReader) {
    const task = r.readBytes(32);
    const round = r.readVarUint();
    const estimate = r.readVarUint();
    const count = r.readVarUint();
    if (!task || round === undefined || estimate === undefined || count === undefined || count > MAX_VOTES_PER_ROUND) return undefined;
    const votes: RevealedVote[] = [];
    for (let i = 0; i < count; i++) {
      const voter = r.readBytes(32);
      const card = r.readByte();
      const raw = r.readVarUint();
      const salt = r.readBytes(VOTE_SALT_BYTES);
      const commitment = r.readBytes(32);
      if (!voter || card === undefined || raw === undefined || !salt || !commitment) return undefined;
      const value = voteValueOf(card, raw);
      if (value === undefined) return undefined;
      votes.push({ voter: toHex(voter), value, salt: toHex(salt), commitment: toHex(commitment) });
    }
    return { task: toHex(task), round, estimate, votes };
  },
  validateBody: (body) => validateTaskEstimate(body),
  applyBody(state, entry, body) {
    const task = readTask(state, body.task);
    if (!task) return 'no such task';
    const problem = settleProblem(task, entry.author, body, state.economy);
    if (problem) return problem;
    const event = { entryId: entry.id, time: entry.time, author: entry.author, action: 'estimate' as const, status: 'applied' as const, round: body.round, amount: body.estimate, votes: body.votes };
    putTask(state, withEvent(task, event, { status: 'estimated', estimate: body.estimate }));
    return undefined;
  },
  recordRejection(state, entry, body, reason) {
    recordTaskRejection(state, body.task, {
      entryId: entry.id, time: entry.time, author: entry.author, action: 'estimate', status: 'rejected', reason, round: body.round, amount: body.estimate, votes: body.votes,
    });
  },
};
