// Releases end to end: four people in separate browser contexts, real signaling and WebRTC.
// Bob does an accepted task for Alice (set up through the session API; tasks.spec.ts covers the
// Tasks view), Alice publishes a release of a file from the Releases view, Carol downloads it from
// Alice, and Dave downloads it from both Alice and Carol. The saved files equal the published
// bytes, and every peer's ledger shows the same balances: the downloaders paid the price to Bob
// (the only contributor) and the serving fees to the peers that sent the bytes.
import { randomBytes } from 'node:crypto';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Person } from './fixtures';
import { ReleasesPage } from './pages/releases.page';

type Ok = { ok: boolean; error?: string; entryId?: string };
type RelSession = {
  me: string;
  online: { account: string }[];
  ledger: {
    balances: Map<string, { MH: number; CH: number }>;
    taskOf(id: string): { status: string } | undefined;
    releases: Map<string, { downloads: number; price: number; served: number; paid: number }>;
  };
  postTask(input: { title: string; project: string; description: string; criteria: string; reviewers: string[] }): Promise<Ok>;
  taskStep(input: { task: string; action: string; text: string }): Promise<Ok>;
  commitVote(input: { task: string; round: number; value: number; salt: string }): Promise<Ok>;
  settleEstimate(input: { task: string; round: number; reveals: { voter: string; value: number; salt: string }[] }): Promise<Ok>;
  publishVouch(member: string, currency: 'MH' | 'CH', amountText: string): Promise<Ok>;
};
declare global {
  interface Window {
    __rel: () => RelSession;
  }
}

async function withSession(p: Person): Promise<string> {
  await p.page.waitForFunction(() => window.hourmesh?.economies.active != null);
  return p.page.evaluate(() => {
    window.__rel = () => (window.hourmesh!.economies.active as unknown as { session: RelSession }).session;
    return window.__rel().me;
  });
}

async function waitForTask(p: Person, task: string, status: string) {
  await p.page.waitForFunction(({ task, status }) => window.__rel().ledger.taskOf(task)?.status === status, { task, status }, { timeout: 30_000 });
}

async function ok(p: Person, f: string, arg: unknown) {
  const result = await p.page.evaluate(({ f, arg }) => (window.__rel() as unknown as Record<string, (a: unknown) => Promise<Ok>>)[f]!(arg), { f, arg });
  expect(result, `${p.name}: ${f}: ${result.error ?? ""}`).toMatchObject({ ok: true });
}

/** True when nothing on the page is wider than the viewport (no sideways scrolling). */
const fitsWidth = (page: Person['page']) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

/** Every balance this peer's ledger holds, sorted (milli-units). */
function balances(p: Person): Promise<string[]> {
  return p.page.evaluate(() => [...window.__rel().ledger.balances].map(([a, b]) => `${a} ${b.MH} ${b.CH}`).sort());
}

function balanceOf(p: Person, account: string): Promise<{ MH: number; CH: number }> {
  return p.page.evaluate((a) => {
    const b = window.__rel().ledger.balances.get(a);
    return { MH: b?.MH ?? 0, CH: b?.CH ?? 0 };
  }, account);
}

