// Releases and downloads (codes 14–15): the honest path and hostile cases, replayed through a
// real Ledger (docs/RELEASES.md).
import { beforeAll, describe, expect, it } from 'vitest';
import { createSimulationKeys, type MemoryCrypto } from './crypto-port-memory';
import { TestAuthor, TEST_ECONOMY } from './credit-test-kit';
import { createEntry, type SignedEntry } from './create-entry';
import { decodeEnvelope, MAX_ENTRY_BYTES } from './encoding';
import { decodeKindBody, encodeKindBody } from './kinds';
import { Ledger } from './ledger';
import type { EconomySettings } from './ledger-state';
import { MAX_RELEASE_TASKS, validateReleasePost } from './kind-release-post';
import { MAX_SERVERS, validateDownload } from './kind-download';
import { checkDownload, checkReleasePost } from './release-checks';
import { chunkHashesRoot, MIB, servingFee } from './release-state';
import { EntryLog, fileOf, releaseBody } from './release-test-kit';
import { sha256Sync } from './sha256';
import { backlogOf } from './forecast-inputs';
import { LedgerView } from './ledger-view';
import { toHex } from './bytes';
import { createRandom, shuffleInPlace } from './random';

const T0 = 1_700_000_000_000;
const NOW = T0 + 3_600_000;
const SETTINGS: EconomySettings = { creditLimit: { MH: 100_000, CH: 10_000 }, newcomerCredit: { MH: 0, CH: 0 } };
let memory: MemoryCrypto;
// founder posts tasks and releases; v1, v2 vote (and serve); a, b, c deliver; buyer downloads;
// zed and zed2 are fresh keys of one person; mallory is vouched and hostile.
let founder: TestAuthor, v1: TestAuthor, v2: TestAuthor, a: TestAuthor, b: TestAuthor, c: TestAuthor, buyer: TestAuthor, zed: TestAuthor, zed2: TestAuthor, mallory: TestAuthor;
let log: EntryLog;
/** 30 fresh keys for floods. */
let fresh: TestAuthor[];

beforeAll(async () => {
  const keys = await createSimulationKeys(globalThis.crypto.subtle, 40, 0x5e1ea5e);
  memory = keys.memory;
  fresh = keys.signers.slice(10).map((s) => new TestAuthor(s, memory.port));
  [founder, v1, v2, a, b, c, buyer, zed, zed2, mallory] = keys.signers.map((s) => new TestAuthor(s, memory.port)) as [TestAuthor, TestAuthor, TestAuthor, TestAuthor, TestAuthor, TestAuthor, TestAuthor, TestAuthor, TestAuthor, TestAuthor];
});

async function ledger(entries: SignedEntry[] = log.entries, opts: { checkpointEvery?: number } = {}): Promise<Ledger> {
  const l = new Ledger({ economy: TEST_ECONOMY, crypto: memory.port, founder: founder.id, now: () => NOW, initialSettings: SETTINGS, ...opts });
  await l.addEntries(entries.map((e) => e.bytes));
  await l.whenVerified();
  return l;
}

/** Fresh chains; v1, v2, buyer and mallory vouched (MH 50 h, CH 1 h); tasks of a (3 h), b (2 h), c (2 h) accepted. */
async function setup(): Promise<string[]> {
  for (const x of [founder, v1, v2, a, b, c, buyer, zed, zed2, mallory]) x.head = undefined;
  log = new EntryLog(T0);
  for (const m of [v1, v2, buyer, mallory]) {
    await log.add(founder, 'vouch', { member: m.id, currency: 'MH', amount: 50_000 });
    await log.add(founder, 'vouch', { member: m.id, currency: 'CH', amount: 1_000 });
  }
  return [await log.acceptedTask(founder, a, [v1, v2], 3000, 'Parser'), await log.acceptedTask(founder, b, [v1, v2], 2000, 'Docs'), await log.acceptedTask(founder, c, [v1, v2], 2000, 'Tests')];
}

const statusOf = (l: Ledger, e: SignedEntry) => l.statusOf(e.id);
const rejectedWith = (l: Ledger, e: SignedEntry) => {
  const s = l.statusOf(e.id);
  return s?.state === 'rejected' ? s.reason : `not rejected: ${JSON.stringify(s)}`;
};
const total = (l: Ledger, currency: 'MH' | 'CH') => [...l.balances.values()].reduce((x, bal) => x + bal[currency], 0);

