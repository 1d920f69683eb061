// Ledger benchmark: full load of 100k entries from 1,000 authors, incremental apply, entry size
// and heap. Run: npx tsx bench/ledger.bench.ts  (or node --expose-gc --import tsx bench/ledger.bench.ts)
// Signing the 100k entries is setup and is not timed.

import { Ledger, createEntry, createWebCryptoPort, generateSigner, toHex, type EntryHead, type Signer } from '../src/core/index';
import { createRandom } from '../src/core/random';

const AUTHORS = 1_000;
const ENTRIES = 100_000;
const INCREMENTAL = 1_000;
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

function line(name: string, value: number, unit: string, target: number | undefined): void {
  const ratio = target === undefined ? '' : `  (target ${target} ${unit}, ratio ${(value / target).toFixed(2)})`;
  console.log(`${name.padEnd(42)} ${value.toFixed(unit === 'ms' ? 3 : 0).padStart(10)} ${unit}${ratio}`);
}

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
        return createEntry(signers[a]!, crypto, heads[a], time, 'transfer', { to, currency: 'MH', amount: 1 + Math.floor(random() * 50), memo: '' })
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

  const ledger = new Ledger({ crypto, founder: ids[0]!, now: () => now.t });
  const t0 = performance.now();
  const report = await ledger.addEntries(entries);
  const loadMs = performance.now() - t0;
  if (report.rejected.length > 0 || report.pending.length > 0) throw new Error(`unexpected rejections: ${report.rejected[0]?.reason}`);

  gc?.();
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1_048_576;

  // Incremental: 1,000 fresh in-order entries, each added alone (includes its signature check).
  const fresh: Uint8Array[] = [];
  for (let i = 0; i < INCREMENTAL; i++) {
    const a = i % AUTHORS;
    const time = T0 + ENTRIES * 10 + i + 1;
    const e = await createEntry(signers[a]!, crypto, heads[a], time, 'transfer', { to: ids[(a + 1) % AUTHORS]!, currency: 'CH', amount: 5, memo: '' });
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

  line('ledger.full-load-100k', loadMs, 'ms', 2000);
  line('ledger.incremental-apply-p50', times[Math.floor(times.length / 2)]!, 'ms', 0.2);
  line('ledger.incremental-apply-p50-excl-verify', nonVerify[Math.floor(nonVerify.length / 2)]!, 'ms', 0.2);
  line('ledger.incremental-apply-p95', times[Math.floor(times.length * 0.95)]!, 'ms', undefined);
  line('ledger.incremental-path-share', (incremental / INCREMENTAL) * 100, '%', undefined);
  line('ledger.transfer-bytes-no-memo', fresh[0]!.length, 'bytes', 200);
  if (gc) line('ledger.heap-loaded-100k', heapMb, 'MB', undefined);
  else console.log('ledger.heap-loaded-100k            (run with node --expose-gc --import tsx for a heap figure)');
}

await main();
