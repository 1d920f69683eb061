// Tasks (codes 9–12): the honest flow and hostile cases, replayed through a real Ledger.
import { beforeAll, describe, expect, it } from 'vitest';
import { createSimulationKeys, type MemoryCrypto } from './crypto-port-memory';
import { ledgerOf, TestAuthor, TEST_ECONOMY } from './credit-test-kit';
import { createEntry, type SignedEntry } from './create-entry';
import { decodeKindBody, encodeKindBody } from './kinds';
import { voteCommitment, type VoteValue } from './vote-commitment';
import { checkTaskEstimate, checkTaskPost, checkTaskStep, checkTaskVote } from './kind-task-checks';
import { MAX_REJECTED_EVENTS } from './task-state';
import type { TaskEstimateBody } from './kind-task-estimate';
import type { TaskPostBody } from './kind-task-post';
import { MAX_ENTRY_BYTES } from './encoding';
import { Ledger } from './ledger';
import { createRandom, shuffleInPlace } from './random';

const T0 = 1_700_000_000_000;
const NOW = T0 + 3_600_000;
let memory: MemoryCrypto;
// founder posts; vera and walt are vouched voters; dev claims; mallory is vouched and hostile;
// sybil is a fresh key; rita is a reviewer the task names.
let founder: TestAuthor, vera: TestAuthor, walt: TestAuthor, dev: TestAuthor, mallory: TestAuthor, sybil: TestAuthor, rita: TestAuthor;
let entries: SignedEntry[];
let t: number;
const next = () => (t += 10);
const salt = (n: number) => n.toString(16).padStart(32, '0');

function reset(): void {
  for (const a of [founder, vera, walt, dev, mallory, sybil, rita]) a.head = undefined;
  entries = [];
  t = T0;
}
async function add(e: Promise<SignedEntry>): Promise<SignedEntry> {
  const s = await e;
  entries.push(s);
  return s;
}
const ledger = (list = entries) => ledgerOf(memory.port, founder.id, NOW, list);

const post = (extra: Partial<TaskPostBody> = {}): TaskPostBody => ({
  title: 'Fix the login form', description: 'It forgets the name.', criteria: 'Name kept after reload', project: 'web', reviewers: [], ...extra,
});

/** Vouches vera, walt and mallory (1 MH each) so they may vote. */
async function vouchVoters(): Promise<void> {
  for (const m of [vera, walt, mallory]) await add(founder.sign(next(), 'vouch', { member: m.id, currency: 'MH', amount: 1000 }));
}

async function vote(voter: TestAuthor, task: string, round: number, value: VoteValue, s = salt(round * 100 + voter.id.charCodeAt(0))): Promise<{ entry: SignedEntry; reveal: { voter: string; value: VoteValue; salt: string; commitment: string } }> {
  const commitment = voteCommitment({ economy: TEST_ECONOMY, taskId: task, round, voter: voter.id, value, salt: s })!;
  const entry = await add(voter.sign(next(), 'task-vote', { task, round, commitment }));
  return { entry, reveal: { voter: voter.id, value, salt: s, commitment } };
}

/** Posts a task and takes it to estimated at 3 h (votes 3 h and 3 h in round 1). */
async function estimatedTask(extra: Partial<TaskPostBody> = {}): Promise<string> {
  const p = await add(founder.sign(next(), 'task-post', post(extra)));
  await add(founder.sign(next(), 'task-step', { task: p.id, action: 'start', text: '' }));
  const a = await vote(vera, p.id, 1, 3000);
  const b = await vote(walt, p.id, 1, 3000);
  await add(vera.sign(next(), 'task-estimate', { task: p.id, round: 1, estimate: 3000, votes: [a.reveal, b.reveal] }));
  return p.id;
}

beforeAll(async () => {
  const keys = await createSimulationKeys(globalThis.crypto.subtle, 7, 0x7a5c);
  memory = keys.memory;
  [founder, vera, walt, dev, mallory, sybil, rita] = keys.signers.map((s) => new TestAuthor(s, memory.port)) as TestAuthor[] as [TestAuthor, TestAuthor, TestAuthor, TestAuthor, TestAuthor, TestAuthor, TestAuthor];
});

