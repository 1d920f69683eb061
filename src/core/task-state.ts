// Tasks as replay derives them: one TaskRecord per applied task-post entry, changed only by the
// task kinds (kind-task-post.ts, kind-task-step.ts, kind-task-vote.ts, kind-task-estimate.ts).
// The rules every peer applies, and that the pre-signing checks run too, live here as pure
// functions of (record, author, …), so a person hears the same sentence the ledger would write.
//
// Status flow (docs/TASKS.md "Status flow"):
//   open ─start→ estimating ─(votes, then a task-estimate the rule supports)→ estimated
//   estimated ─claim→ claimed ─done(note or link)→ done ─accept→ accepted (the poster pays)
//   claimed ─drop→ estimated (the developer gives the task up)
//   done ─send back(reason)→ claimed (same developer, who fixes and marks it done again)
//
// Invariants:
// - A TaskRecord is replaced, never mutated (its arrays are copied on write): snapshotState only
//   copies the map, so a checkpoint keeps the old record.
// - Who may do what: start — the poster, a named reviewer, or an eligible voter; vote — eligible
//   voters (voterProblem); settle — the poster, a reviewer, or a voter of that round; claim —
//   anyone but the poster and the reviewers (nobody accepts their own work); drop and done — the
//   claimant only; accept and send back — the poster or a named reviewer.
// - Eligible voter (the sybil rule, docs/TASKS.md "Who counts"): the founder, or an account with
//   a live MH stake on it (someone vouched for it, credit.ts). A fresh key has neither, so extra
//   keys do not vote unless a member stakes its own credit on each of them — which is the same
//   cost that bounds what those keys can spend.
// - Rejected task entries are kept on the task (events, status 'rejected', with the reason) up to
//   MAX_REJECTED_EVENTS per task, then only counted: a hostile member cannot grow a task's record
//   without bound, and the UI still shows why the first ones failed.

import type { AccountId } from './encoding';
import type { LedgerState } from './ledger-state';
import { readVouched } from './credit';
import type { VoteValue } from './vote-commitment';

export type TaskStatus = 'open' | 'estimating' | 'estimated' | 'claimed' | 'done' | 'accepted';
export const TASK_STATUSES: readonly TaskStatus[] = ['open', 'estimating', 'estimated', 'claimed', 'done', 'accepted'];

/** The status changes a task-step entry can carry; the action byte is the index. */
export type TaskAction = 'start' | 'claim' | 'drop' | 'done' | 'accept' | 'send-back';
export const TASK_ACTIONS: readonly TaskAction[] = ['start', 'claim', 'drop', 'done', 'accept', 'send-back'];

export const MAX_ROUNDS = 20;
export const MAX_VOTES_PER_ROUND = 32;
export const MAX_REJECTED_EVENTS = 64;

export interface TaskVoteCommit {
  readonly voter: AccountId;
  readonly commitment: string;
  readonly entryId: string;
  readonly time: number;
}

export interface TaskRound {
  /** 1-based. */
  readonly round: number;
  readonly commits: readonly TaskVoteCommit[];
}

/** A vote as a task-estimate entry reveals it. */
export interface RevealedVote {
  readonly voter: AccountId;
  readonly value: VoteValue;
  /** 32 hex. */
  readonly salt: string;
  /** 64 hex: what the voter's task-vote entry published. */
  readonly commitment: string;
}

export interface TaskEvent {
  readonly entryId: string;
  readonly time: number;
  readonly author: AccountId;
  readonly action: 'post' | 'vote' | 'estimate' | TaskAction;
  readonly status: 'applied' | 'rejected';
  readonly reason?: string;
  /** done: the note or link; send-back: the reason given. */
  readonly note?: string;
  readonly round?: number;
  /** estimate: the settled value (milli-MH); accept: the amount paid. */
  readonly amount?: number;
  readonly votes?: readonly RevealedVote[];
}

export interface TaskRecord {
  /** The task-post entry's id. */
  readonly id: string;
  readonly poster: AccountId;
  readonly time: number;
  readonly title: string;
  readonly description: string;
  readonly criteria: string;
  readonly project: string;
  readonly reviewers: readonly AccountId[];
  readonly status: TaskStatus;
  /** The settled estimate, milli-MH (from 'estimated' on). */
  readonly estimate?: number;
  readonly claimant?: AccountId;
  readonly rounds: readonly TaskRound[];
  readonly events: readonly TaskEvent[];
  /** Rejected entries beyond MAX_REJECTED_EVENTS, counted only. */
  readonly rejectedNotKept: number;
  /** The time of the last applied change (for sorting lists). */
  readonly updated: number;
  /** The release (release-post entry id) whose price recoups this accepted task; one at most. */
  readonly release?: string;
}

