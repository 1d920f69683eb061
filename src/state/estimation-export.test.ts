import { describe, expect, it } from 'vitest';
import type { TaskRecord } from '../core';
import type { RoundView, SessionView } from '../net/estimation-view';
import { referenceTasks, sessionCsv, sessionJson } from './estimation-export';

const [A, B] = ['a'.repeat(64), 'b'.repeat(64)];
const TASK = '7'.repeat(64);

function round(n: number, reveals: [string, RoundView['reveals'] extends Map<string, infer R> ? R : never][], consensus: RoundView['consensus']): RoundView {
  return {
    n, task: TASK, title: '=SUM(A1)', taskRound: n + 1, threePoint: false, startedBy: A,
    commits: new Map(reveals.map(([a]) => [a, `c${a}`.slice(0, 64)])), reveals: new Map(reveals), called: false,
    revealing: reveals.length > 0, complete: reveals.length > 0, consensus,
  };
}

const view: SessionView = {
  facilitator: A, refused: [], current: null,
  rounds: [
    round(0, [[A, { value: 2000, salt: '1'.repeat(32) }], [B, { value: 13000, salt: '2'.repeat(32) }]], { kind: 'revote', reason: 'votes range from 2 h to 13 h' }),
    round(1, [[A, { value: 5000, salt: '3'.repeat(32), threePoint: [3000, 5000, 7000] }], [B, { value: '?', salt: '4'.repeat(32) }]], { kind: 'settled', value: 5000, counted: 1 }),
    round(2, [], null),
  ],
};
const names = (a: string) => (a === A ? 'Alice' : '+Bob');

describe('session exports', () => {
  it('CSV: one row per reveal with its salt, an empty row for a round not revealed, formula-safe text', () => {
    const rows = sessionCsv(view, names).split('\r\n');
    expect(rows[0]).toBe('round,task,title,task round,voter,name,vote,salt,commitment,pert,result');
    expect(rows).toHaveLength(1 + 5 + 1); // header, 4 reveals + 1 empty round, final CRLF
    const commitmentA = `c${A}`.slice(0, 64);
    expect(rows[1]).toBe(`1,${TASK},'=SUM(A1),1,${A},Alice,2,${'1'.repeat(32)},${commitmentA},,re-vote: votes range from 2 h to 13 h`);
    expect(rows[2]).toContain(`,'+Bob,13,`);
    expect(rows[3]).toContain(',5,' + '3'.repeat(32));
    expect(rows[3]).toContain(',3/5/7,settles at 5 h');
    expect(rows[4]).toContain(',?,');
    expect(rows[5]).toBe(`3,${TASK},'=SUM(A1),3,,,,,,,voting`);
  });

  it('JSON: every vote with value in milli, salt and commitment, so each can be re-checked', () => {
    const json = JSON.parse(sessionJson(view, 'e'.repeat(32), 'f'.repeat(32), names));
    expect(json).toMatchObject({ format: 'hourmesh-estimation', version: 1, economy: 'e'.repeat(32), session: 'f'.repeat(32) });
    expect(json.rounds).toHaveLength(3);
    expect(json.rounds[1].votes[0]).toEqual({ voter: A, name: 'Alice', value: 5000, salt: '3'.repeat(32), commitment: `c${A}`.slice(0, 64), threePoint: [3000, 5000, 7000] });
    expect(json.rounds[1].consensus).toEqual({ kind: 'settled', value: 5000, counted: 1 });
    expect(json.rounds[2]).toMatchObject({ votes: [], revealed: false, consensus: null });
  });
});

describe('reference points while voting', () => {
  const task = (id: string, estimate: number | undefined, updated = 0) => ({ id, title: id, estimate, updated }) as unknown as TaskRecord;
  const past = [task('a', 1000), task('b', 2000), task('c', 5000), task('d', 8000), task('e', 40000), task('open', undefined), task('now', 5000)];

  it('the nearest estimated tasks by ratio, sorted by estimate, the current task left out', () => {
    expect(referenceTasks(past, 6000, 'now').map((t) => t.id)).toEqual(['b', 'c', 'd']);
    expect(referenceTasks(past, 40000, 'now', 2).map((t) => t.id)).toEqual(['d', 'e']);
  });

  it('with no value picked: a spread over the range; fewer tasks than asked: all of them', () => {
    expect(referenceTasks(past, null, 'now').map((t) => t.id)).toEqual(['a', 'c', 'e']);
    expect(referenceTasks([task('x', 3000)], null, '').map((t) => t.id)).toEqual(['x']);
  });
});
