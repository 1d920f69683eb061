// Kinds job and result in replay: escrow, quorum, payment, and the hostile cases of
// docs/COMPUTE.md (tampering, self-dealing, replays by one account, fresh-key sybils, a voucher
// and its own key, backdating, expiry, floods, oversize bodies, double-spending the escrow).
import { beforeAll, describe, expect, it } from 'vitest';
import { createCast, DAY, hashOf, jobBody, resetHeads, result, T0, type Cast } from './compute-test-kit';
import { ledgerOf, TEST_ECONOMY, type TestAuthor } from './credit-test-kit';
import { createEntry, type SignedEntry } from './create-entry';
import { appendSignature, encodeSignedPart } from './encoding';
import { decodeKindBody, encodeKindBody } from './kinds';
import { parseHex } from './bytes';
import type { Ledger } from './ledger';

const NOW = T0 + 3_600_000;
const H = hashOf('a');
const X = hashOf('b');
const Y = hashOf('c');
let cast: Cast;
let founder: TestAuthor, owner: TestAuthor, d1: TestAuthor, d2: TestAuthor, d3: TestAuthor;
let entries: SignedEntry[];
let t: number;
const next = () => (t += 10);

beforeAll(async () => {
  cast = await createCast(0xc0de, 8, 300);
  ({ founder, owner } = cast);
  [d1, d2, d3] = cast.donors as [TestAuthor, TestAuthor, TestAuthor];
});

async function add(p: Promise<SignedEntry>): Promise<SignedEntry> {
  const e = await p;
  entries.push(e);
  return e;
}

/** The founder vouches the owner (CH credit) and every donor (an MH stake: enough to count). */
async function economy(ownerCredit = 10_000): Promise<void> {
  resetHeads(cast);
  entries = [];
  t = T0 - 100_000;
  await add(founder.sign(next(), 'vouch', { member: owner.id, currency: 'CH', amount: ownerCredit }));
  for (const d of cast.donors) await add(founder.sign(next(), 'vouch', { member: d.id, currency: 'MH', amount: 1_000 }));
}

const ledger = (now = NOW): Promise<Ledger> => ledgerOf(cast.memory.port, founder.id, now, entries);
const state = (l: Ledger, e: SignedEntry) => l.statusOf(e.id);