describe('task flow', () => {
  it('open → estimating → estimated → claimed → done → accepted pays the developer from the poster', async () => {
    reset();
    await vouchVoters();
    const task = await estimatedTask();
    await add(dev.sign(next(), 'task-step', { task, action: 'claim', text: '' }));
    await add(dev.sign(next(), 'task-step', { task, action: 'done', text: 'https://example.org/pr/1' }));
    const accept = await add(founder.sign(next(), 'task-step', { task, action: 'accept', text: '' }));
    const l = await ledger();
    const record = l.taskOf(task)!;
    expect(record.status).toBe('accepted');
    expect(record.estimate).toBe(3000);
    expect(record.claimant).toBe(dev.id);
    expect(record.events.map((e) => `${e.action}:${e.status}`)).toEqual([
      'post:applied', 'start:applied', 'vote:applied', 'vote:applied', 'estimate:applied', 'claim:applied', 'done:applied', 'accept:applied',
    ]);
    expect(record.events.find((e) => e.action === 'done')?.note).toBe('https://example.org/pr/1');
    expect(l.balanceOf(dev.id).MH).toBe(3000);
    expect(l.balanceOf(founder.id).MH).toBe(-3000);
    expect(l.serialize()).toContain('"source":"task"');
    const flows = JSON.parse(l.serialize().split('\n')[0]!).flows;
    expect(flows).toEqual([{ entryId: accept.id, time: expect.any(Number), currency: 'MH', payer: founder.id, payee: dev.id, amount: 3000, source: 'task' }]);
    expect(l.historyOf(dev.id).at(-1)).toMatchObject({ kind: 'task-payment', status: 'applied', delta: 3000, counterparty: founder.id, memo: 'task: Fix the login form' });
    expect(l.historyOf(founder.id).at(-1)).toMatchObject({ kind: 'task-payment', delta: -3000, counterparty: dev.id });
  });

  it('ends in the same state whatever order and batching the entries arrive in (checkpoints restore tasks)', async () => {
    reset();
    await vouchVoters();
    const task = await estimatedTask();
    await add(dev.sign(next(), 'task-step', { task, action: 'claim', text: '' }));
    await add(mallory.sign(next(), 'task-step', { task, action: 'claim', text: '' }));
    await add(dev.sign(next(), 'task-step', { task, action: 'done', text: 'x' }));
    await add(founder.sign(next(), 'task-step', { task, action: 'accept', text: '' }));
    const reference = (await ledger()).serialize();
    const random = createRandom(7);
    for (let i = 0; i < 6; i++) {
      // Checkpoints every 2 entries: late entries restore the state from one, tasks included.
      const l = new Ledger({ economy: TEST_ECONOMY, crypto: memory.port, founder: founder.id, now: () => NOW, checkpointEvery: 2 });
      for (const e of shuffleInPlace(random, [...entries])) await l.addEntries([e.bytes]);
      expect(l.serialize()).toBe(reference);
    }
  });

  it('send back returns the task to its developer with the reason; drop returns it to estimated', async () => {
    reset();
    await vouchVoters();
    const task = await estimatedTask();
    await add(dev.sign(next(), 'task-step', { task, action: 'claim', text: '' }));
    await add(dev.sign(next(), 'task-step', { task, action: 'done', text: 'first try' }));
    await add(founder.sign(next(), 'task-step', { task, action: 'send-back', text: 'The name is still lost on Safari' }));
    let l = await ledger();
    expect(l.taskOf(task)).toMatchObject({ status: 'claimed', claimant: dev.id });
    expect(l.taskOf(task)!.events.at(-1)).toMatchObject({ action: 'send-back', note: 'The name is still lost on Safari' });
    await add(dev.sign(next(), 'task-step', { task, action: 'drop', text: '' }));
    const other = await add(walt.sign(next(), 'task-step', { task, action: 'claim', text: '' }));
    l = await ledger();
    expect(l.statusOf(other.id)).toEqual({ state: 'applied' });
    expect(l.taskOf(task)).toMatchObject({ status: 'claimed', claimant: walt.id });
  });

  it('a reviewer the task names may accept (the poster pays)', async () => {
    reset();
    await vouchVoters();
    const task = await estimatedTask({ reviewers: [rita.id] });
    await add(dev.sign(next(), 'task-step', { task, action: 'claim', text: '' }));
    await add(dev.sign(next(), 'task-step', { task, action: 'done', text: 'done' }));
    const a = await add(rita.sign(next(), 'task-step', { task, action: 'accept', text: '' }));
    const l = await ledger();
    expect(l.statusOf(a.id)).toEqual({ state: 'applied' });
    expect(l.balanceOf(founder.id).MH).toBe(-3000);
    expect(l.balanceOf(rita.id).MH).toBe(0);
  });
});

