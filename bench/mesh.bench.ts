// Mesh benchmark (issue 4): how fast entries travel between real browsers.
// Run: npm run bench  (or node --expose-gc --import tsx bench/mesh.bench.ts)
//
// Everything goes through the built app (the test build, dist-test/, which has the window.hourmesh
// handle the probes read; it is otherwise the production bundle), the real signaling server (scripts/serve.mjs,
// started here on free ports) and real WebRTC between Chromium browser contexts: every person is a
// browser context of their own (own IndexedDB, own BroadcastChannel), as in e2e/fixtures.ts.
// People are driven through the UI by role and label (the e2e page objects); the app's state is
// read through the `window.hourmesh` debug handle where polling the UI would be too slow.
//
// Figures:
// 1. mesh.send-to-visible-p50/-p95: 5 people in one economy (4 joined by invite link); senders
//    rotate; each transfer is sent through the Wallet's send form. Clock: every time is taken
//    inside the pages as performance.timeOrigin + performance.now() (wall-clock ms, sub-ms
//    resolution; all pages share this machine's clock). Since the ledger runs in a worker (issue
//    12) the start is the moment the sender's page receives the view that shows its entry (the
//    worker has signed, saved and applied it, and written it into the document; the page
//    broadcasts the document update at that moment); the end is the LAST of the four other peers
//    whose page view holds the new entry count (verified and applied in its worker; checked on
//    the session's change notification, the one the UI re-renders on). Node only collects these
//    page timestamps afterwards, so Playwright's polling adds nothing to them.
// 2. mesh.late-joiner-10k/-100k: a founder imports a ledger file of N signed entries (Node-signed
//    with e2e/support/signed-entries.ts; one set of 100k, the 10k run uses its first 10k in creation
//    order so every author's chain stays a prefix); then a new person opens the invite link. The
//    figure runs from Node's Date.now() just before the joiner's navigation to the page time at
//    which its ledger holds all of the founder's entries AND 20 sampled balances equal the
//    Node-computed ones (an in-page predicate polled every 20 ms records the moment). A few
//    balances are then also read from the Economy view's table.
// 3. mesh.doc-bytes-per-transfer: growth of Y.encodeStateAsUpdate(doc).length per transfer of
//    figure 1, measured on a peer's REAL document: all updates y-indexeddb keeps for it are read
//    from the page's IndexedDB and merged in a Node Y.Doc, before and after the transfers.
//
// Targets without a number in the issue are this benchmark's own choice (see README): the 10k
// late joiner gets 2 s, the document growth per transfer 300 bytes (a 172-byte entry, its 64-char
// key and Yjs item overhead).

import os from 'node:os';
import type { Browser } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as Y from 'yjs';
import { activeId, joinByLink, Mesh, serveLedger, type Person } from './support/people';
import { nodeCrypto, seedEconomy, type SeededEconomy } from '../e2e/support/signed-entries';
import { createEntry } from '../src/core';
import { inviteLink, parseInviteLink } from '../src/net/invite';
// y-indexeddb's database for an economy's document of the current generation (src/net/generations.ts).
import { generationAt, generationDocumentName } from '../src/net/generations';
const documentNameOf = (economyId: string) => generationDocumentName(economyId, generationAt(Date.now()));
import { balancesOf } from './support/seed-balances';
import { line as reportLine, note } from './support/report';
import { buildTestBundle, launchChromium, percentile, sleep, startServer, stopServer, until, type Server, runBench } from './support/browser';

/** Mesh figures are milliseconds to a tenth (wall-clock timings across pages). */
const line = (name: string, value: number, unit: string, target?: number) => reportLine(name, value, unit, target, unit === 'ms' ? 1 : 0);
import {
  INSTALL_SEND_HOOKS, JOINER_INIT_SCRIPT, ledgerReadyExpression, readPersistedUpdatesExpression,
} from './support/mesh-page-scripts';

const PEOPLE = 5;
const WARMUP_TRANSFERS = 3;
const TRANSFERS = 36;
const SEED_ENTRIES = 100_000;
const SEED_AUTHORS = 1_000;
const LATE_JOIN_GIVE_UP_MS = 120_000;

