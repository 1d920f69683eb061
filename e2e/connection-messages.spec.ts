import { expect, test } from './fixtures';
import { inviteLink, parseInviteLink } from '../src/net/invite';

test('a person with the wrong secret sees nobody and nothing, and is told so', async ({ openPerson }) => {
  const alice = await openPerson('Alice');
  await alice.introduce();
  await alice.shell.open('Economy');
  await alice.economy.create('Private club');
  const link = await alice.economy.inviteLink();
  const parsed = parseInviteLink(link);
  if (!parsed.ok) throw new Error(parsed.error);
  const wrong = inviteLink(link, { ...parsed.invite, secret: `${parsed.invite.secret}-typo` });

  const eve = await openPerson('Eve');
  await eve.joinByLink(wrong);
  await eve.shell.open('Economy');
  await expect(eve.economy.connection()).toHaveAttribute('data-state', 'wrong-secret', { timeout: 20_000 });
  await expect(eve.economy.connection()).toContainText('different secret');
  await expect(eve.economy.connection()).toHaveAttribute('data-peers', '0');
  // Nothing of Alice's economy reached Eve: only Eve's own profile entry is in her ledger.
  await expect(eve.economy.balancesTable()).not.toContainText('Alice');
  await expect(eve.page.getByLabel('Ledger summary')).toHaveAttribute('data-entries', '1');
  await expect(alice.economy.connection()).toHaveAttribute('data-peers', '0');
});

test('an unreachable signaling server is named, with what to check', async ({ openPerson }) => {
  const fay = await openPerson('Fay');
  await fay.shell.open('Settings');
  // Port 9 (discard) on loopback: nothing listens there, so the connection is refused at once.
  await fay.settings.addSignaling('ws://127.0.0.1:9/signal');
  await fay.settings.removeDefaultSignaling();
  await expect(fay.settings.signalingList().getByRole('listitem')).toHaveCount(1);
  await expect(fay.settings.signalingList()).toContainText('ws://127.0.0.1:9/signal');
  await fay.shell.open('Economy');
  await fay.economy.create('Alone at home');
  await expect(fay.economy.connection()).toHaveAttribute('data-state', 'signaling-down', { timeout: 20_000 });
  await expect(fay.economy.connection()).toContainText('Cannot reach the signaling server (ws://127.0.0.1:9/signal)');
});