describe('task replay rejects, with the reason kept on the task', () => {
  it('a claim by someone else on a claimed task', async () => {
    reset();
    await vouchVoters();
    const task = await estimatedTask();
    await add(dev.sign(next(), 'task-step', { task, action: 'claim', text: '' }));
    const second = await add(mallory.sign(next(), 'task-step', { task, action: 'claim', text: '' }));
    const l = await ledger();
    expect(l.statusOf(second.id)).toEqual({ state: 'rejected', reason: `task is already claimed by ${dev.id.slice(0, 8)}…` });
    expect(l.taskOf(task)!.claimant).toBe(dev.id);
    expect(l.taskOf(task)!.events.at(-1)).toMatchObject({ action: 'claim', status: 'rejected', author: mallory.id, reason: expect.stringContaining('already claimed') });
  });

  it('an acceptance by anyone but the poster or a named reviewer, and no payment', async () => {
    reset();
    await vouchVoters();
    const task = await estimatedTask({ reviewers: [rita.id] });
    await add(dev.sign(next(), 'task-step', { task, action: 'claim', text: '' }));
    await add(dev.sign(next(), 'task-step', { task, action: 'done', text: 'done' }));
    const byMallory = await add(mallory.sign(next(), 'task-step', { task, action: 'accept', text: '' }));
    const byDev = await add(dev.sign(next(), 'task-step', { task, action: 'accept', text: '' }));
    const l = await ledger();
    for (const e of [byMallory, byDev]) {
      expect(l.statusOf(e.id)).toEqual({ state: 'rejected', reason: 'only the poster or a reviewer the task names can accept it' });
    }
    expect(l.balanceOf(dev.id).MH).toBe(0);
    expect(l.taskOf(task)!.status).toBe('done');
    expect(checkTaskStep(l, mallory.id, { task, action: 'accept', text: '' })).toEqual({ ok: false, error: 'Only the poster or a reviewer the task names can accept it.' });
  });

  it('done by a non-claimant, acceptance of a task not done, a claim by the poster or a reviewer', async () => {
    reset();
    await vouchVoters();
    const task = await estimatedTask({ reviewers: [rita.id] });
    const byPoster = await add(founder.sign(next(), 'task-step', { task, action: 'claim', text: '' }));
    const byReviewer = await add(rita.sign(next(), 'task-step', { task, action: 'claim', text: '' }));
    await add(dev.sign(next(), 'task-step', { task, action: 'claim', text: '' }));
    const early = await add(founder.sign(next(), 'task-step', { task, action: 'accept', text: '' }));
    const notMine = await add(mallory.sign(next(), 'task-step', { task, action: 'done', text: 'mine now' }));
    const l = await ledger();
    expect(l.statusOf(byPoster.id)).toMatchObject({ state: 'rejected', reason: 'the poster cannot claim their own task' });
    expect(l.statusOf(byReviewer.id)).toMatchObject({ state: 'rejected', reason: 'a reviewer of the task cannot claim it' });
    expect(l.statusOf(early.id)).toMatchObject({ state: 'rejected', reason: expect.stringContaining('cannot accept a task that is claimed') });
    expect(l.statusOf(notMine.id)).toMatchObject({ state: 'rejected', reason: expect.stringContaining('only the developer who claimed it') });
    expect(l.balanceOf(dev.id).MH).toBe(0);
  });

  it('an acceptance the poster has no room for (a fresh key posted), until a vouch gives room', async () => {
    reset();
    await vouchVoters();
    const p = await add(sybil.sign(next(), 'task-post', post()));
    await add(vera.sign(next(), 'task-step', { task: p.id, action: 'start', text: '' }));
    const a = await vote(vera, p.id, 1, 2000);
    const b = await vote(walt, p.id, 1, 2000);
    await add(walt.sign(next(), 'task-estimate', { task: p.id, round: 1, estimate: 2000, votes: [a.reveal, b.reveal] }));
    await add(dev.sign(next(), 'task-step', { task: p.id, action: 'claim', text: '' }));
    await add(dev.sign(next(), 'task-step', { task: p.id, action: 'done', text: 'ok' }));
    const broke = await add(sybil.sign(next(), 'task-step', { task: p.id, action: 'accept', text: '' }));
    let l = await ledger();
    expect(l.statusOf(broke.id)).toMatchObject({ state: 'rejected', reason: 'the poster lacks credit to pay 2 MH: at most 0 MH can be paid now' });
    expect(checkTaskStep(l, sybil.id, { task: p.id, action: 'accept', text: '' })).toMatchObject({ ok: false, error: expect.stringContaining('lacks credit') });
    await add(founder.sign(next(), 'vouch', { member: sybil.id, currency: 'MH', amount: 2000 }));
    const paid = await add(sybil.sign(next(), 'task-step', { task: p.id, action: 'accept', text: '' }));
    l = await ledger();
    expect(l.statusOf(paid.id)).toEqual({ state: 'applied' });
    expect(l.balanceOf(dev.id).MH).toBe(2000);
  });

  it('a backdated claim (signed before the task was estimated) is rejected', async () => {
    reset();
    await vouchVoters();
    const p = await add(founder.sign(next(), 'task-post', post()));
    const early = await add(dev.sign(next(), 'task-step', { task: p.id, action: 'claim', text: '' }));
    await add(founder.sign(next(), 'task-step', { task: p.id, action: 'start', text: '' }));
    const l = await ledger();
    expect(l.statusOf(early.id)).toMatchObject({ state: 'rejected', reason: 'cannot claim a task that is open; it must be estimated' });
  });

  it('a forged acceptance (the poster entry with a broken signature) pays nothing', async () => {
    reset();
    await vouchVoters();
    const task = await estimatedTask();
    await add(dev.sign(next(), 'task-step', { task, action: 'claim', text: '' }));
    await add(dev.sign(next(), 'task-step', { task, action: 'done', text: 'done' }));
    const accept = await founder.sign(next(), 'task-step', { task, action: 'accept', text: '' });
    const forged = Uint8Array.from(accept.bytes);
    forged[forged.length - 1]! ^= 1;
    const l = await ledger([...entries, { id: accept.id, bytes: forged }]);
    expect(l.taskOf(task)!.status).toBe('done');
    expect(l.balanceOf(dev.id).MH).toBe(0);
  });

  it('a step on a task that does not exist', async () => {
    reset();
    const e = await add(dev.sign(next(), 'task-step', { task: 'ab'.repeat(32), action: 'claim', text: '' }));
    expect((await ledger()).statusOf(e.id)).toMatchObject({ state: 'rejected', reason: 'no such task' });
  });
});

