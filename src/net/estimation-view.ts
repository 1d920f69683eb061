// What an estimation session shows, derived from its verified records (./estimation-wire.ts) and
// who is present now. Pure: the same records and presence give the same view on every peer.
//
// Who may write what (docs/ESTIMATION.md "Rules"), checked here, not trusted from the document:
// - Facilitator chain: f:0 is written by the person who starts the session, naming themself
//   (to = author). f:n (n > 0) counts only when its author is the one f:n−1 named. The chain ends
//   at the first missing or refused link; the facilitator is the last link's `to`.
// - r:n (a round) and x:n (a call to reveal) count only when written by someone who has held the
//   facilitator role in this session (any link of the chain): the role can pass while a round is
//   open, and the round must stay valid. r:n needs r:n−1 (rounds are numbered without gaps).
// - Commitments come from the ledger, not from this document: the task-vote entries of the
//   round's task and task round (core/kind-task-vote.ts; replay already checked who may vote).
// - v:n:<a> counts when it opens a's commitment (core/vote-commitment.ts, with the round's task
//   and task round); otherwise it is listed as refused, with the reason, and ignored.
// Revealing (each voter's client reveals its own vote, ./estimation-session.ts): once the round is
// called or any counted reveal of the round exists. The facilitator's client calls the reveal once
// every active voter (present now, role voter, may vote) has committed and at least two have; with
// no facilitator present, each voter's client applies that test itself.
import { consensus, pertMean, type ConsensusResult } from '../core/consensus';
import { revealMatches, type VoteValue } from '../core/vote-commitment';
import type { SignedRecord, ThreePoint } from './estimation-wire';

export type Role = 'voter' | 'spectator';

/** One person present in the session's room now (from awareness; unauthenticated). */
export interface Present {
  account: string;
  name: string;
  colour: string;
  role: Role;
}

export interface Reveal {
  value: VoteValue;
  /** 32 hex: with the value, it opens the voter's commitment (public once revealed). */
  salt: string;
  /** The three points, when given and their PERT mean is the value. */
  threePoint?: ThreePoint;
}

export interface RoundView {
  /** Session round number (the map key's n). */
  n: number;
  task: string;
  title: string;
  /** The task's own round (1 for its first vote, 2 for a re-vote…): what commitments bind. */
  taskRound: number;
  threePoint: boolean;
  startedBy: string;
  /** Account → commitment (the ledger's task-vote entries of this task round). */
  commits: Map<string, string>;
  /** Account → opened vote, only reveals that match their commitment. */
  reveals: Map<string, Reveal>;
  called: boolean;
  /** Any reveal counted or a call made: nobody may commit any more. */
  revealing: boolean;
  /** Every committed voter has revealed. */
  complete: boolean;
  /** The consensus rule on the counted reveals (once revealing). */
  consensus: ConsensusResult | null;
}

export interface Refused {
  key: string;
  reason: string;
}

export interface SessionView {
  facilitator: string | null;
  rounds: RoundView[];
  current: RoundView | null;
  refused: Refused[];
}

export interface ViewInputs {
  economyId: string;
  records: ReadonlyMap<string, SignedRecord>;
  /** The ledger's commitments of `task` in its round `taskRound` (voter → commitment). */
  commitsOf: (task: string, taskRound: number) => ReadonlyMap<string, string>;
}