describe('job and result: the honest path', () => {
  it('two agreeing results validate a unit; both are paid the lowest claim, from the owner, zero-sum', async () => {
    await economy();
    const job = await add(owner.sign(T0, 'job', jobBody()));
    const r1 = await add(d1.sign(T0 + 100, 'result', result(job.id, 0, H, 45)));
    const r2 = await add(d2.sign(T0 + 200, 'result', result(job.id, 0, H, 30)));
    const l = await ledger();
    expect([state(l, job), state(l, r1), state(l, r2)]).toEqual([{ state: 'applied' }, { state: 'applied' }, { state: 'applied' }]);
    expect(l.balanceOf(d1.id).CH).toBe(30);
    expect(l.balanceOf(d2.id).CH).toBe(30);
    expect(l.balanceOf(owner.id).CH).toBe(-60);
    expect(l.computeEarned(d1.id)).toBe(30);
    expect(l.jobStatus(job.id)).toMatchObject({ status: 'open', validated: 1, failed: 0, pending: 2, started: 1, escrowLeft: 240, paid: 60 });
    // The escrow is locked: the owner's room is its credit minus what it paid and what is locked.
    expect(l.spendable(owner.id, 'CH')).toBe(10_000 - 60 - 240);
    expect(l.unitsOf(job.id).get(0)).toMatchObject({
      status: 'validated', hash: H, pay: 30,
      results: [{ donor: d1.id, hash: H, claim: 45, outcome: 'paid', entryId: r1.id }, { donor: d2.id, hash: H, claim: 30, outcome: 'paid', entryId: r2.id }],
    });
    const flows = (l as unknown as { state: { flows: unknown[] } }).state.flows;
    expect(flows).toEqual([
      { entryId: r2.id, time: T0 + 200, currency: 'CH', payer: owner.id, payee: d1.id, amount: 30, source: 'compute' },
      { entryId: r2.id, time: T0 + 200, currency: 'CH', payer: owner.id, payee: d2.id, amount: 30, source: 'compute' },
    ]);
    expect(l.historyOf(d1.id).at(-1)).toMatchObject({ entryId: r1.id, kind: 'result', counterparty: owner.id, delta: 30, currency: 'CH' });
    expect(l.historyOf(owner.id).map((h) => [h.kind, h.delta])).toEqual([['vouch', undefined], ['job', 0], ['result', -30], ['result', -30]]);
    expect(l.jobs.map((j) => j.id)).toEqual([job.id]);
  });

  it('caps the pay at the ceiling, and unlocks the rest of the escrow when every unit is validated', async () => {
    await economy();
    const job = await add(owner.sign(T0, 'job', jobBody({ units: 2, budget: 500 })));
    for (const unit of [0, 1]) {
      await add(d1.sign(T0 + 100 + unit, 'result', result(job.id, unit, H, 900)));
      await add(d2.sign(T0 + 200 + unit, 'result', result(job.id, unit, H, 70)));
    }
    const l = await ledger();
    expect(l.balanceOf(d1.id).CH).toBe(100);
    expect(l.balanceOf(owner.id).CH).toBe(-200);
    expect(l.jobStatus(job.id)).toMatchObject({ status: 'done', validated: 2, pending: 0, escrowLeft: 0, paid: 200 });
    expect(l.jobOf(job.id)).toMatchObject({ status: 'done', closedAt: T0 + 201, escrow: 0 });
    expect(l.spendable(owner.id, 'CH')).toBe(10_000 - 200);
  });

  it('with redundancy 1 one counted result validates its unit', async () => {
    await economy();
    const job = await add(owner.sign(T0, 'job', jobBody({ redundancy: 1, units: 1, budget: 50 })));
    await add(d3.sign(T0 + 5, 'result', result(job.id, 0, Y, 20)));
    const l = await ledger();
    expect(l.balanceOf(d3.id).CH).toBe(20);
    expect(l.jobStatus(job.id)?.status).toBe('done');
  });
});

describe('job and result: disagreement, tampering and majority', () => {
  it('a disagreement waits for a third donor; the majority is paid, the tamperer nothing', async () => {
    await economy();
    const job = await add(owner.sign(T0, 'job', jobBody()));
    const honest = await add(d1.sign(T0 + 100, 'result', result(job.id, 0, H, 40)));
    const tampered = await add(d2.sign(T0 + 200, 'result', result(job.id, 0, X, 10)));
    const mid = await ledger(T0 + 250 + 1);
    expect(mid.unitsOf(job.id).get(0)).toMatchObject({ status: 'open', results: [{ outcome: 'pending' }, { outcome: 'pending' }] });
    expect(mid.balanceOf(d1.id).CH).toBe(0);
    const third = await add(d3.sign(T0 + 300, 'result', result(job.id, 0, H, 50)));
    const l = await ledger();
    expect([state(l, honest), state(l, tampered), state(l, third)].map((s) => s?.state)).toEqual(['applied', 'applied', 'applied']);
    // The tamperer's low claim does not lower the quorum's pay: only quorum claims count.
    expect([l.balanceOf(d1.id).CH, l.balanceOf(d2.id).CH, l.balanceOf(d3.id).CH]).toEqual([40, 0, 40]);
    expect(l.unitsOf(job.id).get(0)?.results.map((r) => r.outcome)).toEqual(['paid', 'lost', 'paid']);
    expect(l.historyOf(d2.id).some((h) => h.kind === 'result')).toBe(false);
  });

  it('results after validation are refused and paid nothing', async () => {
    await economy();
    const job = await add(owner.sign(T0, 'job', jobBody()));
    await add(d1.sign(T0 + 100, 'result', result(job.id, 0, H)));
    await add(d2.sign(T0 + 200, 'result', result(job.id, 0, H)));
    const late = await add(d3.sign(T0 + 300, 'result', result(job.id, 0, H)));
    const l = await ledger();
    expect(state(l, late)).toEqual({ state: 'rejected', reason: 'unit 0 is already validated' });
    expect(l.balanceOf(d3.id).CH).toBe(0);
  });

  it('no majority among 2·redundancy − 1 results fails the unit: nobody is paid, and it takes no more', async () => {
    await economy();
    const job = await add(owner.sign(T0, 'job', jobBody({ units: 1, budget: 100 })));
    await add(d1.sign(T0 + 100, 'result', result(job.id, 0, H)));
    await add(d2.sign(T0 + 200, 'result', result(job.id, 0, X)));
    await add(d3.sign(T0 + 300, 'result', result(job.id, 0, Y)));
    const more = await add(cast.donors[3]!.sign(T0 + 400, 'result', result(job.id, 0, H)));
    const l = await ledger();
    expect(l.unitsOf(job.id).get(0)).toMatchObject({ status: 'failed', results: [{ outcome: 'lost' }, { outcome: 'lost' }, { outcome: 'lost' }] });
    expect(state(l, more)).toMatchObject({ state: 'rejected', reason: expect.stringContaining('job is done') });
    expect(l.jobStatus(job.id)).toMatchObject({ status: 'done', failed: 1, paid: 0, escrowLeft: 0 });
    expect(l.balanceOf(owner.id).CH).toBe(0);
    expect(l.spendable(owner.id, 'CH')).toBe(10_000);
  });
});

