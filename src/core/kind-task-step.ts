// Kind "task-step" (code 10): one status change of a task — start estimating, claim, drop, done,
// accept (which pays), send back.
//
// Body wire format: 32-byte task id (the task-post entry's id), 1 byte action (index in
// TASK_ACTIONS: 0 start, 1 claim, 2 drop, 3 done, 4 accept, 5 send-back), varuint byte length +
// UTF-8 text (the done note or link, the send-back reason; empty for the others). docs/TASKS.md.
//
// Invariants:
// - Stateless: a known action; text ≤ MAX_STEP_TEXT_CHARS, non-empty for done and send-back,
//   empty for the others.
// - In replay order: the task exists and stepProblem (task-state.ts) has no objection; else the
//   entry is rejected with that reason and the reason is kept on the task.
// - accept pays: the poster's account gives the settled estimate (MH) to the claimant, checked
//   against the POSTER's room (credit.ts spendableOf, under the settings the accepting entry
//   acks), whoever of poster or reviewer signs the acceptance: the poster agreed to that by
//   naming the reviewers in a signed post. Not enough room → rejected, the task stays done (the
//   poster can get credit and accept again). A payment pushes one FlowRecord (source 'task') and
//   a history item ('task-payment') for both accounts, as a transfer does.

import { MAX_BALANCE_MILLI, formatAmount } from './amounts';
import { ByteReader, ByteWriter, parseHex, toHex } from './bytes';
import type { KindSpec } from './kinds';
import { changeBalance, readBalance, recordHistory, type EntryMeta, type LedgerState } from './ledger-state';
import { settingsOfEntry, spendableOf } from './credit';
import {
  TASK_ACTIONS, putTask, readTask, recordTaskRejection, stateVoterReader, stepProblem, withEvent,
  type TaskAction, type TaskRecord,
} from './task-state';

export interface TaskStepBody {
  task: string;
  action: TaskAction;
  text: string;
}

export const MAX_STEP_TEXT_CHARS = 500;
const ID = /^[0-9a-f]{64}$/;

export function validateTaskStep(body: TaskStepBody): string | undefined {
  if (!ID.test(body.task)) return 'task id is not a 32-byte entry id';
  if (!TASK_ACTIONS.includes(body.action)) return `unknown task action ${String(body.action)}`;
  if ([...body.text].length > MAX_STEP_TEXT_CHARS) return `text is longer than ${MAX_STEP_TEXT_CHARS} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(body.text)) return 'text contains control characters';
  const needsText = body.action === 'done' || body.action === 'send-back';
  if (needsText && body.text.trim() === '') return body.action === 'done' ? 'marking done needs a note or a link' : 'sending back needs a reason';
  if (!needsText && body.text !== '') return `${body.action} carries no text`;
  return undefined;
}

/** Why the poster cannot pay the estimate now (the acceptance's payment check), or undefined. */
export function acceptPaymentProblem(state: LedgerState, entry: EntryMeta, task: TaskRecord): string | undefined {
  const amount = task.estimate ?? 0;
  const settings = settingsOfEntry(state, entry);
  const room = spendableOf(state, task.poster, 'MH', settings);
  if (amount > room) {
    return `the poster lacks credit to pay ${formatAmount(amount)} MH: at most ${formatAmount(Math.max(0, room))} MH can be paid now`;
  }
  if (readBalance(state, task.claimant!).MH + amount > MAX_BALANCE_MILLI) return 'the developer\'s balance would exceed the maximum';
  return undefined;
}

export const taskStepKind: KindSpec<TaskStepBody> = {
  name: 'task-step',
  code: 10,
  encodeBody(body, w: ByteWriter) {
    w.writeBytes(parseHex(body.task) ?? new Uint8Array(32));
    w.writeByte(TASK_ACTIONS.indexOf(body.action));
    w.writeString(body.text);
  },
  decodeBody(r: ByteReader) {
    const task = r.readBytes(32);
    const action = TASK_ACTIONS[r.readByte() ?? 255];
    const text = r.readString(MAX_STEP_TEXT_CHARS * 4);
    if (!task || !action || text === undefined) return undefined;
    return { task: toHex(task), action, text };
  },
  validateBody: (body) => validateTaskStep(body),
  applyBody(state, entry, body) {
    const task = readTask(state, body.task);
    if (!task) return 'no such task';
    const problem = stepProblem(task, entry.author, body.action, body.text, stateVoterReader(state));
    if (problem) return problem;
    const event = { entryId: entry.id, time: entry.time, author: entry.author, action: body.action, status: 'applied' as const };
    switch (body.action) {
      case 'start':
        putTask(state, withEvent(task, event, { status: 'estimating' }));
        return undefined;
      case 'claim':
        putTask(state, withEvent(task, event, { status: 'claimed', claimant: entry.author }));
        return undefined;
      case 'drop':
        putTask(state, withEvent(task, event, { status: 'estimated', claimant: undefined }));
        return undefined;
      case 'done':
        putTask(state, withEvent(task, { ...event, note: body.text }, { status: 'done' }));
        return undefined;
      case 'send-back':
        putTask(state, withEvent(task, { ...event, note: body.text }, { status: 'claimed' }));
        return undefined;
      case 'accept': {
        const unpaid = acceptPaymentProblem(state, entry, task);
        if (unpaid) return unpaid;
        const amount = task.estimate!;
        const developer = task.claimant!;
        changeBalance(state, task.poster, 'MH', -amount);
        changeBalance(state, developer, 'MH', amount);
        state.flows.push({ entryId: entry.id, time: entry.time, currency: 'MH', payer: task.poster, payee: developer, amount, source: 'task' });
        const memo = `task: ${task.title}`;
        const item = { entryId: entry.id, time: entry.time, kind: 'task-payment', status: 'applied' as const, currency: 'MH' as const, memo };
        recordHistory(state, task.poster, { ...item, counterparty: developer, delta: -amount });
        recordHistory(state, developer, { ...item, counterparty: task.poster, delta: amount });
        putTask(state, withEvent(task, { ...event, amount }, { status: 'accepted' }));
        return undefined;
      }
    }
  },
  recordRejection(state, entry, body, reason) {
    recordTaskRejection(state, body.task, { entryId: entry.id, time: entry.time, author: entry.author, action: body.action, status: 'rejected', reason, note: body.text || undefined });
  },
};