/** The size of a page's real document: its persisted updates merged in a Node Y.Doc. */
async function persistedDocBytes(person: Person, economyId: string): Promise<{ bytes: number; entries: number; entryBytes: number }> {
  const updates = (await person.page.evaluate(readPersistedUpdatesExpression(documentNameOf(economyId)))) as number[][];
  const doc = new Y.Doc();
  for (const u of updates) Y.applyUpdate(doc, Uint8Array.from(u));
  const map = doc.getMap<Uint8Array>('entries');
  let entryBytes = 0;
  for (const v of map.values()) entryBytes += v instanceof Uint8Array ? v.length : 0;
  const bytes = Y.encodeStateAsUpdate(doc).length;
  doc.destroy();
  return { bytes, entries: map.size, entryBytes };
}

// ---------------------------------------------------------------------------------------------
// 1 and 3: send to visible among 5 people; document growth per transfer

async function sendToVisible(mesh: Mesh): Promise<void> {
  const people: Person[] = [];
  for (const name of ['Alice', 'Bob', 'Carol', 'Dave', 'Erin'].slice(0, PEOPLE)) people.push(await mesh.open(name));
  const founder = people[0]!;
  await founder.shell.open('Economy');
  await founder.economy.create('Mesh bench', { limitMH: '100', limitCH: '100' });
  const link = await founder.economy.inviteLink();
  const parsed = parseInviteLink(link);
  if (!parsed.ok) throw new Error(parsed.error);
  for (const p of people.slice(1)) await joinByLink(p, link);
  for (const p of people) p.id = await activeId(p);
  // Newcomers have no credit until a member vouches for them (docs/LEDGER.md): 5 MH each.
  await founder.shell.open('Economy');
  for (const p of people.slice(1)) await founder.economy.vouch(p.id, '5');
  await founder.shell.open('Wallet');

  const setupStart = Date.now();
  await until('a full WebRTC mesh of 5', 45_000, async () => {
    const peers = await Promise.all(people.map((p) => p.page.evaluate('window.hourmesh.economies.active.session.roomStatus.webrtcPeers') as Promise<number>));
    return peers.every((n) => n >= PEOPLE - 1);
  });
  await until('the same entry count everywhere', 30_000, async () => {
    const counts = await Promise.all(people.map((p) => p.page.evaluate('window.hourmesh.economies.active.entryCount') as Promise<number>));
    return counts.every((c) => c === counts[0]);
  });
  note(`5 people connected in a full mesh ${((Date.now() - setupStart) / 1000).toFixed(1)} s after the last join`);
  for (const p of people) await p.page.evaluate(INSTALL_SEND_HOOKS);
  await sleep(1_000); // y-indexeddb writes are asynchronous
  const docBefore = await persistedDocBytes(people[1]!, parsed.invite.id);

  const visible: number[] = [];
  const pressToVisible: number[] = [];
  let lost = 0;
  const total = WARMUP_TRANSFERS + TRANSFERS;
  for (let i = 0; i < total; i++) {
    const sender = people[i % PEOPLE]!;
    let r = (i + 1 + Math.floor(i / PEOPLE)) % PEOPLE;
    if (r === i % PEOPLE) r = (r + 1) % PEOPLE;
    const recipient = people[r]!;
    const receivers = people.filter((p) => p !== sender);
    const before = (await sender.page.evaluate('window.__mesh.published.length')) as number;
    const clicksBefore = (await sender.page.evaluate('window.__mesh.clicks.length')) as number;
    await sender.wallet.send({ toId: recipient.id, amount: '0.01', currency: 'MH' });
    await sender.page.waitForFunction(`window.__mesh.published.length > ${before}`, undefined, { polling: 10, timeout: 15_000 });
    const [, publishedAt, count] = (await sender.page.evaluate(`window.__mesh.published[${before}]`)) as [string, number, number];
    const pressedAt = (await sender.page.evaluate(`window.__mesh.clicks[${clicksBefore}]`)) as number | undefined;
    // When each receiver's view first held `count` entries (one transfer at a time: this one).
    const reached = `(() => { const c = window.__mesh.counts.find(([n]) => n >= ${count}); return c ? c[1] : null; })()`;
    try {
      await Promise.all(receivers.map((p) => p.page.waitForFunction(`${reached} !== null`, undefined, { polling: 10, timeout: 10_000 })));
    } catch {
      lost++;
      note(`transfer ${i + 1}: not applied on every peer within 10 s`);
      continue;
    }
    const seen = (await Promise.all(receivers.map((p) => p.page.evaluate(reached)))) as number[];
    if (i < WARMUP_TRANSFERS) continue;
    const lastApplied = Math.max(...seen);
    visible.push(lastApplied - publishedAt);
    if (pressedAt !== undefined) pressToVisible.push(lastApplied - pressedAt);
    await sleep(150); // a quiet mesh between transfers: latency, not throughput
  }
  await sleep(1_000);
  const docAfter = await persistedDocBytes(people[1]!, parsed.invite.id);

  const sorted = [...visible].sort((a, b) => a - b);
  if (sorted.length === 0) {
    console.log('mesh.send-to-visible                       FAILED: no transfer reached every peer');
  } else {
    line('mesh.send-to-visible-p50', percentile(sorted, 0.5), 'ms', 300);
    line('mesh.send-to-visible-p95', percentile(sorted, 0.95), 'ms', 300);
    const pv = [...pressToVisible].sort((a, b) => a - b);
    note(`${sorted.length} transfers (after ${WARMUP_TRANSFERS} warm-up), ${lost} lost; max ${sorted[sorted.length - 1]!.toFixed(1)} ms`);
    if (pv.length) note(`press Send → visible on every peer (includes signing and the sender's IndexedDB write): p50 ${percentile(pv, 0.5).toFixed(1)} ms, p95 ${percentile(pv, 0.95).toFixed(1)} ms`);
  }

  const counted = docAfter.entries - docBefore.entries;
  if (counted > 0) {
    line('mesh.doc-bytes-per-transfer', (docAfter.bytes - docBefore.bytes) / counted, 'bytes', 300);
    note(`Bob's real document (y-indexeddb updates merged in Node): ${docBefore.bytes} → ${docAfter.bytes} bytes over ${counted} new entries; ` +
      `entry bytes alone ${((docAfter.entryBytes - docBefore.entryBytes) / counted).toFixed(0)} per transfer`);
  } else {
    console.log('mesh.doc-bytes-per-transfer                FAILED: no new entry found in the persisted document');
  }
  for (const p of people) await mesh.close(p);
}

