// Ledger benchmark: full load of 100k entries from 1,000 authors, incremental apply, out-of-order
// apply (a late entry inserted among the last ~50 replayed entries), entries of an author frozen
// by a fork (status only, no replay), a flood of forgeries (one check each, nothing kept, honest
// entries still incremental), entry size and heap. The ledger is opened with a newcomer credit
// above every amount (as the unit tests of the replay do): this measures the replay, and credit
// rules (vouching) would only turn some applies into rejections of the same cost.
// Run: npx tsx bench/ledger.bench.ts  (or node --expose-gc --import tsx bench/ledger.bench.ts)
// Signing the entries is setup and is not timed.

import { Ledger, createEntry, createWebCryptoPort, generateSigner, toHex, type EntryHead, type Signer } from '../src/core/index';
import { appendSignature, encodeSignedPart } from '../src/core/encoding';
import { encodeKindBody } from '../src/core/kinds';
import { createRandom } from '../src/core/random';
import { line } from './support/report';

/** The one economy these entries belong to (16 bytes as hex). */
const ECONOMY = 'ec'.repeat(16);
const SCOPE = { economy: ECONOMY };

const AUTHORS = 1_000;
const ENTRIES = 100_000;
const INCREMENTAL = 1_000;
/** Late entries timed; each follows IN_ORDER_BETWEEN in-order ones (authors 0..499; late: 500..999). */
const OUT_OF_ORDER = 200;
const IN_ORDER_BETWEEN = 10;
/** Entries an author frozen by a fork goes on publishing, each added alone and timed. */
const FROZEN = 200;
/** Forgeries (well-formed, bad signature, random seq/prev/author) sent in batches of FLOOD_BATCH. */
const FLOOD = 20_000;
const FLOOD_BATCH = 10;
/** Credit open to every key: the replay is measured here, not the credit rules. */
const OPEN = { creditLimit: { MH: 10_000, CH: 10_000 }, newcomerCredit: { MH: 10 ** 12, CH: 10 ** 12 } };
const T0 = 1_700_000_000_000;

const subtle = globalThis.crypto.subtle;
const webCrypto = createWebCryptoPort(subtle);
// Wraps verify to measure the share of the incremental path spent in the one Ed25519 check.
let verifyMs = 0;
const crypto = {
  ...webCrypto,
  async verify(k: Uint8Array, s: Uint8Array, m: Uint8Array) {
    const t = performance.now();
    const ok = await webCrypto.verify(k, s, m);
    verifyMs += performance.now() - t;
    return ok;
  },
};

async function generate(signers: Signer[], ids: string[]) {
  const random = createRandom(42);
  const heads: (EntryHead | undefined)[] = signers.map(() => undefined);
  const entries: Uint8Array[] = [];
  const PARALLEL = 256;
  for (let i = 0; i < ENTRIES; i += PARALLEL) {
    // Round-robin authors inside a parallel batch so no author signs twice at once.
    const batch = await Promise.all(
      Array.from({ length: Math.min(PARALLEL, ENTRIES - i) }, (_, k) => {
        const n = i + k;
        const a = n % AUTHORS;
        const to = ids[(a + 1 + Math.floor(random() * (AUTHORS - 1))) % AUTHORS]!;
        const time = T0 + n * 10;
        return createEntry(signers[a]!, crypto, SCOPE, heads[a], time, 'transfer', { to, currency: 'MH', amount: 1 + Math.floor(random() * 50), memo: '' })
          .then((e) => ({ a, e, time }));
      }),
    );
    for (const { a, e, time } of batch) {
      heads[a] = { seq: (heads[a]?.seq ?? 0) + 1, hash: e.id, time };
      entries.push(e.bytes);
    }
  }
  return { entries, heads };
}

