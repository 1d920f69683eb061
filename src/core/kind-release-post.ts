// Kind "release-post" (code 14): a project's owner publishes a release — its file (by hash; the
// bytes never enter the economy's document), the accepted tasks whose hours it carries, and the
// downloads it expects. Its id is this entry's id. docs/RELEASES.md.
//
// Body wire format, in order: project, title, file name (each a varuint byte length + UTF-8),
// varuint file size, 32 bytes file SHA-256, varuint chunk size, 32 bytes chunks root, varuint
// predicted downloads, 1 byte task count, 32 bytes per task id.
//
// Invariants:
// - Stateless: project ≤ 80 bytes (may be empty), title 1–80 bytes, name 1–120 bytes (no control
//   characters, no leading or trailing spaces; the name no '/' or '\'), size 1 … 256 MiB, chunk
//   size a power of two 64 KiB … 1 MiB, predicted 1 … 1,000,000, 1 … MAX_RELEASE_TASKS distinct
//   task ids. The largest body is 3,559 bytes, so the entry fits MAX_ENTRY_BYTES (4 KiB).
// - In replay order (releasePostPlan): every task exists, was posted by the release's author, is
//   accepted (so its acceptance sorts before the release: dated before it) and is named by no
//   earlier release (each hour is recouped once); price = floor(invested / predicted) ≥ 1.
//   Posting moves no money; the tasks are marked with the release.

import { ByteReader, ByteWriter, parseHex, toHex, encodeUtf8 } from './bytes';
import { formatAmount } from './amounts';
import type { AccountId } from './encoding';
import type { KindSpec } from './kinds';
import type { LedgerState } from './ledger-state';
import { putTask, short } from './task-state';
import {
  MAX_CHUNK_BYTES, MAX_RELEASE_FILE_BYTES, MIN_CHUNK_BYTES, putNewRelease, type ReleaseContributor, type ReleaseFile, type ReleaseRecord,
} from './release-state';

export interface ReleasePostBody {
  project: string;
  title: string;
  file: ReleaseFile;
  /** Task ids (task-post entry ids, 64 hex). */
  tasks: string[];
  predicted: number;
}

export const MAX_RELEASE_PROJECT_BYTES = 80;
export const MAX_RELEASE_TITLE_BYTES = 80;
export const MAX_FILE_NAME_BYTES = 120;
/** 100 × 32 bytes of task ids keeps the largest entry under 4 KiB (the interface first said 200: it would not fit). */
export const MAX_RELEASE_TASKS = 100;
export const MAX_PREDICTED_DOWNLOADS = 1_000_000;

const HASH = /^[0-9a-f]{64}$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function textProblem(what: string, s: string, max: number, required: boolean): string | undefined {
  if (required && s === '') return `${what} is empty`;
  if (CONTROL.test(s)) return `${what} contains control characters`;
  if (s.trim() !== s) return `${what} has leading or trailing spaces`;
  if (encodeUtf8(s).length > max) return `${what} is longer than ${max} bytes`;
  return undefined;
}

export function isChunkSize(n: number): boolean {
  return Number.isSafeInteger(n) && n >= MIN_CHUNK_BYTES && n <= MAX_CHUNK_BYTES && (n & (n - 1)) === 0;
}

export function validateReleasePost(body: ReleasePostBody): string | undefined {
  const { file } = body;
  const text = textProblem('project', body.project, MAX_RELEASE_PROJECT_BYTES, false)
    ?? textProblem('release title', body.title, MAX_RELEASE_TITLE_BYTES, true)
    ?? textProblem('file name', file.name, MAX_FILE_NAME_BYTES, true);
  if (text) return text;
  if (/[/\\]/.test(file.name)) return 'file name contains a slash';
  if (!Number.isSafeInteger(file.size) || file.size < 1 || file.size > MAX_RELEASE_FILE_BYTES) return 'file size is not between 1 byte and 256 MiB';
  if (!HASH.test(file.sha256)) return 'file hash is not a SHA-256';
  if (!isChunkSize(file.chunkSize)) return 'chunk size is not a power of two between 64 KiB and 1 MiB';
  if (!HASH.test(file.chunksRoot)) return 'chunks root is not a SHA-256';
  if (!Number.isSafeInteger(body.predicted) || body.predicted < 1 || body.predicted > MAX_PREDICTED_DOWNLOADS) return `predicted downloads are not between 1 and ${MAX_PREDICTED_DOWNLOADS.toLocaleString('en')}`;
  if (body.tasks.length === 0) return 'a release names at least one accepted task';
  if (body.tasks.length > MAX_RELEASE_TASKS) return `a release names at most ${MAX_RELEASE_TASKS} tasks`;
  const seen = new Set<string>();
  for (const t of body.tasks) {
    if (!HASH.test(t)) return 'a task id is not a 32-byte entry id';
    if (seen.has(t)) return `task ${short(t)} is named twice`;
    seen.add(t);
  }
  return undefined;
}

