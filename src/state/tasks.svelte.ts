// What a person can do with tasks in the open economy, for the Tasks view: which actions apply to
// me on a task (the same rule replay applies, core/task-state.ts stepProblem, so a button shows
// only to whom it applies), the checks run before signing, and the writes (through the session's
// own-writes path). Reads are live through ActiveEconomy.tasks.
import { stepProblem, type TaskAction, type TaskCheck, type TaskPostBody, type TaskPostInput, type TaskRecord, type TaskStepBody } from '../core';
import type { SendResult } from '../net/economy-session';
import type { ActiveEconomy } from './active-economy.svelte';

/** Where a task's live estimation session opens (the Estimate view reads the id from the address). */
export function estimateHref(taskId: string): string {
  return `#/estimate/task/${taskId}`;
}

export function taskHref(taskId: string): string {
  return `#/tasks/${taskId}`;
}

/** The task id in an address like #/tasks/<id>, if any. */
export function taskIdOf(hash: string): string | undefined {
  const m = /^#\/tasks\/([0-9a-f]{64})\b/.exec(hash);
  return m?.[1];
}

export class TaskActions {
  constructor(readonly economy: ActiveEconomy) {}

  get me(): string {
    return this.economy.me;
  }

  /** True when `action` is mine to take on `task` now (text-needing actions assume a text). */
  can(task: TaskRecord, action: TaskAction): boolean {
    const ledger = this.economy.session.ledger;
    if (ledger.frozenAt(this.me) !== undefined) return false;
    return stepProblem(task, this.me, action, 'text', ledger) === undefined;
  }

  reviewPost(input: TaskPostInput): TaskCheck<TaskPostBody> {
    return this.economy.session.checkTaskPost(input);
  }

  post(input: TaskPostInput): Promise<SendResult> {
    return this.economy.session.postTask(input);
  }

  reviewStep(task: string, action: TaskAction, text = ''): TaskCheck<TaskStepBody> {
    return this.economy.session.checkTaskStep({ task, action, text });
  }

  step(task: string, action: TaskAction, text = ''): Promise<SendResult> {
    return this.economy.session.taskStep({ task, action, text });
  }
}