describe('job and result: who may count', () => {
  it('the same account twice for one unit: the second is refused', async () => {
    await economy();
    const job = await add(owner.sign(T0, 'job', jobBody()));
    await add(d1.sign(T0 + 100, 'result', result(job.id, 0, H)));
    const again = await add(d1.sign(T0 + 200, 'result', result(job.id, 0, H)));
    const l = await ledger();
    expect(state(l, again)).toEqual({ state: 'rejected', reason: 'already returned a result for unit 0' });
    expect(l.unitsOf(job.id).get(0)?.results).toHaveLength(1);
    expect(l.balanceOf(d1.id).CH).toBe(0);
  });

  it('the owner\'s own results do not count (self-dealing)', async () => {
    await economy();
    const job = await add(owner.sign(T0, 'job', jobBody()));
    const own = await add(owner.sign(T0 + 100, 'result', result(job.id, 0, H)));
    await add(d1.sign(T0 + 200, 'result', result(job.id, 0, H)));
    const l = await ledger();
    expect(state(l, own)).toEqual({ state: 'rejected', reason: 'the job\'s owner cannot return results to its own job' });
    expect(l.unitsOf(job.id).get(0)?.results.map((r) => r.donor)).toEqual([d1.id]);
  });

  it('fresh keys validate nothing: their garbage is refused and an honest quorum still forms', async () => {
    await economy();
    const job = await add(owner.sign(T0, 'job', jobBody()));
    const [s1, s2] = cast.fresh as [TestAuthor, TestAuthor];
    const g1 = await add(s1.sign(T0 + 100, 'result', result(job.id, 0, X, 1)));
    const g2 = await add(s2.sign(T0 + 110, 'result', result(job.id, 0, X, 1)));
    await add(d1.sign(T0 + 200, 'result', result(job.id, 0, H)));
    await add(d2.sign(T0 + 300, 'result', result(job.id, 0, H)));
    const l = await ledger();
    for (const g of [g1, g2]) expect(state(l, g)).toMatchObject({ state: 'rejected', reason: expect.stringContaining('not counted') });
    expect(l.quorumProblem(s1.id)).toContain('vouched for');
    expect(l.quorumProblem(d1.id)).toBeUndefined();
    expect([l.balanceOf(s1.id).CH, l.balanceOf(s2.id).CH, l.balanceOf(d1.id).CH]).toEqual([0, 0, 40]);
    expect(l.unitsOf(job.id).get(0)?.results.map((r) => r.donor)).toEqual([d1.id, d2.id]);
  });

  it('a voucher and the key it vouched for never sit in one quorum', async () => {
    await economy();
    const sybil = cast.fresh[2]!;
    // d1 (vouched) vouches its own second key, then both return the same garbage.
    await add(d1.sign(next(), 'vouch', { member: sybil.id, currency: 'MH', amount: 1 }));
    const job = await add(owner.sign(T0, 'job', jobBody()));
    await add(d1.sign(T0 + 100, 'result', result(job.id, 0, X)));
    const second = await add(sybil.sign(T0 + 200, 'result', result(job.id, 0, X)));
    const l = await ledger();
    expect(l.quorumProblem(sybil.id)).toBeUndefined(); // vouched, so it counts elsewhere…
    expect(state(l, second)).toMatchObject({ state: 'rejected', reason: expect.stringContaining('come from the same member') });
    expect(l.unitsOf(job.id).get(0)?.status).toBe('open'); // …but not beside its voucher
    expect(l.balanceOf(d1.id).CH + l.balanceOf(sybil.id).CH).toBe(0);
  });

  it('two keys vouched by one member, or a chain of its keys, never sit in one quorum', async () => {
    await economy();
    const [k1, k2, k3] = cast.fresh.slice(3, 6) as [TestAuthor, TestAuthor, TestAuthor];
    const vouch = (by: TestAuthor, member: TestAuthor, amount = 10) => add(by.sign(next(), 'vouch', { member: member.id, currency: 'MH', amount }));
    await vouch(d1, k1);
    await vouch(d1, k2);
    await vouch(k2, k3, 5); // d1 → k2 → k3
    const job = await add(owner.sign(T0, 'job', jobBody()));
    await add(k1.sign(T0 + 100, 'result', result(job.id, 0, X)));
    const sibling = await add(k2.sign(T0 + 200, 'result', result(job.id, 0, X)));
    await add(d1.sign(T0 + 300, 'result', result(job.id, 1, X)));
    const grandchild = await add(k3.sign(T0 + 400, 'result', result(job.id, 1, X)));
    const l = await ledger();
    for (const e of [sibling, grandchild]) expect(state(l, e)).toMatchObject({ state: 'rejected', reason: expect.stringContaining('come from the same member') });
    // What the donor loop reads to skip such units before computing them.
    expect(l.relatedDonors(k3.id, [k1.id, k2.id, d1.id, d2.id, founder.id])).toEqual(new Set([k1.id, k2.id, d1.id]));
    expect([...l.unitsOf(job.id).values()].map((u) => u.status)).toEqual(['open', 'open']);
    expect(l.computeEarned(k1.id) + l.computeEarned(k2.id) + l.computeEarned(k3.id) + l.computeEarned(d1.id)).toBe(0);
  });

  it('newcomers vouched by different members form a quorum; two founder-vouched members with a stake between them do not', async () => {
    await economy();
    const [n1, n2] = cast.fresh.slice(6, 8) as [TestAuthor, TestAuthor];
    await add(d1.sign(next(), 'vouch', { member: n1.id, currency: 'MH', amount: 10 }));
    await add(d2.sign(next(), 'vouch', { member: n2.id, currency: 'MH', amount: 10 }));
    await add(d3.sign(next(), 'vouch', { member: cast.donors[3]!.id, currency: 'MH', amount: 10 }));
    const job = await add(owner.sign(T0, 'job', jobBody()));
    await add(n1.sign(T0 + 100, 'result', result(job.id, 0, H)));
    await add(n2.sign(T0 + 200, 'result', result(job.id, 0, H)));
    await add(d3.sign(T0 + 300, 'result', result(job.id, 1, H)));
    const staked = await add(cast.donors[3]!.sign(T0 + 400, 'result', result(job.id, 1, H)));
    const l = await ledger();
    expect([l.balanceOf(n1.id).CH, l.balanceOf(n2.id).CH]).toEqual([40, 40]);
    expect(state(l, staked)).toMatchObject({ state: 'rejected', reason: expect.stringContaining('not counted') });
  });

  it('a key whose credit comes through more than 32 vouching accounts does not count', async () => {
    await economy();
    const chain = cast.fresh.slice(10, 44);
    let by = d1;
    for (const k of chain) {
      await add(by.sign(next(), 'vouch', { member: k.id, currency: 'MH', amount: 1 }));
      by = k;
    }
    const l = await ledger();
    // chain[30] has 31 vouchers above it up to d1 (a founder-vouched root): 32 accounts with itself.
    expect(l.quorumProblem(chain[30]!.id)).toBeUndefined();
    expect(l.quorumProblem(chain[31]!.id)).toBe('not counted: this account\'s credit comes through more than 32 vouching accounts');
  });

  it('the founder counts without a vouch', async () => {
    await economy();
    const job = await add(owner.sign(T0, 'job', jobBody()));
    await add(founder.sign(T0 + 100, 'result', result(job.id, 0, H)));
    await add(d1.sign(T0 + 200, 'result', result(job.id, 0, H)));
    const l = await ledger();
    // …and its stakes on members do not relate it to them (it is the gate: it vouches for everyone).
    expect(l.balanceOf(founder.id).CH).toBe(40);
    expect(l.balanceOf(d1.id).CH).toBe(40);
  });
});

