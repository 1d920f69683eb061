// Vouch (code 4) and release (code 5): honest and hostile cases, replayed through a real Ledger.
import { beforeAll, describe, expect, it } from 'vitest';
import { createSimulationKeys, type MemoryCrypto } from './crypto-port-memory';
import { ledgerOf, TestAuthor } from './credit-test-kit';
import { checkVouch } from './kind-vouch';
import { checkRelease } from './kind-release';
import { creditRoomProblem } from './credit';
import { decodeKindBody, encodeKindBody } from './kinds';
import type { SignedEntry } from './create-entry';

const T0 = 1_700_000_000_000;
const NOW = T0 + 3_600_000;
let memory: MemoryCrypto;
let founder: TestAuthor, bob: TestAuthor, carol: TestAuthor, dave: TestAuthor;

describe('vouch and release', () => {
  let entries: SignedEntry[];
  let t: number;
  const next = () => (t += 10);

  beforeAll(async () => {
    const keys = await createSimulationKeys(globalThis.crypto.subtle, 4, 0x70c4);
    memory = keys.memory;
    [founder, bob, carol, dave] = keys.signers.map((s) => new TestAuthor(s, memory.port)) as [TestAuthor, TestAuthor, TestAuthor, TestAuthor];
  });

  function reset(): void {
    for (const a of [founder, bob, carol, dave]) a.head = undefined;
    entries = [];
    t = T0;
  }
  const add = async (e: Promise<SignedEntry>) => {
    const s = await e;
    entries.push(s);
    return s;
  };
  const ledger = () => ledgerOf(memory.port, founder.id, NOW, entries);
  const pay = (to: TestAuthor, amount: number) => ({ to: to.id, currency: 'MH' as const, amount, memo: '' });
  const stake = (member: TestAuthor, amount: number) => ({ member: member.id, currency: 'MH' as const, amount });

  it('gives a fresh key no credit; the founder pays on the economy limit', async () => {
    reset();
    const b1 = await add(bob.sign(next(), 'transfer', pay(carol, 1)));
    const f1 = await add(founder.sign(next(), 'transfer', pay(carol, 10_000)));
    const l = await ledger();
    expect(l.statusOf(b1.id)).toMatchObject({ state: 'rejected', reason: expect.stringContaining('insufficient credit') });
    expect(l.statusOf(f1.id)).toEqual({ state: 'applied' });
    expect(l.creditOf(bob.id)).toEqual({ MH: 0, CH: 0 });
    expect(l.creditOf(founder.id)).toEqual({ MH: 10_000, CH: 10_000 });
    expect(creditRoomProblem(l, bob.id, 'MH', 1)).toBe('You have no credit yet: a member can vouch for you, or receive hours first.');
  });

  it('a founder vouch gives credit up to the stake, and costs the founder no room', async () => {
    reset();
    await add(founder.sign(next(), 'vouch', stake(bob, 5_000)));
    const over = await add(bob.sign(next(), 'transfer', pay(carol, 5_001)));
    const ok = await add(bob.sign(next(), 'transfer', pay(carol, 5_000)));
    const f = await add(founder.sign(next(), 'transfer', pay(carol, 10_000)));
    const l = await ledger();
    expect(l.statusOf(over.id)?.state).toBe('rejected');
    expect(l.statusOf(ok.id)).toEqual({ state: 'applied' });
    expect(l.statusOf(f.id)).toEqual({ state: 'applied' });
    expect(l.creditOf(bob.id).MH).toBe(5_000);
    expect(l.stakeOf(founder.id, bob.id).MH).toBe(5_000);
    expect(l.historyOf(bob.id)[0]).toMatchObject({ kind: 'vouch', counterparty: founder.id, stake: 5_000, role: 'member' });
    expect(l.historyOf(founder.id)[0]).toMatchObject({ kind: 'vouch', counterparty: bob.id, stake: 5_000, role: 'voucher' });
    expect(creditRoomProblem(l, bob.id, 'MH', 1)).toContain('you can send at most 0 MH');
  });

  it('a stake is capped by the settings limit', async () => {
    reset();
    await add(founder.sign(next(), 'vouch', stake(bob, 50_000)));
    const l = await ledger();
    expect(l.creditOf(bob.id).MH).toBe(10_000);
  });

  it('refuses a vouch from a fresh key (it has no room to stake)', async () => {
    reset();
    const v = await add(bob.sign(next(), 'vouch', stake(carol, 1)));
    const c = await add(carol.sign(next(), 'transfer', pay(dave, 1)));
    const l = await ledger();
    expect(l.statusOf(v.id)).toMatchObject({ state: 'rejected', reason: expect.stringContaining('insufficient room to stake') });
    expect(l.statusOf(c.id)?.state).toBe('rejected');
    expect(checkVouch(l, bob.id, { member: carol.id, currency: 'MH', amountText: '1' })).toMatchObject({ ok: false, error: expect.stringContaining('nothing to stake') });
  });

  it('refuses a vouch beyond the room, and what is staked cannot be spent', async () => {
    reset();
    await add(founder.sign(next(), 'vouch', stake(bob, 5_000)));
    const tooMuch = await add(bob.sign(next(), 'vouch', stake(carol, 6_000)));
    const fits = await add(bob.sign(next(), 'vouch', stake(carol, 3_000)));
    const spendStake = await add(bob.sign(next(), 'transfer', pay(dave, 3_000)));
    const spendRest = await add(bob.sign(next(), 'transfer', pay(dave, 2_000)));
    const l = await ledger();
    expect(l.statusOf(tooMuch.id)?.state).toBe('rejected');
    expect(l.statusOf(fits.id)).toEqual({ state: 'applied' });
    expect(l.statusOf(spendStake.id)).toMatchObject({ state: 'rejected', reason: expect.stringContaining('3 staked on others') });
    expect(l.statusOf(spendRest.id)).toEqual({ state: 'applied' });
    expect(l.spendable(bob.id, 'MH')).toBe(0);
    expect(l.creditOf(carol.id).MH).toBe(3_000);
    expect(l.stakesOf(bob.id)).toEqual({
      given: [{ voucher: bob.id, member: carol.id, amount: { MH: 3_000, CH: 0 } }],
      received: [{ voucher: founder.id, member: bob.id, amount: { MH: 5_000, CH: 0 } }],
    });
  });

  it('two keys of one person vouching each other in a circle gain nothing', async () => {
    reset();
    await add(founder.sign(next(), 'vouch', stake(bob, 5_000)));
    // Bob and Carol are one person: each stakes all it can on the other, round after round…
    const circle: SignedEntry[] = [];
    for (const amount of [5_000, 10_000, 15_000]) {
      circle.push(await add(bob.sign(next(), 'vouch', stake(carol, amount))));
      circle.push(await add(carol.sign(next(), 'vouch', stake(bob, amount))));
    }
    const mid = await ledger();
    // The limits grew (each min(10, stakes)), the room did not: each stake is reserved out of its
    // voucher's room, so the pair can spend at most what the founder staked, never more.
    expect(mid.creditOf(bob.id).MH).toBe(10_000);
    expect(mid.creditOf(carol.id).MH).toBe(10_000);
    expect(mid.spendable(bob.id, 'MH') + mid.spendable(carol.id, 'MH')).toBeLessThanOrEqual(5_000);
    // …then both try to spend everything on Dave.
    for (const who of [bob, carol, bob, carol]) await add(who.sign(next(), 'transfer', pay(dave, 2_500)));
    const l = await ledger();
    expect(l.balanceOf(dave.id).MH).toBeLessThanOrEqual(5_000);
    expect(l.balanceOf(bob.id).MH + l.balanceOf(carol.id).MH).toBeGreaterThanOrEqual(-5_000);
    expect(circle.slice(0, 2).map((e) => l.statusOf(e.id)?.state)).toEqual(['applied', 'applied']);
  });

  it('refuses self-vouch and out-of-range stakes as malformed bodies', async () => {
    const self = encodeKindBody('vouch', { member: bob.id, currency: 'MH', amount: 1 });
    expect(decodeKindBody(4, self, bob.id)).toEqual({ ok: false, error: 'self-vouch' });
    const huge = encodeKindBody('vouch', { member: carol.id, currency: 'CH', amount: 10 ** 12 + 1 });
    expect(decodeKindBody(4, huge, bob.id)).toMatchObject({ ok: false });
    const ok = encodeKindBody('vouch', { member: carol.id, currency: 'CH', amount: 0 });
    expect(ok.length).toBe(34);
    expect(decodeKindBody(4, ok, bob.id)).toEqual({ ok: true, body: { member: carol.id, currency: 'CH', amount: 0 } });
    const badCurrency = ok.slice();
    badCurrency[32] = 2;
    expect(decodeKindBody(4, badCurrency, bob.id)).toEqual({ ok: false, error: 'malformed vouch body' });
    expect(decodeKindBody(5, encodeKindBody('release', { voucher: bob.id, currency: 'MH', amount: 0 }), bob.id)).toEqual({ ok: false, error: 'self-release' });
    expect(checkVouch({} as never, bob.id, { member: bob.id, currency: 'MH', amountText: '1' })).toEqual({ ok: false, error: 'You cannot vouch for yourself.' });
  });

  it('a voucher cannot lower its stake, even backdated: payments on it stay applied', async () => {
    reset();
    await add(founder.sign(T0 + 100, 'vouch', stake(bob, 5_000)));
    const paid = await add(bob.sign(T0 + 300, 'transfer', pay(carol, 5_000)));
    // The founder signs a withdrawal later, dated before Bob's payment.
    const withdraw = await add(founder.sign(T0 + 200, 'vouch', stake(bob, 0)));
    const l = await ledger();
    expect(l.statusOf(withdraw.id)).toMatchObject({ state: 'rejected', reason: expect.stringContaining('only the member can give it back') });
    expect(l.statusOf(paid.id)).toEqual({ state: 'applied' });
    expect(l.balanceOf(carol.id).MH).toBe(5_000);
  });

  it('a member cannot give a stake back while it still covers a debt', async () => {
    reset();
    await add(founder.sign(next(), 'vouch', stake(bob, 5_000)));
    await add(bob.sign(next(), 'transfer', pay(carol, 4_000)));
    const l1 = await ledger();
    expect(checkRelease(l1, bob.id, { voucher: founder.id, currency: 'MH', amountText: '2' })).toMatchObject({ ok: false, error: expect.stringContaining('still covers') });
    expect(checkRelease(l1, bob.id, { voucher: founder.id, currency: 'MH', amountText: '1' })).toEqual({ ok: true, body: { voucher: founder.id, currency: 'MH', amount: 4_000 } });
    const tooMuch = await add(bob.sign(next(), 'release', { voucher: founder.id, currency: 'MH', amount: 3_000 }));
    const fits = await add(bob.sign(next(), 'release', { voucher: founder.id, currency: 'MH', amount: 4_000 }));
    const l2 = await ledger();
    expect(l2.statusOf(tooMuch.id)).toMatchObject({ state: 'rejected', reason: expect.stringContaining('still covers') });
    expect(l2.statusOf(fits.id)).toEqual({ state: 'applied' });
    expect(l2.creditOf(bob.id).MH).toBe(4_000);
    // Paid back, Bob can give the whole stake back.
    await add(carol.sign(next(), 'transfer', pay(bob, 4_000)));
    const all = await add(bob.sign(next(), 'release', { voucher: founder.id, currency: 'MH', amount: 0 }));
    const l3 = await ledger();
    expect(l3.statusOf(all.id)).toEqual({ state: 'applied' });
    expect(l3.stakesOf(bob.id).received).toEqual([]);
    expect(l3.creditOf(bob.id).MH).toBe(0);
  });

  it('a release gives the voucher its room back', async () => {
    reset();
    await add(founder.sign(next(), 'vouch', stake(bob, 5_000)));
    await add(bob.sign(next(), 'vouch', stake(carol, 5_000)));
    const blocked = await add(bob.sign(next(), 'transfer', pay(dave, 1)));
    await add(carol.sign(next(), 'release', { voucher: bob.id, currency: 'MH', amount: 0 }));
    const freed = await add(bob.sign(next(), 'transfer', pay(dave, 5_000)));
    const l = await ledger();
    expect(l.statusOf(blocked.id)?.state).toBe('rejected');
    expect(l.statusOf(freed.id)).toEqual({ state: 'applied' });
  });

  it('a fresh key that backdates its payments before its vouch gets nothing from it', async () => {
    reset();
    // The sybil signs first, dated early; the vouch comes after, dated now.
    const early = await add(bob.sign(T0 + 50, 'transfer', pay(carol, 5_000)));
    await add(founder.sign(T0 + 100, 'vouch', stake(bob, 5_000)));
    const l = await ledger();
    expect(l.statusOf(early.id)?.state).toBe('rejected');
    expect(l.balanceOf(bob.id).MH).toBe(0);
  });

  it('checkVouch adds to the stake and returns the body to sign', async () => {
    reset();
    await add(founder.sign(next(), 'vouch', stake(bob, 5_000)));
    await add(bob.sign(next(), 'vouch', stake(carol, 1_000)));
    const l = await ledger();
    expect(checkVouch(l, bob.id, { member: carol.id, currency: 'MH', amountText: '2.5' })).toEqual({ ok: true, body: { member: carol.id, currency: 'MH', amount: 3_500 } });
    expect(checkVouch(l, bob.id, { member: carol.id, currency: 'MH', amountText: '4.5' })).toMatchObject({ ok: false, error: expect.stringContaining('at most 4 MH') });
    expect(checkVouch(l, founder.id, { member: dave.id, currency: 'CH', amountText: '100' })).toEqual({ ok: true, body: { member: dave.id, currency: 'CH', amount: 100_000 } });
    expect(checkVouch(l, bob.id, { member: 'nobody', currency: 'MH', amountText: '1' }).ok).toBe(false);
  });
});
