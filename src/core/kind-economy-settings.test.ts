// Economy settings apply by acknowledgement, not by time (credit.ts): honest and hostile cases.
import { beforeAll, describe, expect, it } from 'vitest';
import { createSimulationKeys, type MemoryCrypto } from './crypto-port-memory';
import { ledgerOf, TestAuthor } from './credit-test-kit';
import type { SignedEntry } from './create-entry';
import { checkEconomySettings } from './kind-economy-settings';

const T0 = 1_700_000_000_000;
const NOW = T0 + 3_600_000;
let memory: MemoryCrypto;
let founder: TestAuthor, bob: TestAuthor, carol: TestAuthor;

beforeAll(async () => {
  const keys = await createSimulationKeys(globalThis.crypto.subtle, 3, 0x5e77);
  memory = keys.memory;
  [founder, bob, carol] = keys.signers.map((s) => new TestAuthor(s, memory.port)) as [TestAuthor, TestAuthor, TestAuthor];
});

function reset(): SignedEntry[] {
  for (const a of [founder, bob, carol]) a.head = undefined;
  return [];
}
const pay = (to: TestAuthor, amount: number) => ({ to: to.id, currency: 'MH' as const, amount, memo: '' });
const limit = (MH: number) => ({ creditLimit: { MH, CH: 10_000 } });

describe('economy settings by acknowledgement', () => {
  it('a backdated lower limit does not reverse a payment whose author had not seen it', async () => {
    const all = reset();
    all.push(await founder.sign(T0 + 100, 'vouch', { member: bob.id, currency: 'MH', amount: 10_000 }));
    const paid = await bob.sign(T0 + 300, 'transfer', pay(carol, 8_000), 0);
    all.push(paid);
    // Signed after everyone saw Bob's payment, dated before it (the founder's chain allows it).
    const lower = await founder.sign(T0 + 200, 'economy-settings', limit(0));
    all.push(lower);
    const l = await ledgerOf(memory.port, founder.id, NOW, all);
    expect(l.statusOf(lower.id)).toEqual({ state: 'applied' });
    expect(l.statusOf(paid.id)).toEqual({ state: 'applied' });
    expect(l.balanceOf(carol.id).MH).toBe(8_000);
    // From now on honest clients ack it (founder seq 2), and Bob's credit is 0.
    expect(l.settingsAck).toBe(2);
    expect(l.creditOf(bob.id).MH).toBe(0);
    expect(l.creditLimit('MH')).toBe(0);
  });

  it('a payment that acked the lower limit is judged under it', async () => {
    const all = reset();
    all.push(await founder.sign(T0 + 100, 'vouch', { member: bob.id, currency: 'MH', amount: 10_000 }));
    all.push(await founder.sign(T0 + 200, 'economy-settings', limit(3_000)));
    const over = await bob.sign(T0 + 300, 'transfer', pay(carol, 3_001), 2);
    const fits = await bob.sign(T0 + 301, 'transfer', pay(carol, 3_000), 2);
    all.push(over, fits);
    const l = await ledgerOf(memory.port, founder.id, NOW, all);
    expect(l.statusOf(over.id)).toMatchObject({ state: 'rejected', reason: expect.stringContaining('credit limit of -3') });
    expect(l.statusOf(fits.id)).toEqual({ state: 'applied' });
  });

  it('an author that ignores a new setting keeps at most the older one, never more than its stakes', async () => {
    const all = reset();
    all.push(await founder.sign(T0 + 100, 'vouch', { member: bob.id, currency: 'MH', amount: 6_000 }));
    all.push(await founder.sign(T0 + 200, 'economy-settings', limit(3_000)));
    // Bob keeps acking 0 (the initial limit of 10): his stake of 6 still bounds him.
    const a = await bob.sign(T0 + 300, 'transfer', pay(carol, 6_000), 0);
    const b = await bob.sign(T0 + 301, 'transfer', pay(carol, 1), 0);
    all.push(a, b);
    const l = await ledgerOf(memory.port, founder.id, NOW, all);
    expect(l.statusOf(a.id)).toEqual({ state: 'applied' });
    expect(l.statusOf(b.id)?.state).toBe('rejected');
    expect(l.balanceOf(bob.id).MH).toBe(-6_000);
  });

  it('acks name founder seqs: a settings entry after the entry in replay order never applies to it', async () => {
    const all = reset();
    all.push(await founder.sign(T0 + 100, 'vouch', { member: bob.id, currency: 'MH', amount: 10_000 }));
    // Bob acks "everything" (2^40), but the lower limit is dated after his payment.
    const paid = await bob.sign(T0 + 150, 'transfer', pay(carol, 9_000), 2 ** 40);
    all.push(paid, await founder.sign(T0 + 200, 'economy-settings', limit(0)));
    const l = await ledgerOf(memory.port, founder.id, NOW, all);
    expect(l.statusOf(paid.id)).toEqual({ state: 'applied' });
  });

  it('a fresh key backdated before a lowered limit gains nothing: its credit comes only from stakes', async () => {
    const all = reset();
    all.push(await founder.sign(T0 + 100, 'economy-settings', limit(50_000)));
    all.push(await founder.sign(T0 + 200, 'economy-settings', limit(0)));
    // A fresh key dated before both, acking none of them: no stake, so no credit.
    const sybil = await carol.sign(T0 + 50, 'transfer', pay(bob, 1), 0);
    all.push(sybil);
    const l = await ledgerOf(memory.port, founder.id, NOW, all);
    expect(l.statusOf(sybil.id)?.state).toBe('rejected');
  });

  it('the founder is judged under the settings it acked as well', async () => {
    const all = reset();
    all.push(await founder.sign(T0 + 100, 'economy-settings', limit(2_000)));
    const old = await founder.sign(T0 + 200, 'transfer', pay(carol, 5_000), 0);
    const acked = await founder.sign(T0 + 300, 'transfer', pay(carol, 1), 1);
    all.push(old, acked);
    const l = await ledgerOf(memory.port, founder.id, NOW, all);
    expect(l.statusOf(old.id)).toEqual({ state: 'applied' });
    expect(l.statusOf(acked.id)?.state).toBe('rejected');
  });

  it('settings from anyone but the founder are refused and acked by nobody', async () => {
    const all = reset();
    const bySybil = await bob.sign(T0 + 100, 'economy-settings', limit(10 ** 12));
    all.push(bySybil);
    const l = await ledgerOf(memory.port, founder.id, NOW, all);
    expect(l.statusOf(bySybil.id)).toEqual({ state: 'rejected', reason: 'only the economy founder can change its settings' });
    expect(l.settingsAck).toBe(0);
  });
});