describe('job and result: time is a claim', () => {
  it('a result dated before its job is refused; one that merely arrives first applies once the job arrives', async () => {
    await economy();
    const backdated = await add(d1.sign(T0 - 50, 'result', result('00'.repeat(32), 0, H)));
    const job = await add(owner.sign(T0, 'job', jobBody()));
    const beforeJob = await add(d2.sign(T0 - 40, 'result', result(job.id, 0, H)));
    const early = await add(d3.sign(T0 + 100, 'result', result(job.id, 1, H)));
    const l = await ledger();
    expect(state(l, backdated)).toMatchObject({ state: 'rejected', reason: expect.stringContaining('unknown job') });
    expect(state(l, beforeJob)).toMatchObject({ state: 'rejected', reason: expect.stringContaining('unknown job') });
    expect(state(l, early)).toEqual({ state: 'applied' });
    // Arrival order: the result first, then (a separate delivery) the job → same verdicts.
    const split = await ledgerOf(cast.memory.port, founder.id, NOW, entries.filter((e) => e !== job));
    expect(split.statusOf(early.id)).toMatchObject({ state: 'rejected', reason: expect.stringContaining('unknown job') });
    await split.addEntries([job.bytes]);
    await split.whenVerified();
    expect(split.statusOf(early.id)).toEqual({ state: 'applied' });
    expect(split.serialize()).toBe(l.serialize());
  });

  it('a result dated at or after the expiry is refused, and the escrow is unlocked at the first entry after it', async () => {
    await economy();
    const expires = T0 + 1_000;
    const job = await add(owner.sign(T0, 'job', jobBody({ expires })));
    await add(d1.sign(T0 + 100, 'result', result(job.id, 0, H)));
    await add(d2.sign(T0 + 200, 'result', result(job.id, 0, H)));
    const before = await ledger(T0 + 500);
    expect(before.jobStatus(job.id)).toMatchObject({ status: 'open', escrowLeft: 220 });
    expect(before.spendable(owner.id, 'CH')).toBe(10_000 - 80 - 220);
    // The reader's clock passes the expiry: the escrow is counted free before any entry says so.
    const clockOnly = await ledger(expires);
    expect(clockOnly.jobStatus(job.id)).toMatchObject({ status: 'expired', escrowLeft: 0 });
    expect(clockOnly.spendable(owner.id, 'CH')).toBe(10_000 - 80);
    const late = await add(d3.sign(expires, 'result', result(job.id, 1, H)));
    const l = await ledger();
    expect(state(l, late)).toEqual({ state: 'rejected', reason: 'job expired' });
    expect(l.jobOf(job.id)).toMatchObject({ status: 'expired', escrow: 0, closedAt: expires });
    // The owner can spend what was unlocked: a payment dated after the expiry uses it.
    const spend = await add(owner.sign(expires + 10, 'transfer', { to: d3.id, currency: 'CH', amount: 10_000 - 80, memo: '' }));
    const after = await ledger();
    expect(state(after, spend)).toEqual({ state: 'applied' });
  });

  it('refuses a job that expires before it is posted or runs longer than 30 days', async () => {
    await economy();
    const past = await add(owner.sign(T0, 'job', jobBody({ expires: T0 })));
    const long = await add(owner.sign(T0 + 1, 'job', jobBody({ expires: T0 + 1 + 30 * DAY + 1 })));
    const l = await ledger();
    expect(state(l, past)).toEqual({ state: 'rejected', reason: 'job expires before it is posted' });
    expect(state(l, long)).toEqual({ state: 'rejected', reason: 'job runs longer than 30 days' });
  });
});

