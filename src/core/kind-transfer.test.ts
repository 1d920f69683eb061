// checkTransfer: what a person's send is checked against before anything is signed, read from a
// real Ledger (the same rules the replay applies), and the lowered-limit sentence of credit.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { createSimulationKeys, type MemoryCrypto } from './crypto-port-memory';
import { ledgerOf, TestAuthor } from './credit-test-kit';
import { checkTransfer, type TransferInput } from './kind-transfer';
import { creditLoweringOf, describeMoment } from './credit';
import type { SignedEntry } from './create-entry';

// 26 Nov 2026, 10:40 UTC.
const T0 = Date.UTC(2026, 10, 26, 10, 40);
const NOW = T0 + 3_600_000;
let memory: MemoryCrypto;
let founder: TestAuthor, bob: TestAuthor, carol: TestAuthor, stranger: TestAuthor;

describe('checkTransfer', () => {
  let entries: SignedEntry[];
  let t: number;
  const next = () => (t += 10);

  beforeAll(async () => {
    const keys = await createSimulationKeys(globalThis.crypto.subtle, 4, 0x7a45);
    memory = keys.memory;
    [founder, bob, carol, stranger] = keys.signers.map((s) => new TestAuthor(s, memory.port)) as [TestAuthor, TestAuthor, TestAuthor, TestAuthor];
  });

  async function economy(): Promise<void> {
    for (const a of [founder, bob, carol, stranger]) a.head = undefined;
    entries = [];
    t = T0 - 1000;
    // The app writes the limits when the founder creates the economy: a setup, not a lowering.
    entries.push(await founder.sign(next(), 'economy-settings', { creditLimit: { MH: 10_000, CH: 10_000 } }));
    entries.push(await bob.sign(next(), 'profile', { name: 'Bob', colour: '#112233' }));
    entries.push(await founder.sign(next(), 'transfer', { to: carol.id, currency: 'MH', amount: 2000, memo: '' }));
  }
  const ledger = () => ledgerOf(memory.port, founder.id, NOW, entries);
  const input = (to: string, amountText: string, extra: Partial<TransferInput> = {}): TransferInput => ({ to, currency: 'MH', amountText, memo: '', ...extra });

  it('returns the body to sign and the amount as it was read', async () => {
    await economy();
    const l = await ledger();
    expect(checkTransfer(l, founder.id, input(`  ${bob.id.toUpperCase()} `, '  3 '))).toEqual({
      ok: true, body: { to: bob.id, currency: 'MH', amount: 3000, memo: '' }, reading: '3 MH', stranger: false,
    });
    const comma = checkTransfer(l, founder.id, input(bob.id, '1,5', { currency: 'CH', memo: 'render' }));
    expect(comma).toMatchObject({ ok: true, body: { amount: 1500, currency: 'CH', memo: 'render' }, reading: '1.5 CH' });
  });

  it('marks a recipient that never appeared in the economy, and not one that only received', async () => {
    await economy();
    const l = await ledger();
    expect(checkTransfer(l, founder.id, input(stranger.id, '1'))).toMatchObject({ ok: true, stranger: true });
    expect(checkTransfer(l, founder.id, input(carol.id, '1'))).toMatchObject({ ok: true, stranger: false });
    expect(checkTransfer(l, founder.id, input('ab'.repeat(32), '1'))).toMatchObject({ ok: true, stranger: true });
  });

  it('refuses with the sentence a person reads, before anything is signed', async () => {
    await economy();
    const l = await ledger();
    const error = (i: TransferInput, me = founder.id) => {
      const r = checkTransfer(l, me, i);
      return r.ok ? 'accepted' : r.error;
    };
    expect(error(input('abc', '1'))).toContain('paste a full account id');
    expect(error(input(founder.id, '1'))).toBe('You cannot send hours to yourself.');
    expect(error(input(bob.id, '1,5h'))).toContain('is not a number of hours');
    expect(error(input(bob.id, '0'))).toBe('The amount must be greater than zero.');
    expect(error(input(bob.id, '1', { memo: 'x'.repeat(281) }))).toBe('The memo is longer than 280 characters.');
    expect(error(input(bob.id, '1', { memo: '😀'.repeat(280) }))).toBe('accepted');
    expect(error(input(bob.id, '8.001'))).toBe('That is over your credit limit: you can send at most 8 MH now.');
    expect(error(input(bob.id, '1'), stranger.id)).toBe('You have no credit yet: a member can vouch for you, or receive hours first.');
    expect(error(input(bob.id, '2.5'), carol.id)).toBe('That is over your credit limit: you can send at most 2 MH now.');
  });

  it('says when the founder lowered the limit that binds the payer', async () => {
    await economy();
    // The founder spends 4 MH, then lowers the MH limit from 10 to 2 at 10:40 UTC on 26 Nov.
    entries.push(await founder.sign(next(), 'transfer', { to: bob.id, currency: 'MH', amount: 4000, memo: '' }));
    t = T0 + 60_000 - 10;
    entries.push(await founder.sign(next(), 'economy-settings', { creditLimit: { MH: 2000, CH: 10_000 } }, 1));
    const l = await ledger();
    expect(describeMoment(T0 + 60_000, 'UTC')).toBe('26 Nov at 10:41');
    expect(l.creditLowering('MH')).toEqual({ limit: 2000, time: T0 + 60_000 });
    expect(l.creditLowering('CH')).toBeUndefined();
    const r = checkTransfer(l, founder.id, input(bob.id, '0.5'), 'UTC');
    expect(r).toEqual({ ok: false, field: 'amount', error: 'The founder lowered the credit limit to 2 MH on 26 Nov at 10:41; you can send at most 0 MH now.' });
    // Carol's credit is her balance only (no stakes): the lowering is not why she cannot pay.
    const c = checkTransfer(l, carol.id, input(bob.id, '3'), 'UTC');
    expect(c).toEqual({ ok: false, field: 'amount', error: 'That is over your credit limit: you can send at most 2 MH now.' });
  });

  it('forgets a lowering once a newer change raised the limit again', async () => {
    await economy();
    entries.push(await founder.sign(next(), 'economy-settings', { creditLimit: { MH: 2000, CH: 10_000 } }, 1));
    entries.push(await founder.sign(next(), 'economy-settings', { creditLimit: { MH: 3000, CH: 10_000 } }, 2));
    const l = await ledger();
    expect(l.creditLowering('MH')).toBeUndefined();
    expect(creditLoweringOf({ settingsLog: [], initialSettings: l.settings } as never, 'MH')).toBeUndefined();
  });

  it('does not take the limits set when the economy was created for a lowering', async () => {
    for (const a of [founder, bob, carol, stranger]) a.head = undefined;
    t = T0;
    entries = [await founder.sign(next(), 'economy-settings', { creditLimit: { MH: 1000, CH: 10_000 } })];
    const l = await ledger();
    expect(l.creditLowering('MH')).toBeUndefined();
    expect(checkTransfer(l, founder.id, input(bob.id, '2'))).toEqual({ ok: false, field: 'amount', error: 'That is over your credit limit: you can send at most 1 MH now.' });
  });
});
