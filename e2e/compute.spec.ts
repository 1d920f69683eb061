// Compute donation end to end (issue 9): an owner posts a job of prime counts, donors in browser
// contexts of their own compute it in their sandboxed pools, results are cross-checked and paid
// by every peer's replay, and the owner downloads correct results — also when the owner's tab is
// closed while donors work, when a donor's tab closes mid-job, and when a donor lies.
import { expect, test, type Person } from './fixtures';

type Open = (name: string) => Promise<Person>;

/** Alice founds an economy; each donor joins and is vouched for (so its results count). */
async function economyWithDonors(openPerson: Open, names: string[]) {
  const alice = await openPerson('Alice');
  const donors = await Promise.all(names.map((n) => openPerson(n)));
  for (const p of [alice, ...donors]) await p.introduce();
  const ids = await Promise.all(donors.map((d) => d.accountId()));
  await alice.shell.open('Economy');
  await alice.economy.create('Grid');
  const link = await alice.economy.inviteLink();
  for (const d of donors) await d.joinByLink(link);
  for (const id of ids) await alice.economy.vouch(id, '1');
  // Each donor sees the vouch (its results would not count before).
  for (const [i, d] of donors.entries()) {
    await expect.poll(() => d.page.evaluate((me) => window.hourmesh!.economies.active!.session.ledger.quorumProblem(me) ?? 'ok', ids[i]!), { timeout: 30_000 }).toBe('ok');
  }
  return { alice, donors, ids, aliceId: await alice.accountId() };
}

/** Prime counts of [a, b) for each unit, computed here by a sieve, split as the catalog splits. */
function expectedPrimes(from: number, to: number, units: number): { from: number; to: number; primes: number }[] {
  const sieve = new Uint8Array(to).fill(1);
  sieve[0] = 0;
  if (to > 1) sieve[1] = 0;
  for (let i = 2; i * i < to; i++) if (sieve[i]) for (let j = i * i; j < to; j += i) sieve[j] = 0;
  return Array.from({ length: units }, (_, i) => {
    const a = from + Math.floor(((to - from) * i) / units);
    const b = from + Math.floor(((to - from) * (i + 1)) / units);
    let primes = 0;
    for (let n = a; n < b; n++) primes += sieve[n]!;
    return { from: a, to: b, primes };
  });
}

interface LedgerView {
  ceiling: number;
  units: { index: number; status: string; results: { donor: string; hash: string; claim: number; outcome: string }[] }[];
  balances: Record<string, number>;
}

/** What one peer's ledger says about the job and the CH balances of `accounts`. */
async function ledgerView(person: Person, title: string, accounts: string[]): Promise<LedgerView> {
  return person.page.evaluate(({ title, accounts }) => {
    const ledger = window.hourmesh!.economies.active!.session.ledger;
    const job = ledger.jobs.find((j) => j.body.title === title)!;
    const units = [...ledger.unitsOf(job.id).values()].map((u) => ({
      index: u.index, status: u.status, results: u.results.map((r) => ({ donor: r.donor, hash: r.hash, claim: r.claim, outcome: r.outcome })),
    })).sort((a, b) => a.index - b.index);
    return { ceiling: job.body.ceiling, units, balances: Object.fromEntries(accounts.map((a) => [a, ledger.balanceOf(a).CH])) };
  }, { title, accounts });
}

/**
 * The payments the rule promises, recomputed here from the results: each validated unit pays the
 * first `redundancy` agreeing results min(lowest claim among them, ceiling); nothing else is paid.
 */
function grantedFrom(view: LedgerView, redundancy: number): Map<string, number> {
  const granted = new Map<string, number>();
  for (const u of view.units) {
    if (u.status !== 'validated') continue;
    const byHash = new Map<string, typeof u.results>();
    for (const r of u.results) byHash.set(r.hash, [...(byHash.get(r.hash) ?? []), r]);
    const quorum = [...byHash.values()].find((rs) => rs.length >= redundancy)!.slice(0, redundancy);
    const pay = Math.min(view.ceiling, ...quorum.map((r) => r.claim));
    for (const r of quorum) granted.set(r.donor, (granted.get(r.donor) ?? 0) + pay);
  }
  return granted;
}

/** Every peer's ledger agrees on the job and on balances that moved by exactly the granted amounts. */
async function expectPaidExactly(people: Person[], title: string, ownerId: string, donorIds: string[], redundancy: number) {
  const accounts = [ownerId, ...donorIds];
  // The last results reach the other peers a moment after one peer saw them: wait until every
  // peer holds the same job and balances (comparing at once made this test depend on who was first).
  let views: LedgerView[] = [];
  await expect.poll(async () => {
    views = await Promise.all(people.map((p) => ledgerView(p, title, accounts)));
    return views.every((v) => JSON.stringify(v) === JSON.stringify(views[0]));
  }, { timeout: 30_000 }).toBe(true);
  for (const v of views.slice(1)) expect(v).toEqual(views[0]);
  const granted = grantedFrom(views[0]!, redundancy);
  const total = [...granted.values()].reduce((a, b) => a + b, 0);
  expect(total).toBeGreaterThan(0);
  expect(views[0]!.balances[ownerId]).toBe(-total);
  for (const id of donorIds) expect(views[0]!.balances[id]).toBe(granted.get(id) ?? 0);
  return { view: views[0]!, granted };
}