describe('job: escrow and budget', () => {
  it('refuses a budget beyond the owner\'s room, and what is escrowed cannot be spent or escrowed again', async () => {
    await economy(1_000);
    const tooBig = await add(owner.sign(T0, 'job', jobBody({ budget: 1_001 })));
    const job = await add(owner.sign(T0 + 1, 'job', jobBody({ budget: 800 })));
    const second = await add(owner.sign(T0 + 2, 'job', jobBody({ budget: 300 })));
    const spend = await add(owner.sign(T0 + 3, 'transfer', { to: d1.id, currency: 'CH', amount: 300, memo: '' }));
    const stake = await add(owner.sign(T0 + 4, 'vouch', { member: d1.id, currency: 'CH', amount: 201 }));
    const fits = await add(owner.sign(T0 + 5, 'transfer', { to: d1.id, currency: 'CH', amount: 200, memo: '' }));
    const l = await ledger();
    expect(state(l, tooBig)).toMatchObject({ state: 'rejected', reason: expect.stringContaining('insufficient credit') });
    expect(state(l, job)).toEqual({ state: 'applied' });
    expect(state(l, second)?.state).toBe('rejected');
    expect(state(l, spend)?.state).toBe('rejected');
    expect(state(l, stake)?.state).toBe('rejected');
    expect(state(l, fits)).toEqual({ state: 'applied' });
    expect(l.spendable(owner.id, 'CH')).toBe(0);
    // Paying donors from the escrow does not change the room: it was already locked.
    await add(d1.sign(T0 + 100, 'result', result(job.id, 0, H, 50)));
    await add(d2.sign(T0 + 200, 'result', result(job.id, 0, H, 50)));
    const paid = await ledger();
    expect(paid.balanceOf(owner.id).CH).toBe(-300);
    expect(paid.spendable(owner.id, 'CH')).toBe(0);
  });

  it('an account has at most 100 open jobs; one that closes makes room for the next', async () => {
    await economy();
    const tiny = (expires: number) => jobBody({ units: 1, redundancy: 1, ceiling: 1, budget: 1, expires });
    const first = await add(owner.sign(T0, 'job', tiny(T0 + 1_000)));
    for (let i = 1; i < 100; i++) await add(owner.sign(T0 + i, 'job', tiny(T0 + DAY)));
    const over = await add(owner.sign(T0 + 500, 'job', tiny(T0 + DAY)));
    const later = await add(owner.sign(T0 + 1_000, 'job', tiny(T0 + DAY))); // the first expired at T0 + 1,000
    const l = await ledger();
    expect(state(l, over)).toEqual({ state: 'rejected', reason: 'too many open jobs: at most 100 per account' });
    expect(state(l, later)).toEqual({ state: 'applied' });
    expect(l.jobOf(first.id)?.status).toBe('expired');
    expect(l.openJobsOf(owner.id)).toBe(100);
  });

  it('a member cannot release a stake its escrow stands on', async () => {
    await economy(1_000);
    await add(owner.sign(T0, 'job', jobBody({ budget: 800 })));
    const release = await add(owner.sign(T0 + 1, 'release', { voucher: founder.id, currency: 'CH', amount: 500 }));
    const l = await ledger();
    expect(state(l, release)?.state).toBe('rejected');
  });

  it('refuses bodies out of range as malformed: budget short of units × redundancy × ceiling, redundancy, units, title', () => {
    const invalid = (over: Parameters<typeof jobBody>[0]) => decodeKindBody(6, encodeKindBody('job', jobBody(over)), owner.id);
    expect(invalid({ budget: 299 })).toEqual({ ok: false, error: 'budget does not cover units × redundancy × ceiling' });
    expect(invalid({ redundancy: 0 })).toMatchObject({ ok: false, error: 'redundancy must be 1 to 5' });
    expect(invalid({ redundancy: 6, budget: 10_000 })).toMatchObject({ ok: false, error: 'redundancy must be 1 to 5' });
    expect(invalid({ units: 0 })).toMatchObject({ ok: false });
    expect(invalid({ units: 100_001, budget: 10 ** 9 })).toMatchObject({ ok: false });
    expect(invalid({ unitDeadlineMs: 999 })).toMatchObject({ ok: false });
    expect(invalid({ title: 'x'.repeat(121) })).toEqual({ ok: false, error: 'title is longer than 120 characters' });
    expect(invalid({ title: '' })).toEqual({ ok: false, error: 'title is empty' });
    expect(invalid({ title: 'a\nb' })).toEqual({ ok: false, error: 'title contains control characters' });
    expect(invalid({ kernel: 'Primes!' })).toMatchObject({ ok: false });
    expect(invalid({ kernel: hashOf('d') })).toMatchObject({ ok: true, body: { kernel: hashOf('d') } });
    expect(invalid({})).toMatchObject({ ok: true });
    const trailing = new Uint8Array([...encodeKindBody('job', jobBody()), 0]);
    expect(decodeKindBody(6, trailing, owner.id)).toEqual({ ok: false, error: 'job body has 1 trailing bytes' });
    const resultBytes = encodeKindBody('result', result(hashOf('e'), 3, H, 1));
    expect(decodeKindBody(7, resultBytes.subarray(0, 40), d1.id)).toEqual({ ok: false, error: 'malformed result body' });
    expect(decodeKindBody(7, encodeKindBody('result', result(hashOf('e'), 3, H, 0)), d1.id)).toMatchObject({ ok: false, error: expect.stringContaining('claim') });
  });

  it('an oversized title signed by hand is refused in replay; a unit beyond the job is refused', async () => {
    await economy();
    const body = encodeKindBody('job', jobBody({ title: '€'.repeat(121) }));
    const signed = encodeSignedPart({ economy: parseHex(TEST_ECONOMY)!, ack: 0, authorKey: owner.signer.publicKey, seq: 1, prev: new Uint8Array(32), time: T0, kindCode: 6, body });
    const bytes = appendSignature(signed, await owner.signer.sign(signed));
    const id = Buffer.from(await cast.memory.port.sha256(bytes)).toString('hex');
    owner.head = { seq: 1, hash: id, time: T0 };
    const job = await add(owner.sign(T0 + 1, 'job', jobBody()));
    const beyond = await add(d1.sign(T0 + 100, 'result', result(job.id, 3, H)));
    const l = await ledgerOf(cast.memory.port, founder.id, NOW, [...entries, { id, bytes }]);
    expect(l.statusOf(id)).toEqual({ state: 'rejected', reason: 'title is longer than 120 characters' });
    expect(l.statusOf(job.id)).toEqual({ state: 'applied' });
    expect(l.statusOf(beyond.id)).toEqual({ state: 'rejected', reason: 'unit 3 is beyond the job\'s 3 units' });
  });
});