describe('release and download: the honest path', () => {
  it('prices a release at invested ÷ predicted and pays the contributors pro rata and the servers a CH fee, zero-sum', async () => {
    const tasks = await setup();
    const post = await log.add(founder, 'release-post', releaseBody(tasks, 3));
    const dl = await log.add(buyer, 'download', { release: post.id, servers: [{ account: v1.id, bytes: 300 * 1024 }, { account: v2.id, bytes: 1.5 * MIB }] });
    const l = await ledger();
    expect(statusOf(l, post)).toEqual({ state: 'applied' });
    expect(statusOf(l, dl)).toEqual({ state: 'applied' });
    const r = l.releaseOf(post.id)!;
    expect(r).toMatchObject({ author: founder.id, title: 'v1.2', invested: 7000, predicted: 3, price: 2333, downloads: 1, downloaders: [buyer.id], paid: 2333, served: 3 });
    expect(r.contributors).toEqual([a, b, c].map((x) => ({ account: x.id, share: x === a ? 3000 : 2000 })).sort((p, q) => (p.account < q.account ? -1 : 1)));
    // 2333 × 3/7, 2/7, 2/7 = 999.86, 666.57, 666.57: floors 999 + 666 + 666, two milli left: one to
    // a (largest remainder), one to the smaller id of b and c (equal remainders).
    const [first, second] = [b, c].sort((p, q) => (p.id < q.id ? -1 : 1));
    const mhOf = (x: TestAuthor) => l.balanceOf(x.id).MH;
    expect(mhOf(a)).toBe(3000 + 1000);
    expect(mhOf(first!)).toBe(2000 + 667);
    expect(mhOf(second!)).toBe(2000 + 666);
    expect(mhOf(buyer)).toBe(-2333);
    expect(l.balanceOf(v1.id).CH).toBe(1);
    expect(l.balanceOf(v2.id).CH).toBe(2);
    expect(l.balanceOf(buyer.id).CH).toBe(-3);
    expect(total(l, 'MH')).toBe(0);
    expect(total(l, 'CH')).toBe(0);
    const flows = l.flows.filter((f) => f.entryId === dl.id);
    expect(flows.map((f) => [f.source, f.currency, f.payer, f.amount])).toEqual([
      ...[a, first!, second!].sort((p, q) => (p.id < q.id ? -1 : 1)).map((x) => ['download', 'MH', buyer.id, x === a ? 1000 : x === first ? 667 : 666]),
      ['serving', 'CH', buyer.id, 1], ['serving', 'CH', buyer.id, 2],
    ]);
    expect(l.historyOf(a.id).at(-1)).toMatchObject({ kind: 'download', delta: 1000, counterparty: buyer.id, memo: 'download: v1.2' });
    expect(l.historyOf(v2.id).at(-1)).toMatchObject({ kind: 'serving', currency: 'CH', delta: 2, counterparty: buyer.id });
    expect(l.historyOf(buyer.id).filter((h) => h.entryId === dl.id).reduce((x, h) => x + (h.delta ?? 0), 0)).toBe(-2333 - 3);
    expect(l.taskOf(tasks[0]!)!.release).toBe(post.id);
    expect(l.releaseReads.hasDownloaded(post.id, buyer.id)).toBe(true);
  });

  it('ends in the same state whatever the arrival order and batching (checkpoints restore releases and downloaders)', async () => {
    const tasks = await setup();
    const post = await log.add(founder, 'release-post', releaseBody(tasks, 2));
    for (const x of [buyer, v1, v2, mallory]) await log.add(x, 'download', { release: post.id, servers: x === v1 ? [] : [{ account: v1.id, bytes: MIB }] });
    await log.add(buyer, 'download', { release: post.id, servers: [] }); // a second one: refused
    const reference = (await ledger()).serialize();
    expect((await ledger()).releaseOf(post.id)!.downloads).toBe(4);
    const random = createRandom(11);
    for (let i = 0; i < 6; i++) {
      const l = new Ledger({ economy: TEST_ECONOMY, crypto: memory.port, founder: founder.id, now: () => NOW, initialSettings: SETTINGS, checkpointEvery: 2 });
      for (const e of shuffleInPlace(random, [...log.entries])) await l.addEntries([e.bytes]);
      await l.whenVerified();
      expect(l.serialize()).toBe(reference);
    }
  });

  it('a contributor downloading keeps its own share; the rest goes to the others', async () => {
    const tasks = await setup();
    const post = await log.add(founder, 'release-post', releaseBody(tasks, 7));
    const dl = await log.add(a, 'download', { release: post.id, servers: [] });
    const l = await ledger();
    expect(statusOf(l, dl)).toEqual({ state: 'applied' });
    // price 1000 split 428.57 / 285.71 / 285.71: floors 428 + 285 + 285, the two milli left go to
    // the largest remainders (b and c). a's 428 stays with it; b and c get 286 each.
    expect(l.balanceOf(a.id).MH).toBe(3000 - 572);
    expect(l.balanceOf(b.id).MH).toBe(2000 + 286);
    expect(l.balanceOf(c.id).MH).toBe(2000 + 286);
    expect(l.releaseOf(post.id)!.paid).toBe(572);
    expect(l.flows.filter((f) => f.entryId === dl.id).every((f) => f.payee !== a.id)).toBe(true);
  });
});

