// Kind "task-post" (code 9): the author posts a task; its id is this entry's id.
//
// Body wire format: UTF-8 strings, each a varuint byte length then the bytes, in this order:
// title, description, acceptance criteria, project; then 1 byte reviewer count (0..MAX_REVIEWERS)
// and 32 bytes per reviewer public key. See docs/TASKS.md.
//
// Invariants:
// - Stateless: title 1..MAX_TITLE_CHARS code points, no control characters and no leading or
//   trailing spaces; description ≤ MAX_DESCRIPTION_CHARS; criteria ≤ MAX_CRITERIA_CHARS; project
//   ≤ MAX_PROJECT_CHARS (one line, may be empty); reviewers distinct, not the author; the body ≤
//   MAX_TASK_BODY_BYTES, so the signed entry stays within MAX_ENTRY_BYTES (4 KiB).
// - In replay order: always applies (a new record, status open). Posting costs nothing; paying
//   happens only at acceptance, from the poster's room then (kind-task-step.ts).

import { ByteReader, ByteWriter, parseHex, toHex } from './bytes';
import { encodeUtf8 } from './bytes';
import type { AccountId } from './encoding';
import type { KindSpec } from './kinds';
import { putTask, type TaskRecord } from './task-state';

export interface TaskPostBody {
  title: string;
  description: string;
  criteria: string;
  project: string;
  reviewers: AccountId[];
}

export const MAX_TITLE_CHARS = 120;
export const MAX_DESCRIPTION_CHARS = 2000;
export const MAX_CRITERIA_CHARS = 1000;
export const MAX_PROJECT_CHARS = 60;
export const MAX_REVIEWERS = 8;
/** Leaves room for the envelope (≈ 190 bytes) inside MAX_ENTRY_BYTES = 4096. */
export const MAX_TASK_BODY_BYTES = 3600;

const ACCOUNT = /^[0-9a-f]{64}$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_NEWLINE_TAB = /[\u0000-\u0008\u000b-\u001f\u007f]/;

/** Code points (what a person counts as characters), not UTF-16 units. */
function chars(s: string): number {
  return [...s].length;
}

export function taskPostBytes(body: TaskPostBody): number {
  return [body.title, body.description, body.criteria, body.project].reduce((n, s) => n + encodeUtf8(s).length + 3, 1 + 32 * body.reviewers.length);
}

export function validateTaskPost(body: TaskPostBody, author: AccountId): string | undefined {
  if (body.title === '') return 'task title is empty';
  if (body.title.trim() !== body.title) return 'task title has leading or trailing spaces';
  if (CONTROL.test(body.title)) return 'task title contains control characters';
  if (chars(body.title) > MAX_TITLE_CHARS) return `task title is longer than ${MAX_TITLE_CHARS} characters`;
  if (CONTROL_BUT_NEWLINE_TAB.test(body.description)) return 'task description contains control characters';
  if (chars(body.description) > MAX_DESCRIPTION_CHARS) return `task description is longer than ${MAX_DESCRIPTION_CHARS} characters`;
  if (CONTROL_BUT_NEWLINE_TAB.test(body.criteria)) return 'acceptance criteria contain control characters';
  if (chars(body.criteria) > MAX_CRITERIA_CHARS) return `acceptance criteria are longer than ${MAX_CRITERIA_CHARS} characters`;
  if (CONTROL.test(body.project)) return 'project contains control characters';
  if (body.project.trim() !== body.project) return 'project has leading or trailing spaces';
  if (chars(body.project) > MAX_PROJECT_CHARS) return `project is longer than ${MAX_PROJECT_CHARS} characters`;
  if (body.reviewers.length > MAX_REVIEWERS) return `more than ${MAX_REVIEWERS} reviewers`;
  const seen = new Set<string>();
  for (const r of body.reviewers) {
    if (!ACCOUNT.test(r)) return 'a reviewer is not a 32-byte account id';
    if (r === author) return 'the poster is listed as a reviewer';
    if (seen.has(r)) return 'a reviewer is listed twice';
    seen.add(r);
  }
  const bytes = taskPostBytes(body);
  if (bytes > MAX_TASK_BODY_BYTES) return `task is too long: about ${bytes} bytes, at most ${MAX_TASK_BODY_BYTES}`;
  return undefined;
}

export const taskPostKind: KindSpec<TaskPostBody> = {
  name: 'task-post',
  code: 9,
  encodeBody(body, w: ByteWriter) {
    w.writeString(body.title);
    w.writeString(body.description);
    w.writeString(body.criteria);
    w.writeString(body.project);
    w.writeByte(body.reviewers.length);
    for (const r of body.reviewers) w.writeBytes(parseHex(r) ?? new Uint8Array(32));
  },
  decodeBody(r: ByteReader) {
    const title = r.readString(MAX_TITLE_CHARS * 4);
    const description = r.readString(MAX_DESCRIPTION_CHARS * 4);
    const criteria = r.readString(MAX_CRITERIA_CHARS * 4);
    const project = r.readString(MAX_PROJECT_CHARS * 4);
    const count = r.readByte();
    if (title === undefined || description === undefined || criteria === undefined || project === undefined) return undefined;
    if (count === undefined || count > MAX_REVIEWERS) return undefined;
    const reviewers: AccountId[] = [];
    for (let i = 0; i < count; i++) {
      const key = r.readBytes(32);
      if (!key) return undefined;
      reviewers.push(toHex(key));
    }
    return { title, description, criteria, project, reviewers };
  },
  validateBody: validateTaskPost,
  applyBody(state, entry, body) {
    // Entry ids are unique (hash of the bytes), so a second record under one id cannot happen;
    // the check keeps a reducer bug from replacing a task.
    if (state.tasks.has(entry.id)) return 'task already exists';
    const task: TaskRecord = {
      id: entry.id,
      poster: entry.author,
      time: entry.time,
      title: body.title,
      description: body.description,
      criteria: body.criteria,
      project: body.project,
      reviewers: [...body.reviewers],
      status: 'open',
      rounds: [],
      events: [{ entryId: entry.id, time: entry.time, author: entry.author, action: 'post', status: 'applied' }],
      rejectedNotKept: 0,
      updated: entry.time,
    };
    putTask(state, task);
    return undefined;
  },
};