describe('votes and settled estimates', () => {
  async function estimating(): Promise<string> {
    await vouchVoters();
    const p = await add(founder.sign(next(), 'task-post', post()));
    await add(founder.sign(next(), 'task-step', { task: p.id, action: 'start', text: '' }));
    return p.id;
  }
  const settle = (by: TestAuthor, body: TaskEstimateBody) => add(by.sign(next(), 'task-estimate', body));

  it('a settled estimate the votes do not support is rejected', async () => {
    reset();
    const task = await estimating();
    const a = await vote(vera, task, 1, 3000);
    const b = await vote(walt, task, 1, 5000);
    const wrong = await settle(mallory, { task, round: 1, estimate: 8000, votes: [a.reveal, b.reveal] });
    const l = await ledger();
    expect(l.statusOf(wrong.id)).toMatchObject({ state: 'rejected' });
    // Mallory did not vote: she may not settle. As the poster (allowed), the number is checked:
    const wrongNumber = await settle(founder, { task, round: 1, estimate: 8000, votes: [a.reveal, b.reveal] });
    const l2 = await ledger();
    expect(l2.statusOf(wrongNumber.id)).toMatchObject({ state: 'rejected', reason: 'the votes settle at 4 MH, not 8 MH' });
    expect(l2.taskOf(task)!.status).toBe('estimating');
  });

  it('a round whose spread is too wide does not settle before round 3', async () => {
    reset();
    const task = await estimating();
    const a = await vote(vera, task, 1, 1000);
    const b = await vote(walt, task, 1, 8000);
    const early = await settle(vera, { task, round: 1, estimate: 4500, votes: [a.reveal, b.reveal] });
    const l = await ledger();
    expect(l.statusOf(early.id)).toMatchObject({ state: 'rejected', reason: expect.stringContaining('the votes do not settle: votes range from 1 h to 8 h') });
    expect(checkTaskEstimate(l, vera.id, { task, round: 1, reveals: [a.reveal, b.reveal] })).toMatchObject({ ok: false, error: expect.stringContaining('discuss and vote again') });
    // Rounds 2 and 3, then the median settles.
    const c = await vote(vera, task, 2, 1000);
    const d = await vote(walt, task, 2, 8000);
    const e = await vote(vera, task, 3, 1000);
    const f = await vote(walt, task, 3, 8000);
    const l3 = await ledger();
    for (const x of [c, d, e, f]) expect(l3.statusOf(x.entry.id)).toEqual({ state: 'applied' });
    const checked = checkTaskEstimate(l3, vera.id, { task, round: 3, reveals: [e.reveal, f.reveal] });
    expect(checked).toMatchObject({ ok: true, body: { estimate: 4500 } });
    const ok = await settle(vera, (checked as { body: TaskEstimateBody }).body);
    expect((await ledger()).statusOf(ok.id)).toEqual({ state: 'applied' });
  });

  it('a vote whose reveal does not match its commitment (other value, other salt, other economy)', async () => {
    reset();
    const task = await estimating();
    const a = await vote(vera, task, 1, 3000);
    const b = await vote(walt, task, 1, 3000);
    const lied = await settle(vera, { task, round: 1, estimate: 3000, votes: [a.reveal, { ...b.reveal, value: 2000 }] });
    const l = await ledger();
    expect(l.statusOf(lied.id)).toMatchObject({ state: 'rejected', reason: `the reveal of ${walt.id.slice(0, 8)}… does not match its commitment` });
    const otherSalt = await settle(vera, { task, round: 1, estimate: 3000, votes: [a.reveal, { ...b.reveal, salt: salt(999) }] });
    const foreign = voteCommitment({ economy: 'fe'.repeat(16), taskId: task, round: 1, voter: walt.id, value: 3000, salt: b.reveal.salt })!;
    expect(foreign).not.toBe(b.reveal.commitment);
    const swapped = await settle(vera, { task, round: 1, estimate: 3000, votes: [a.reveal, { ...b.reveal, commitment: foreign }] });
    const l2 = await ledger();
    expect(l2.statusOf(otherSalt.id)?.state).toBe('rejected');
    expect(l2.statusOf(swapped.id)).toMatchObject({ state: 'rejected', reason: `the commitment named for ${walt.id.slice(0, 8)}… is not the one signed` });
  });

  it('duplicate voters: a second commitment in one round, and a voter named twice', async () => {
    reset();
    const task = await estimating();
    const a = await vote(vera, task, 1, 3000);
    const again = await vote(vera, task, 1, 9000, salt(77));
    const b = await vote(walt, task, 1, 3000);
    const l = await ledger();
    expect(l.statusOf(again.entry.id)).toMatchObject({ state: 'rejected', reason: `${vera.id.slice(0, 8)}… already voted in round 1` });
    // A body naming one voter twice never decodes (a hand-made entry with it is refused as invalid).
    const twice = encodeKindBody('task-estimate', { task, round: 1, estimate: 3000, votes: [a.reveal, a.reveal, b.reveal] });
    expect(decodeKindBody(12, twice, vera.id)).toEqual({ ok: false, error: `${vera.id.slice(0, 8)}… is named twice` });
  });

  it('sybils: a fresh key cannot vote, a settler cannot add an uncommitted vote nor leave one out', async () => {
    reset();
    const task = await estimating();
    const s = await vote(sybil, task, 1, 40_000);
    const a = await vote(vera, task, 1, 3000);
    const b = await vote(walt, task, 1, 3000);
    const m = await vote(mallory, task, 1, 6000);
    const l = await ledger();
    expect(l.statusOf(s.entry.id)).toMatchObject({ state: 'rejected', reason: 'only the founder and members someone has vouched for (in MH) may vote' });
    const padded = await settle(mallory, { task, round: 1, estimate: 6000, votes: [a.reveal, b.reveal, m.reveal, s.reveal] });
    const omitted = await settle(vera, { task, round: 1, estimate: 3000, votes: [a.reveal, b.reveal] });
    const l2 = await ledger();
    expect(l2.statusOf(padded.id)).toMatchObject({ state: 'rejected', reason: `${sybil.id.slice(0, 8)}… did not commit a vote in round 1` });
    expect(l2.statusOf(omitted.id)).toMatchObject({ state: 'rejected', reason: `the vote of ${mallory.id.slice(0, 8)}… in round 1 is not named` });
    const honest = await settle(vera, { task, round: 1, estimate: 3000, votes: [a.reveal, b.reveal, m.reveal] });
    expect((await ledger()).statusOf(honest.id)).toEqual({ state: 'applied' });
    // Two keys of one person: a second key of vera is a fresh key, so it cannot vote either.
    expect(checkTaskVote(l2, sybil.id, { task, round: 1, value: 3000, salt: salt(5) })).toMatchObject({ ok: false, error: expect.stringContaining('vouched') });
  });

  it('round rules: one voter cannot open round 2 alone; closed rounds take no votes', async () => {
    reset();
    const task = await estimating();
    await vote(vera, task, 1, 3000);
    const racing = await vote(vera, task, 2, 3000);
    await vote(walt, task, 1, 9000);
    const r2 = await vote(vera, task, 2, 3000);
    const late = await vote(mallory, task, 1, 3000);
    const l = await ledger();
    expect(l.statusOf(racing.entry.id)).toMatchObject({ state: 'rejected', reason: 'round 2 cannot open before round 1 has 2 votes' });
    expect(l.statusOf(r2.entry.id)).toEqual({ state: 'applied' });
    expect(l.statusOf(late.entry.id)).toMatchObject({ state: 'rejected', reason: 'round 1 is closed; the task is in round 2' });
  });

  it('two people settling at once end with one result on every peer, whatever the arrival order', async () => {
    reset();
    const task = await estimating();
    const a = await vote(vera, task, 1, 3000);
    const b = await vote(walt, task, 1, 4000);
    const m = await vote(founder, task, 1, 5000);
    const time = next();
    // Same time: replay order is (time, id), so the lower id wins everywhere.
    const byVera = await createEntry(vera.signer, memory.port, { economy: TEST_ECONOMY }, vera.head, time, 'task-estimate', { task, round: 1, estimate: 4000, votes: [a.reveal, b.reveal, m.reveal] });
    const byFounder = await createEntry(founder.signer, memory.port, { economy: TEST_ECONOMY }, founder.head, time, 'task-estimate', { task, round: 1, estimate: 4000, votes: [m.reveal, a.reveal, b.reveal] });
    const [first, second] = byVera.id < byFounder.id ? [byVera, byFounder] : [byFounder, byVera];
    const all = [...entries, byVera, byFounder];
    const random = createRandom(42);
    let reference: string | undefined;
    for (let i = 0; i < 8; i++) {
      const l = await ledger(shuffleInPlace(random, [...all]));
      expect(l.statusOf(first.id)).toEqual({ state: 'applied' });
      expect(l.statusOf(second.id)).toEqual({ state: 'rejected', reason: 'task is already estimated at 4 MH' });
      reference ??= l.serialize();
      expect(l.serialize()).toBe(reference);
    }
    // Entries added one by one in reverse still end in the same state (partial replays).
    const oneByOne = await ledger([]);
    for (const e of [...all].reverse()) await oneByOne.addEntries([e.bytes]);
    expect(oneByOne.serialize()).toBe(reference);
  });
});

