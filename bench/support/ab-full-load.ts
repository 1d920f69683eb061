// Ad hoc A/B (not part of npm run bench): full load of the same 100,000 plain transfers by the
// Ledger of another checkout (BASE, e.g. an export of the previous commit) and by this one,
// alternated in one process. Run: BASE=/tmp/orch-base node --expose-gc --import tsx bench/support/ab-full-load.ts
import { createEntry, Ledger, type EntryHead } from '../../src/core/index';
import { createSimulationKeys } from '../../src/core/crypto-port-memory';
import { createRandom } from '../../src/core/random';

const ECONOMY = 'ec'.repeat(16);
const AUTHORS = 1_000;
const ENTRIES = 100_000;
const T0 = 1_700_000_000_000;

async function main(): Promise<void> {
  const base = (await import(`${process.env.BASE}/src/core/index.ts`)) as { Ledger: typeof Ledger };
  const { memory, signers } = await createSimulationKeys(globalThis.crypto.subtle, AUTHORS, 9);
  const ids = signers.map((s) => [...s.publicKey].map((b) => b.toString(16).padStart(2, '0')).join(''));
  const random = createRandom(42);
  const heads: (EntryHead | undefined)[] = signers.map(() => undefined);
  const entries: Uint8Array[] = [];
  for (let n = 0; n < ENTRIES; n++) {
    const a = n % AUTHORS;
    const to = ids[(a + 1 + Math.floor(random() * (AUTHORS - 1))) % AUTHORS]!;
    const e = await createEntry(signers[a]!, memory.port, { economy: ECONOMY }, heads[a], T0 + n * 10, 'transfer', { to, currency: 'MH', amount: 1 + Math.floor(random() * 50), memo: '' });
    heads[a] = { seq: (heads[a]?.seq ?? 0) + 1, hash: e.id, time: T0 + n * 10 };
    entries.push(e.bytes);
  }
  const settings = { creditLimit: { MH: 10_000, CH: 10_000 }, newcomerCredit: { MH: 10 ** 12, CH: 10 ** 12 } };
  const load = async (L: typeof Ledger) => {
    (globalThis as { gc?: () => void }).gc?.();
    const ledger = new L({ economy: ECONOMY, crypto: memory.port, founder: ids[0]!, now: () => T0 + ENTRIES * 10 + 60_000, initialSettings: settings });
    // CPU time of this process (user + system), less sensitive than wall time to other processes
    // on a shared machine.
    const c = process.cpuUsage();
    await ledger.addEntries(entries);
    const used = process.cpuUsage(c);
    const ms = (used.user + used.system) / 1000;
    await ledger.whenVerified();
    return ms;
  };
  const before: number[] = [];
  const after: number[] = [];
  for (let r = 0; r < Number(process.env.ROUNDS ?? 4); r++) {
    before.push(await load(base.Ledger));
    after.push(await load(Ledger));
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  console.log(`full load 100k plain transfers, CPU ms: before ${before.map((x) => x.toFixed(0)).join(' ')} ms, after ${after.map((x) => x.toFixed(0)).join(' ')} ms; median ratio after/before ${(median(after) / median(before)).toFixed(3)}`);
}

void main();