describe('release-post: hostile and malformed', () => {
  it('refuses tasks it did not post, not accepted, unknown, or already in a release', async () => {
    const tasks = await setup();
    const malloryTask = await log.acceptedTask(mallory, c, [v1, v2], 1000);
    const open = await log.add(founder, 'task-post', { title: 'Open', description: '', criteria: '', project: 'app', reviewers: [] });
    const notMine = await log.add(founder, 'release-post', releaseBody([tasks[0]!, malloryTask], 1));
    const notAccepted = await log.add(founder, 'release-post', releaseBody([tasks[0]!, open.id], 1));
    const unknown = await log.add(founder, 'release-post', releaseBody(['ab'.repeat(32)], 1));
    const first = await log.add(founder, 'release-post', releaseBody([tasks[0]!], 1));
    const again = await log.add(founder, 'release-post', releaseBody([tasks[0]!, tasks[1]!], 1));
    const l = await ledger();
    expect(rejectedWith(l, notMine)).toBe('task “Work” was not posted by the release\'s author');
    expect(rejectedWith(l, notAccepted)).toBe('task “Open” is not accepted (it is open)');
    expect(rejectedWith(l, unknown)).toMatch(/^task abababab… is not in the ledger/);
    expect(statusOf(l, first)).toEqual({ state: 'applied' });
    expect(rejectedWith(l, again)).toBe(`task “Parser” is already in release ${first.id.slice(0, 8)}…`);
    expect([...l.releases.keys()]).toEqual([first.id]);
  });

  it('backdated: a release dated before its task\'s acceptance is refused, even if it arrives after it', async () => {
    await setup();
    const task = await log.acceptedTask(founder, a, [v1, v2], 3000, 'Late', false);
    const post = await log.add(founder, 'release-post', releaseBody([task], 1));
    const accept = await log.add(founder, 'task-step', { task, action: 'accept', text: '' });
    const l = await ledger([...log.entries.filter((e) => e !== post), post]);
    expect(statusOf(l, accept)).toEqual({ state: 'applied' });
    expect(rejectedWith(l, post)).toBe('task “Late” is not accepted (it is done)');
    expect(l.releases.size).toBe(0);
    expect(l.taskOf(task)!.release).toBeUndefined();
  });

  it('price 0 is refused with the reason; predicted out of range and too many or duplicate tasks are malformed', async () => {
    const tasks = await setup();
    const zero = await log.add(founder, 'release-post', releaseBody([tasks[1]!], 1_000_000));
    const l = await ledger();
    expect(rejectedWith(l, zero)).toBe('the price per download would be 0: 2 MH invested over 1000000 predicted downloads is less than 0.001 MH each; predict fewer downloads');
    const id = (n: number) => n.toString(16).padStart(64, '0');
    expect(validateReleasePost(releaseBody([id(1)], 0))).toMatch(/^predicted downloads are not between 1 and 1,000,000/);
    expect(validateReleasePost(releaseBody([id(1)], 1_000_001))).toMatch(/^predicted downloads/);
    expect(validateReleasePost(releaseBody([], 1))).toBe('a release names at least one accepted task');
    expect(validateReleasePost(releaseBody([id(1), id(1)], 1))).toBe('task 00000000… is named twice');
    expect(validateReleasePost(releaseBody(Array.from({ length: MAX_RELEASE_TASKS + 1 }, (_, i) => id(i + 1)), 1))).toBe('a release names at most 100 tasks');
  });

  it('oversized or out-of-range fields are refused before signing and as malformed bytes; the largest release fits one entry', async () => {
    const ok = releaseBody(['cd'.repeat(32)], 5);
    const bad: [Partial<typeof ok>, string][] = [
      [{ title: 'v'.repeat(81) }, 'release title is longer than 80 bytes'],
      [{ title: '' }, 'release title is empty'],
      [{ project: 'é'.repeat(41) }, 'project is longer than 80 bytes'],
      [{ file: { ...fileOf(), name: 'n'.repeat(121) } }, 'file name is longer than 120 bytes'],
      [{ file: { ...fileOf(), name: '../etc/passwd' } }, 'file name contains a slash'],
      [{ file: { ...fileOf(), name: 'a\u0000b' } }, 'file name contains control characters'],
      [{ file: fileOf(0) }, 'file size is not between 1 byte and 256 MiB'],
      [{ file: fileOf(256 * MIB + 1) }, 'file size is not between 1 byte and 256 MiB'],
      [{ file: { ...fileOf(), chunkSize: 3 * 65536 } }, 'chunk size is not a power of two between 64 KiB and 1 MiB'],
      [{ file: { ...fileOf(), chunkSize: 32 * 1024 } }, 'chunk size is not a power of two between 64 KiB and 1 MiB'],
      [{ file: { ...fileOf(), chunkSize: 2 * MIB } }, 'chunk size is not a power of two between 64 KiB and 1 MiB'],
    ];
    for (const [extra, reason] of bad) expect(validateReleasePost({ ...ok, ...extra })).toBe(reason);
    // Hand-built bytes past the decoder's limits are malformed, not just invalid.
    expect(decodeKindBody(14, encodeKindBody('release-post', { ...ok, title: 'v'.repeat(81) }), founder.id)).toEqual({ ok: false, error: 'malformed release-post body' });
    const biggest = releaseBody(Array.from({ length: MAX_RELEASE_TASKS }, (_, i) => (i + 1).toString(16).padStart(64, 'f')), 1_000_000, {
      project: 'p'.repeat(80), title: 't'.repeat(80), file: { ...fileOf(256 * MIB), name: 'n'.repeat(120), chunkSize: MIB },
    });
    expect(validateReleasePost(biggest)).toBeUndefined();
    const e = await createEntry(zed.signer, memory.port, { economy: TEST_ECONOMY, ack: 2 ** 53 - 1 }, { seq: 2 ** 53 - 2, hash: 'ab'.repeat(32), time: T0 }, T0 + 1, 'release-post', biggest);
    expect(e.bytes.length).toBeLessThanOrEqual(MAX_ENTRY_BYTES);
    expect(encodeKindBody('release-post', biggest).length).toBe(3559);
    expect(decodeKindBody(14, encodeKindBody('release-post', biggest), zed.id)).toEqual({ ok: true, body: biggest });
  });
});

