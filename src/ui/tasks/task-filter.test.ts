import { describe, expect, it } from 'vitest';
import type { TaskRecord } from '../../core';
import { filterTasks, projectsOf, taskRow, taskRows, NO_TASK_FILTER } from './task-filter';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
function task(id: number, extra: Partial<TaskRecord> = {}): TaskRecord {
  return {
    id: String(id).padStart(64, '0'), poster: A, time: id, title: `Task ${id}`, description: '', criteria: '', project: '', reviewers: [],
    status: 'open', rounds: [], events: [], rejectedNotKept: 0, updated: id, ...extra,
  };
}

describe('task list filter', () => {
  const tasks = [
    task(1, { title: 'Café menu', project: 'web' }),
    task(2, { title: 'Login form', project: 'web', status: 'claimed', claimant: B }),
    task(3, { title: 'Backup', description: 'nightly CAFE export', project: 'ops', status: 'done', claimant: B }),
    task(4, { title: 'Unfiled', poster: B }),
  ];
  const rows = taskRows(tasks);

  it('lists the most recently changed first', () => {
    expect(rows.map((r) => r.title)).toEqual(['Unfiled', 'Backup', 'Login form', 'Café menu']);
  });

  it('searches title, project, description and criteria without case or accents, every word', () => {
    expect(filterTasks(rows, { ...NO_TASK_FILTER, text: 'cafe' }).map((r) => r.title)).toEqual(['Backup', 'Café menu']);
    expect(filterTasks(rows, { ...NO_TASK_FILTER, text: 'cafe web' }).map((r) => r.title)).toEqual(['Café menu']);
    expect(filterTasks(rows, { ...NO_TASK_FILTER, text: '  ' })).toHaveLength(4);
  });

  it('filters by status, project (or none) and mine', () => {
    expect(filterTasks(rows, { ...NO_TASK_FILTER, status: 'claimed' }).map((r) => r.title)).toEqual(['Login form']);
    expect(filterTasks(rows, { ...NO_TASK_FILTER, project: 'web' })).toHaveLength(2);
    expect(filterTasks(rows, { ...NO_TASK_FILTER, project: '' }).map((r) => r.title)).toEqual(['Unfiled']);
    expect(filterTasks(rows, { ...NO_TASK_FILTER, mine: true }, B).map((r) => r.title)).toEqual(['Unfiled', 'Backup', 'Login form']);
    expect(projectsOf(rows)).toEqual(['ops', 'web', '']);
  });

  it('builds a row once per record and again when the record is replaced', () => {
    const t = tasks[0]!;
    expect(taskRow(t)).toBe(taskRow(t));
    const changed = { ...t, status: 'estimating' as const };
    expect(taskRow(changed).status).toBe('estimating');
  });
});
