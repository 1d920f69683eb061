// What the mint replay rule (src/core/mint-replay.ts) costs a full load: 100,000 transfers from
// 1,000 authors over 100 epochs, loaded (a) as plain transfers and (b) with every transfer tagged
// as a payment for delivered hours (LedgerOptions.transferFlow), so that (b) closes and credits
// 100 epochs of mints in the replay. Same entries, alternated runs, one process: the ratio b/a is
// the rule's cost. Memory signatures (crypto-port-memory.ts) so signature checks, which are the
// same in both, do not drown the replay in noise.
// Run: node --expose-gc --import tsx bench/mint-replay.bench.ts  (or npm run bench mint-replay)

import { createEntry, Ledger, type EntryHead } from '../src/core/index';
import { createSimulationKeys } from '../src/core/crypto-port-memory';
import { createRandom } from '../src/core/random';
import { line, note } from './support/report';

const ECONOMY = 'ec'.repeat(16);
const AUTHORS = 1_000;
const ENTRIES = 100_000;
const EPOCHS = 100;
const STEP_MS = 10;
const EPOCH_MS = (ENTRIES * STEP_MS) / EPOCHS;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % EPOCH_MS);
const ROUNDS = 5;

async function main(): Promise<void> {
  const { memory, signers } = await createSimulationKeys(globalThis.crypto.subtle, AUTHORS, 9);
  const ids = signers.map((s) => [...s.publicKey].map((b) => b.toString(16).padStart(2, '0')).join(''));
  const random = createRandom(42);
  const heads: (EntryHead | undefined)[] = signers.map(() => undefined);
  const entries: Uint8Array[] = [];
  for (let n = 0; n < ENTRIES; n++) {
    const a = n % AUTHORS;
    const to = ids[(a + 1 + Math.floor(random() * (AUTHORS - 1))) % AUTHORS]!;
    const time = T0 + n * STEP_MS;
    const e = await createEntry(signers[a]!, memory.port, { economy: ECONOMY }, heads[a], time, 'transfer', { to, currency: 'MH', amount: 1 + Math.floor(random() * 50), memo: 'task' });
    heads[a] = { seq: (heads[a]?.seq ?? 0) + 1, hash: e.id, time };
    entries.push(e.bytes);
  }
  const now = T0 + ENTRIES * STEP_MS + 60_000;
  const settings = { creditLimit: { MH: 10_000, CH: 10_000 }, newcomerCredit: { MH: 10 ** 12, CH: 10 ** 12 }, epochMs: EPOCH_MS };
  const load = async (tagged: boolean) => {
    (globalThis as { gc?: () => void }).gc?.();
    const ledger = new Ledger({
      economy: ECONOMY, crypto: memory.port, founder: ids[0]!, now: () => now, initialSettings: settings,
      ...(tagged ? { transferFlow: (memo: string) => (memo === 'task' ? 'task' as const : undefined) } : {}),
    });
    // CPU time (user + system): less sensitive than wall time to the other processes of a shared machine.
    const c = process.cpuUsage();
    await ledger.addEntries(entries);
    const used = process.cpuUsage(c);
    const ms = (used.user + used.system) / 1000;
    await ledger.whenVerified();
    return { ms, epochs: ledger.mintedEpochs.length, supply: ledger.supply('MH') };
  };
  const plain: number[] = [];
  const withMints: number[] = [];
  let last = { epochs: 0, supply: 0 };
  for (let r = 0; r < ROUNDS; r++) {
    plain.push((await load(false)).ms);
    const m = await load(true);
    withMints.push(m.ms);
    last = m;
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  note(`${ENTRIES} transfers, ${AUTHORS} authors, ${EPOCHS} epochs; medians of ${ROUNDS} alternated loads, CPU time; ${last.epochs} epochs credited, supply ${last.supply} milli`);
  line('mint-replay.full-load-plain-100k', median(plain), 'ms');
  line('mint-replay.full-load-with-mints-100k', median(withMints), 'ms');
  line('mint-replay.cost-ratio-x1000', (1000 * median(withMints)) / median(plain), 'per-mille', 1300);
}

void main();
