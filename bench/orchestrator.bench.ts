// Orchestrator benchmark: full recompute over 100,000 flow records (1,000 accounts, 100 epochs,
// both currencies), the incremental update per new record in the open epoch (the usual case),
// per late record a few epochs back (restart from a checkpoint), and closing an epoch.
// Run: node --expose-gc --import tsx bench/orchestrator.bench.ts (or `npm run bench orchestrator`).
import { computeOrchestrator, serializeOrchestrator } from '../src/core/orchestrator';
import { IncrementalOrchestrator } from '../src/core/orchestrator-incremental';
import type { FlowRecord } from '../src/core/ledger-state';
import { createRandom, pickInt } from '../src/core/random';
import { line, note } from './support/report';

const ACCOUNTS = 1_000;
const EPOCHS = 100;
const FLOWS = 100_000;
const L = 60_000;
const FIRST = 29_000_000;
const random = createRandom(42);
const ids = Array.from({ length: ACCOUNTS }, (_, i) => i.toString(16).padStart(64, '0'));

function record(n: number, time: number): FlowRecord {
  const payer = pickInt(random, ACCOUNTS);
  const payee = (payer + 1 + pickInt(random, ACCOUNTS - 1)) % ACCOUNTS;
  return {
    entryId: n.toString(16).padStart(64, 'f'), time, currency: n % 3 === 0 ? 'CH' : 'MH',
    payer: ids[payer]!, payee: ids[payee]!, amount: 100 + pickInt(random, 20_000), source: n % 3 === 0 ? 'compute' : 'task',
  };
}

const flows: FlowRecord[] = [];
for (let n = 0; n < FLOWS; n++) {
  const epoch = FIRST + Math.floor((n * EPOCHS) / FLOWS);
  flows.push(record(n, epoch * L + Math.floor(((n * EPOCHS) % FLOWS) * L / FLOWS)));
}
flows.sort((a, b) => a.time - b.time || (a.entryId < b.entryId ? -1 : 1));
const now = (FIRST + EPOCHS) * L - 1; // the last epoch is the open one
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

// Full recompute (warm once, then the best of 5).
computeOrchestrator(flows, L, now);
const full: number[] = [];
let result = computeOrchestrator(flows, L, now);
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  result = computeOrchestrator(flows, L, now);
  full.push(performance.now() - t);
}
line('full recompute, 100k flows (median of 5)', percentile(full, 0.5), 'ms', 500);
note(`${result.epochs.length} epochs, supply ${result.supply.MH} MH milli / ${result.supply.CH} CH milli, ${result.minted.size} accounts minted`);

// Incremental: a new record in the open epoch, one at a time.
const inc = new IncrementalOrchestrator(L);
let t = performance.now();
inc.update(flows, now);
line('incremental, first update (= full)', performance.now() - t, 'ms', 500);
const live = [...flows];
const newOnes: number[] = [];
for (let i = 0; i < 1_000; i++) {
  live.push(record(FLOWS + i, (FIRST + EPOCHS - 1) * L + 59_000 + i));
  t = performance.now();
  inc.update(live, now);
  newOnes.push(performance.now() - t);
}
line('incremental, new record (open epoch) p50', percentile(newOnes, 0.5), 'ms', 5);
line('incremental, new record (open epoch) p95', percentile(newOnes, 0.95), 'ms', 5);
if (serializeOrchestrator(inc.update(live, now)) !== serializeOrchestrator(computeOrchestrator(live, L, now))) throw new Error('incremental ≠ batch');

// A late record 3 epochs back: restart from the checkpoint before that epoch.
const late: number[] = [];
for (let i = 0; i < 20; i++) {
  const time = (FIRST + EPOCHS - 4) * L + 59_990 + i;
  const rec = record(FLOWS + 10_000 + i, time);
  // Inserted at its replay place, as a partial replay of the ledger leaves state.flows.
  let at = live.length;
  while (at > 0 && live[at - 1]!.time > time) at--;
  live.splice(at, 0, rec);
  t = performance.now();
  inc.update(live, now);
  late.push(performance.now() - t);
}
line('incremental, late record 3 epochs back p50', percentile(late, 0.5), 'ms', 50);
line('incremental, late record 3 epochs back p95', percentile(late, 0.95), 'ms', 50);
if (serializeOrchestrator(inc.update(live, now)) !== serializeOrchestrator(computeOrchestrator(live, L, now))) throw new Error('incremental ≠ batch after late records');

// Closing the open epoch (the clock passes its end).
t = performance.now();
inc.update(live, now + L);
line('incremental, epoch closes (1k records minted)', performance.now() - t, 'ms', 50);
