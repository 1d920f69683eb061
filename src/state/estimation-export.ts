// A session's rounds as CSV (for spreadsheets) and JSON (for tools), and the reference points shown
// while voting. Pure functions over the session view (../net/estimation-view.ts).
//
// CSV columns (RFC 4180 through ./csv.ts, free text made formula-safe):
//   round, task, title, task round, voter, name, vote, salt, commitment, pert, result
// One row per counted reveal; a round with no reveal yet has one row with empty vote columns, so
// the CSV never hides a round. A vote is decimal hours ('.' mark), "?" or "coffee".
// JSON: { format: "hourmesh-estimation", version: 1, economy, session, rounds: [...] } with the
// same fields; values in integer milli-hours.
import { formatAmount, type TaskRecord } from '../core';
import type { VoteValue } from '../core/vote-commitment';
import type { RoundView, SessionView } from '../net/estimation-view';
import { csvText, toCsv } from './csv';

export type NameOf = (account: string) => string;

export function voteText(value: VoteValue): string {
  return typeof value === 'number' ? formatAmount(value) : value;
}

function resultText(round: RoundView): string {
  if (!round.consensus) return round.revealing ? 'revealing' : 'voting';
  return round.consensus.kind === 'settled' ? `settles at ${formatAmount(round.consensus.value)} h` : `re-vote: ${round.consensus.reason}`;
}

export function sessionCsv(view: SessionView, nameOf: NameOf): string {
  const rows: string[][] = [['round', 'task', 'title', 'task round', 'voter', 'name', 'vote', 'salt', 'commitment', 'pert', 'result']];
  for (const round of view.rounds) {
    const head = [String(round.n + 1), round.task, csvText(round.title), String(round.taskRound)];
    const result = csvText(resultText(round));
    if (round.reveals.size === 0) rows.push([...head, '', '', '', '', '', '', result]);
    for (const [voter, reveal] of [...round.reveals].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const pert = reveal.threePoint ? reveal.threePoint.map(formatAmount).join('/') : '';
      rows.push([...head, voter, csvText(nameOf(voter)), voteText(reveal.value), reveal.salt, round.commits.get(voter) ?? '', pert, result]);
    }
  }
  return toCsv(rows);
}

/** With the salts, anyone can re-check each vote against its commitment. */
export function sessionJson(view: SessionView, economy: string, session: string, nameOf: NameOf): string {
  return JSON.stringify({
    format: 'hourmesh-estimation', version: 1, economy, session,
    rounds: view.rounds.map((round) => ({
      round: round.n + 1, task: round.task, title: round.title, taskRound: round.taskRound, threePoint: round.threePoint,
      startedBy: round.startedBy, revealed: round.revealing,
      votes: [...round.reveals].map(([voter, r]) => ({
        voter, name: nameOf(voter), value: r.value, salt: r.salt, commitment: round.commits.get(voter) ?? null,
        ...(r.threePoint ? { threePoint: r.threePoint } : {}),
      })),
      committed: [...round.commits.keys()],
      consensus: round.consensus,
    })),
  }, null, 2);
}

/**
 * Past estimated tasks nearest to `milli` (by ratio, since estimates are multiplicative), at most
 * `limit`, the current task excluded; with no value picked yet, a spread over the range.
 */
export function referenceTasks(tasks: Iterable<TaskRecord>, milli: number | null, exclude: string, limit = 3): TaskRecord[] {
  const done = [...tasks].filter((t) => t.estimate !== undefined && t.id !== exclude);
  if (milli === null || milli <= 0) {
    const sorted = done.sort((a, b) => a.estimate! - b.estimate!);
    if (sorted.length <= limit) return sorted;
    return Array.from({ length: limit }, (_, i) => sorted[Math.round((i * (sorted.length - 1)) / (limit - 1))]!);
  }
  const distance = (t: TaskRecord) => Math.abs(Math.log(t.estimate! / milli));
  return done.sort((a, b) => distance(a) - distance(b) || b.updated - a.updated).slice(0, limit).sort((a, b) => a.estimate! - b.estimate!);
}