export function readTask(state: LedgerState, id: string): TaskRecord | undefined {
  return state.tasks.get(id);
}

/** Replaces a task's record (never mutates the old one). */
export function putTask(state: LedgerState, task: TaskRecord): void {
  state.tasks.set(task.id, task);
}

export function withEvent(task: TaskRecord, event: TaskEvent, changes: Partial<TaskRecord> = {}): TaskRecord {
  return { ...task, ...changes, events: [...task.events, event], updated: event.time };
}

/** Keeps a rejected entry's reason on its task (see the header for the bound). */
export function recordTaskRejection(state: LedgerState, taskId: string, event: TaskEvent): void {
  const task = state.tasks.get(taskId);
  if (!task) return;
  const rejectedKept = task.events.reduce((n, e) => n + (e.status === 'rejected' ? 1 : 0), 0);
  if (rejectedKept >= MAX_REJECTED_EVENTS) putTask(state, { ...task, rejectedNotKept: task.rejectedNotKept + 1 });
  else putTask(state, { ...task, events: [...task.events, event] });
}

export function short(account: AccountId): string {
  return `${account.slice(0, 8)}…`;
}

/** What a voter-eligibility rule needs to read (the state, or a Ledger for pre-signing checks). */
export interface VoterReader {
  readonly founder: AccountId;
  vouchedMH(account: AccountId): number;
}

export function stateVoterReader(state: LedgerState): VoterReader {
  return { founder: state.founder, vouchedMH: (a) => readVouched(state, a).MH };
}

/** Why `account` may not vote (see the header's sybil rule), or undefined. */
export function voterProblem(reader: VoterReader, account: AccountId): string | undefined {
  if (account === reader.founder || reader.vouchedMH(account) > 0) return undefined;
  return 'only the founder and members someone has vouched for (in MH) may vote';
}

export function isReviewer(task: TaskRecord, account: AccountId): boolean {
  return task.poster === account || task.reviewers.includes(account);
}

/**
 * Why `author` may not take `action` on `task` now, or undefined. Payment room is checked apart
 * (acceptProblem), since it reads balances.
 */
export function stepProblem(task: TaskRecord, author: AccountId, action: TaskAction, text: string, voters: VoterReader): string | undefined {
  const needs = (status: TaskStatus, verb: string) =>
    task.status === status ? undefined : `cannot ${verb} a task that is ${task.status}${task.claimant && task.status !== 'estimated' ? ` (claimed by ${short(task.claimant)})` : ''}; it must be ${status}`;
  switch (action) {
    case 'start':
      if (!isReviewer(task, author) && voterProblem(voters, author)) return 'only the poster, a reviewer or an eligible voter may start estimating';
      return needs('open', 'start estimating');
    case 'claim':
      if (task.status === 'claimed' || task.status === 'done') return `task is already claimed by ${short(task.claimant!)}`;
      if (author === task.poster) return 'the poster cannot claim their own task';
      if (task.reviewers.includes(author)) return 'a reviewer of the task cannot claim it';
      return needs('estimated', 'claim');
    case 'drop':
      if (task.status !== 'claimed') return needs('claimed', 'drop');
      if (author !== task.claimant) return `only the developer who claimed it (${short(task.claimant!)}) can drop it`;
      return undefined;
    case 'done':
      if (task.status !== 'claimed') return needs('claimed', 'mark as done');
      if (author !== task.claimant) return `only the developer who claimed it (${short(task.claimant!)}) can mark it done`;
      if (text.trim() === '') return 'marking done needs a note or a link';
      return undefined;
    case 'accept':
      if (!isReviewer(task, author)) return 'only the poster or a reviewer the task names can accept it';
      return needs('done', 'accept');
    case 'send-back':
      if (!isReviewer(task, author)) return 'only the poster or a reviewer the task names can send it back';
      if (text.trim() === '') return 'sending back needs a reason';
      return needs('done', 'send back');
  }
}
