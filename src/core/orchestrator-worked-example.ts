// The seed's worked example (../shared/seed/, docs/ORCHESTRATOR.md "The worked example"), run on
// the real core: signed entries in a real Ledger (memory signatures for speed), the real
// economy-settings kind fixing the epoch length, and the orchestrator on the resulting flows.
//
// The story, one round per epoch (a day):
// - Round 1: a developer (the economy's founder) invests 2,000 man-hours of his own time in a
//   project and publishes release 1. He admits the users — other developers — with a stake of
//   500 MH each (kind vouch), so each can pay before earning.
// - Round r ≥ 2: every user downloads the previous release and pays its price: the hours
//   invested in that release ÷ its predicted downloads (the users then), so the developer recoups
//   its 2,000 MH; he trades them for 2,000 hours of other developers' time (tasks he pays), which
//   go into the project: 2,000 → 4,000 → 6,000 → 8,000 invested hours… Each release is priced on
//   the hours put in since the one before (so the developer recoups each hour once).
// - The community grows each round; each newcomer has a 10-hour task done by an earlier member.
//   The first 10 users are the project's contractors (they take the developer's tasks).
// - Counterfactual (recoup = false): the software is given away (downloads pay nothing), so the
//   developer has no tokens to trade for anyone's time: the project stays at his 2,000 hours
//   ("his productivity stays constant").
// Delivered hours are real tasks (kinds 9–12: post, estimate by committed votes of vouched
// members, claim, done, accept — which pays MH and records the 'task' flow). Downloads are
// transfers the ledger is told to count as 'download' flow (LedgerOptions.transferFlow), not
// `download` entries (kind 15, docs/RELEASES.md): those pay a release's contributors — the
// developers its tasks already paid — while here the developer who invested recoups.

import { createSimulationKeys } from './crypto-port-memory';
import { TEST_ECONOMY, TestAuthor } from './credit-test-kit';
import { Ledger } from './ledger';
import type { SignedEntry } from './create-entry';
import { epochEnd, epochStart } from './epochs';
import { voteCommitment } from './vote-commitment';
import { computeOrchestrator, holdingsOf, type OrchestratorResult } from './orchestrator';
import { createRandom, pickInt } from './random';

export const EXAMPLE_EPOCH_MS = 86_400_000;
/** Round 1 is the epoch of 2026-01-05 (UTC). */
export const EXAMPLE_FIRST_EPOCH = Math.floor(Date.UTC(2026, 0, 5) / EXAMPLE_EPOCH_MS);
/** Users per round: each divides 2,000 h exactly, so a release's price is exact in milli. */
export const USERS_PER_ROUND = [20, 25, 40, 50, 80, 100];
export const OWN_HOURS = 2_000_000;
const STAKE = 500_000;
const NEWCOMER_TASK = 10_000;
const DEV_TASK = 20_000;
/** The developers who take the project's tasks. */
const CONTRACTORS = 10;

export interface WorkedExampleRow {
  readonly round: number;
  readonly epoch: number;
  readonly users: number;
  /** Cumulative hours in the project, milli. */
  readonly invested: number;
  /** MH the developer recouped in this round's downloads. */
  readonly recouped: number;
  readonly grossFlow: number;
  readonly cleanFlow: number;
  readonly minted: number;
  readonly supply: number;
  /** The developer's holdings: ledger balance + mints. */
  readonly developer: number;
  /** Σ of the users' holdings (ledger balances + mints). */
  readonly usersTotal: number;
  readonly usersMin: number;
  readonly usersMax: number;
  /** Mints the ledger has credited to balances (spendable money): the epochs its entries passed. */
  readonly credited: number;
}