describe('download: hostile and malformed', () => {
  it('refuses the author\'s own download, a second download by one account, and a download dated before its release', async () => {
    const tasks = await setup();
    const early = await log.add(buyer, 'download', { release: 'ef'.repeat(32), servers: [] });
    const post = await log.add(founder, 'release-post', releaseBody(tasks, 2));
    const own = await log.add(founder, 'download', { release: post.id, servers: [] });
    const first = await log.add(buyer, 'download', { release: post.id, servers: [] });
    const second = await log.add(buyer, 'download', { release: post.id, servers: [{ account: v1.id, bytes: 10 }] });
    // Backdated: signed for the real release, dated before it (arriving late changes nothing).
    const backdated = await createEntry(mallory.signer, memory.port, { economy: TEST_ECONOMY, ack: 0 }, mallory.head, T0 + 5, 'download', { release: post.id, servers: [] });
    const l = await ledger([...log.entries, backdated]);
    expect(rejectedWith(l, early)).toBe('unknown release (a download is dated after its release)');
    expect(rejectedWith(l, backdated)).toBe('unknown release (a download is dated after its release)');
    expect(rejectedWith(l, own)).toBe('the release\'s author cannot download its own release');
    expect(statusOf(l, first)).toEqual({ state: 'applied' });
    expect(rejectedWith(l, second)).toBe('already downloaded “v1.2”');
    expect(l.releaseOf(post.id)!.downloads).toBe(1);
    expect(l.balanceOf(v1.id).CH).toBe(0);
  });

  it('a forged download pays nothing; one copied from another economy is refused before replay', async () => {
    const tasks = await setup();
    const post = await log.add(founder, 'release-post', releaseBody(tasks, 2));
    const dl = await log.add(buyer, 'download', { release: post.id, servers: [] });
    const forged = dl.bytes.slice();
    forged[forged.length - 1]! ^= 1;
    const l = await ledger([...log.entries.slice(0, -1)]);
    const report = await l.addEntries([forged]);
    expect(report.rejected).toEqual([{ id: expect.any(String), reason: 'invalid signature' }]);
    expect(l.releaseOf(post.id)!.downloads).toBe(0);
    expect(l.balanceOf(buyer.id).MH).toBe(0);
    const other = await createEntry(buyer.signer, memory.port, { economy: 'fe'.repeat(16), ack: 0 }, undefined, T0 + 1, 'download', { release: post.id, servers: [] });
    expect(decodeEnvelope(other.bytes, TEST_ECONOMY)).toMatchObject({ ok: false, error: expect.stringMatching(/entry of another economy/) });
    const r2 = await l.addEntries([other.bytes]);
    expect(r2.rejected[0]?.reason).toMatch(/another economy/);
  });

  it('a fresh key downloads only if it can pay; it may name its sibling key as server and pays that CH itself', async () => {
    const tasks = await setup();
    const post = await log.add(founder, 'release-post', releaseBody(tasks, 7)); // price 1000
    const broke = await log.add(zed, 'download', { release: post.id, servers: [] });
    await log.add(buyer, 'transfer', { to: zed.id, currency: 'MH', amount: 1000, memo: '' });
    const noCH = await log.add(zed, 'download', { release: post.id, servers: [{ account: zed2.id, bytes: 3 * MIB }] });
    await log.add(mallory, 'transfer', { to: zed.id, currency: 'CH', amount: 3, memo: '' });
    const paid = await log.add(zed, 'download', { release: post.id, servers: [{ account: zed2.id, bytes: 3 * MIB }] });
    const l = await ledger();
    expect(rejectedWith(l, broke)).toBe('not enough to pay 1 MH: at most 0 MH can be paid now');
    // All or nothing: the MH part could be paid, the CH fee could not, so nothing moved.
    expect(rejectedWith(l, noCH)).toBe('not enough to pay the serving fee of 0.003 CH: at most 0 CH can be paid now');
    expect(statusOf(l, paid)).toEqual({ state: 'applied' });
    expect(l.balanceOf(zed.id)).toEqual({ MH: 0, CH: 0 });
    expect(l.balanceOf(zed2.id).CH).toBe(3);
    // The sibling's fee is a serving flow record (what minting can make of it: release-attacks.sim.test.ts).
    expect(l.flows.filter((f) => f.entryId === paid.id && f.source === 'serving')).toEqual([expect.objectContaining({ payer: zed.id, payee: zed2.id, amount: 3 })]);
    expect(validateDownload({ release: post.id, servers: [{ account: zed.id, bytes: 1 }] }, zed.id)).toBe('the downloader cannot list itself as a serving peer');
  });

  it('refuses too many, duplicated or empty servers, and more bytes than the file', async () => {
    const tasks = await setup();
    const post = await log.add(founder, 'release-post', releaseBody(tasks, 2, { file: fileOf(2 * MIB) }));
    const tooMuch = await log.add(buyer, 'download', { release: post.id, servers: [{ account: v1.id, bytes: MIB }, { account: v2.id, bytes: MIB + 1 }] });
    const l = await ledger();
    expect(rejectedWith(l, tooMuch)).toBe('the serving peers are said to have sent 2097153 bytes, more than the file\'s 2097152');
    expect(l.balanceOf(buyer.id)).toEqual({ MH: 0, CH: 0 });
    const server = (n: number) => ({ account: n.toString(16).padStart(64, '0'), bytes: 1 });
    expect(validateDownload({ release: post.id, servers: Array.from({ length: MAX_SERVERS + 1 }, (_, i) => server(i + 1)) }, buyer.id)).toBe('more than 16 serving peers');
    expect(validateDownload({ release: post.id, servers: [server(1), server(1)] }, buyer.id)).toBe('serving peer 00000000… is listed twice');
    expect(validateDownload({ release: post.id, servers: [{ ...server(1), bytes: 0 }] }, buyer.id)).toMatch(/not between 1 and 256 MiB/);
    // A count byte over 16 is malformed bytes, whatever follows.
    const bytes = encodeKindBody('download', { release: post.id, servers: [] });
    bytes[32] = MAX_SERVERS + 1;
    expect(decodeKindBody(15, bytes, buyer.id)).toEqual({ ok: false, error: 'malformed download body' });
  });

  it('a flood of downloads (fresh keys that cannot pay, one account repeating) leaves the release and balances as one download left them', async () => {
    const tasks = await setup();
    const post = await log.add(founder, 'release-post', releaseBody(tasks, 2));
    await log.add(buyer, 'download', { release: post.id, servers: [{ account: v1.id, bytes: MIB }] });
    const l = await ledger();
    const before = { release: l.releaseOf(post.id), balances: new Map(l.balances), flows: [...l.flows] };
    const flood: SignedEntry[] = [];
    for (const [i, k] of fresh.entries()) {
      k.head = undefined;
      flood.push(await k.sign(log.t + 10 + i, 'download', { release: post.id, servers: [{ account: v2.id, bytes: MIB }] }));
    }
    for (let i = 0; i < 40; i++) flood.push(await buyer.sign(log.t + 100 + i, 'download', { release: post.id, servers: [{ account: v2.id, bytes: MIB }] }));
    // Each arrives alone (the usual way): the cheap path, and nothing but a rejection each.
    for (const e of flood) expect((await l.addEntries([e.bytes])).replay).toBe('incremental');
    expect(flood.slice(0, fresh.length).every((e) => /^not enough to pay/.test(rejectedWith(l, e)))).toBe(true);
    expect(flood.slice(fresh.length).every((e) => rejectedWith(l, e) === 'already downloaded “v1.2”')).toBe(true);
    expect(l.releaseOf(post.id)).toEqual(before.release);
    expect(l.balances).toEqual(before.balances);
    expect(l.flows).toEqual(before.flows);
  });
});

