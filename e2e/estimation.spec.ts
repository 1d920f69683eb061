// Live estimation (issue 10): three people, each a browser context of their own (Carol on a phone
// profile narrowed to 360 px), estimate two tasks over the real signaling server and WebRTC.
// Task 1 settles in one round; task 2 needs a re-vote. Before each reveal, another peer's whole
// documents (the session's and the economy's, encoded byte for byte) and the session's awareness
// states hold no vote: no salt (raw or hex), no revealed value, no reveal record — while the
// commitments are there. Carol reloads mid-round and keeps her vote; Bob leaves and the others'
// votes are still revealed; Bob, as a hostile member, signs a settled estimate the votes do not
// support and every honest peer rejects it; the facilitator role passes to the phone; a late
// joiner sees the current round; two people settling at once end with one result.
// Tasks are posted through the debug handle (the Tasks view is another branch's); everything
// about the estimate goes through the Estimate view.
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Person } from './fixtures';
import { EstimatePage } from './pages/estimate.page';

test.setTimeout(240_000);

type Hm = NonNullable<Window['hourmesh']>;

async function postTask(p: Person, title: string): Promise<string> {
  return p.page.evaluate(async (title) => {
    const result = await window.hourmesh!.economies.active!.session.postTask({ title, description: 'Test task', criteria: 'It works', project: 'web', reviewers: [] });
    if (!result.ok) throw new Error(result.error);
    return result.entryId;
  }, title);
}

/** What the voter's own device keeps for the current round: value, salt, commitment. */
async function mySecret(p: Person) {
  return p.page.evaluate(() => {
    const live = (window.hourmesh as Hm).estimation.live!;
    const secret = live.session.myVote(live.view.current!.n);
    if (!secret) throw new Error('no vote kept on this device');
    return { value: secret.value, salt: secret.salt, commitment: secret.commitment };
  });
}

/**
 * Everything `observer` holds: both documents encoded whole, and the session's awareness states,
 * searched for each secret in every encoding a leak could take.
 */
async function leaks(observer: Person, secrets: { value: number | string; salt: string; commitment: string }[]) {
  return observer.page.evaluate(async (secrets) => {
    const hm = window.hourmesh as Hm;
    const live = hm.estimation.live!;
    const economy = hm.economies.active!.session;
    const economyDocs: Uint8Array[] = [];
    for (const g of economy.generations) economyDocs.push((await economy.debugDocument({ op: 'encode' }, g)).value as Uint8Array);
    const docs = [hm.encodeDocument(live.session.doc), ...economyDocs];
    const awareness = live.session.awarenessJson();
    const ascii = (s: string) => new TextEncoder().encode(s);
    const hexBytes = (h: string) => Uint8Array.from(h.match(/../g)!.map((b) => parseInt(b, 16)));
    const contains = (hay: Uint8Array, needle: Uint8Array) => {
      outer: for (let i = 0; i + needle.length <= hay.length; i++) {
        for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
        return true;
      }
      return false;
    };
    const found: string[] = [];
    for (const s of secrets) {
      for (const doc of docs) {
        if (contains(doc, hexBytes(s.salt))) found.push(`salt bytes ${s.salt}`);
        if (contains(doc, ascii(s.salt))) found.push(`salt hex ${s.salt}`);
        if (contains(doc, ascii(`"value":${JSON.stringify(s.value)}`))) found.push(`value ${s.value}`);
      }
      if (awareness.includes(s.salt)) found.push(`salt in awareness ${s.salt}`);
      if (awareness.includes(`${s.value}`) && awareness.includes('"value"')) found.push(`value in awareness ${s.value}`);
    }
    // The economy's documents never hold a reveal payload; the session's holds earlier rounds' only.
    for (const doc of docs.slice(1)) if (contains(doc, ascii('"value":'))) found.push('a reveal payload in the economy document');
    if ([...live.session.doc.getMap('estimation').keys()].some((k) => k.startsWith(`v:${live.view.current!.n}:`))) found.push('a reveal key');
    // The commitments themselves are in the economy's document (the right bytes were searched).
    const commitmentsSeen = secrets.every((s) => docs.some((d) => contains(d, hexBytes(s.commitment))));
    return { found, commitmentsSeen, awarenessStates: JSON.parse(awareness).length as number };
  }, secrets);
}

/** axe over the page as it is now, in both colour schemes: one line per violation. */
async function axe(page: Person['page'], who: string): Promise<string[]> {
  const found: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    const { violations } = await new AxeBuilder({ page }).analyze();
    found.push(...violations.map((v) => `${who} ${colorScheme}: ${v.id} at ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`));
  }
  await page.emulateMedia({ colorScheme: null });
  return found;
}

