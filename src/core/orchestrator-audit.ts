// The audit a person runs from the dashboard: re-verify every entry this peer keeps, replay them
// into a fresh ledger, compare every balance, and recompute the orchestrator from scratch against
// the one shown (docs/ORCHESTRATOR.md), and check that the mints the ledger credited (mint-replay.ts)
// are the orchestrator's for the same epochs. Pure: the caller passes a fresh ledger of the same
// economy.

import { verifyEntry } from './create-entry';
import type { CryptoPort } from './crypto-port';
import type { Ledger } from './ledger';
import { computeOrchestrator, serializeOrchestrator, type OrchestratorResult } from './orchestrator';

export interface AuditReport {
  readonly entries: number;
  /** Entries whose own signature or encoding failed alone. */
  readonly badEntries: readonly string[];
  /** Accounts whose balance differs between the live ledger and the fresh replay. */
  readonly balanceMismatches: readonly string[];
  /** The whole replayed state (balances, stakes, history, flows…) equals the live one. */
  readonly stateMatches: boolean;
  readonly orchestratorMatches: boolean;
  /** Every epoch the ledger credited equals the recomputed orchestrator's (no overlay counted twice). */
  readonly mintsMatch: boolean;
  readonly ok: boolean;
}

/** First line of Ledger.serialize(): the replayed state (statuses of dropped inputs excluded). */
function stateOf(ledger: Ledger): string {
  const text = ledger.serialize();
  return text.slice(0, text.indexOf('\n'));
}

export async function auditLedger(opts: {
  live: Ledger;
  fresh: Ledger;
  crypto: CryptoPort;
  economy: string;
  shown: OrchestratorResult;
  now: number;
}): Promise<AuditReport> {
  const entries = [...opts.live.validEntries()];
  const badEntries: string[] = [];
  for (const e of entries) {
    const v = await verifyEntry(opts.crypto, e.bytes, opts.economy);
    if (!v.ok) badEntries.push(e.id);
  }
  await opts.fresh.addEntries(entries.map((e) => e.bytes));
  await opts.fresh.whenVerified();
  await opts.live.whenVerified();
  const accounts = new Set([...opts.live.balances.keys(), ...opts.fresh.balances.keys()]);
  const balanceMismatches = [...accounts].filter((a) => {
    const x = opts.live.balanceOf(a);
    const y = opts.fresh.balanceOf(a);
    return x.MH !== y.MH || x.CH !== y.CH;
  }).sort();
  const stateMatches = stateOf(opts.live) === stateOf(opts.fresh);
  const recomputed = computeOrchestrator(opts.fresh.flows, opts.shown.epochMs, opts.now, opts.shown.rules);
  const orchestratorMatches = serializeOrchestrator(recomputed) === serializeOrchestrator(opts.shown);
  const byEpoch = new Map(recomputed.epochs.map((e) => [e.epoch, JSON.stringify([e.MH, e.CH])]));
  const mintsMatch = opts.live.mintedEpochs.every((e) => byEpoch.get(e.epoch) === JSON.stringify([e.MH, e.CH]));
  return {
    entries: entries.length, badEntries, balanceMismatches, stateMatches, orchestratorMatches, mintsMatch,
    ok: badEntries.length === 0 && balanceMismatches.length === 0 && stateMatches && orchestratorMatches && mintsMatch,
  };
}