describe('the founder choosing the epoch length (checkEconomySettings)', () => {
  const fresh = () => ({ founder: founder.id, epochFixed: false, epochMs: 86_400_000 });

  it('signs a first settings entry with a 1-minute epoch, which every replay then uses', async () => {
    const checked = checkEconomySettings(fresh(), founder.id, { creditLimit: { MH: 10_000, CH: 10_000 }, epochMs: 60_000 });
    expect(checked).toEqual({ ok: true, body: { creditLimit: { MH: 10_000, CH: 10_000 }, epochMs: 60_000 } });
    if (!checked.ok) return;
    const all = reset();
    all.push(await founder.sign(T0, 'economy-settings', checked.body));
    const l = await ledgerOf(memory.port, founder.id, NOW, all);
    expect(l.epochMs).toBe(60_000);
    // Later: the limits change, the length stays (left out, or repeated).
    const later = checkEconomySettings({ founder: founder.id, epochFixed: true, epochMs: l.epochMs }, founder.id, { creditLimit: { MH: 5_000, CH: 5_000 }, epochMs: 60_000 });
    expect(later.ok).toBe(true);
  });

  it('refuses a member who is not the founder, a length out of range, and another length once fixed', () => {
    expect(checkEconomySettings(fresh(), bob.id, { creditLimit: { MH: 0, CH: 0 }, epochMs: 60_000 })).toEqual({ ok: false, error: 'Only the founder of this economy can change its settings.' });
    expect(checkEconomySettings(fresh(), founder.id, { creditLimit: { MH: 0, CH: 0 }, epochMs: 999 })).toMatchObject({ ok: false, error: expect.stringContaining('epoch length out of range') });
    expect(checkEconomySettings(fresh(), founder.id, { creditLimit: { MH: -1, CH: 0 } })).toMatchObject({ ok: false });
    expect(checkEconomySettings({ founder: founder.id, epochFixed: true, epochMs: 60_000 }, founder.id, { creditLimit: { MH: 0, CH: 0 }, epochMs: 86_400_000 }))
      .toEqual({ ok: false, error: 'The epoch length is fixed at 1 minute for this economy.' });
  });
});