export function deriveSession({ economyId, records, commitsOf }: ViewInputs): SessionView {
  const byType = { facilitator: new Map<number, SignedRecord>(), round: new Map<number, SignedRecord>(), call: new Map<number, SignedRecord>() };
  const reveals: SignedRecord[] = [];
  for (const r of records.values()) {
    if (r.slot.type === 'reveal') reveals.push(r);
    else byType[r.slot.type].set(r.slot.n, r);
  }
  const refused: Refused[] = [];

  // The facilitator chain.
  let facilitator: string | null = null;
  const everFacilitator = new Set<string>();
  for (let n = 0; ; n++) {
    const link = byType.facilitator.get(n);
    if (!link || link.payload.type !== 'facilitator') break;
    const ok = n === 0 ? link.payload.to === link.author : link.author === facilitator;
    if (!ok) {
      refused.push({ key: link.key, reason: n === 0 ? 'the first facilitator must name themself' : 'handed over by someone who was not the facilitator' });
      break;
    }
    facilitator = link.payload.to;
    everFacilitator.add(link.author);
    everFacilitator.add(link.payload.to);
  }

  // Rounds, without gaps, each started by a facilitator.
  const rounds: RoundView[] = [];
  for (let n = 0; ; n++) {
    const r = byType.round.get(n);
    if (!r || r.payload.type !== 'round') break;
    if (!everFacilitator.has(r.author)) {
      refused.push({ key: r.key, reason: 'round started by someone who is not a facilitator' });
      break;
    }
    const call = byType.call.get(n);
    const called = call !== undefined && everFacilitator.has(call.author);
    if (call && !called) refused.push({ key: call.key, reason: 'reveal called by someone who is not a facilitator' });
    rounds.push({
      n, task: r.payload.task, title: r.payload.title, taskRound: r.payload.round, threePoint: r.payload.threePoint, startedBy: r.author,
      commits: new Map(commitsOf(r.payload.task, r.payload.round)), reveals: new Map(), called, revealing: called, complete: false, consensus: null,
    });
  }
  for (const [n, r] of byType.call) if (n >= rounds.length) refused.push({ key: r.key, reason: 'no such round' });

  for (const v of reveals) {
    const round = rounds[v.slot.n];
    if (!round || v.payload.type !== 'reveal') {
      refused.push({ key: v.key, reason: 'no such round' });
      continue;
    }
    const commitment = round.commits.get(v.author);
    if (commitment === undefined) {
      refused.push({ key: v.key, reason: 'a reveal without a commitment in the ledger' });
      continue;
    }
    const { value, salt, threePoint } = v.payload;
    const opening = { economy: economyId, taskId: round.task, round: round.taskRound, voter: v.author, value, salt };
    if (!revealMatches(opening, commitment)) {
      refused.push({ key: v.key, reason: 'the reveal does not match its commitment' });
      continue;
    }
    const pointsFit = threePoint !== undefined && typeof value === 'number' && pertMean(...threePoint) === value;
    round.reveals.set(v.author, pointsFit ? { value, salt, threePoint } : { value, salt });
  }
  for (const round of rounds) {
    if (round.reveals.size > 0) round.revealing = true;
    round.complete = round.revealing && [...round.commits.keys()].every((a) => round.reveals.has(a));
    if (round.revealing) round.consensus = consensus([...round.reveals.values()].map((r) => r.value), round.taskRound);
  }
  refused.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { facilitator, rounds, current: rounds.at(-1) ?? null, refused };
}

/** Accounts present now whose role is voter and whose vote would count. */
export function activeVoters(present: readonly Present[], mayVote: (account: string) => boolean): string[] {
  return [...new Set(present.filter((p) => p.role === 'voter' && mayVote(p.account)).map((p) => p.account))].sort();
}

/**
 * Whether `me`, the facilitator, should call the reveal of `round` now: every voter it sees
 * present has committed, and at least two have. One client decides, so two voters who see
 * different people present (a newcomer not yet connected to everyone) cannot reveal early.
 */
export function shouldCall(round: RoundView, me: string, facilitator: string | null, active: readonly string[]): boolean {
  if (me !== facilitator || round.revealing) return false;
  const voted = active.filter((a) => round.commits.has(a));
  return voted.length >= 2 && voted.length === active.length;
}

/**
 * Whether `me` should reveal its own vote of `round` now: committed, not yet revealed, and the
 * round is called or already being revealed by someone. With no facilitator present to call it,
 * each voter decides for itself: once every active voter has committed (at least two: one person
 * alone does not reveal by themself). A voter who left is not active, so it blocks nothing.
 */
export function shouldReveal(round: RoundView, me: string, active: readonly string[], facilitatorPresent: boolean): boolean {
  if (!round.commits.has(me) || round.reveals.has(me)) return false;
  if (round.revealing) return true;
  if (facilitatorPresent) return false;
  const voted = active.filter((a) => round.commits.has(a));
  return voted.length >= 2 && voted.length === active.length;
}
