// Forecast inputs from real signed job, result and task entries replayed by a Ledger.
import { beforeAll, describe, expect, it } from 'vitest';
import { createCast, hashOf, jobBody, resetHeads, result, T0, type Cast } from './compute-test-kit';
import { ledgerOf, TEST_ECONOMY, type TestAuthor } from './credit-test-kit';
import type { SignedEntry } from './create-entry';
import type { Ledger } from './ledger';
import { backlogOf, forecastBacklog } from './forecast-inputs';
import { replenishmentRequests } from './forecast';
import { voteCommitment } from './vote-commitment';

const NOW = T0 + 3_600_000;
let cast: Cast;
let founder: TestAuthor, owner: TestAuthor, d1: TestAuthor, d2: TestAuthor, d3: TestAuthor;
let entries: SignedEntry[];
let t: number;
const next = () => (t += 10);

beforeAll(async () => {
  cast = await createCast(0xf0ca, 4, 1);
  ({ founder, owner } = cast);
  [d1, d2, d3] = cast.donors as [TestAuthor, TestAuthor, TestAuthor];
});

async function add(p: Promise<SignedEntry>): Promise<SignedEntry> {
  const e = await p;
  entries.push(e);
  return e;
}

async function economy(): Promise<void> {
  resetHeads(cast);
  entries = [];
  t = T0 - 100_000;
  await add(founder.sign(next(), 'vouch', { member: owner.id, currency: 'CH', amount: 100_000 }));
  for (const d of cast.donors) await add(founder.sign(next(), 'vouch', { member: d.id, currency: 'MH', amount: 1_000 }));
}

/** A task posted by the owner; with `hours`, estimated at them by d1 and d2 (honest equal votes). */
async function task(title: string, hours?: number): Promise<string> {
  const post = await add(owner.sign(next(), 'task-post', { title, description: '', criteria: '', project: '', reviewers: [] }));
  if (hours === undefined) return post.id;
  await add(owner.sign(next(), 'task-step', { task: post.id, action: 'start', text: '' }));
  const votes = [];
  for (const [k, v] of [d1, d2].entries()) {
    const salt = (k + 1).toString(16).padStart(32, '0');
    const commitment = voteCommitment({ economy: TEST_ECONOMY, taskId: post.id, round: 1, voter: v.id, value: hours, salt })!;
    await add(v.sign(next(), 'task-vote', { task: post.id, round: 1, commitment }));
    votes.push({ voter: v.id, value: hours, salt, commitment });
  }
  await add(d1.sign(next(), 'task-estimate', { task: post.id, round: 1, estimate: hours, votes }));
  return post.id;
}

const ledger = (now = NOW): Promise<Ledger> => ledgerOf(cast.memory.port, founder.id, now, entries);
const backlog = (l: Ledger, now = NOW) => backlogOf(l.jobs, (id) => l.unitsOf(id), l.tasks.values(), now);

