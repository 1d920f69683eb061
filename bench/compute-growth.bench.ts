// Compute growth: what a job of 10,000 units adds to the economy's document and ledger, per unit,
// and what stays in the job's own room (which a late joiner to the economy never downloads).
// The owner (the founder) posts one primes job of UNITS units at redundancy 2; two vouched donors
// return one result entry each per unit (the honest, all-agree case: 2 result entries per unit).
// Figures: bytes of the economy document (Y.encodeStateAsUpdate, what a late joiner downloads),
// bytes of the signed entries (what every peer stores in IndexedDB), the ledger's heap per unit,
// and the job room's bytes per unit (manifest + result blobs).
// Run: npx tsx bench/compute-growth.bench.ts  (or `npm run bench -- compute-growth`)
// Signing is setup and is not timed.
import * as Y from 'yjs';
import { Ledger, createEntry, createWebCryptoPort, generateSigner, toHex, type EntryHead, type Signer, type KindBodies, type KindName } from '../src/core/index';
import { CATALOG } from '../src/compute/catalog';
import { encodeManifest } from '../src/net/job-manifest';
import { blobHash, BLOBS_MAP } from '../src/net/job-room';
import { ENTRIES_MAP } from '../src/net/ledger-sync';
import { line, note } from './support/report';

const ECONOMY = 'ec'.repeat(16);
const SCOPE = { economy: ECONOMY };
const UNITS = 10_000;
const REDUNDANCY = 2;
/**
 * Stated size per unit (README): at most 320 B per result entry in the economy's document (a
 * 222-byte signed entry, its 64-character key, Yjs's item header), so 640 B per unit at redundancy 2.
 */
const DOC_TARGET_PER_UNIT = 320 * REDUNDANCY;
const T0 = 1_700_000_000_000;

const crypto = createWebCryptoPort(globalThis.crypto.subtle);

class Author {
  head: EntryHead | undefined;
  constructor(readonly signer: Signer) {}
  get id() {
    return toHex(this.signer.publicKey);
  }
  async sign<K extends KindName>(time: number, kind: K, body: KindBodies[K]) {
    const e = await createEntry(this.signer, crypto, SCOPE, this.head, time, kind, body);
    this.head = { seq: (this.head?.seq ?? 0) + 1, hash: e.id, time };
    return e;
  }
}

function heapUsed(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

async function main(): Promise<void> {
  const newAuthor = async () => new Author(await generateSigner(globalThis.crypto.subtle));
  const [owner, a, b] = [await newAuthor(), await newAuthor(), await newAuthor()];
  let t = T0;
  const setup = [
    await owner.sign(++t, 'vouch', { member: a.id, currency: 'MH', amount: 1_000 }),
    await owner.sign(++t, 'vouch', { member: b.id, currency: 'MH', amount: 1_000 }),
  ];
  const primes = CATALOG.find((k) => k.id === 'primes')!;
  const params = { from: 0, to: UNITS * 100, units: UNITS };
  const inputs = primes.splitJob(params);
  const manifest = encodeManifest({ kernel: 'primes', params, inputs });
  const job = await owner.sign(++t, 'job', {
    kernel: 'primes', manifest: blobHash(manifest), units: UNITS, redundancy: REDUNDANCY, unitDeadlineMs: 60_000,
    ceiling: 10, budget: UNITS * REDUNDANCY * 10, expires: T0 + 7 * 86_400_000, title: 'Primes, 10,000 units',
  });
  // Each unit's result: 4 bytes (the prime count), the same from both donors.
  const outputs = inputs.map((_, i) => new Uint8Array(new Uint32Array([i * 7 + 1]).buffer));
  const genStart = performance.now();
  const results: Uint8Array[] = [];
  for (let u = 0; u < UNITS; u++) {
    const hash = blobHash(outputs[u]!);
    const [ra, rb] = await Promise.all([
      a.sign(t + 10 + 2 * u, 'result', { job: job.id, unit: u, hash, claim: 3 }),
      b.sign(t + 11 + 2 * u, 'result', { job: job.id, unit: u, hash, claim: 4 }),
    ]);
    results.push(ra.bytes, rb.bytes);
  }
  note(`signed ${results.length} result entries in ${((performance.now() - genStart) / 1000).toFixed(1)} s (not timed)`);
  const now = { t: t + 10 + 2 * UNITS + 1_000 };

  // The economy's document, as peers write it: entry id → entry bytes.
  const doc = new Y.Doc();
  const entries = doc.getMap<Uint8Array>(ENTRIES_MAP);
  const put = (bytes: readonly Uint8Array[], ids: readonly string[]) => doc.transact(() => bytes.forEach((e, i) => entries.set(ids[i]!, e)));
  // The founder's CH credit limit is raised so one owner can lock a 10,000-unit budget.
  const settings = { creditLimit: { MH: 10_000, CH: 10 ** 9 }, newcomerCredit: { MH: 0, CH: 0 } };
  const ledger = new Ledger({ economy: ECONOMY, crypto, founder: owner.id, now: () => now.t, initialSettings: settings });
  await ledger.addEntries([...setup.map((e) => e.bytes), job.bytes]);
  put([...setup.map((e) => e.bytes), job.bytes], [...setup.map((e) => e.id), job.id]);
  const docBefore = Y.encodeStateAsUpdate(doc).byteLength;
  const heapBefore = heapUsed();
  const applyStart = performance.now();
  const report = await ledger.addEntries(results);
  const applyMs = performance.now() - applyStart;
  const heapAfter = heapUsed();
  if (report.added.length !== results.length) throw new Error(`only ${report.added.length} of ${results.length} results applied`);
  const status = ledger.jobStatus(job.id)!;
  if (status.validated !== UNITS) throw new Error(`${status.validated} of ${UNITS} units validated`);
  // Ids in the order added (the map's keys are entry ids).
  put(results, report.added);
  const docAfter = Y.encodeStateAsUpdate(doc).byteLength;
  const entryBytes = results.reduce((s, e) => s + e.byteLength, 0);

  // The job's room: the manifest and one result blob per unit (both donors write the same bytes).
  const room = new Y.Doc();
  const blobs = room.getMap<Uint8Array>(BLOBS_MAP);
  room.transact(() => {
    blobs.set(blobHash(manifest), manifest);
    for (const o of outputs) blobs.set(blobHash(o), o);
  });
  const roomBytes = Y.encodeStateAsUpdate(room).byteLength;

  note(`job of ${UNITS} units, redundancy ${REDUNDANCY}, ${results.length} result entries, all validated and paid (${status.paid} milli-CH)`);
  line('economy document bytes per unit', (docAfter - docBefore) / UNITS, 'B', DOC_TARGET_PER_UNIT);
  line('signed entry bytes per unit (ledger store)', entryBytes / UNITS, 'B');
  line('ledger heap per unit', (heapAfter - heapBefore) / UNITS, 'B');
  line('apply 20,000 result entries', applyMs, 'ms');
  line('job room bytes per unit (not in the economy)', roomBytes / UNITS, 'B');
  line('  of which the manifest, per unit', manifest.byteLength / UNITS, 'B');
  note('a late joiner to the economy downloads the document figure only; the job room goes to the owner and its donors');
}

await main();
