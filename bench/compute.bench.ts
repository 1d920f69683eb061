// Compute in the ledger: what a job of 10,000 units at redundancy 2 costs the economy — ledger
// bytes per unit (its result entries), document bytes per unit (the Yjs `entries` map of
// PROTOCOL.md §5 holding them), result entries per validated unit (target: the redundancy, no
// more), full load and incremental apply of results, and heap per unit. Honest donors (50, vouched
// by the founder) return every unit twice; every unit validates and is paid.
// Run: node --expose-gc --import tsx bench/compute.bench.ts   (signing is setup, not timed)

import * as Y from 'yjs';
import { Ledger, createEntry, createWebCryptoPort, generateSigner, toHex, type EntryHead, type SignedEntry, type Signer } from '../src/core/index';
import { createRandom } from '../src/core/random';
import { line, note } from './support/report';

const ECONOMY = 'ec'.repeat(16);
const SCOPE = { economy: ECONOMY };
const UNITS = 10_000;
const REDUNDANCY = 2;
const DONORS = 50;
const INCREMENTAL = 500;
const T0 = 1_700_000_000_000;
/**
 * Bounds from the format (docs/COMPUTE.md): a result entry is at most 224 bytes while seq, unit
 * and claim stay below 2^14 (2 varuint bytes each, ack < 128); the document adds the 64-character
 * key and Yjs's item header (≤ 16 bytes: id, parent, key reference, content length) per entry.
 */
const RESULT_ENTRY_MAX = 224;
const TARGET_LEDGER_BYTES_PER_UNIT = REDUNDANCY * RESULT_ENTRY_MAX;
const TARGET_DOC_BYTES_PER_UNIT = REDUNDANCY * (RESULT_ENTRY_MAX + 64 + 16);
/** Credit room for the owner's 20 CH budget (10,000 × 2 × the least ceiling, 1 milli). */
const SETTINGS = { creditLimit: { MH: 10_000, CH: 100_000 }, newcomerCredit: { MH: 0, CH: 0 } };

const subtle = globalThis.crypto.subtle;
const crypto = createWebCryptoPort(subtle);

class Author {
  head: EntryHead | undefined;
  readonly id: string;
  constructor(readonly signer: Signer) {
    this.id = toHex(signer.publicKey);
  }
  async sign(time: number, kind: Parameters<typeof createEntry>[5], body: never): Promise<SignedEntry> {
    const e = await createEntry(this.signer, crypto, SCOPE, this.head, time, kind, body);
    this.head = { seq: (this.head?.seq ?? 0) + 1, hash: e.id, time };
    return e;
  }
}

/** `count` transfers from the donors to `to`, each donor's chain in time order (fresh chains). */
async function signTransfers(donors: Author[], to: string, count: number): Promise<SignedEntry[]> {
  const fresh = donors.map((d) => new Author(d.signer));
  const per = Math.ceil(count / fresh.length);
  const signed = await Promise.all(fresh.map(async (d, i) => {
    const out: { time: number; e: SignedEntry }[] = [];
    for (let k = 0; k < per && i + k * fresh.length < count; k++) {
      const time = T0 + 1_000 + (i + k * fresh.length) * 5;
      out.push({ time, e: await d.sign(time, 'transfer', { to, currency: 'CH', amount: 1, memo: '' } as never) });
    }
    return out;
  }));
  return signed.flat().sort((a, b) => a.time - b.time).map((x) => x.e);
}

