// The page reads the ledger through a LedgerView built from a structured clone of the worker's
// snapshot: every read the UI and the checks before signing make must answer as the Ledger does.
import { beforeAll, describe, expect, it } from 'vitest';
import { createSimulationKeys, type MemoryCrypto } from './crypto-port-memory';
import { ledgerOf, TestAuthor } from './credit-test-kit';
import { jobBody, T0 } from './compute-test-kit';
import { LedgerView } from './ledger-view';
import { checkTransfer } from './kind-transfer';
import type { SignedEntry } from './create-entry';

let memory: MemoryCrypto;
let people: TestAuthor[];

beforeAll(async () => {
  const keys = await createSimulationKeys(globalThis.crypto.subtle, 5, 0x71e0);
  memory = keys.memory;
  people = keys.signers.map((s) => new TestAuthor(s, memory.port));
});

describe('LedgerView', () => {
  it('answers every read as the ledger it was snapshotted from, after a structured clone', async () => {
    for (const p of people) p.head = undefined;
    const [founder, alice, bob, carol, stranger] = people as [TestAuthor, TestAuthor, TestAuthor, TestAuthor, TestAuthor];
    const entries: SignedEntry[] = [];
    let t = T0;
    entries.push(await founder.sign(t++, 'profile', { name: 'Founder', colour: '#112233' }));
    entries.push(await founder.sign(t++, 'vouch', { member: alice.id, currency: 'MH', amount: 5_000 }));
    entries.push(await founder.sign(t++, 'vouch', { member: bob.id, currency: 'CH', amount: 3_000 }));
    entries.push(await founder.sign(t++, 'transfer', { to: alice.id, currency: 'MH', amount: 1_250, memo: 'thanks' }));
    entries.push(await alice.sign(t++, 'transfer', { to: carol.id, currency: 'MH', amount: 500, memo: '' }));
    entries.push(await bob.sign(t++, 'job', jobBody({ title: 'primes' })));
    entries.push(await alice.sign(t++, 'task-post', { title: 'Fix login', description: 'It fails', criteria: 'works', project: 'app', reviewers: [] }));
    const now = t + 1_000;
    const ledger = await ledgerOf(memory.port, founder.id, now, entries);
    const view = new LedgerView(structuredClone(ledger.viewSnapshot(alice.id)), () => now);

    expect(view.entryCount).toBe(ledger.entryCount);
    expect([...view.balances]).toEqual([...ledger.balances]);
    for (const a of [founder, alice, bob, carol, stranger]) {
      expect(view.balanceOf(a.id)).toEqual(ledger.balanceOf(a.id));
      expect(view.creditOf(a.id)).toEqual(ledger.creditOf(a.id));
      expect(view.spendable(a.id, 'MH')).toBe(ledger.spendable(a.id, 'MH'));
      expect(view.spendable(a.id, 'CH')).toBe(ledger.spendable(a.id, 'CH'));
      expect(view.hasAppeared(a.id)).toBe(ledger.hasAppeared(a.id));
      expect(view.quorumProblem(a.id)).toBe(ledger.quorumProblem(a.id));
    }
    expect(view.hasAppeared(stranger.id)).toBe(false);
    expect(view.stakeOf(founder.id, alice.id)).toEqual(ledger.stakeOf(founder.id, alice.id));
    expect(view.profileOf(founder.id)).toEqual({ name: 'Founder', colour: '#112233' });
    expect([...view.tasks.keys()]).toEqual([...ledger.tasks.keys()]);
    expect(view.jobs.map((j) => j.id)).toEqual(ledger.jobs.map((j) => j.id));
    expect(view.supply('MH')).toBe(ledger.supply('MH'));
    // Only the person's own history travels: others' statements are not shown on the page.
    expect(view.historyOf(alice.id)).toEqual(ledger.historyOf(alice.id));
    expect(view.historyOf(alice.id).length).toBeGreaterThan(0);
    expect(view.historyOf(carol.id)).toEqual([]);
    // The checks before signing run on the view and say what the ledger would.
    const input = { to: carol.id, currency: 'MH' as const, amountText: '3', memo: '' };
    expect(checkTransfer(view, alice.id, input)).toEqual(checkTransfer(ledger, alice.id, input));
  });
});
