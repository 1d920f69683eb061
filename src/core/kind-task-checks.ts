// What a person's task actions run before anything is signed: the same rules the reducers apply
// (task-state.ts stepProblem, kind-task-vote.ts voteProblem, kind-task-estimate.ts settleProblem,
// the poster's room of credit.ts), read from the ledger now, in sentences a person reads; and the
// body to sign. Like checkTransfer: the ledger may still reject the entry if it changes meanwhile
// (someone else claimed first), and then the task's history shows why.

import { formatAmount } from './amounts';
import type { CreditReader } from './credit';
import type { AccountId } from './encoding';
import { consensus, DEFAULT_CONSENSUS } from './consensus';
import { validateTaskPost, MAX_CRITERIA_CHARS, MAX_DESCRIPTION_CHARS, MAX_PROJECT_CHARS, MAX_TITLE_CHARS, type TaskPostBody } from './kind-task-post';
import { validateTaskStep, type TaskStepBody } from './kind-task-step';
import { validateTaskVote, voteProblem, type TaskVoteBody } from './kind-task-vote';
import { settleProblem, validateTaskEstimate, type TaskEstimateBody } from './kind-task-estimate';
import { stepProblem, type RevealedVote, type TaskAction, type TaskRecord, type VoterReader } from './task-state';
import { voteCommitment, type VoteValue } from './vote-commitment';

/** What the checks read (the Ledger implements it). */
export interface TaskReader extends CreditReader, VoterReader {
  readonly economy: string;
  taskOf(id: string): TaskRecord | undefined;
}

export type TaskCheck<B> = { ok: true; body: B } | { ok: false; error: string; field?: string };

export interface TaskPostInput {
  title: string;
  description: string;
  criteria: string;
  project: string;
  /** Account ids (64 hex), e.g. picked from the members list. */
  reviewers: string[];
}

const FROZEN = 'Your account is frozen: two different entries were signed with your key (a fork). See Economy → Forks.';

function sentence(reason: string): string {
  return reason.charAt(0).toUpperCase() + reason.slice(1) + '.';
}

export function checkTaskPost(reader: TaskReader, me: AccountId, input: TaskPostInput): TaskCheck<TaskPostBody> {
  const title = input.title.trim().replace(/\s+/g, ' ');
  const project = input.project.trim();
  if (title === '') return { ok: false, field: 'title', error: 'Give the task a title.' };
  if ([...title].length > MAX_TITLE_CHARS) return { ok: false, field: 'title', error: `The title is longer than ${MAX_TITLE_CHARS} characters.` };
  if ([...input.description].length > MAX_DESCRIPTION_CHARS) return { ok: false, field: 'description', error: `The description is longer than ${MAX_DESCRIPTION_CHARS} characters.` };
  if ([...input.criteria].length > MAX_CRITERIA_CHARS) return { ok: false, field: 'criteria', error: `The acceptance criteria are longer than ${MAX_CRITERIA_CHARS} characters.` };
  if ([...project].length > MAX_PROJECT_CHARS) return { ok: false, field: 'project', error: `The project name is longer than ${MAX_PROJECT_CHARS} characters.` };
  const reviewers = [...new Set(input.reviewers.map((r) => r.trim().toLowerCase()).filter((r) => r !== ''))];
  if (reviewers.some((r) => !/^[0-9a-f]{64}$/.test(r))) return { ok: false, field: 'reviewers', error: 'A reviewer must be a member (a full account id of 64 hexadecimal characters).' };
  if (reviewers.includes(me)) return { ok: false, field: 'reviewers', error: 'You accept your own task anyway: do not list yourself as a reviewer.' };
  const body: TaskPostBody = { title, description: input.description.trim(), criteria: input.criteria.trim(), project, reviewers };
  const invalid = validateTaskPost(body, me);
  if (invalid) return { ok: false, error: `This task cannot be signed: ${invalid}.` };
  if (reader.frozenAt(me) !== undefined) return { ok: false, error: FROZEN };
  return { ok: true, body };
}