test('a release moves to two downloaders, from one peer then from two, and pays contributors and servers the same on every peer', async ({ openPerson }) => {
  test.setTimeout(240_000);
  const alice = await openPerson('Alice');
  const bob = await openPerson('Bob');
  const carol = await openPerson('Carol');
  const dave = await openPerson('Dave');
  await alice.shell.open('Economy');
  await alice.economy.create('Workshop');
  const link = await alice.economy.inviteLink();
  for (const p of [bob, carol, dave]) await p.joinByLink(link);
  const [aliceId, bobId, carolId, daveId] = (await Promise.all([alice, bob, carol, dave].map(withSession))) as [string, string, string, string];
  // The downloaders need room to pay: Alice (the founder) vouches for them in both currencies.
  for (const id of [carolId, daveId]) {
    for (const currency of ['MH', 'CH'] as const) {
      expect(await alice.page.evaluate(({ id, currency }) => window.__rel().publishVouch(id, currency, '2'), { id, currency })).toMatchObject({ ok: true });
    }
  }

  // Bob does a task for Alice: posted, estimated at 4 MH, claimed, done, accepted (4 MH to Bob).
  const posted = await alice.page.evaluate(() => window.__rel().postTask({ title: 'Write the installer', project: 'app', description: 'One file.', criteria: 'It installs.', reviewers: [] }));
  expect(posted).toMatchObject({ ok: true });
  const task = posted.entryId!;
  await ok(alice, 'taskStep', { task, action: 'start', text: '' });
  const vote = { value: 4000, salt: '33'.repeat(16) };
  const carolVote = { value: 4000, salt: '44'.repeat(16) };
  await ok(alice, 'commitVote', { task, round: 1, ...vote });
  await waitForTask(carol, task, 'estimating');
  // Two votes settle an estimate (Carol may vote: Alice stakes on her).
  await ok(carol, 'commitVote', { task, round: 1, ...carolVote });
  await alice.page.waitForFunction((task) => (window.__rel().ledger.taskOf(task) as unknown as { rounds: { commits: unknown[] }[] }).rounds[0]!.commits.length === 2, task, { timeout: 30_000 });
  await ok(alice, 'settleEstimate', { task, round: 1, reveals: [{ voter: aliceId, ...vote }, { voter: carolId, ...carolVote }] });
  await waitForTask(bob, task, 'estimated');
  await ok(bob, 'taskStep', { task, action: 'claim', text: '' });
  await ok(bob, 'taskStep', { task, action: 'done', text: 'https://example.org/installer' });
  await waitForTask(alice, task, 'done');
  await ok(alice, 'taskStep', { task, action: 'accept', text: '' });
  for (const p of [alice, bob, carol, dave]) await waitForTask(p, task, 'accepted');
  const before = new Map<string, { MH: number; CH: number }>();
  for (const id of [aliceId, bobId, carolId, daveId]) before.set(id, await balanceOf(alice, id));

  // Alice publishes a 1.5 MB release (6 chunks) of that task, predicting 4 downloads: 1 MH each.
  const file = randomBytes(1_500_000);
  // Alice publishes from a 360 px wide screen: nothing may need sideways scrolling.
  await alice.page.setViewportSize({ width: 360, height: 740 });
  const aliceReleases = new ReleasesPage(alice.page);
  await aliceReleases.open();
  const review = await aliceReleases.publish({ file: { name: 'installer.bin', buffer: file }, project: 'app', tasks: ['Write the installer'], title: 'v1.0', predicted: 4 });
  expect(review).toContain('4 MH invested');
  expect(review).toContain('1 MH per download');
  expect(await fitsWidth(alice.page)).toBe(true);

  // Carol downloads it from Alice: the bytes are the published ones.
  const carolReleases = new ReleasesPage(carol.page);
  await carolReleases.open();
  await expect(carolReleases.release('v1.0')).toContainText('Downloading costs 1 MH');
  await carol.page.setViewportSize({ width: 360, height: 740 });
  const carolGot = await carolReleases.download('v1.0');
  expect(await fitsWidth(carol.page)).toBe(true);
  expect(carolGot.bytes.equals(file)).toBe(true);
  expect(carolGot.status).toContain('from 1 peer');

  // Dave downloads it once Carol's download is in his ledger: from both Alice and Carol.
  await dave.page.waitForFunction(() => [...window.__rel().ledger.releases.values()][0]?.downloads === 1, undefined, { timeout: 30_000 });
  // Dave's presence shows both holders online: his download waits for both to link.
  await dave.page.waitForFunction(([a, c]) => {
    const online = window.__rel().online.map((p) => p.account);
    return online.includes(a!) && online.includes(c!);
  }, [aliceId, carolId], { timeout: 30_000 });
  const daveReleases = new ReleasesPage(dave.page);
  await daveReleases.open();
  const daveGot = await daveReleases.download('v1.0');
  expect(daveGot.bytes.equals(file)).toBe(true);
  const waited = await dave.page.evaluate(() => JSON.stringify(Object.values((window.hourmesh!.economies as unknown as { releases: { transfers: Record<string, unknown> } }).releases.transfers)));
  expect(daveGot.status, waited).toContain('from 2 peers');
  // The Releases view with a release, a finished download and the publish form passes axe.
  const { violations } = await new AxeBuilder({ page: dave.page }).analyze();
  expect(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`)).toEqual([]);

  // Every peer applies both downloads and agrees on every balance.
  for (const p of [alice, bob, carol, dave]) {
    await p.page.waitForFunction(() => [...window.__rel().ledger.releases.values()][0]?.downloads === 2, undefined, { timeout: 30_000 });
  }
  const rows = await balances(alice);
  for (const p of [bob, carol, dave]) await expect.poll(() => balances(p), { timeout: 20_000 }).toEqual(rows);

  type Delta = { MH: number; CH: number };
  const delta = async (id: string): Promise<Delta> => {
    const now = await balanceOf(alice, id);
    const was = before.get(id)!;
    return { MH: now.MH - was.MH, CH: now.CH - was.CH };
  };
  const [a, b, c, d] = (await Promise.all([aliceId, bobId, carolId, daveId].map(delta))) as [Delta, Delta, Delta, Delta];
  // The price (1 MH) from each downloader to Bob, the only contributor.
  expect(b.MH).toBe(2000);
  expect(c.MH).toBe(-1000);
  expect(d.MH).toBe(-1000);
  expect(a.MH).toBe(0);
  // Serving fees: 1 milli-CH per started MiB a server sent. Carol paid Alice for all 1.5 MB (2);
  // Dave paid Alice and Carol for what each sent him (each under 1.5 MB, at least one chunk: 1 or 2).
  expect(c.CH + d.CH + a.CH + b.CH).toBe(0);
  expect(b.CH).toBe(0);
  expect(a.CH).toBeGreaterThanOrEqual(2 + 1);
  expect(c.CH).toBeGreaterThanOrEqual(-2 + 1);
  expect(d.CH).toBeLessThanOrEqual(-2);
});
