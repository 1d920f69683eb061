// The live estimation session as the UI sees it, and what a person does in it: vote, reveal,
// start a round or a re-vote, pass the facilitator role, settle. Reads are live through one
// createSubscriber over the session (its document and awareness) and the economy's ledger.
//
// Ledger actions go through the economy session's task methods (taskStep, commitVote,
// settleEstimate), which run core's own checks (core/kind-task-checks.ts) before signing, so the
// person reads the sentence the ledger would write, before anything is signed.
import { createSubscriber } from 'svelte/reactivity';
import { formatAmount, voterProblem, type TaskRecord, type VoteValue } from '../core';
import { pertMean } from '../core/consensus';
import type { ActiveEconomy } from './active-economy.svelte';
import {
  EstimationSession, type ActionResult, type EstimationLedger,
} from '../net/estimation-session';
import type { Present, Role, RoundView, SessionView } from '../net/estimation-view';
import type { ThreePoint } from '../net/estimation-wire';
import { referenceTasks, sessionCsv, sessionJson } from './estimation-export';

export interface Participant {
  account: string;
  name: string;
  colour: string;
  role: Role;
  present: boolean;
  facilitator: boolean;
  /** Has a commitment in the current round (the "has voted" tick). */
  voted: boolean;
  /** The revealed vote of the current round, once revealed. */
  vote?: VoteValue;
  threePoint?: ThreePoint;
  me: boolean;
}

/** What may happen next in the current round, for the buttons and the status line. */
export type Phase =
  | { kind: 'no-facilitator' }
  | { kind: 'no-round' }
  | { kind: 'voting'; waitingFor: string[]; voted: number; active: number }
  | { kind: 'revealing'; waitingFor: string[] }
  | { kind: 'settles'; value: number }
  | { kind: 'revote'; reason: string }
  | { kind: 'settled'; value: number };

export class LiveEstimation {
  readonly session: EstimationSession;
  readonly economy: ActiveEconomy;
  readonly #subscribe: () => void;