async function expectCorrectJson(owner: Person, title: string, from: number, to: number, units: number) {
  const json = JSON.parse(await owner.compute.download(title, 'JSON')) as { results: { unit: number; from: number; to: number; primes: number }[]; summary: { primes: number } };
  const expected = expectedPrimes(from, to, units);
  expect(json.results.map(({ from, to, primes }) => ({ from, to, primes }))).toEqual(expected);
  expect(json.summary.primes).toBe(expected.reduce((s, r) => s + r.primes, 0));
}

test('an owner and two donors: every unit validated by both, balances move by exactly the grants, correct results', async ({ openPerson }) => {
  test.setTimeout(180_000);
  const { alice, donors, ids, aliceId } = await economyWithDonors(openPerson, ['Bob', 'Carol']);
  const job = { title: 'Primes to 200k', from: 0, to: 200_000, units: 20 };
  // The owner and one donor use a 360 px wide phone screen: nothing may scroll sideways.
  for (const p of [alice, donors[0]!]) await p.page.setViewportSize({ width: 360, height: 780 });
  await alice.shell.open('Compute');
  await alice.compute.postPrimes(job);
  await expect(alice.compute.jobStatus(job.title)).toContainText(/Waiting for donors|Computing/);
  for (const d of donors) {
    await d.shell.open('Compute');
    await d.compute.startDonating();
  }
  await expect(donors[0]!.compute.donorStatus()).toContainText(/Computing unit \d+ of 20|Waiting for work/);
  await expect(alice.compute.jobStatus(job.title)).toContainText('Job validated', { timeout: 120_000 });
  for (const p of [alice, donors[0]!]) expect(await p.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  // The economy's document carries only signed entries: no job data reaches the economy's members.
  for (const p of [alice, ...donors]) {
    expect(await p.page.evaluate(async () => (await window.hourmesh!.economies.active!.session.debugDocument({ op: 'roots' })).keys)).toEqual(['entries']);
  }

  const { view, granted } = await expectPaidExactly([alice, ...donors], job.title, aliceId, ids, 2);
  expect(view.units).toHaveLength(job.units);
  for (const u of view.units) {
    expect(u.status).toBe('validated');
    expect(new Set(u.results.map((r) => r.donor))).toEqual(new Set(ids));
  }
  // Each donor's panel shows what the ledger granted it.
  for (const [i, d] of donors.entries()) {
    await expect(d.compute.earned()).toHaveText(`${(granted.get(ids[i]!)! / 1000).toLocaleString('en-US', { maximumFractionDigits: 3 })} CH`);
  }
  await expectCorrectJson(alice, job.title, job.from, job.to, job.units);
});

test('the owner closes its tab after posting; donors finish and are paid; the owner returns to its results', async ({ openPerson }) => {
  test.setTimeout(180_000);
  const { alice, donors, ids, aliceId } = await economyWithDonors(openPerson, ['Bob', 'Carol']);
  const job = { title: 'Primes while away', from: 1_000, to: 121_000, units: 20 };
  for (const d of donors) {
    await d.shell.open('Compute');
    await d.compute.startDonating();
  }
  await alice.shell.open('Compute');
  await alice.compute.postPrimes(job);
  // The card says when the inputs are safe with donors: then the tab may close.
  await expect(alice.compute.job(job.title).getByLabel('Donors holding the inputs')).toHaveText('2', { timeout: 60_000 });
  await alice.page.close();

  await expect.poll(async () => (await ledgerView(donors[0]!, job.title, [])).units.filter((u) => u.status === 'validated').length, { timeout: 120_000 }).toBe(job.units);
  await expectPaidExactly(donors, job.title, aliceId, ids, 2);

  const back = await alice.context.newPage();
  await back.goto('/#/compute');
  const owner = new (alice.constructor as typeof Person)('Alice', alice.context, back);
  await expect(owner.compute.jobStatus(job.title)).toContainText('Job validated', { timeout: 60_000 });
  await expect(owner.compute.job(job.title)).toContainText(`${job.units} results here`, { timeout: 60_000 });
  await expectPaidExactly([owner, ...donors], job.title, aliceId, ids, 2);
  await expectCorrectJson(owner, job.title, job.from, job.to, job.units);
});

test('a donor closes its tab mid-job: its units are reissued and the job completes', async ({ openPerson }) => {
  test.setTimeout(180_000);
  const { alice, donors, ids, aliceId } = await economyWithDonors(openPerson, ['Bob', 'Carol', 'Dave']);
  const [bob, carol, dave] = donors as [Person, Person, Person];
  const job = { title: 'Primes with a leaver', from: 0, to: 300_000, units: 24, deadlineSeconds: 5 };
  await alice.shell.open('Compute');
  await alice.compute.postPrimes(job);
  // Dave's tab is caught mid-unit: a test-only switch holds his units unfinished until it closes.
  await dave.page.evaluate(() => {
    window.hourmesh!.compute.donor!.holdUnits = true;
  });
  await dave.shell.open('Compute');
  await dave.compute.startDonating();
  await expect(dave.compute.donorStatus()).toContainText('Computing unit', { timeout: 60_000 });
  const daveUnits = await dave.page.evaluate(() => [...window.hourmesh!.compute.donor!.running.values()].map((u) => u.unit));
  expect(daveUnits.length).toBeGreaterThan(0);
  await dave.page.close();
  for (const d of [bob, carol]) {
    await d.shell.open('Compute');
    await d.compute.startDonating();
  }
  await expect(alice.compute.jobStatus(job.title)).toContainText('Job validated', { timeout: 150_000 });
  const { view } = await expectPaidExactly([alice, bob, carol], job.title, aliceId, ids, 2);
  // What Dave held when his tab closed was computed by the others.
  for (const unit of daveUnits) {
    const u = view.units.find((x) => x.index === unit)!;
    expect(u.status).toBe('validated');
    expect(u.results.map((r) => r.donor).sort()).toEqual([ids[0], ids[1]].sort());
  }
  expect(view.balances[ids[2]!]).toBe(0);
  await expectCorrectJson(alice, job.title, job.from, job.to, job.units);
});

test('a tampering donor is paid nothing for its corrupted units and the job still completes correctly', async ({ openPerson }) => {
  test.setTimeout(180_000);
  const { alice, donors, ids, aliceId } = await economyWithDonors(openPerson, ['Mallory', 'Carol', 'Dave']);
  const [mallory, ...honest] = donors as [Person, Person, Person];
  await mallory.page.evaluate(() => {
    window.hourmesh!.compute.donor!.tamper = true;
  });
  const job = { title: 'Primes despite a liar', from: 0, to: 200_000, units: 20 };
  await alice.shell.open('Compute');
  await alice.compute.postPrimes(job);
  // The liar starts first, so it returns results for many units before the honest donors come.
  await mallory.shell.open('Compute');
  await mallory.compute.startDonating();
  await expect.poll(async () => (await ledgerView(alice, job.title, [])).units.length, { timeout: 60_000 }).toBeGreaterThan(3);
  for (const d of honest) {
    await d.shell.open('Compute');
    await d.compute.startDonating();
  }
  await expect(alice.compute.jobStatus(job.title)).toContainText('Job validated', { timeout: 150_000 });
  const { view, granted } = await expectPaidExactly([alice, ...donors], job.title, aliceId, ids, 2);
  const lies = view.units.flatMap((u) => u.results.filter((r) => r.donor === ids[0]));
  expect(lies.length).toBeGreaterThan(0);
  for (const r of lies) expect(r.outcome).toBe('lost');
  expect(granted.get(ids[0]!) ?? 0).toBe(0);
  await expect(mallory.compute.earned()).toHaveText('0 CH');
  await expectCorrectJson(alice, job.title, job.from, job.to, job.units);
});

test('an uploaded module with an import is refused with the reason; a Mandelbrot image assembles and downloads as PNG', async ({ openPerson }) => {
  test.setTimeout(180_000);
  const { alice, donors } = await economyWithDonors(openPerson, ['Bob', 'Carol']);
  await alice.shell.open('Compute');
  // (module (import "env" "f" (func))): a kernel may import nothing.
  const withImport = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 2, 9, 1, 3, 0x65, 0x6e, 0x76, 1, 0x66, 0, 0]);
  await alice.compute.reviewUpload('Mine', withImport, ['00', '01']);
  await expect(alice.page.getByRole('alert').filter({ hasText: 'This module is refused' })).toHaveText(
    'This module is refused: It has imports: env.f (function). A kernel may import nothing.',
  );
  await expect(alice.page.getByRole('region', { name: 'Confirm job' })).toHaveCount(0);

  const title = 'Small Mandelbrot';
  await alice.compute.post({ title, kernel: 'mandelbrot', params: { width: 64, height: 48, tile: 16, maxIter: 300 } });
  for (const d of donors) {
    await d.shell.open('Compute');
    await d.compute.startDonating();
  }
  await expect(alice.compute.jobStatus(title)).toContainText('Job validated', { timeout: 120_000 });
  await expect(alice.compute.job(title).getByLabel('Image: 12 tiles here')).toBeVisible();
  const png = await alice.compute.downloadBytes(title, 'PNG');
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(png.readUInt32BE(16)).toBe(64);
  expect(png.readUInt32BE(20)).toBe(48);
});