// ---------------------------------------------------------------------------------------------
// 2: late joiner

interface JoinTrace {
  frames: { n: number; bytes: number; first: number | null; last: number | null; lastBig: number | null };
  longTasks: [number, number][];
  idb: { db: string; stores: string; start: number; end: number | null }[];
  /** [time, entry count, verifying, unverified] of each view the ledger worker sent. */
  views: [number, number, number, number][];
  attachedAt: number | null;
  countAtAttach: number | null;
}

function describeTrace(t0: number, trace: JoinTrace, endAt: number | null): string[] {
  const rel = (t: number | null | undefined) => (t === null || t === undefined ? '—' : `${((t - t0) / 1000).toFixed(2)} s`);
  const out: string[] = [];
  out.push(`session opened at ${rel(trace.attachedAt)} (entries then: ${trace.countAtAttach})`);
  out.push(`data channel: ${trace.frames.n} messages, ${(trace.frames.bytes / 1_048_576).toFixed(1)} MiB, first ${rel(trace.frames.first)}, last of 8 KiB or more ${rel(trace.frames.lastBig)}`);
  const firstFull = trace.views.find(([, n]) => n > (trace.countAtAttach ?? 0) + 1);
  const verifyingAt = trace.views.find(([, , v]) => v > 0);
  const lastView = trace.views[trace.views.length - 1];
  out.push(`ledger worker views: ${trace.views.length}; verifying announced at ${rel(verifyingAt?.[0])}, entries in at ${rel(firstFull?.[0])} (${firstFull?.[1] ?? '—'}), ` +
    `last view ${rel(lastView?.[0])} with ${lastView?.[3] ?? '—'} signatures still to check`);
  const byDb = new Map<string, { n: number; first: number; last: number; open: number }>();
  for (const r of trace.idb) {
    const key = `${r.db}/${r.stores}`;
    const agg = byDb.get(key) ?? { n: 0, first: r.start, last: r.start, open: 0 };
    agg.n++;
    agg.first = Math.min(agg.first, r.start);
    agg.last = Math.max(agg.last, r.end ?? r.start);
    if (r.end === null) agg.open++;
    byDb.set(key, agg);
  }
  for (const [key, a] of byDb) {
    if (a.last < (trace.frames.first ?? 0)) continue; // set-up writes before any data arrived
    out.push(`page IndexedDB ${key}: ${a.n} read-write transactions, ${rel(a.first)} → ${rel(a.last)}${a.open ? `, ${a.open} not complete when read` : ''}`);
  }
  const long = trace.longTasks.filter(([start]) => start >= (trace.frames.first ?? 0));
  const busy = long.reduce((s, [, d]) => s + d, 0);
  const top = [...long].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([s, d]) => `${rel(s)} for ${(d / 1000).toFixed(2)} s`);
  out.push(`main thread: ${long.length} long tasks after the first data, ${(busy / 1000).toFixed(2)} s in all; longest ${top.join(', ') || '—'}`);
  if (endAt !== null) out.push(`ledger complete with the right balances at ${rel(endAt)}`);
  return out;
}