describe('backlog from the replayed state', () => {
  it('values queued units at the replicas they still need × the ceiling, and counts no finished unit', async () => {
    await economy();
    // 3 units × 2 replicas × 50: 300 CH milli waiting.
    const job = await add(owner.sign(T0, 'job', jobBody()));
    expect(backlog(await ledger())).toMatchObject({ CH: 300, units: 3 });
    // Unit 0 validated (two agreeing results): nothing more needed for it.
    await add(d1.sign(T0 + 100, 'result', result(job.id, 0, hashOf('a'))));
    await add(d2.sign(T0 + 200, 'result', result(job.id, 0, hashOf('a'))));
    // Unit 1 has one result: one replica more.
    await add(d3.sign(T0 + 300, 'result', result(job.id, 1, hashOf('a'))));
    expect(backlog(await ledger())).toMatchObject({ CH: 50 + 100, units: 2 });
  });

  it('counts nothing for a job past its expiry or one whose escrow is spent', async () => {
    await economy();
    await add(owner.sign(T0, 'job', jobBody({ expires: T0 + 1_000 })));
    expect(backlog(await ledger(), T0 + 1_000).CH).toBe(0);
    // An open job never counts more than its escrow left (what the owner can still pay).
    await economy();
    const job = await add(owner.sign(T0, 'job', jobBody({ units: 2, redundancy: 2, ceiling: 100, budget: 400 })));
    await add(d1.sign(T0 + 100, 'result', result(job.id, 0, hashOf('a'), 100)));
    await add(d2.sign(T0 + 200, 'result', result(job.id, 0, hashOf('b'), 100)));
    // Unit 0 disagrees (1 + 1): one replica still missing for it, two for unit 1: 300 ≤ 400 escrow.
    expect(backlog(await ledger()).CH).toBe(300);
  });

  it('values estimated unclaimed tasks at their estimate; open ones are counted, claimed ones not', async () => {
    await economy();
    await task('Write the docs');
    const port = await task('Port the parser', 20_000);
    const claimed = await task('Fix the build', 3_000);
    await add(d3.sign(next(), 'task-step', { task: claimed, action: 'claim', text: '' }));
    const b = backlog(await ledger());
    expect(b.MH).toBe(20_000);
    expect(b.unestimated).toBe(1);
    expect(b.needs).toEqual([{ id: port, title: 'Port the parser', currency: 'MH', missing: 20_000 }]);
    expect(replenishmentRequests([], b.needs).map((r) => r.text)).toEqual(['task “Port the parser” needs 20 man-hours']);
  });

  it('a fresh key’s result does not shrink the backlog: an uncounted result is no replica', async () => {
    await economy();
    const job = await add(owner.sign(T0, 'job', jobBody({ units: 1 })));
    // The owner's own result and a fresh (unvouched) key's result are refused by replay.
    await add(owner.sign(T0 + 50, 'result', result(job.id, 0, hashOf('a'))));
    await add(cast.fresh[0]!.sign(T0 + 100, 'result', result(job.id, 0, hashOf('a'))));
    expect(backlog(await ledger())).toMatchObject({ CH: 100, units: 1 });
  });

  it('a job beyond its poster’s room adds nothing: only what replay applied counts', async () => {
    await economy();
    // d1 has MH credit only: a CH job beyond its room is rejected, so it is no demand.
    const job = await add(d1.sign(T0, 'job', jobBody({ units: 1_000, budget: 100_000 })));
    const l = await ledger();
    expect(l.statusOf(job.id)?.state).toBe('rejected');
    expect(backlog(l).CH).toBe(0);
  });
});

describe('shortfall against the supply forecast', () => {
  it('asks for what the paid flow will not clear in the epoch in progress', () => {
    // Paid 2, 2, 2 cpu-hours per epoch; 1 paid so far; 4 waiting: 4 − (2 − 1) = 3 short.
    const f = forecastBacklog('CH', [2_000, 2_000, 2_000], 1_000, 4_000);
    expect(f.supplyNext).toBe(2_000);
    expect(f.supplyLeft).toBe(1_000);
    expect(f.shortfall).toBe(3_000);
    expect(replenishmentRequests([f]).map((r) => r.text)).toEqual(['about 3 cpu-hours more are needed this epoch — donate this tab']);
  });

  it('asks nothing when the supply clears the backlog, and counts the donors’ capacity seen', () => {
    expect(forecastBacklog('CH', [5_000, 5_000], 0, 4_000).shortfall).toBe(0);
    expect(forecastBacklog('CH', [1_000, 1_000], 0, 4_000, { next: 6_000, left: 4_500, history: [6_000, 6_000] }).shortfall).toBe(0);
    expect(forecastBacklog('MH', [], 0, 0).shortfall).toBe(0);
    // No history: the whole backlog is short.
    expect(forecastBacklog('MH', [], 0, 7_000).shortfall).toBe(7_000);
  });
});