export type ReleasePlan =
  | { ok: true; invested: number; price: number; contributors: ReleaseContributor[] }
  | { ok: false; reason: string };

/** The replay's rules for `author` publishing `body` in `state` as it is: price and contributors, or why not. */
export function releasePostPlan(state: LedgerState, author: AccountId, body: ReleasePostBody): ReleasePlan {
  const paid = new Map<AccountId, number>();
  let invested = 0;
  for (const id of body.tasks) {
    const task = state.tasks.get(id);
    if (!task) return { ok: false, reason: `task ${short(id)} is not in the ledger (a release is dated after its tasks' acceptance)` };
    if (task.poster !== author) return { ok: false, reason: `task “${task.title}” was not posted by the release's author` };
    if (task.status !== 'accepted') return { ok: false, reason: `task “${task.title}” is not accepted (it is ${task.status})` };
    if (task.release) return { ok: false, reason: `task “${task.title}” is already in release ${short(task.release)}` };
    const amount = task.estimate!;
    invested += amount;
    paid.set(task.claimant!, (paid.get(task.claimant!) ?? 0) + amount);
  }
  const price = Math.floor(invested / body.predicted);
  if (price < 1) {
    return { ok: false, reason: `the price per download would be 0: ${formatAmount(invested)} MH invested over ${body.predicted} predicted downloads is less than 0.001 MH each; predict fewer downloads` };
  }
  const contributors = [...paid].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([account, share]) => ({ account, share }));
  return { ok: true, invested, price, contributors };
}

export const releasePostKind: KindSpec<ReleasePostBody> = {
  name: 'release-post',
  code: 14,
  encodeBody(body, w: ByteWriter) {
    w.writeString(body.project);
    w.writeString(body.title);
    w.writeString(body.file.name);
    w.writeVarUint(body.file.size);
    w.writeBytes(parseHex(body.file.sha256) ?? new Uint8Array(32));
    w.writeVarUint(body.file.chunkSize);
    w.writeBytes(parseHex(body.file.chunksRoot) ?? new Uint8Array(32));
    w.writeVarUint(body.predicted);
    w.writeByte(body.tasks.length);
    for (const t of body.tasks) w.writeBytes(parseHex(t) ?? new Uint8Array(32));
  },
  decodeBody(r: ByteReader) {
    const project = r.readString(MAX_RELEASE_PROJECT_BYTES);
    const title = r.readString(MAX_RELEASE_TITLE_BYTES);
    const name = r.readString(MAX_FILE_NAME_BYTES);
    const size = r.readVarUint();
    const sha = r.readBytes(32);
    const chunkSize = r.readVarUint();
    const root = r.readBytes(32);
    const predicted = r.readVarUint();
    const count = r.readByte();
    if (project === undefined || title === undefined || name === undefined || size === undefined || !sha || chunkSize === undefined || !root || predicted === undefined) return undefined;
    if (count === undefined || count > MAX_RELEASE_TASKS) return undefined;
    const tasks: string[] = [];
    for (let i = 0; i < count; i++) {
      const id = r.readBytes(32);
      if (!id) return undefined;
      tasks.push(toHex(id));
    }
    return { project, title, file: { name, size, sha256: toHex(sha), chunkSize, chunksRoot: toHex(root) }, tasks, predicted };
  },
  validateBody: (body) => validateReleasePost(body),
  applyBody(state, entry, body) {
    if (state.releases.has(entry.id)) return 'release already exists';
    const plan = releasePostPlan(state, entry.author, body);
    if (!plan.ok) return plan.reason;
    const record: ReleaseRecord = {
      id: entry.id,
      author: entry.author,
      time: entry.time,
      project: body.project,
      title: body.title,
      file: { ...body.file },
      tasks: [...body.tasks],
      invested: plan.invested,
      predicted: body.predicted,
      price: plan.price,
      contributors: plan.contributors,
      downloads: 0,
      downloaders: [],
      paid: 0,
      served: 0,
    };
    putNewRelease(state, record);
    for (const id of body.tasks) putTask(state, { ...state.tasks.get(id)!, release: entry.id });
    return undefined;
  },
};