describe('serving fee and chunk root', () => {
  it('charges 1 milli-CH per started MiB', () => {
    expect([0, -1, 1, MIB, MIB + 1, 256 * MIB, 1.5].map(servingFee)).toEqual([0, 0, 1, 1, 2, 256, 0]);
  });

  it('chunkHashesRoot is SHA-256 of the concatenated chunk hashes', () => {
    const h1 = sha256Sync(new Uint8Array([1]));
    const h2 = sha256Sync(new Uint8Array([2]));
    const both = new Uint8Array(64);
    both.set(h1);
    both.set(h2, 32);
    expect(toHex(chunkHashesRoot([h1, h2]))).toBe(toHex(sha256Sync(both)));
    expect(() => chunkHashesRoot([new Uint8Array(31)])).toThrow(RangeError);
  });
});

describe('pre-signing checks', () => {
  it('checkReleasePost gives the body replay applies, its price and contributors, or a sentence', async () => {
    const tasks = await setup();
    const l = await ledger();
    const input = { project: ' app ', title: ' v1.2 ', file: fileOf(), tasks: [...tasks, tasks[0]!], predicted: 3 };
    const ok = checkReleasePost(l, founder.id, input);
    expect(ok).toMatchObject({ ok: true, invested: 7000, price: 2333, body: { project: 'app', title: 'v1.2', tasks } });
    expect(checkReleasePost(l, mallory.id, input)).toEqual({ ok: false, field: 'tasks', error: 'Task “Parser” was not posted by the release\'s author.' });
    expect(checkReleasePost(l, founder.id, { ...input, predicted: 10_000 })).toMatchObject({ ok: false, field: 'predicted' });
    expect(checkReleasePost(l, founder.id, { ...input, title: '  ' })).toMatchObject({ ok: false, field: 'title' });
    expect(checkReleasePost(l, founder.id, { ...input, file: fileOf(0) })).toMatchObject({ ok: false, field: 'file' });
    if (!ok.ok) throw new Error('unreachable');
    const post = await log.add(founder, 'release-post', ok.body);
    expect(statusOf(await ledger(), post)).toEqual({ state: 'applied' });
  });

  it('checkDownload normalises the servers, prices the download, and says why it cannot be paid', async () => {
    const tasks = await setup();
    const post = await log.add(founder, 'release-post', releaseBody(tasks, 7));
    const l = await ledger();
    const servers = [
      { account: v1.id, bytes: MIB }, { account: buyer.id, bytes: 5 }, { account: v1.id, bytes: 1 }, { account: v2.id, bytes: 0 },
      ...Array.from({ length: 20 }, (_, i) => ({ account: (i + 1).toString(16).padStart(64, '0'), bytes: 1000 - i })),
    ];
    const ok = checkDownload(l, buyer.id, { release: post.id, servers });
    expect(ok.ok).toBe(true);
    if (!ok.ok) throw new Error('unreachable');
    expect(ok.body.servers).toHaveLength(16);
    expect(ok.body.servers[0]).toEqual({ account: v1.id, bytes: MIB + 1 });
    expect(ok).toMatchObject({ price: 1000, fee: 2 + 15 });
    expect(checkDownload(l, zed.id, { release: post.id, servers: [] })).toEqual({ ok: false, error: 'Not enough to pay 1 MH: at most 0 MH can be paid now. A member can vouch for you, or you can earn man-hours first.' });
    expect(checkDownload(l, founder.id, { release: post.id, servers: [] })).toEqual({ ok: false, error: 'The release\'s author cannot download its own release.' });
    const dl = await log.add(buyer, 'download', ok.body);
    const after = await ledger();
    expect(statusOf(after, dl)).toEqual({ state: 'applied' });
    expect(checkDownload(after, buyer.id, { release: post.id, servers: [] })).toEqual({ ok: false, error: 'Already downloaded “v1.2”.' });
  });
});