async function lateJoiner(mesh: Mesh, founder: Person, label: string, seed: SeededEconomy, count: number, target: number, dir: string): Promise<void> {
  const entries = seed.entries.slice(0, count);
  const n = entries.length;
  const expected = await balancesOf(entries, seed.invite.id, seed.invite.founder);
  const file = join(dir, `seed-${n}.bin`);

  // The seeded economy's founder key lives in Node; this person holds the economy's entries and
  // serves them (a member who imported the file), then each joiner syncs from it.
  const link = inviteLink(mesh.url, seed.invite);
  const served = await serveLedger(founder, link, entries, file);
  const founderCount = served.count;
  note(`${label}: the serving member imported ${served.fresh} new entries in ${(served.importMs / 1000).toFixed(1)} s (file ${(served.fileBytes / 1_048_576).toFixed(1)} MiB), every signature checked after ${(served.verifiedMs / 1000).toFixed(1)} s; its ledger holds ${founderCount}`);

  const sample: [string, number, number][] = [...expected.milli].filter((_, i) => i % Math.max(1, Math.floor(expected.milli.size / 20)) === 0)
    .slice(0, 20).map(([a, [mh, ch]]) => [a, mh, ch]);
  const joiner = await mesh.open(`Joiner ${label}`, { initScript: JOINER_INIT_SCRIPT, goto: false });
  const t0 = Date.now();
  let doneAt: number | null = null;
  let failure: string | null = null;
  try {
    await joiner.page.goto(link);
    await joiner.page.getByRole('button', { name: /^Join / }).click({ timeout: 30_000 });
    await joiner.page.waitForFunction(ledgerReadyExpression(founderCount, sample), undefined, { polling: 20, timeout: LATE_JOIN_GIVE_UP_MS - (Date.now() - t0) });
    doneAt = (await joiner.page.evaluate('window.__doneAt')) as number;
  } catch (error) {
    failure = error instanceof Error ? error.message.split('\n')[0]! : String(error);
  }
  if (doneAt !== null) {
    line(`mesh.late-joiner-${label}`, doneAt - t0, 'ms', target);
  } else {
    const got = (await joiner.page.evaluate('window.hourmesh && window.hourmesh.economies.active ? window.hourmesh.economies.active.entryCount : null').catch(() => null)) as number | null;
    console.log(`${`mesh.late-joiner-${label}`.padEnd(42)}     FAILED after ${((Date.now() - t0) / 1000).toFixed(1)} s: the joiner holds ${got ?? 'no economy /'} of ${founderCount} entries (${failure})`);
  }
  const trace = (await joiner.page.evaluate('window.__join').catch(() => null)) as JoinTrace | null;
  if (trace) for (const l of describeTrace(t0, trace, doneAt)) note(`${label} joiner: ${l}`);

  if (doneAt !== null) {
    // The same balances as the person sees them, in the Economy view's member table (before the
    // incremental probe below adds entries of its own).
    await joiner.shell.open('Economy');
    const shown = [...expected.text].slice(0, 3);
    for (const [account, text] of shown) {
      const got = await joiner.economy.balanceOf(account);
      if (got !== text) note(`${label} joiner: the Economy view shows ${got} for ${account.slice(0, 8)}…, Node computed ${text}`);
    }
  }
  if (doneAt !== null && label === '100k') await incrementalInChromium(joiner, seed);
  await mesh.close(joiner);
}