async function main(): Promise<void> {
  const signers = await Promise.all(Array.from({ length: AUTHORS }, () => generateSigner(subtle)));
  const ids = signers.map((s) => toHex(s.publicKey));
  const genStart = performance.now();
  const { entries, heads } = await generate(signers, ids);
  console.log(`# generated ${entries.length} entries in ${((performance.now() - genStart) / 1000).toFixed(1)} s (not timed)`);

  const now = { t: T0 + ENTRIES * 10 + 60_000 };
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;

  const ledger = new Ledger({ economy: ECONOMY, crypto, founder: ids[0]!, now: () => now.t, initialSettings: OPEN });
  const t0 = performance.now();
  const report = await ledger.addEntries(entries);
  const loadMs = performance.now() - t0;
  if (report.rejected.length > 0 || report.pending.length > 0) throw new Error(`unexpected rejections: ${report.rejected[0]?.reason}`);
  // Balances are shown from here (heads verified); every other signature is checked in the
  // background, in slices that let new entries through.
  const unverified = ledger.unverifiedCount;
  const tv = performance.now();
  await ledger.whenVerified();
  const verifyAllMs = performance.now() - tv;

  gc?.();
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1_048_576;

  // Incremental: 1,000 fresh in-order entries, each added alone (includes its signature check).
  const fresh: Uint8Array[] = [];
  for (let i = 0; i < INCREMENTAL; i++) {
    const a = i % AUTHORS;
    const time = T0 + ENTRIES * 10 + i + 1;
    const e = await createEntry(signers[a]!, crypto, SCOPE, heads[a], time, 'transfer', { to: ids[(a + 1) % AUTHORS]!, currency: 'CH', amount: 5, memo: '' });
    heads[a] = { seq: heads[a]!.seq + 1, hash: e.id, time };
    fresh.push(e.bytes);
  }
  const times: number[] = [];
  const nonVerify: number[] = [];
  let incremental = 0;
  for (const bytes of fresh) {
    verifyMs = 0;
    const s = performance.now();
    const r = await ledger.addEntries([bytes]);
    times.push(performance.now() - s);
    nonVerify.push(performance.now() - s - verifyMs);
    if (r.replay === 'incremental') incremental++;
  }
  times.sort((x, y) => x - y);
  nonVerify.sort((x, y) => x - y);

  // Out of order: after every IN_ORDER_BETWEEN in-order entries (1 ms apart), one entry dated
  // 5–45 ms before the last replayed one, so it lands among the last ~50 entries of the order.
  const lateRandom = createRandom(7);
  let lastTime = T0 + ENTRIES * 10 + INCREMENTAL;
  const lateTimes: number[] = [];
  const latePaths = { none: 0, incremental: 0, partial: 0, full: 0 };
  const tail: Uint8Array[] = [];
  for (let k = 0; k < OUT_OF_ORDER; k++) {
    for (let i = 0; i < IN_ORDER_BETWEEN; i++) {
      const a = (k * IN_ORDER_BETWEEN + i) % 500;
      lastTime++;
      const e = await createEntry(signers[a]!, crypto, SCOPE, heads[a], lastTime, 'transfer', { to: ids[(a + 1) % AUTHORS]!, currency: 'MH', amount: 7, memo: '' });
      heads[a] = { seq: heads[a]!.seq + 1, hash: e.id, time: lastTime };
      tail.push(e.bytes);
      await ledger.addEntries([e.bytes]);
    }
    const a = 500 + (k % 500);
    const time = lastTime - 5 - Math.floor(lateRandom() * 41);
    const e = await createEntry(signers[a]!, crypto, SCOPE, heads[a], time, 'transfer', { to: ids[(a + 7) % AUTHORS]!, currency: 'MH', amount: 3, memo: '' });
    heads[a] = { seq: heads[a]!.seq + 1, hash: e.id, time };
    tail.push(e.bytes);
    const s = performance.now();
    const r = await ledger.addEntries([e.bytes]);
    lateTimes.push(performance.now() - s);
    latePaths[r.replay]++;
    if (r.rejected.length > 0 || r.pending.length > 0) throw new Error('late entry not applied');
  }
  lateTimes.sort((x, y) => x - y);

  // Frozen author: author 1 signs two entries after its head (a fork: one full replay, not
  // timed), then goes on writing on one branch; each further entry only gets its status.
  const fa = 1;
  const forkHead = heads[fa]!;
  const forkA = await createEntry(signers[fa]!, crypto, SCOPE, forkHead, lastTime + 1, 'transfer', { to: ids[2]!, currency: 'MH', amount: 1, memo: '' });
  const forkB = await createEntry(signers[fa]!, crypto, SCOPE, forkHead, lastTime + 2, 'transfer', { to: ids[3]!, currency: 'MH', amount: 1, memo: '' });
  tail.push(forkA.bytes, forkB.bytes);
  await ledger.addEntries([forkA.bytes]);
  await ledger.addEntries([forkB.bytes]);
  if (ledger.frozenAt(ids[fa]!) !== forkHead.seq + 1) throw new Error('fork not detected');
  let frozenHead = { seq: forkHead.seq + 1, hash: forkA.id, time: lastTime + 1 };
  const frozenTimes: number[] = [];
  const frozenPaths = { none: 0, incremental: 0, partial: 0, full: 0 };
  for (let k = 0; k < FROZEN; k++) {
    const time = lastTime + 3 + k;
    const e = await createEntry(signers[fa]!, crypto, SCOPE, frozenHead, time, 'transfer', { to: ids[4]!, currency: 'MH', amount: 2, memo: '' });
    frozenHead = { seq: frozenHead.seq + 1, hash: e.id, time };
    tail.push(e.bytes);
    const s = performance.now();
    const r = await ledger.addEntries([e.bytes]);
    frozenTimes.push(performance.now() - s);
    frozenPaths[r.replay]++;
    if (!r.rejected[0]?.reason.startsWith('account frozen')) throw new Error('frozen entry not rejected as frozen');
  }
  frozenTimes.sort((x, y) => x - y);

  // Equivalence: a fresh ledger fed everything in one batch serializes identically.
  // (In a function of its own, so the reference ledger is garbage before the flood's heap figure.)
  const same = await (async () => {
    const reference = new Ledger({ economy: ECONOMY, crypto, founder: ids[0]!, now: () => now.t, initialSettings: OPEN });
    await reference.addEntries([...entries, ...fresh, ...tail]);
    await Promise.all([reference.whenVerified(), ledger.whenVerified()]);
    return reference.serialize() === ledger.serialize();
  })();

  // Flood: FLOOD forgeries in batches of FLOOD_BATCH (anyone with the room secret can write them;
  // no key needed), each batch followed by one honest in-order entry, timed alone.
  const floodRandom = createRandom(99);
  const rnd = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(floodRandom() * 256));
  const economyBytes = new Uint8Array(16).fill(0xec);
  const countBeforeFlood = ledger.entryCount;
  const floodPaths = { none: 0, incremental: 0, partial: 0, full: 0 };
  const honestDuringFlood: number[] = [];
  let floodMs = 0;
  let floodTime = lastTime + 10_000;
  for (let k = 0; k < FLOOD / FLOOD_BATCH; k++) {
    const batch = Array.from({ length: FLOOD_BATCH }, () => {
      const seq = 1 + Math.floor(floodRandom() * 1_000_000);
      const author = floodRandom() < 0.5 ? signers[Math.floor(floodRandom() * AUTHORS)]!.publicKey : rnd(32);
      const future = floodRandom() < 0.2 ? 30 * 60_000 : 0;
      const signed = encodeSignedPart({
        economy: economyBytes, ack: 0, authorKey: author, seq, prev: seq === 1 ? new Uint8Array(32) : rnd(32),
        time: floodTime + future, kindCode: 2, body: encodeKindBody('transfer', { to: ids[0]!, currency: 'MH', amount: 9_000, memo: '' }),
      });
      return appendSignature(signed, rnd(64));
    });
    const s = performance.now();
    floodPaths[(await ledger.addEntries(batch)).replay]++;
    floodMs += performance.now() - s;
    const a = 500 + (k % 500);
    floodTime++;
    const e = await createEntry(signers[a]!, crypto, SCOPE, heads[a], floodTime, 'transfer', { to: ids[(a + 3) % AUTHORS]!, currency: 'MH', amount: 2, memo: '' });
    heads[a] = { seq: heads[a]!.seq + 1, hash: e.id, time: floodTime };
    const h = performance.now();
    const r = await ledger.addEntries([e.bytes]);
    honestDuringFlood.push(performance.now() - h);
    if (r.replay !== 'incremental' || r.rejected.length > 0) throw new Error(`honest entry during the flood: ${r.replay} ${r.rejected[0]?.reason ?? ''}`);
  }
  now.t += 3_600_000; // the clock passes every future-dated forgery
  const released = await ledger.refresh();
  gc?.();
  // Against the same baseline as heap-loaded-100k (before anything was loaded): what the ledger
  // holds after 1,200 more honest entries and the whole flood. Setup garbage collected since the
  // load (the reference ledger, generated batches) makes a before/after-flood difference meaningless.
  const heapAfterFloodMb = (process.memoryUsage().heapUsed - heapBefore) / 1_048_576;
  const keptFromFlood = ledger.entryCount - countBeforeFlood - FLOOD / FLOOD_BATCH;
  honestDuringFlood.sort((x, y) => x - y);
  if (!same) process.exitCode = 1;

  // Sizes: seq 101 (1-byte varuint), time ≈ 1.7e12 ms (6-byte varuint), no memo; the amount's
  // varuint is 1 byte up to 127 milli and 2 bytes from 128 to 16,383 milli (0.128–16.383 h).
  const h0 = heads[0]!;
  const oneHour = await createEntry(signers[0]!, crypto, SCOPE, { ...h0 }, h0.time + 1, 'transfer', { to: ids[1]!, currency: 'MH', amount: 1000, memo: '' });

  line('ledger.full-load-100k', loadMs, 'ms', 2000);
  line('ledger.background-verify-100k', verifyAllMs, 'ms', undefined);
  console.log(`# full load: ${ENTRIES - unverified} signatures checked before balances; ${unverified} more in the background`);
  line('ledger.incremental-apply-p50', times[Math.floor(times.length / 2)]!, 'ms', 0.2);
  line('ledger.incremental-apply-p50-excl-verify', nonVerify[Math.floor(nonVerify.length / 2)]!, 'ms', 0.2);
  line('ledger.incremental-apply-p95', times[Math.floor(times.length * 0.95)]!, 'ms', undefined);
  line('ledger.incremental-path-share', (incremental / INCREMENTAL) * 100, '%', undefined);
  line('ledger.out-of-order-apply-100k-p50', lateTimes[Math.floor(lateTimes.length / 2)]!, 'ms', 5);
  line('ledger.out-of-order-apply-100k-p95', lateTimes[Math.floor(lateTimes.length * 0.95)]!, 'ms', undefined);
  line('ledger.out-of-order-partial-share', (latePaths.partial / OUT_OF_ORDER) * 100, '%', undefined);
  line('ledger.frozen-author-entry-100k-p50', frozenTimes[Math.floor(frozenTimes.length / 2)]!, 'ms', 5);
  line('ledger.frozen-author-entry-100k-p95', frozenTimes[Math.floor(frozenTimes.length * 0.95)]!, 'ms', undefined);
  line('ledger.frozen-author-no-replay-share', (frozenPaths.none / FROZEN) * 100, '%', undefined);
  console.log(`${'ledger.out-of-order-matches-full-replay'.padEnd(42)} ${(same ? 'yes' : 'NO').padStart(10)}`);
  line('ledger.flood-forgery-cost', floodMs / FLOOD, 'ms', undefined);
  line('ledger.flood-honest-apply-p50', honestDuringFlood[Math.floor(honestDuringFlood.length / 2)]!, 'ms', 0.2);
  line('ledger.flood-full-replays', floodPaths.full + (released.replay === 'full' ? 1 : 0), 'count', undefined);
  line('ledger.flood-entries-kept', keptFromFlood, 'count', undefined);
  if (gc) line('ledger.heap-after-flood-100k', heapAfterFloodMb, 'MB', undefined);
  line('ledger.transfer-bytes-no-memo-5milli', fresh[0]!.length, 'bytes', 200);
  line('ledger.transfer-bytes-no-memo-1h', oneHour.bytes.length, 'bytes', 200);
  if (gc) line('ledger.heap-loaded-100k', heapMb, 'MB', undefined);
  else console.log('ledger.heap-loaded-100k            (run with node --expose-gc --import tsx for a heap figure)');
}

await main();