export interface TaskStepInput {
  task: string;
  action: TaskAction;
  text: string;
}

export function checkTaskStep(reader: TaskReader, me: AccountId, input: TaskStepInput): TaskCheck<TaskStepBody> {
  const task = reader.taskOf(input.task);
  if (!task) return { ok: false, error: 'This task is not in the ledger here (yet).' };
  const text = input.action === 'done' || input.action === 'send-back' ? input.text.trim() : '';
  const body: TaskStepBody = { task: input.task, action: input.action, text };
  const invalid = validateTaskStep(body);
  if (invalid) return { ok: false, field: 'text', error: sentence(invalid) };
  const problem = stepProblem(task, me, input.action, text, reader);
  if (problem) return { ok: false, error: sentence(problem) };
  if (reader.frozenAt(me) !== undefined) return { ok: false, error: FROZEN };
  if (input.action === 'accept') {
    const room = reader.spendable(task.poster, 'MH');
    if ((task.estimate ?? 0) > room) {
      return { ok: false, error: `The poster lacks credit to pay ${formatAmount(task.estimate ?? 0)} MH: at most ${formatAmount(Math.max(0, room))} MH can be paid now.` };
    }
  }
  return { ok: true, body };
}

export interface TaskVoteInput {
  task: string;
  round: number;
  value: VoteValue;
  /** 32 hex (vote-commitment.ts newVoteSalt); keep it until the reveal. */
  salt: string;
}

export function checkTaskVote(reader: TaskReader, me: AccountId, input: TaskVoteInput): TaskCheck<TaskVoteBody> {
  const task = reader.taskOf(input.task);
  if (!task) return { ok: false, error: 'This task is not in the ledger here (yet).' };
  const commitment = voteCommitment({ economy: reader.economy, taskId: input.task, round: input.round, voter: me, value: input.value, salt: input.salt });
  if (!commitment) return { ok: false, field: 'value', error: 'That vote cannot be committed (a value out of range, or a bad salt).' };
  const body: TaskVoteBody = { task: input.task, round: input.round, commitment };
  const invalid = validateTaskVote(body) ?? voteProblem(task, me, input.round, reader);
  if (invalid) return { ok: false, error: sentence(invalid) };
  if (reader.frozenAt(me) !== undefined) return { ok: false, error: FROZEN };
  return { ok: true, body };
}

export interface TaskEstimateInput {
  task: string;
  round: number;
  /** Every voter's reveal for the round; commitments are read from the ledger. */
  reveals: { voter: AccountId; value: VoteValue; salt: string }[];
}

/** The settlement body (estimate from the consensus rule), or why the round does not settle. */
export function checkTaskEstimate(reader: TaskReader, me: AccountId, input: TaskEstimateInput): TaskCheck<TaskEstimateBody> {
  const task = reader.taskOf(input.task);
  if (!task) return { ok: false, error: 'This task is not in the ledger here (yet).' };
  const commits = task.rounds[input.round - 1]?.commits ?? [];
  const votes: RevealedVote[] = input.reveals.map((r) => ({
    voter: r.voter, value: r.value, salt: r.salt, commitment: commits.find((c) => c.voter === r.voter)?.commitment ?? '0'.repeat(64),
  }));
  const result = consensus(votes.map((v) => v.value), input.round, DEFAULT_CONSENSUS);
  if (result.kind === 'revote') return { ok: false, error: sentence(`the votes do not settle: ${result.reason}`) };
  const body: TaskEstimateBody = { task: input.task, round: input.round, estimate: result.value, votes };
  const invalid = validateTaskEstimate(body) ?? settleProblem(task, me, body, reader.economy);
  if (invalid) return { ok: false, error: sentence(invalid) };
  if (reader.frozenAt(me) !== undefined) return { ok: false, error: FROZEN };
  return { ok: true, body };
}