/**
 * The core's incremental apply where the app really runs: in the joiner's ledger worker, on its
 * 100k-entry ledger, one in-order entry at a time (the same measurement as ledger.bench.ts makes
 * in Node). A fresh author's chain, dated after every seeded entry, is signed in Node and handed
 * to the worker as an import of one entry (verify, apply, save, publish into the document, and
 * the view back to the page): the page's round trip is included.
 */
async function incrementalInChromium(joiner: Person, seed: SeededEconomy): Promise<void> {
  // The seed's founder writes on: its chain continues after the seed, paying one seeded account.
  const to = [...seed.balances.keys()].find((a) => a !== seed.invite.founder)!;
  const entries: number[][] = [];
  let head = seed.founderHead;
  const start = Date.now() - 3_600_000;
  for (let i = 0; i < 300; i++) {
    const e = await createEntry(seed.founder, nodeCrypto, { economy: seed.invite.id, ack: 1 }, head, start + i, 'transfer', { to, currency: 'MH', amount: 1, memo: '' });
    head = { seq: head.seq + 1, hash: e.id, time: start + i };
    entries.push(Array.from(e.bytes));
  }
  // The joiner is still writing its 100k entries to IndexedDB in the background (several
  // seconds); measure on a quiet page, as ledger.bench.ts does in a quiet Node.
  await sleep(10_000);
  const times = (await joiner.page.evaluate(async (list) => {
    const session = window.hourmesh!.economies.active!.session;
    const out: number[] = [];
    const entriesIn = list.map((bytes) => Uint8Array.from(bytes));
    for (const entry of entriesIn) {
      const t = performance.now();
      await session.importEntries([entry]);
      out.push(performance.now() - t);
    }
    return out;
  }, entries)).slice(50); // the first ones warm up the key cache and the JIT
  // Chromium coarsens performance.now() (to 0.1 ms without cross-origin isolation), so the
  // percentiles are quantized; the mean over the run is exact enough to compare with Node's.
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  times.sort((a, b) => a - b);
  const p = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  reportLine('ledger.incremental-apply-mean-chromium-100k', mean, 'ms', undefined, 3);
  note(`incremental apply in the joiner's ledger worker at 100k over ${times.length} entries, page → worker → view back: p50 ${p(0.5).toFixed(1)} ms, p95 ${p(0.95).toFixed(1)} ms (0.1 ms timer)`);
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const started = Date.now();
  // Always the current code: a stale dist-test would measure an older app.
  note('building the test bundle: npx vite build --mode test --outDir dist-test');
  buildTestBundle('dist-test');
  let server: Server | null = null;
  let browser: Browser | null = null;
  const dir = mkdtempSync(join(os.tmpdir(), 'hourmesh-mesh-bench-'));
  try {
    server = await startServer('dist-test');
    browser = await launchChromium();
    const cpu = os.cpus();
    note(`machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.versions.node}, Chromium ${browser.version()}, ${os.type()} ${os.release()}`);
    const mesh = new Mesh(browser, server.url);

    // MESH_BENCH_PARTS=send or =late runs one part only (for working on one of them).
    const parts = process.env.MESH_BENCH_PARTS ?? 'send,late';
    if (parts.includes('send')) try {
      await sendToVisible(mesh);
    } catch (error) {
      console.log(`mesh.send-to-visible                       FAILED: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }

    if (!parts.includes('late')) return 0;
    const founder = await mesh.open('Server');
    const genStart = Date.now();
    const seed = await seedEconomy(SEED_ENTRIES, SEED_AUTHORS, 'Mesh bench seed');
    note(`signed ${SEED_ENTRIES} entries by ${SEED_AUTHORS} authors in Node in ${((Date.now() - genStart) / 1000).toFixed(1)} s (setup, not timed)`);

    for (const [label, count, target] of [['10k', 10_000, 2_000], ['100k', SEED_ENTRIES, 10_000]] as const) {
      try {
        await lateJoiner(mesh, founder, label, seed, count, target, dir);
      } catch (error) {
        console.log(`${`mesh.late-joiner-${label}`.padEnd(42)}     FAILED: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      }
    }
    note(`total ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return 0;
  } finally {
    await browser?.close().catch(() => undefined);
    await stopServer(server);
    rmSync(dir, { recursive: true, force: true });
  }
}

runBench(main);