  constructor(session: EstimationSession, economy: ActiveEconomy) {
    this.session = session;
    this.economy = economy;
    this.#subscribe = createSubscriber((update) => {
      const a = session.subscribe(update);
      const b = economy.session.subscribe(update);
      return () => {
        a();
        b();
      };
    });
  }

  get sessionId(): string {
    return this.session.sessionId;
  }
  get me(): string {
    return this.session.me;
  }
  /** The address that opens this session (the economy must already be joined on that device). */
  get link(): string {
    return `${location.origin}${location.pathname}#/estimate/${this.sessionId}`;
  }
  get view(): SessionView {
    this.#subscribe();
    return this.session.view;
  }
  get role(): Role {
    this.#subscribe();
    return this.session.role;
  }
  get facilitator(): string | null {
    return this.view.facilitator;
  }
  get amFacilitator(): boolean {
    return this.view.facilitator === this.me;
  }
  get connected(): number {
    this.#subscribe();
    return this.session.status.webrtcPeers;
  }
  get mayVote(): boolean {
    this.#subscribe();
    return voterProblem(this.#ledger, this.me) === undefined;
  }

  nameOf(account: string): string {
    this.#subscribe();
    const profile = this.economy.session.ledger.profileOf(account)?.name;
    if (profile) return profile;
    return this.session.present.find((p) => p.account === account)?.name ?? `${account.slice(0, 8)}…`;
  }

  taskOf(id: string): TaskRecord | undefined {
    this.#subscribe();
    return this.economy.session.ledger.taskOf(id);
  }

  /** Tasks a facilitator can put to the vote: open or estimating, newest first. */
  get estimableTasks(): TaskRecord[] {
    this.#subscribe();
    return [...this.economy.session.ledger.tasks.values()]
      .filter((t) => t.status === 'open' || t.status === 'estimating')
      .sort((a, b) => b.updated - a.updated);
  }

  get present(): Present[] {
    this.#subscribe();
    return this.session.present;
  }

  /** Everyone present, plus whoever committed or revealed in the current round. */
  get participants(): Participant[] {
    const view = this.view;
    const present = this.present;
    const round = view.current;
    const accounts = new Map<string, Present | null>(present.map((p) => [p.account, p]));
    for (const a of round?.commits.keys() ?? []) if (!accounts.has(a)) accounts.set(a, null);
    return [...accounts].map(([account, p]) => {
      const reveal = round?.reveals.get(account);
      return {
        account, name: this.nameOf(account), colour: p?.colour ?? '#888888', role: p?.role ?? 'voter', present: p !== null,
        facilitator: view.facilitator === account, voted: round?.commits.has(account) ?? false,
        ...(reveal ? { vote: reveal.value, ...(reveal.threePoint ? { threePoint: reveal.threePoint } : {}) } : {}),
        me: account === this.me,
      };
    }).sort((a, b) => Number(b.role === 'voter') - Number(a.role === 'voter') || a.name.localeCompare(b.name) || (a.account < b.account ? -1 : 1));
  }

  get phase(): Phase {
    const view = this.view;
    if (!view.facilitator) return { kind: 'no-facilitator' };
    const round = view.current;
    if (!round) return { kind: 'no-round' };
    const task = this.taskOf(round.task);
    const settledHere = task?.estimate !== undefined && task.events.some((e) => e.action === 'estimate' && e.status === 'applied' && e.round === round.taskRound);
    if (settledHere) return { kind: 'settled', value: task.estimate! };
    if (!round.revealing) {
      const active = this.session.activeVoters;
      const waitingFor = active.filter((a) => !round.commits.has(a)).map((a) => this.nameOf(a));
      return { kind: 'voting', waitingFor, voted: round.commits.size, active: active.length };
    }
    if (!round.complete) {
      return { kind: 'revealing', waitingFor: [...round.commits.keys()].filter((a) => !round.reveals.has(a)).map((a) => this.nameOf(a)) };
    }
    if (round.consensus?.kind === 'settled') return { kind: 'settles', value: round.consensus.value };
    return { kind: 'revote', reason: round.consensus?.reason ?? 'no votes' };
  }

  /** One sentence saying what the session is doing now. */
  get statusText(): string {
    const phase = this.phase;
    const round = this.view.current;
    const fac = this.facilitator ? (this.amFacilitator ? 'You facilitate' : `${this.nameOf(this.facilitator)} facilitates`) : '';
    switch (phase.kind) {
      case 'no-facilitator': return 'Nobody facilitates this session yet: start it to put a task to the vote.';
      case 'no-round': return `${fac}. Waiting for the first task to be put to the vote.`;
      case 'voting': {
        const who = phase.waitingFor.length ? ` Waiting for ${phase.waitingFor.join(', ')}.` : '';
        return `Voting on "${round!.title}" (round ${round!.taskRound}): ${phase.voted} of ${phase.active} present voters have voted.${who} Votes stay hidden until all have voted.`;
      }
      case 'revealing': return `Revealing votes… waiting for ${phase.waitingFor.join(', ')} to reveal. Someone offline cannot reveal: the facilitator can start a re-vote.`;
      case 'settles': return `Votes revealed: the team agrees on ${formatAmount(phase.value)} h. Settle it to make it the task's price.`;
      case 'revote': return `Votes revealed: ${phase.reason}.`;
      case 'settled': return `Settled: "${round!.title}" is estimated at ${formatAmount(phase.value)} MH.`;
    }
  }

  /** My vote in the current round while it is hidden (kept on this device only). */
  get myHiddenVote(): VoteValue | undefined {
    const round = this.view.current;
    if (!round || round.reveals.has(this.me)) return undefined;
    const mine = this.session.myVote(round.n);
    return mine && round.commits.get(this.me) === mine.commitment ? mine.value : undefined;
  }

  references(milli: number | null): TaskRecord[] {
    this.#subscribe();
    return referenceTasks(this.economy.session.ledger.tasks.values(), milli, this.view.current?.task ?? '');
  }

  /** Rounds of one task in this session, oldest first. */
  roundsOf(task: string): RoundView[] {
    return this.view.rounds.filter((r) => r.task === task);
  }

  setRole(role: Role): void {
    this.session.setRole(role);
  }

  start(): Promise<ActionResult> {
    return this.session.start();
  }

  passFacilitator(to: string): Promise<ActionResult> {
    return this.session.passFacilitator(to);
  }

  /**
   * Puts `taskId` to the vote: starts estimating it if it is still open (a task-step entry), then
   * opens its next round: 1 for a new task; the next task round after one with enough votes
   * (core/kind-task-vote.ts: a round opens once the previous one holds two commitments).
   */
  async startRound(taskId: string, threePoint: boolean): Promise<ActionResult> {
    const task = this.taskOf(taskId);
    if (!task) return { ok: false, error: 'This task is not in the ledger here (yet).' };
    if (task.status === 'open') {
      const written = await this.economy.session.taskStep({ task: taskId, action: 'start', text: '' });
      if (!written.ok) return written;
    } else if (task.status !== 'estimating') {
      return { ok: false, error: `This task is ${task.status}: only open or estimating tasks can be put to the vote.` };
    }
    const last = task.rounds.at(-1);
    const taskRound = !last ? 1 : last.commits.length >= 2 ? task.rounds.length + 1 : task.rounds.length;
    return this.session.startRound(taskId, task.title, taskRound, threePoint);
  }

  /** A re-vote of the current round's task. */
  revote(): Promise<ActionResult> {
    const round = this.view.current;
    if (!round) return Promise.resolve({ ok: false, error: 'No round is open.' });
    return this.startRound(round.task, round.threePoint);
  }

  reveal(): Promise<ActionResult> {
    return this.session.callReveal();
  }

  /** Votes a card or a free value (milli-hours), or three points (their PERT mean is the vote). */
  vote(value: VoteValue, threePoint?: ThreePoint): Promise<ActionResult> {
    if (threePoint) {
      const mean = pertMean(...threePoint);
      if (mean === undefined) return Promise.resolve({ ok: false, error: 'Three points must be optimistic ≤ likely ≤ pessimistic, each above 0.' });
      return this.session.vote(mean, threePoint);
    }
    return this.session.vote(value);
  }

  /** Signs the task-estimate entry naming every revealed vote of the current round. */
  async settle(): Promise<ActionResult> {
    const round = this.view.current;
    if (!round) return { ok: false, error: 'No round is open.' };
    const reveals = [...round.reveals].map(([voter, r]) => ({ voter, value: r.value, salt: r.salt }));
    return this.economy.session.settleEstimate({ task: round.task, round: round.taskRound, reveals });
  }

  exportCsv(): string {
    return sessionCsv(this.view, (a) => this.nameOf(a));
  }

  exportJson(): string {
    return sessionJson(this.view, this.economy.id, this.sessionId, (a) => this.nameOf(a));
  }

  close(): void {
    this.session.close();
  }

  get #ledger() {
    return this.economy.session.ledger;
  }
}

/** The ledger side of a session (../net/estimation-session.ts EstimationLedger), over an open economy. */
export function estimationLedgerOf(economy: ActiveEconomy): EstimationLedger {
  // Read at each call: the session's ledger view is replaced by every snapshot the worker sends.
  return {
    commitsOf(task, taskRound) {
      const commits = economy.session.ledger.taskOf(task)?.rounds[taskRound - 1]?.commits ?? [];
      return new Map(commits.map((c) => [c.voter, c.commitment]));
    },
    mayVote: (account) => voterProblem(economy.session.ledger, account) === undefined,
    commit: (task, taskRound, value, salt) => economy.session.commitVote({ task, round: taskRound, value, salt }),
    subscribe: (callback) => economy.session.subscribe(callback),
  };
}
