// The task list's search and filters, pure: rows are built once per task record (records are
// replaced when a task changes, so a WeakMap keyed by record is an exact cache) and filtering is
// a pass over flat strings — 5,000 tasks filter well within a frame on a phone (bench/tasks.bench.ts).
import type { TaskRecord, TaskStatus } from '../../core';

export interface TaskRow {
  readonly id: string;
  readonly title: string;
  readonly project: string;
  readonly status: TaskStatus;
  readonly estimate?: number;
  readonly poster: string;
  readonly claimant?: string;
  readonly updated: number;
  /** Title, project, description and criteria, folded for search (no case, no accents). */
  readonly haystack: string;
}

export interface TaskFilter {
  text: string;
  status: TaskStatus | 'all';
  /** A project name, '' for tasks without one, or 'all'. */
  project: string;
  /** Only tasks I posted, claimed or review. */
  mine: boolean;
}

export const NO_TASK_FILTER: TaskFilter = { text: '', status: 'all', project: 'all', mine: false };

/** Lower case without accents, so "cafe" finds "Café". */
export function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

const rows = new WeakMap<TaskRecord, TaskRow>();

export function taskRow(task: TaskRecord): TaskRow {
  let row = rows.get(task);
  if (!row) {
    row = {
      id: task.id, title: task.title, project: task.project, status: task.status, estimate: task.estimate,
      poster: task.poster, claimant: task.claimant, updated: task.updated,
      haystack: fold(`${task.title}\n${task.project}\n${task.description}\n${task.criteria}`),
    };
    rows.set(task, row);
  }
  return row;
}

/** Rows of every task, most recently changed first. */
export function taskRows(tasks: Iterable<TaskRecord>): TaskRow[] {
  const out: TaskRow[] = [];
  for (const t of tasks) out.push(taskRow(t));
  return out.sort((a, b) => b.updated - a.updated || (a.id < b.id ? -1 : 1));
}

/** The rows that match; every word of the search must appear somewhere. */
export function filterTasks(list: readonly TaskRow[], filter: TaskFilter, me?: string, reviewing?: ReadonlySet<string>): TaskRow[] {
  const words = fold(filter.text).split(/\s+/).filter((w) => w !== '');
  return list.filter((r) => {
    if (filter.status !== 'all' && r.status !== filter.status) return false;
    if (filter.project !== 'all' && r.project !== filter.project) return false;
    if (filter.mine && r.poster !== me && r.claimant !== me && !reviewing?.has(r.id)) return false;
    for (const w of words) if (!r.haystack.includes(w)) return false;
    return true;
  });
}

/** Every project named by a task, sorted; '' (no project) last if present. */
export function projectsOf(list: readonly TaskRow[]): string[] {
  const named = new Set<string>();
  let none = false;
  for (const r of list) {
    if (r.project === '') none = true;
    else named.add(r.project);
  }
  const out = [...named].sort((a, b) => a.localeCompare(b));
  return none ? [...out, ''] : out;
}

export const STATUS_LABELS: Record<TaskStatus, string> = {
  open: 'Open', estimating: 'Estimating', estimated: 'Estimated', claimed: 'Claimed', done: 'Done', accepted: 'Accepted',
};
