// Donors online, the forecast's requests where people act, and the epoch length a founder
// chooses (issue 11): a 1-minute epoch shows on the Dashboard and in the Economy view; a job's
// queued units put a request for cpu-hours in a member's Compute view, whose switch starts and
// stops donating; the founder's device samples that member as a donor online and charts it; an
// estimated task nobody has claimed is asked for in the Tasks view, linking the task.
import { expect, test, type Person } from './fixtures';
import { TasksPage } from './pages/tasks.page';

test('a founder choosing a 1-minute epoch sees it on the Dashboard and in the economy’s settings, on a 360 px phone', async ({ openPerson }) => {
  const ada = await openPerson('ada');
  await ada.page.setViewportSize({ width: 360, height: 740 });
  await ada.shell.open('Economy');
  await ada.economy.create('Minute economy', { epoch: '1 minute (for demos and tests)' });
  await expect(ada.page.getByTestId('economy-epoch')).toHaveText('1 minute');
  // The length is in the founder's signed settings entry: the ledger replays it.
  await expect.poll(() => ada.page.evaluate(() => window.hourmesh!.economies.active!.epochMs)).toBe(60_000);
  await ada.shell.open('Dashboard');
  await expect(ada.page.getByTestId('dashboard-epoch')).toHaveText('epochs of 1 minute');
  await expect(ada.page.getByTestId('donors-chart')).toBeVisible();
  expect(await ada.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
});

test('queued units ask for cpu-hours in Compute; the banner’s switch donates, and the founder charts the donor online', async ({ openPerson }) => {
  const alice = await openPerson('Alice');
  const bob = await openPerson('Bob');
  for (const p of [alice, bob]) await p.introduce();
  await alice.shell.open('Economy');
  await alice.economy.create('Asking economy', { epoch: '5 minutes (for demos and tests)' });
  const link = await alice.economy.inviteLink();
  await bob.joinByLink(link);
  await alice.economy.expectPeers(1);
  // 4 units × 2 donors × at most 0.5 CH: 4 CH waits, and nothing has been paid yet. (One donor's
  // few cores deliver far less than that in a 5-minute epoch, so the request stays.)
  await alice.shell.open('Compute');
  await alice.compute.postPrimes({ title: 'Wanted primes', from: 2, to: 20_000, units: 4, ceiling: '0.5' });

  await bob.shell.open('Compute');
  await expect(bob.compute.requestBanner()).toContainText('About 4 cpu-hours more are needed this epoch — donate this tab');
  await expect(bob.compute.requestSwitch()).not.toBeChecked();
  await expect(bob.compute.donorStatus()).toHaveText('Not donating.');
  // Alice's device has counted nobody donating so far.
  await expect.poll(() => alice.page.evaluate(() => window.hourmesh!.donors.samples.at(-1)?.donors)).toBe(0);

  await bob.compute.requestSwitch().check();
  // The banner's switch is the donor's: the panel's switch follows and the tab starts donating.
  await expect(bob.compute.donateSwitch()).toBeChecked();
  await expect(bob.compute.donorStatus()).not.toHaveText('Not donating.');
  // Bob's presence says he donates: Alice's samples and her Dashboard's chart show one donor.
  await expect.poll(() => alice.page.evaluate(() => window.hourmesh!.donors.samples.at(-1)?.donors), { timeout: 20_000 }).toBe(1);
  await expect.poll(() => alice.page.evaluate(() => window.hourmesh!.donors.samples.at(-1)?.milliCores ?? 0)).toBeGreaterThan(0);
  await alice.shell.open('Dashboard');
  await expect(alice.page.getByTestId('donors-chart')).toContainText('Donors: 1');
  await expect(alice.page.getByTestId('backlog')).toContainText('the donors online seen here could deliver');

  // Switched off from the banner: the donor stops and Alice counts nobody again.
  await bob.compute.requestSwitch().uncheck();
  await expect(bob.compute.donateSwitch()).not.toBeChecked();
  await expect(bob.compute.donorStatus()).toHaveText('Not donating.');
  await expect.poll(() => alice.page.evaluate(() => window.hourmesh!.donors.samples.at(-1)?.donors), { timeout: 20_000 }).toBe(0);
  await expect(alice.page.getByTestId('donors-chart')).toContainText('Donors: 0');
});

type TaskSession = {
  me: string;
  ledger: { taskOf(id: string): { status: string; rounds: { commits: unknown[] }[] } | undefined };
  commitVote(i: { task: string; round: number; value: number; salt: string }): Promise<{ ok: boolean }>;
  settleEstimate(i: { task: string; round: number; reveals: { voter: string; value: number; salt: string }[] }): Promise<{ ok: boolean }>;
};

/** Waits until this page's ledger has the task estimating with `votes` commitments in round 1. */
async function waitForVotes(p: Person, task: string, votes: number) {
  await p.page.waitForFunction(({ task, votes }) => {
    const t = (window.hourmesh!.economies.active as unknown as { session: TaskSession }).session.ledger.taskOf(task);
    return t?.status === 'estimating' && (t.rounds[0]?.commits.length ?? 0) >= votes;
  }, { task, votes }, { timeout: 20_000 });
}

/** Commits an honest vote of `value` milli-hours in round 1 through the session (the live session has its own spec). */
function commit(p: Person, task: string, value: number, salt: string) {
  return p.page.evaluate(({ task, value, salt }) => (window.hourmesh!.economies.active as unknown as { session: TaskSession }).session.commitVote({ task, round: 1, value, salt }), { task, value, salt });
}

test('an estimated task nobody has claimed is asked for in the Tasks view, linking the task', async ({ openPerson }) => {
  const ida = await openPerson('ida');
  const jon = await openPerson('jon');
  const jonId = await jon.accountId();
  await ida.shell.open('Economy');
  await ida.economy.create('Wanting economy');
  await jon.joinByLink(await ida.economy.inviteLink());
  // Jon may vote once someone stakes on him (docs/TASKS.md "Who counts").
  await ida.economy.vouch(jonId, '1');
  const tasks = new TasksPage(ida.page);
  await tasks.open();
  await expect(ida.page.getByRole('region', { name: 'Requests for man-hours' })).toHaveCount(0);
  const task = await tasks.post({ title: 'Port the parser', description: 'To TypeScript.', criteria: 'The tests pass.' });
  await tasks.openTask('Port the parser');
  await tasks.startEstimating();
  await tasks.expectStatus('Estimating');
  // Both vote 20 h (honest commitments); Ida settles with both reveals.
  const [idaVote, jonVote] = [{ value: 20_000, salt: '33'.repeat(16) }, { value: 20_000, salt: '44'.repeat(16) }];
  await waitForVotes(jon, task, 0);
  expect(await commit(jon, task, jonVote.value, jonVote.salt)).toMatchObject({ ok: true });
  expect(await commit(ida, task, idaVote.value, idaVote.salt)).toMatchObject({ ok: true });
  await waitForVotes(ida, task, 2);
  const settled = await ida.page.evaluate(({ task, reveals }) =>
    (window.hourmesh!.economies.active as unknown as { session: TaskSession }).session.settleEstimate({ task, round: 1, reveals }), {
    task, reveals: [{ voter: await ida.page.evaluate(() => window.hourmesh!.economies.active!.me), ...idaVote }, { voter: jonId, ...jonVote }],
  });
  expect(settled).toMatchObject({ ok: true });
  await tasks.expectStatus('Estimated');
  await tasks.open();
  const banner = ida.page.getByRole('note', { name: 'Task request: Port the parser' });
  await expect(banner).toHaveText('Task “Port the parser” needs 20 man-hours');
  await banner.getByRole('link', { name: '“Port the parser”' }).click();
  await expect(ida.page.getByRole('heading', { level: 2, name: 'Port the parser' })).toBeVisible();
  await expect(ida.page).toHaveURL(new RegExp(`#/tasks/${task}$`));
});