async function main(): Promise<void> {
  const random = createRandom(7);
  const [founder, owner, ...donors] = (await Promise.all(Array.from({ length: 2 + DONORS }, () => generateSigner(subtle)))).map((s) => new Author(s));
  const setup: SignedEntry[] = [];
  let t = T0;
  for (const d of donors) setup.push(await founder!.sign(t++, 'vouch', { member: d.id, currency: 'MH', amount: 1_000 } as never));
  const ceiling = 1;
  setup.push(await founder!.sign(t++, 'vouch', { member: owner!.id, currency: 'CH', amount: 100_000 } as never));
  const job = await owner!.sign(t++, 'job', {
    kernel: 'primes', manifest: 'ab'.repeat(32), units: UNITS, redundancy: REDUNDANCY, unitDeadlineMs: 60_000, ceiling,
    budget: UNITS * REDUNDANCY * ceiling, expires: T0 + 7 * 86_400_000, title: 'Primes, 10,000 ranges',
  } as never);
  setup.push(job);

  // Unit u is returned by donors u mod 50 and (u + 1) mod 50, in unit order.
  const genStart = performance.now();
  const results: SignedEntry[] = [];
  const jobs: { d: Author; time: number; body: unknown }[] = [];
  for (let u = 0; u < UNITS; u++) {
    const hash = toHex(await crypto.sha256(new Uint8Array([u & 255, u >> 8])));
    for (let r = 0; r < REDUNDANCY; r++) jobs.push({ d: donors[(u + r) % DONORS]!, time: t + u * 10 + r, body: { job: job.id, unit: u, hash, claim: 1 + Math.floor(random() * 3) } });
  }
  // Each donor signs its own results one after another (its chain); donors sign in parallel.
  const signed = await Promise.all(donors.map(async (d) => {
    const mine: { time: number; e: SignedEntry }[] = [];
    for (const j of jobs) if (j.d === d) mine.push({ time: j.time, e: await d.sign(j.time, 'result', j.body as never) });
    return mine;
  }));
  results.push(...signed.flat().sort((a, b) => a.time - b.time).map((x) => x.e));
  note(`signed ${results.length} results in ${((performance.now() - genStart) / 1000).toFixed(1)} s (not timed)`);

  const resultBytes = results.reduce((n, e) => n + e.bytes.length, 0);
  line('result entry, mean', resultBytes / results.length, 'bytes', undefined, 1);
  line('ledger bytes per unit (results)', resultBytes / UNITS, 'bytes', TARGET_LEDGER_BYTES_PER_UNIT, 1);
  line('job entry', job.bytes.length, 'bytes');

  // The document as PROTOCOL.md §5 lays it out: entries[id] = bytes, written in batches of 64.
  const doc = new Y.Doc();
  const map = doc.getMap<Uint8Array>('entries');
  for (let i = 0; i < results.length; i += 64) doc.transact(() => { for (const e of results.slice(i, i + 64)) map.set(e.id, e.bytes); });
  const docBytes = Y.encodeStateAsUpdate(doc).length;
  line('document bytes per unit (Yjs update)', docBytes / UNITS, 'bytes', TARGET_DOC_BYTES_PER_UNIT, 1);

  const now = T0 + UNITS * 10 + 60_000 + INCREMENTAL * 10;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const ledger = new Ledger({ economy: ECONOMY, crypto, founder: founder!.id, now: () => now, initialSettings: SETTINGS });
  const held = results.slice(0, results.length - INCREMENTAL * REDUNDANCY);
  const tail = results.slice(held.length);
  const t0 = performance.now();
  const report = await ledger.addEntries([...setup, ...held].map((e) => e.bytes));
  const loadMs = performance.now() - t0;
  const tv = performance.now();
  await ledger.whenVerified();
  const verifyMs = performance.now() - tv;
  if (report.rejected.length > 0) throw new Error(`unexpected rejection: ${report.rejected[0]!.reason}`);
  gc?.();
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1_048_576;
  line(`full load (${held.length} results, heads verified)`, loadMs, 'ms', undefined, 0);
  line('  per result', (loadMs / held.length) * 1000, 'µs', undefined, 1);
  // Like for like: the same donors sign as many plain transfers, loaded the same way.
  const transfers = await signTransfers(donors, owner!.id, held.length);
  const plain = new Ledger({ economy: ECONOMY, crypto, founder: founder!.id, now: () => now, initialSettings: { ...SETTINGS, newcomerCredit: { MH: 10 ** 9, CH: 10 ** 9 } } });
  const tp = performance.now();
  await plain.addEntries(transfers.map((e) => e.bytes));
  const plainMs = performance.now() - tp;
  line('  per transfer, same load (reference)', (plainMs / transfers.length) * 1000, 'µs', undefined, 1);
  line('background signature checks of the rest', verifyMs, 'ms', undefined, 0);
  line('heap per unit (entries + state)', (heapMb * 1_048_576) / ((UNITS - INCREMENTAL)), 'bytes', undefined, 0);

  const times: number[] = [];
  for (const e of tail) {
    const s = performance.now();
    await ledger.addEntries([e.bytes]);
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  line('incremental result apply p50', times[Math.floor(times.length / 2)]!, 'ms', 5);
  line('incremental result apply p95', times[Math.floor(times.length * 0.95)]!, 'ms', 5);

  const status = ledger.jobStatus(job.id)!;
  if (status.validated !== UNITS || status.status !== 'done') throw new Error(`job not done: ${JSON.stringify(status)}`);
  line('result entries per validated unit', results.length / status.validated, '', REDUNDANCY, 2);
  note(`${status.validated} units validated, ${status.paid} milli CH paid to ${DONORS} donors`);
}

await main();
