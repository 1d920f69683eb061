// Kind "task-vote" (code 11): a voter's commitment to a hidden vote in one estimation round.
//
// Body wire format: 32-byte task id, varuint round (≥ 1), 32-byte commitment
// (vote-commitment.ts: SHA-256 over the documented byte string). The value and salt stay with
// the voter until the reveal; a task-estimate entry names them later and replay re-checks them
// against this commitment. docs/TASKS.md "Rounds and votes".
//
// Invariants (in replay order):
// - The task is estimating; the author is an eligible voter (task-state.ts voterProblem).
// - Rounds: the first vote opens round 1. A vote names the current round, or opens the next one
//   (current + 1) once the current round holds at least DEFAULT_CONSENSUS.minVotes commitments, so
//   one voter cannot race rounds alone; earlier rounds are closed; at most MAX_ROUNDS rounds.
// - One commitment per account per round: a second is rejected (a vote cannot be changed after
//   others may have revealed theirs); at most MAX_VOTES_PER_ROUND voters per round.

import { ByteReader, ByteWriter, parseHex, toHex } from './bytes';
import type { KindSpec } from './kinds';
import { DEFAULT_CONSENSUS } from './consensus';
import {
  MAX_ROUNDS, MAX_VOTES_PER_ROUND, putTask, readTask, recordTaskRejection, voterProblem, withEvent, short,
  type TaskRecord, type TaskRound, type VoterReader,
} from './task-state';
import { stateVoterReader } from './task-state';
import type { AccountId } from './encoding';

export interface TaskVoteBody {
  task: string;
  round: number;
  commitment: string;
}

const HASH = /^[0-9a-f]{64}$/;

export function validateTaskVote(body: TaskVoteBody): string | undefined {
  if (!HASH.test(body.task)) return 'task id is not a 32-byte entry id';
  if (!Number.isSafeInteger(body.round) || body.round < 1) return 'round must be 1 or more';
  if (body.round > MAX_ROUNDS) return `at most ${MAX_ROUNDS} rounds`;
  if (!HASH.test(body.commitment)) return 'commitment is not a 32-byte hash';
  return undefined;
}

/** Why `voter` may not commit in `round` of `task` now, or undefined (the reducer's rule). */
export function voteProblem(task: TaskRecord, voter: AccountId, round: number, voters: VoterReader): string | undefined {
  if (task.status !== 'estimating') return `votes are taken only while the task is estimating; it is ${task.status}`;
  const notEligible = voterProblem(voters, voter);
  if (notEligible) return notEligible;
  const current = task.rounds.length;
  if (round < current) return `round ${round} is closed; the task is in round ${current}`;
  if (round > current + 1) return `round ${round} is not open; the task is in round ${current}`;
  if (round === current + 1 && current > 0 && task.rounds[current - 1]!.commits.length < DEFAULT_CONSENSUS.minVotes) {
    return `round ${round} cannot open before round ${current} has ${DEFAULT_CONSENSUS.minVotes} votes`;
  }
  const open = task.rounds[round - 1];
  if (open?.commits.some((c) => c.voter === voter)) return `${short(voter)} already voted in round ${round}`;
  if (open && open.commits.length >= MAX_VOTES_PER_ROUND) return `round ${round} already has ${MAX_VOTES_PER_ROUND} votes`;
  return undefined;
}

export const taskVoteKind: KindSpec<TaskVoteBody> = {
  name: 'task-vote',
  code: 11,
  encodeBody(body, w: ByteWriter) {
    w.writeBytes(parseHex(body.task) ?? new Uint8Array(32));
    w.writeVarUint(body.round);
    w.writeBytes(parseHex(body.commitment) ?? new Uint8Array(32));
  },
  decodeBody(r: ByteReader) {
    const task = r.readBytes(32);
    const round = r.readVarUint();
    const commitment = r.readBytes(32);
    if (!task || round === undefined || !commitment) return undefined;
    return { task: toHex(task), round, commitment: toHex(commitment) };
  },
  validateBody: (body) => validateTaskVote(body),
  applyBody(state, entry, body) {
    const task = readTask(state, body.task);
    if (!task) return 'no such task';
    const problem = voteProblem(task, entry.author, body.round, stateVoterReader(state));
    if (problem) return problem;
    const commit = { voter: entry.author, commitment: body.commitment, entryId: entry.id, time: entry.time };
    const rounds: TaskRound[] = [...task.rounds];
    const open = rounds[body.round - 1];
    rounds[body.round - 1] = { round: body.round, commits: [...(open?.commits ?? []), commit] };
    putTask(state, withEvent(task, { entryId: entry.id, time: entry.time, author: entry.author, action: 'vote', status: 'applied', round: body.round }, { rounds }));
    return undefined;
  },
  recordRejection(state, entry, body, reason) {
    recordTaskRejection(state, body.task, { entryId: entry.id, time: entry.time, author: entry.author, action: 'vote', status: 'rejected', reason, round: body.round });
  },
};