async function taskOn(p: Person, id: string) {
  return p.page.evaluate((id) => {
    const task = window.hourmesh!.economies.active!.session.ledger.taskOf(id)!;
    return {
      status: task.status, estimate: task.estimate ?? null,
      estimates: task.events.filter((e) => e.action === 'estimate').map((e) => ({ entry: e.entryId, status: e.status, reason: e.reason ?? null })),
    };
  }, id);
}

test('three people estimate two tasks: hidden votes, reveal, re-vote, reload, a leaver, a hostile settlement, a double settle', async ({ openPerson }) => {
  const alice = await openPerson('Alice');
  const bob = await openPerson('Bob');
  const carol = await openPerson('Carol', { device: 'Pixel 7' });
  await carol.page.setViewportSize({ width: 360, height: 780 });
  for (const p of [alice, bob, carol]) await p.introduce();
  const [bobId, carolId] = [await bob.accountId(), await carol.accountId()];
  await alice.shell.open('Economy');
  await alice.economy.create('Poker night');
  const invite = await alice.economy.inviteLink();
  await bob.joinByLink(invite);
  await carol.joinByLink(invite);
  // The sybil rule (docs/TASKS.md "Who counts"): the founder, and members someone vouched for.
  await alice.shell.open('Economy');
  await alice.economy.vouch(bobId, '5');
  await alice.economy.vouch(carolId, '5');
  const login = await postTask(alice, 'Login page');
  const report = await postTask(alice, 'Export report');

  const [a, b, c] = [new EstimatePage(alice.page), new EstimatePage(bob.page), new EstimatePage(carol.page)];
  await alice.shell.open('Estimate');
  const link = await a.startSession();
  await b.open(link);
  await c.open(link);
  await a.facilitate();
  // The session's own room (a WebRTC link per pair) is new here: under load its links take longer
  // than the default 15 s to open, as the next check already allows for.
  for (const p of [b, c]) await expect(p.status()).toContainText('Alice facilitates', { timeout: 30_000 });
  // Everyone sees everyone present before the first vote (the auto-reveal waits for whom the
  // facilitator sees).
  for (const p of [a, b, c]) await expect(p.page.getByRole('list', { name: 'Participants' }).getByRole('listitem')).toHaveCount(3, { timeout: 30_000 });

  // Task 1: one round, everyone 5 h (Carol on the phone votes last).
  await a.putToVote('Login page');
  await expect(c.status()).toContainText('Voting on "Login page"');
  await a.vote('5');
  await b.vote('5');
  for (const p of [a, b, c]) {
    await p.expectVoted('Alice');
    await p.expectVoted('Bob');
  }
  const round1 = [await mySecret(alice), await mySecret(bob)];
  // The phone's voting screen (cards, free value, references) passes axe.
  expect(await axe(carol.page, 'Carol voting')).toEqual([]);
  const seen1 = await leaks(carol, round1);
  expect(seen1).toMatchObject({ found: [], commitmentsSeen: true });
  expect(seen1.awarenessStates).toBeGreaterThanOrEqual(3);
  await c.vote('5');
  for (const p of [a, b, c]) for (const name of ['Alice', 'Bob', 'Carol']) await p.expectRevealed(name, '5');
  await expect(a.status()).toContainText('the team agrees on 5 h');
  await a.settle('5');
  for (const p of [a, b, c]) await expect(p.status()).toContainText('"Login page" is estimated at 5 MH');
  for (const p of [alice, bob, carol]) expect(await taskOn(p, login)).toMatchObject({ status: 'estimated', estimate: 5000 });

  // Task 2, round 1: far apart. Carol votes first, then reloads mid-round and keeps her vote.
  await a.putToVote('Export report');
  await expect(c.status()).toContainText('Voting on "Export report"');
  await c.vote('3');
  await expect(c.hiddenVote()).toContainText('3 h');
  await carol.page.reload();
  await expect(c.hiddenVote()).toContainText('3 h', { timeout: 20_000 });
  await a.vote('2');
  for (const p of [a, b]) await p.expectVoted('Carol');
  // Bob's awareness holds Carol again (her reloaded page reconnected) before it is searched.
  await expect(b.participant('Carol')).not.toContainText('offline', { timeout: 30_000 });
  const round2 = [await mySecret(carol), await mySecret(alice)];
  expect(round2[0]!.value).toBe(3000);
  const seen2 = await leaks(bob, round2);
  expect(seen2).toMatchObject({ found: [], commitmentsSeen: true });
  expect(seen2.awarenessStates).toBeGreaterThanOrEqual(3);
  await b.vote('13');
  for (const p of [a, b, c]) {
    await p.expectRevealed('Carol', '3');
    await p.expectRevealed('Bob', '13');
    await expect(p.status()).toContainText('discuss and vote again');
  }

  // Bob, hostile, settles round 1 at his own 13 h, naming the real reveals: replay refuses it.
  // (A modified client signs whatever it likes: the debug handle's unchecked publish.)
  const forged = await bob.page.evaluate(async ({ task }) => {
    const hm = window.hourmesh as Hm;
    const round = hm.estimation.live!.view.current!;
    const votes = [...round.reveals].map(([voter, r]) => ({ voter, value: r.value, salt: r.salt, commitment: round.commits.get(voter)! }));
    return hm.economies.active!.session.publish('task-estimate', { task, round: round.taskRound, estimate: 13000, votes });
  }, { task: report });
  // Published all the same; Bob's own ledger rejects it too.
  expect(forged).toMatchObject({ ok: false, error: expect.stringContaining('the votes do not settle') });
  for (const p of [alice, bob, carol]) {
    await expect.poll(() => taskOn(p, report), { timeout: 20_000 }).toMatchObject({
      status: 'estimating', estimate: null, estimates: [{ status: 'rejected', reason: expect.stringContaining('do not settle') }],
    });
  }
  await expect(a.status()).toContainText('discuss and vote again');

  // Alice hands the facilitator role to Carol, who starts the re-vote from her phone.
  await a.makeFacilitator('Carol');
  for (const p of [a, b, c]) await expect(p.participant('Carol')).toContainText('facilitator');
  await expect(a.participant('Alice')).not.toContainText('facilitator');

  // Round 2: Bob leaves; Alice and Carol vote and are revealed without him.
  await c.voteAgain();
  for (const p of [a, c]) await expect(p.status()).toContainText('"Export report" (round 2)');
  await bob.context.close();
  // Until a page notices the closed link (WebRTC can take tens of seconds), Bob still looks
  // present there; the facilitator (Carol) decides the auto-reveal, so both must have noticed.
  for (const p of [a, c]) await expect(p.participant('Bob')).toHaveCount(0, { timeout: 60_000 });
  // A late joiner (Dave: a member nobody vouched for, so present but his vote would not count)
  // sees the current round and the ticks, and holds nothing up.
  const dave = await openPerson('Dave');
  await dave.introduce();
  await dave.joinByLink(invite);
  const d = new EstimatePage(dave.page);
  await d.open(link);
  await expect(d.status()).toContainText('Voting on "Export report" (round 2)');
  // Dave's own copy of the ledger (the task, who vouched for whom) comes with his first economy sync:
  // on a loaded 2-core machine that took more than the default 15 s once in ten.
  await expect(dave.page.getByText('Your vote would not count yet')).toBeVisible({ timeout: 60_000 });
  await a.vote('5');
  await d.expectVoted('Alice');
  await c.vote('5');
  for (const p of [a, c, d]) {
    await p.expectRevealed('Alice', '5');
    await p.expectRevealed('Carol', '5');
    await expect(p.status()).toContainText('the team agrees on 5 h');
  }

  // Alice and Carol settle at the same moment (what the button calls, on both pages at once):
  // one entry applies, a second (if both were signed) is refused, on every peer alike.
  const settleNow = (p: Person) => p.page.evaluate(() => (window.hourmesh as Hm).estimation.live!.settle());
  const both = await Promise.all([settleNow(alice), settleNow(carol)]);
  expect(both.some((r) => r.ok)).toBe(true);
  for (const p of [a, c]) await expect(p.status()).toContainText('"Export report" is estimated at 5 MH');
  const final = async (p: Person) => {
    const t = await taskOn(p, report);
    return { status: t.status, estimate: t.estimate, applied: t.estimates.filter((e) => e.status === 'applied').map((e) => e.entry) };
  };
  // Both pages are read on every look: Alice's own entry applies first on her page and may give way
  // to Carol's once it arrives (replay order), so a snapshot of Alice's page taken once could be stale.
  await expect.poll(async () => {
    const [x, y] = await Promise.all([final(alice), final(carol)]);
    return JSON.stringify(x) === JSON.stringify(y);
  }, { timeout: 30_000 }).toBe(true);
  const agreed = await final(alice);
  expect(agreed.status).toBe('estimated');
  expect(agreed.estimate).toBe(5000);
  expect(agreed.applied).toHaveLength(1);

  // On the 360 px phone nothing scrolls sideways, and the three rounds are listed.
  expect(await carol.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  await expect(carol.page.getByRole('list', { name: 'Rounds of this session' }).getByRole('listitem')).toHaveCount(3);
  // The session screen passes axe on the phone and on the desktop, in both colour schemes.
  expect([...(await axe(carol.page, 'Carol')), ...(await axe(alice.page, 'Alice'))]).toEqual([]);
});