describe('task entries: wire format and bounds', () => {
  it('round-trips every task kind byte for byte', async () => {
    reset();
    const bodies = [
      ['task-post', post({ reviewers: ['ab'.repeat(32)] })],
      ['task-step', { task: 'cd'.repeat(32), action: 'done', text: 'https://x.test/1' }],
      ['task-vote', { task: 'cd'.repeat(32), round: 2, commitment: 'ef'.repeat(32) }],
      ['task-estimate', { task: 'cd'.repeat(32), round: 1, estimate: 2500, votes: [{ voter: 'ab'.repeat(32), value: '?', salt: salt(1), commitment: 'ef'.repeat(32) }, { voter: '12'.repeat(32), value: 2500, salt: salt(2), commitment: 'ee'.repeat(32) }] }],
    ] as const;
    const codes = { 'task-post': 9, 'task-step': 10, 'task-vote': 11, 'task-estimate': 12 };
    for (const [name, body] of bodies) {
      const bytes = encodeKindBody(name, body as never);
      expect(decodeKindBody(codes[name], bytes, founder.id)).toEqual({ ok: true, body });
      expect(decodeKindBody(codes[name], Uint8Array.from([...bytes, 0]), founder.id).ok).toBe(false);
    }
  });

  it('refuses oversized posts before signing and in replay; the largest post fits one entry', async () => {
    reset();
    expect(checkTaskPost((await ledger()), founder.id, { ...post(), title: 'x'.repeat(121), reviewers: [] })).toMatchObject({ ok: false, field: 'title' });
    const huge = post({ description: '€'.repeat(1200), criteria: '€'.repeat(1000) });
    expect(decodeKindBody(9, encodeKindBody('task-post', huge), founder.id)).toMatchObject({ ok: false, error: expect.stringContaining('task is too long') });
    const largest = post({ title: 'x'.repeat(120), description: 'd'.repeat(2000), criteria: 'c'.repeat(1000), project: 'p'.repeat(60), reviewers: Array.from({ length: 8 }, (_, i) => String(i).repeat(64)) });
    const e = await founder.sign(next(), 'task-post', largest);
    expect(e.bytes.length).toBeLessThanOrEqual(MAX_ENTRY_BYTES);
    expect((await ledger([e])).taskOf(e.id)?.title).toBe(largest.title);
    expect(decodeKindBody(9, encodeKindBody('task-post', post({ reviewers: [founder.id] })), founder.id)).toMatchObject({ ok: false, error: 'the poster is listed as a reviewer' });
    expect(decodeKindBody(10, encodeKindBody('task-step', { task: 'cd'.repeat(32), action: 'done', text: ' ' }), dev.id)).toMatchObject({ ok: false, error: 'marking done needs a note or a link' });
    expect(decodeKindBody(10, encodeKindBody('task-step', { task: 'cd'.repeat(32), action: 'claim', text: 'hi' }), dev.id)).toMatchObject({ ok: false });
  });

  it('an entry of another economy is refused before replay', async () => {
    reset();
    const foreign = await createEntry(founder.signer, memory.port, { economy: 'fe'.repeat(16) }, undefined, next(), 'task-post', post());
    const l = await ledger([foreign]);
    expect(l.taskOf(foreign.id)).toBeUndefined();
    expect(l.tasks.size).toBe(0);
  });

  it('a flood of rejected entries on one task keeps a bounded record', async () => {
    reset();
    await vouchVoters();
    const task = await estimatedTask();
    await add(dev.sign(next(), 'task-step', { task, action: 'claim', text: '' }));
    for (let i = 0; i < MAX_REJECTED_EVENTS + 30; i++) await add(mallory.sign(next(), 'task-step', { task, action: 'claim', text: '' }));
    const record = (await ledger()).taskOf(task)!;
    expect(record.events.filter((e) => e.status === 'rejected')).toHaveLength(MAX_REJECTED_EVENTS);
    expect(record.rejectedNotKept).toBe(30);
  });

  it('pre-signing checks give the body replay applies', async () => {
    reset();
    await vouchVoters();
    let l = await ledger();
    const checked = checkTaskPost(l, founder.id, { title: '  Ship   it ', description: 'd', criteria: 'c', project: ' web ', reviewers: [rita.id.toUpperCase()] });
    expect(checked).toEqual({ ok: true, body: { title: 'Ship it', description: 'd', criteria: 'c', project: 'web', reviewers: [rita.id] } });
    const p = await add(founder.sign(next(), 'task-post', (checked as { body: TaskPostBody }).body));
    l = await ledger();
    expect(checkTaskStep(l, dev.id, { task: p.id, action: 'claim', text: '' })).toMatchObject({ ok: false, error: 'Cannot claim a task that is open; it must be estimated.' });
    expect(checkTaskStep(l, dev.id, { task: p.id, action: 'start', text: '' })).toMatchObject({ ok: false });
    expect(checkTaskStep(l, vera.id, { task: p.id, action: 'start', text: '' })).toMatchObject({ ok: true });
  });
});