describe('job and result: copied, forked', () => {
  it('a job and a result copied from another economy are refused before anything reads them', async () => {
    await economy();
    const job = await add(owner.sign(T0, 'job', jobBody()));
    const other = { economy: 'ab'.repeat(16) };
    const copiedJob = await createEntry(owner.signer, cast.memory.port, other, undefined, T0, 'job', jobBody());
    const copiedResult = await createEntry(d1.signer, cast.memory.port, other, undefined, T0 + 100, 'result', result(job.id, 0, H));
    const l = await ledger();
    const report = await l.addEntries([copiedJob.bytes, copiedResult.bytes]);
    expect(report.rejected.map((r) => r.reason)).toEqual([
      `malformed entry: entry of another economy (${'ab'.repeat(16)})`, `malformed entry: entry of another economy (${'ab'.repeat(16)})`,
    ]);
    expect(l.unitsOf(job.id).size).toBe(0);
  });

  it('a donor frozen by a fork counts no more; the results it had before stay paid', async () => {
    await economy();
    const job = await add(owner.sign(T0, 'job', jobBody()));
    await add(d1.sign(T0 + 100, 'result', result(job.id, 0, H)));
    await add(d2.sign(T0 + 110, 'result', result(job.id, 0, H)));
    const head = d1.head;
    const a = await add(d1.sign(T0 + 200, 'result', result(job.id, 1, H)));
    d1.head = head;
    const b = await add(d1.sign(T0 + 201, 'result', result(job.id, 1, X)));
    await add(d2.sign(T0 + 300, 'result', result(job.id, 1, H)));
    const l = await ledger();
    expect(l.frozenAt(d1.id)).toBeDefined();
    expect([l.statusOf(a.id)?.state, l.statusOf(b.id)?.state]).toEqual(['rejected', 'rejected']);
    expect(l.balanceOf(d1.id).CH).toBe(40);
    expect(l.unitsOf(job.id).get(1)?.results.map((r) => r.donor)).toEqual([d2.id]);
  });
});

