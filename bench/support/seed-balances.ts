// Expected balances of a prefix of seeded entries, computed in Node with the app's own core
// (the same Ledger the browser runs), in milli-units and in the app's display format.
import { Ledger } from '../../src/core';
import { hours } from '../../src/ui/format';
import { nodeCrypto } from '../../e2e/support/signed-entries';

export interface PrefixBalances {
  /** account → [MH, CH] in milli-units */
  milli: Map<string, [number, number]>;
  /** account → "MH CH" as the Economy view shows it (the same format as e2e/support/signed-entries.ts) */
  text: Map<string, string>;
}

function format(milli: number, unit: 'MH' | 'CH'): string {
  // As the app's views show amounts, in the locale the e2e browsers use (playwright.config.ts).
  return hours(milli, unit, 'en-US');
}

export async function balancesOf(entries: readonly Uint8Array[], economy: string, founder: string): Promise<PrefixBalances> {
  const ledger = new Ledger({ crypto: nodeCrypto, economy, founder, now: Date.now });
  const report = await ledger.addEntries(entries);
  if (report.rejected.length || report.pending.length) {
    throw new Error(`seed: ${report.rejected.length} rejected, ${report.pending.length} pending (${report.rejected[0]?.reason ?? report.pending[0]?.reason})`);
  }
  const milli = new Map<string, [number, number]>();
  const text = new Map<string, string>();
  for (const [account, b] of ledger.balances) {
    milli.set(account, [b.MH, b.CH]);
    text.set(account, `${format(b.MH, 'MH')} ${format(b.CH, 'CH')}`);
  }
  return { milli, text };
}
