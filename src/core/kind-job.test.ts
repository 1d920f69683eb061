// checkJob and checkResult: what an owner's post and a donor's result are checked against before
// anything is signed, read from a real Ledger (the rules the replay applies), in sentences.
import { beforeAll, describe, expect, it } from 'vitest';
import { createCast, DAY, hashOf, jobBody, resetHeads, result, T0, type Cast } from './compute-test-kit';
import { ledgerOf, type TestAuthor } from './credit-test-kit';
import { checkJob, type JobInput } from './kind-job';
import { checkResult } from './kind-result';
import type { SignedEntry } from './create-entry';
import type { Ledger } from './ledger';

const NOW = T0 + 60_000;
let cast: Cast;
let founder: TestAuthor, owner: TestAuthor, donor: TestAuthor, fresh: TestAuthor;
let entries: SignedEntry[];

beforeAll(async () => {
  cast = await createCast(0x10b, 1, 1);
  ({ founder, owner } = cast);
  donor = cast.donors[0]!;
  fresh = cast.fresh[0]!;
});

async function economy(): Promise<Ledger> {
  resetHeads(cast);
  entries = [
    await founder.sign(T0 - 1000, 'vouch', { member: owner.id, currency: 'CH', amount: 2_000 }),
    await founder.sign(T0 - 900, 'vouch', { member: donor.id, currency: 'MH', amount: 1_000 }),
  ];
  return ledgerOf(cast.memory.port, founder.id, NOW, entries);
}

const input = (over: Partial<JobInput> = {}): JobInput => ({
  title: '  Primes below 10^9 ', kernel: 'primes', manifest: hashOf('f'), units: 20, unitDeadlineMs: 60_000, ceilingText: '0.05', expires: NOW + DAY, ...over,
});

describe('checkJob', () => {
  it('returns the body to sign, with the least budget by default and what it locks', async () => {
    const l = await economy();
    expect(checkJob(l, owner.id, input(), NOW)).toEqual({
      ok: true,
      body: { kernel: 'primes', manifest: hashOf('f'), units: 20, redundancy: 2, unitDeadlineMs: 60_000, ceiling: 50, budget: 2_000, expires: NOW + DAY, title: 'Primes below 10^9' },
      reading: 'Locks 2 CH: 20 units × 2 donors × at most 0.05 CH.',
    });
    expect(checkJob(l, owner.id, input({ units: 10, redundancy: 1, budgetText: '1,5' }), NOW)).toMatchObject({ ok: true, body: { budget: 1_500, redundancy: 1 } });
  });

  it('refuses with a sentence and the field it is about', async () => {
    const l = await economy();
    const error = (over: Partial<JobInput>, me = owner.id) => {
      const r = checkJob(l, me, input(over), NOW);
      return r.ok ? 'ok' : [r.field, r.error];
    };
    expect(error({ title: ' ' })).toEqual(['title', 'Give the job a title.']);
    expect(error({ kernel: 'Not a kernel' })).toEqual(['kernel', expect.stringContaining('catalog')]);
    expect(error({ manifest: 'abc' })).toEqual(['manifest', expect.stringContaining('not stored')]);
    expect(error({ units: 0 })).toEqual(['units', 'A job has 1 to 100,000 units.']);
    expect(error({ redundancy: 6 })).toEqual(['redundancy', 'Each unit is computed by 1 to 5 donors.']);
    expect(error({ unitDeadlineMs: 100 })).toEqual(['deadline', expect.stringContaining('between 1 second and 24 hours')]);
    expect(error({ ceilingText: 'lots' })).toEqual(['ceiling', expect.any(String)]);
    expect(error({ budgetText: '1.999' })).toEqual(['budget', 'The budget must pay every donor of every unit at the price: at least 2 CH (20 units × 2 × 0.05 CH).']);
    expect(error({ expires: NOW })).toEqual(['expires', 'The job must end in the future.']);
    expect(error({ expires: NOW + 31 * DAY })).toEqual(['expires', 'A job runs at most 30 days.']);
    expect(error({ units: 100_000, ceilingText: '1000000' })).toEqual(['ceiling', expect.stringContaining('largest budget')]);
    // Over the room: the owner has 2 CH of credit.
    expect(error({ ceilingText: '0.051' })).toEqual(['budget', expect.stringContaining('you can send at most 2 CH now')]);
    expect(error({}, fresh.id)).toEqual(['budget', expect.stringContaining('You have no credit yet')]);
  });

  it('refuses a 101st open job in words', async () => {
    await economy();
    for (let i = 0; i < 100; i++) entries.push(await owner.sign(T0 + i, 'job', jobBody({ units: 1, redundancy: 1, ceiling: 1, budget: 1, expires: NOW + DAY })));
    const l = await ledgerOf(cast.memory.port, founder.id, NOW, entries);
    expect(checkJob(l, owner.id, input({ units: 1 }), NOW)).toEqual({ ok: false, error: 'You have 100 open jobs, the most an account may have: wait for one to finish or expire.' });
    // By the reader's clock they expire, and the limit with them.
    const later = await ledgerOf(cast.memory.port, founder.id, NOW + DAY, entries);
    expect(checkJob(later, owner.id, input({ units: 1, expires: NOW + 2 * DAY }), NOW + DAY)).toMatchObject({ ok: true });
  });

  it('counts the escrow of jobs already posted', async () => {
    await economy();
    entries.push(await owner.sign(T0, 'job', jobBody({ budget: 1_500, expires: NOW + DAY })));
    const l = await ledgerOf(cast.memory.port, founder.id, NOW, entries);
    expect(checkJob(l, owner.id, input({ units: 5 }), NOW)).toMatchObject({ ok: true, body: { budget: 500 } });
    expect(checkJob(l, owner.id, input({ units: 6 }), NOW)).toMatchObject({ ok: false, field: 'budget' });
  });
});

describe('checkResult', () => {
  it('accepts a result that would count and refuses, in words, one that would not', async () => {
    await economy();
    const job = await owner.sign(T0, 'job', jobBody({ expires: NOW + DAY }));
    entries.push(job, await donor.sign(T0 + 10, 'result', result(job.id, 0, hashOf('a'))));
    const l = await ledgerOf(cast.memory.port, founder.id, NOW, entries);
    expect(checkResult(l, donor.id, result(job.id, 1, hashOf('a')), NOW)).toEqual({ ok: true, body: result(job.id, 1, hashOf('a')) });
    expect(checkResult(l, donor.id, result(job.id, 0, hashOf('a')), NOW)).toEqual({ ok: false, error: 'Not sent: already returned a result for unit 0.' });
    expect(checkResult(l, fresh.id, result(job.id, 1, hashOf('a')), NOW)).toMatchObject({ ok: false, error: expect.stringContaining('not counted') });
    expect(checkResult(l, owner.id, result(job.id, 1, hashOf('a')), NOW)).toMatchObject({ ok: false, error: expect.stringContaining('owner') });
    expect(checkResult(l, donor.id, result(job.id, 3, hashOf('a')), NOW)).toMatchObject({ ok: false, error: expect.stringContaining('beyond') });
    expect(checkResult(l, donor.id, result(job.id, 1, hashOf('a')), NOW + DAY)).toEqual({ ok: false, error: 'Not sent: job expired.' });
    expect(checkResult(l, donor.id, result(hashOf('9'), 1, hashOf('a')), NOW)).toMatchObject({ ok: false, error: expect.stringContaining('unknown job') });
    expect(checkResult(l, donor.id, result(job.id, 1, 'zz', 1), NOW)).toMatchObject({ ok: false, error: expect.stringContaining('cannot be signed') });
  });
});
