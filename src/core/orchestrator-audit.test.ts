// The dashboard's audit: no discrepancy on an honest ledger; a corrupted balance, a flow record
// not backed by an entry and a tampered entry are each reported.
import { beforeAll, describe, expect, it } from 'vitest';
import { createSimulationKeys, type MemoryCrypto } from './crypto-port-memory';
import { ledgerOf, testLedger, TEST_ECONOMY, TestAuthor } from './credit-test-kit';
import { auditLedger } from './orchestrator-audit';
import { computeOrchestrator } from './orchestrator';
import type { Ledger } from './ledger';
import type { LedgerState } from './ledger-state';

const T0 = 1_700_000_000_000;
const NOW = T0 + 3_600_000;
let memory: MemoryCrypto;
let founder: TestAuthor, bob: TestAuthor;

beforeAll(async () => {
  const keys = await createSimulationKeys(globalThis.crypto.subtle, 2, 0xa0d1);
  memory = keys.memory;
  [founder, bob] = keys.signers.map((s) => new TestAuthor(s, memory.port)) as [TestAuthor, TestAuthor];
});

async function honestLedger(): Promise<Ledger> {
  founder.head = undefined;
  bob.head = undefined;
  const entries = [
    await founder.sign(T0 + 1, 'economy-settings', { creditLimit: { MH: 10_000, CH: 10_000 }, epochMs: 60_000 }),
    await founder.sign(T0 + 2, 'transfer', { to: bob.id, currency: 'MH', amount: 3_000, memo: '' }, 1),
    await bob.sign(T0 + 3, 'transfer', { to: founder.id, currency: 'MH', amount: 1_000, memo: '' }, 1),
  ];
  return ledgerOf(memory.port, founder.id, NOW, entries);
}

const stateOf = (l: Ledger) => (l as unknown as { state: LedgerState }).state;
const audit = (live: Ledger) => auditLedger({
  live, fresh: testLedger(memory.port, founder.id, NOW), crypto: memory.port, economy: TEST_ECONOMY,
  shown: computeOrchestrator(live.flows, 60_000, NOW), now: NOW,
});

describe('auditLedger', () => {
  it('finds no discrepancy in an honest ledger', async () => {
    const report = await audit(await honestLedger());
    expect(report).toMatchObject({ entries: 3, badEntries: [], balanceMismatches: [], stateMatches: true, orchestratorMatches: true, mintsMatch: true, ok: true });
  });

  it('reports a balance changed behind the ledger’s back', async () => {
    const live = await honestLedger();
    stateOf(live).balances.set(bob.id, { ...live.balanceOf(bob.id), MH: 9_999 as never });
    const report = await audit(live);
    expect(report.ok).toBe(false);
    expect(report.balanceMismatches).toEqual([bob.id]);
  });

  it('reports mints shown from a flow record no entry backs', async () => {
    const live = await honestLedger();
    stateOf(live).flows.push({ entryId: 'f'.repeat(64), time: T0 + 5, currency: 'MH', payer: founder.id, payee: bob.id, amount: 5_000, source: 'task' });
    const report = await audit(live);
    expect(report.stateMatches).toBe(false);
    expect(report.orchestratorMatches).toBe(false);
    expect(report.ok).toBe(false);
  });

  it('reports a kept entry whose bytes no longer verify', async () => {
    const live = await honestLedger();
    const [first] = [...live.validEntries()];
    first!.bytes[first!.bytes.length - 1]! ^= 1; // the stored bytes, tampered in place
    const report = await audit(live);
    expect(report.badEntries).toContain(first!.id);
    expect(report.ok).toBe(false);
  });
});