export async function runWorkedExample(opts: { recoup: boolean; seed?: number }): Promise<{ rows: WorkedExampleRow[]; result: OrchestratorResult; tasks: { posted: number; accepted: number; flows: number } }> {
  const seed = opts.seed ?? 2009;
  const maxUsers = Math.max(...USERS_PER_ROUND);
  const keys = await createSimulationKeys(globalThis.crypto.subtle, maxUsers + 1, seed);
  const crypto = keys.memory.port;
  const [devSigner, ...userSigners] = keys.signers;
  const dev = new TestAuthor(devSigner!, crypto);
  const users = userSigners.map((s) => new TestAuthor(s, crypto));
  const random = createRandom(seed);
  const entries: SignedEntry[] = [];
  const t0 = epochStart(EXAMPLE_FIRST_EPOCH, EXAMPLE_EPOCH_MS);
  // The founder fixes the epoch length (a day) and a credit limit that lets a 500 h stake count.
  entries.push(await dev.sign(t0 + 1_000, 'economy-settings', { creditLimit: { MH: STAKE, CH: 10_000 }, epochMs: EXAMPLE_EPOCH_MS }));
  // A download's payment is a transfer the ledger is told to count as flow (LedgerOptions.
  // transferFlow, by memo): see the header for why not a `download` entry. Delivered hours are
  // real tasks (below).
  const download = async (from: TestAuthor, to: TestAuthor, amount: number, time: number, memo: string) => {
    entries.push(await from.sign(time, 'transfer', { to: to.id, currency: 'MH', amount, memo }, 1));
  };
  let taskNo = 0;
  /**
   * Hours delivered as a real task (docs/TASKS.md): the poster posts it and starts estimating;
   * two vouched voters commit honest votes (hours − 10 % and hours + 10 %: their median is the
   * hours, the spread within 2×) and one settles them in a task-estimate entry; the developer
   * claims it, marks it done and the poster accepts — which pays the estimate in MH from the
   * poster to the developer and records the 'task' flow. Returns the time after the last entry.
   */
  const task = async (poster: TestAuthor, developer: TestAuthor, voters: readonly [TestAuthor, TestAuthor], hours: number, time: number, title: string): Promise<number> => {
    const id = ++taskNo;
    const post = await poster.sign(time++, 'task-post', { title: `${title} #${id}`, description: '', criteria: '', project: 'project', reviewers: [] }, 1);
    entries.push(post);
    entries.push(await poster.sign(time++, 'task-step', { task: post.id, action: 'start', text: '' }, 1));
    const reveals = [];
    for (const [k, voter] of voters.entries()) {
      const value = k === 0 ? hours - hours / 10 : hours + hours / 10;
      const salt = (id * 2 + k).toString(16).padStart(32, '0');
      const commitment = voteCommitment({ economy: TEST_ECONOMY, taskId: post.id, round: 1, voter: voter.id, value, salt })!;
      entries.push(await voter.sign(time++, 'task-vote', { task: post.id, round: 1, commitment }, 1));
      reveals.push({ voter: voter.id, value, salt, commitment });
    }
    entries.push(await voters[0].sign(time++, 'task-estimate', { task: post.id, round: 1, estimate: hours, votes: reveals }, 1));
    entries.push(await developer.sign(time++, 'task-step', { task: post.id, action: 'claim', text: '' }, 1));
    entries.push(await developer.sign(time++, 'task-step', { task: post.id, action: 'done', text: `delivered #${id}` }, 1));
    entries.push(await poster.sign(time++, 'task-step', { task: post.id, action: 'accept', text: '' }, 1));
    return time;
  };
  /** Two vouched voters, neither of them the poster nor the developer. */
  const votersFor = (poster: TestAuthor, developer: TestAuthor): [TestAuthor, TestAuthor] => {
    const pool = users.filter((u) => u !== poster && u !== developer);
    return [pool[0]!, pool[1]!];
  };
  const rows: WorkedExampleRow[] = [];
  let invested = OWN_HOURS;
  let admitted = 0;
  let result: OrchestratorResult | undefined;
  let tasks = { posted: 0, accepted: 0, flows: 0 };
  for (let r = 1; r <= USERS_PER_ROUND.length; r++) {
    const epoch = EXAMPLE_FIRST_EPOCH + r - 1;
    let t = epochStart(epoch, EXAMPLE_EPOCH_MS) + 60_000;
    const n = USERS_PER_ROUND[r - 1]!;
    for (; admitted < n; admitted++) entries.push(await dev.sign(t++, 'vouch', { member: users[admitted]!.id, currency: 'MH', amount: STAKE }, 1));
    if (r >= 2 && opts.recoup) {
      // Release r−1 carries the 2,000 h put in since release r−2 and is predicted to be
      // downloaded by the users there were then; each of them downloads it and pays its price.
      const predicted = USERS_PER_ROUND[r - 2]!;
      const price = OWN_HOURS / predicted;
      for (let u = 0; u < predicted; u++) await download(users[u]!, dev, price, (t += 1_000), `download of release ${r - 1}`);
      // Trade the recouped tokens for other developers' time: 20-hour tasks, spread over the
      // project's contractors (the first CONTRACTORS users).
      let left = OWN_HOURS;
      for (let k = 0; left > 0; k++) {
        const amount = Math.min(DEV_TASK, left);
        const contractor = users[(r + k) % CONTRACTORS]!;
        t = await task(dev, contractor, votersFor(dev, contractor), amount, t + 1_000, `project task, round ${r}`);
        left -= amount;
      }
    }
    // The community's own work: each user who joined this round has a 10-hour task done by an
    // earlier member (newcomers pay on their stake: the flow from surplus to deficit grows with
    // the community).
    const before = r === 1 ? CONTRACTORS : USERS_PER_ROUND[r - 2]!;
    for (let u = r === 1 ? CONTRACTORS : before; u < n; u++) {
      const helper = users[pickInt(random, before)]!;
      t = await task(users[u]!, helper, votersFor(users[u]!, helper), NEWCOMER_TASK, t + 1_000, `task, round ${r}`);
    }
    const now = epochEnd(epoch, EXAMPLE_EPOCH_MS);
    // The ledger counts accepted tasks (and, by memo, downloads) as flow, so it credits each
    // round's mints as money when the next round's entries pass its end (mint-replay.ts).
    const ledger = new Ledger({ economy: TEST_ECONOMY, crypto, founder: dev.id, now: () => now, transferFlow: (memo) => (memo.startsWith('download of release') ? 'download' : undefined) });
    await ledger.addEntries(entries.map((e) => e.bytes));
    await ledger.whenVerified();
    const flows = [...ledger.flows];
    const accepted = [...ledger.tasks.values()].filter((k) => k.status === 'accepted').length;
    tasks = { posted: ledger.tasks.size, accepted, flows: flows.filter((f) => f.source === 'task').length };
    if (ledger.settings.epochMs !== EXAMPLE_EPOCH_MS) throw new Error('the settings entry did not fix the epoch length');
    // What the ledger applied, not what was planned: a payment beyond its payer's room is refused.
    const thisRound = flows.filter((f) => f.time >= epochStart(epoch, EXAMPLE_EPOCH_MS) && f.time < now);
    const recouped = thisRound.filter((f) => f.source === 'download' && f.payee === dev.id).reduce((a, f) => a + f.amount, 0);
    invested += thisRound.filter((f) => f.source === 'task' && f.payer === dev.id).reduce((a, f) => a + f.amount, 0);
    result = computeOrchestrator(flows, EXAMPLE_EPOCH_MS, now);
    const summary = result.epochs.find((e) => e.epoch === epoch)!;
    const holdings = users.slice(0, n).map((u) => holdingsOf(result!, u.id, ledger.balanceOf(u.id), ledger.mintedTo(u.id)).MH);
    rows.push({
      round: r,
      epoch,
      users: n,
      invested,
      recouped,
      grossFlow: summary.MH.gross,
      cleanFlow: summary.MH.flow,
      minted: summary.MH.minted,
      supply: result.supply.MH,
      developer: holdingsOf(result, dev.id, ledger.balanceOf(dev.id), ledger.mintedTo(dev.id)).MH,
      usersTotal: holdings.reduce((a, b) => a + b, 0),
      usersMin: Math.min(...holdings),
      usersMax: Math.max(...holdings),
      credited: ledger.supply('MH'),
    });
  }
  return { rows, result: result!, tasks };
}