describe('result: floods and size', () => {
  it('a flood for one unit costs a bounded record: fresh keys and repeats are refused, at most 2r − 1 counted', async () => {
    await economy();
    const job = await add(owner.sign(T0, 'job', jobBody({ units: 1, budget: 100 })));
    let time = T0 + 10;
    for (const s of cast.fresh) await add(s.sign(time++, 'result', result(job.id, 0, X, 1)));
    for (let i = 0; i < 50; i++) await add(d1.sign(time++, 'result', result(job.id, 0, hashOf(i), 1)));
    await add(d2.sign(time++, 'result', result(job.id, 0, Y)));
    for (const d of cast.donors.slice(2)) await add(d.sign(time++, 'result', result(job.id, 0, hashOf(200 + cast.donors.indexOf(d)))));
    const l = await ledger();
    const unit = l.unitsOf(job.id).get(0)!;
    expect(unit.results.length).toBe(3);
    expect(unit.status).toBe('failed');
    const statuses = entries.map((e) => l.statusOf(e.id)?.state);
    expect(statuses.filter((s) => s === 'applied').length).toBe(1 + cast.donors.length + 1 + 3);
    expect(l.balanceOf(owner.id).CH).toBe(0);
  });

  it('a flood of results, each arriving alone, applies on the cheap path and adds nothing to the unit', async () => {
    await economy();
    const job = await add(owner.sign(T0, 'job', jobBody({ units: 1, budget: 100 })));
    await add(d1.sign(T0 + 1, 'result', result(job.id, 0, H)));
    const l = await ledger();
    const before = l.serialize().split('\n')[0]!;
    const replays: Record<string, number> = {};
    let time = T0 + 10;
    // Fresh keys (their first entry each) and one vouched donor repeating itself.
    const flood: SignedEntry[] = [];
    for (const k of cast.fresh.slice(50, 250)) flood.push(await k.sign(time++, 'result', result(job.id, 0, X, 1)));
    for (let i = 0; i < 100; i++) flood.push(await d1.sign(time++, 'result', result(job.id, 0, X, 1)));
    for (const e of flood) {
      const r = await l.addEntries([e.bytes]);
      replays[r.replay] = (replays[r.replay] ?? 0) + 1;
    }
    expect(replays).toEqual({ incremental: 300 });
    expect(l.unitsOf(job.id).get(0)?.results).toHaveLength(1);
    // The only change of state: each refused entry's line in its author's history.
    const after = JSON.parse(l.serialize().split('\n')[0]!) as { compute: unknown; balances: unknown };
    const was = JSON.parse(before) as { compute: unknown; balances: unknown };
    expect(after.compute).toEqual(was.compute);
    expect(after.balances).toEqual(was.balances);
  });

  it('a result entry is 220–222 bytes for a unit < 16,384 and a claim < 16,384 milli (seq < 128)', async () => {
    const time = T0;
    const size = async (unit: number, claim: number) =>
      (await createEntry(d1.signer, cast.memory.port, { economy: TEST_ECONOMY }, undefined, time, 'result', result(hashOf('e'), unit, H, claim))).bytes.length;
    expect(await size(0, 100)).toBe(220);
    expect(await size(127, 127)).toBe(220);
    expect(await size(128, 1_000)).toBe(222);
    expect(await size(16_383, 16_383)).toBe(222);
    expect(await size(16_384, 16_384)).toBe(224);
    // The job entry of docs/COMPUTE.md: catalog kernel, 17-character title, 20 units, 60 s, 50 milli, 2 CH.
    const job = await createEntry(owner.signer, cast.memory.port, { economy: TEST_ECONOMY }, undefined, time, 'job', jobBody({ units: 20, ceiling: 50, budget: 2_000, title: 'Primes below 10^9' }));
    expect(job.bytes.length).toBe(226);
  });
});
