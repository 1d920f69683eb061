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
// Payments for delivered hours are signed transfers here, tagged task or download, and recorded
// as FlowRecords when the ledger applied them — what the task and download kinds push into
// state.flows once they exist; plain transfers would not be flow.

import type { Currency } from './amounts';
import { createSimulationKeys } from './crypto-port-memory';
import { TEST_ECONOMY, TestAuthor } from './credit-test-kit';
import { Ledger } from './ledger';
import type { SignedEntry } from './create-entry';
import { epochEnd, epochStart } from './epochs';
import type { FlowRecord } from './ledger-state';
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

export async function runWorkedExample(opts: { recoup: boolean; seed?: number }): Promise<{ rows: WorkedExampleRow[]; result: OrchestratorResult }> {
  const seed = opts.seed ?? 2009;
  const maxUsers = Math.max(...USERS_PER_ROUND);
  const keys = await createSimulationKeys(globalThis.crypto.subtle, maxUsers + 1, seed);
  const crypto = keys.memory.port;
  const [devSigner, ...userSigners] = keys.signers;
  const dev = new TestAuthor(devSigner!, crypto);
  const users = userSigners.map((s) => new TestAuthor(s, crypto));
  const random = createRandom(seed);
  const entries: SignedEntry[] = [];
  const tagged = new Map<string, { source: FlowRecord['source']; payer: string; payee: string; amount: number; time: number }>();
  const t0 = epochStart(EXAMPLE_FIRST_EPOCH, EXAMPLE_EPOCH_MS);
  // The founder fixes the epoch length (a day) and a credit limit that lets a 500 h stake count.
  entries.push(await dev.sign(t0 + 1_000, 'economy-settings', { creditLimit: { MH: STAKE, CH: 10_000 }, epochMs: EXAMPLE_EPOCH_MS }));
  const pay = async (from: TestAuthor, to: TestAuthor, amount: number, time: number, source: FlowRecord['source'], memo: string) => {
    const e = await from.sign(time, 'transfer', { to: to.id, currency: 'MH', amount, memo }, 1);
    entries.push(e);
    tagged.set(e.id, { source, payer: from.id, payee: to.id, amount, time });
  };
  const rows: WorkedExampleRow[] = [];
  let invested = OWN_HOURS;
  let admitted = 0;
  let result: OrchestratorResult | undefined;
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
      for (let u = 0; u < predicted; u++) await pay(users[u]!, dev, price, (t += 1_000), 'download', `download of release ${r - 1}`);
      // Trade the recouped tokens for other developers' time: 20-hour tasks, spread over the
      // project's contractors (the first CONTRACTORS users).
      let left = OWN_HOURS;
      for (let k = 0; left > 0; k++) {
        const amount = Math.min(DEV_TASK, left);
        await pay(dev, users[(r + k) % CONTRACTORS]!, amount, (t += 1_000), 'task', `project task, round ${r}`);
        left -= amount;
      }
    }
    // The community's own work: each user who joined this round has a 10-hour task done by an
    // earlier member (newcomers pay on their stake: the flow from surplus to deficit grows with
    // the community).
    const before = r === 1 ? CONTRACTORS : USERS_PER_ROUND[r - 2]!;
    for (let u = r === 1 ? CONTRACTORS : before; u < n; u++) {
      await pay(users[u]!, users[pickInt(random, before)]!, NEWCOMER_TASK, (t += 1_000), 'task', `task, round ${r}`);
    }
    const now = epochEnd(epoch, EXAMPLE_EPOCH_MS);
    // The ledger knows which transfers stand for delivered hours (their memos), so it credits
    // each round's mints as money when the next round's entries pass its end (mint-replay.ts).
    const ledger = new Ledger({ economy: TEST_ECONOMY, crypto, founder: dev.id, now: () => now, transferFlow: (memo) => flowOfMemo(memo) });
    await ledger.addEntries(entries.map((e) => e.bytes));
    await ledger.whenVerified();
    const flows: FlowRecord[] = [];
    for (const [id, f] of tagged) {
      if (ledger.statusOf(id)?.state !== 'applied') continue;
      flows.push({ entryId: id, time: f.time, currency: 'MH' as Currency, payer: f.payer, payee: f.payee, amount: f.amount, source: f.source });
    }
    if (ledger.flows.length !== flows.length) throw new Error('the ledger tagged other payments as flow than the example');
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
  return { rows, result: result! };
}

/** The example's payments for delivered hours, by memo: downloads of a release, and tasks. */
function flowOfMemo(memo: string): FlowRecord['source'] | undefined {
  if (memo.startsWith('download of release')) return 'download';
  if (memo.startsWith('project task') || memo.startsWith('task, round')) return 'task';
  return undefined;
}