describe('downloads in the forecast (forecast-inputs.ts)', () => {
  it('counts the downloads still predicted for recent releases as MH and CH demand, and none for old ones', async () => {
    const tasks = await setup();
    const post = await log.add(founder, 'release-post', releaseBody(tasks, 3)); // price 2333, 3 MiB
    await log.add(buyer, 'download', { release: post.id, servers: [] });
    const l = await ledger();
    const epochMs = 3_600_000;
    const backlog = (now: number) => backlogOf([], () => new Map(), [], now, { records: l.releases.values(), epochMs });
    expect(backlog(NOW)).toMatchObject({ MH: 2 * 2333, CH: 2 * servingFee(3 * MIB), downloadsExpected: 2 });
    // Without releases (or before this change) nothing is counted for them.
    expect(backlogOf([], () => new Map(), [], NOW)).toMatchObject({ MH: 0, CH: 0, downloadsExpected: 0 });
    // Four epochs on (the epoch it was published in, and three more), the release no longer counts.
    const published = Math.floor(l.releaseOf(post.id)!.time / epochMs);
    expect(backlog((published + 3) * epochMs + 1).downloadsExpected).toBe(2);
    expect(backlog((published + 4) * epochMs).downloadsExpected).toBe(0);
    // Never more than predicted, and never more MH than the release carries.
    const done = await ledger([...log.entries, await log.add(mallory, 'download', { release: post.id, servers: [] }), await log.add(v1, 'download', { release: post.id, servers: [] }), await log.add(v2, 'download', { release: post.id, servers: [] })]);
    expect(done.releaseOf(post.id)!.downloads).toBe(4);
    expect(backlogOf([], () => new Map(), [], NOW, { records: done.releases.values(), epochMs })).toMatchObject({ MH: 0, CH: 0, downloadsExpected: 0 });
    expect(2333 * 3).toBeLessThanOrEqual(l.releaseOf(post.id)!.invested);
  });
});

describe('the page\'s LedgerView (a structured-cloned snapshot from the ledger worker)', () => {
  it('answers release reads and the pre-signing checks as the Ledger does', async () => {
    const tasks = await setup();
    const post = await log.add(founder, 'release-post', releaseBody(tasks, 3));
    await log.add(buyer, 'download', { release: post.id, servers: [{ account: v1.id, bytes: MIB }] });
    const l = await ledger();
    const view = new LedgerView(structuredClone(l.viewSnapshot(mallory.id)), () => NOW);
    expect(view.releaseOf(post.id)).toEqual(l.releaseOf(post.id));
    expect([...view.releases.keys()]).toEqual([post.id]);
    expect(view.releaseReads.hasDownloaded(post.id, buyer.id)).toBe(true);
    const input = { release: post.id, servers: [{ account: v2.id, bytes: 2 * MIB }] };
    expect(checkDownload(view, mallory.id, input)).toEqual(checkDownload(l, mallory.id, input));
    expect(checkDownload(view, buyer.id, input)).toEqual({ ok: false, error: 'Already downloaded “v1.2”.' });
  });
});
