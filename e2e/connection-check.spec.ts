import { expect, test } from './fixtures';

test('two people in separate browsers see each other\'s writes through signaling and WebRTC', async ({ openPerson }) => {
  const alice = await openPerson('alice');
  const bob = await openPerson('bob');
  for (const person of [alice, bob]) {
    await person.shell.open('Settings');
    await person.settings.startCheck('e2e-two-people');
  }
  // A direct WebRTC connection, not a local shortcut: both count at least one peer.
  await alice.settings.expectDirectPeers(1);
  await bob.settings.expectDirectPeers(1);
  await expect(alice.settings.checkStatus()).toContainText('Connected directly to 1 other device');

  await alice.settings.note().fill('hello from alice');
  await expect(bob.settings.note()).toHaveValue('hello from alice');
  await bob.settings.note().fill('hi alice, bob here');
  await expect(alice.settings.note()).toHaveValue('hi alice, bob here');
});

test('a person alone is told the server is reached and that nobody has joined yet', async ({ openPerson }) => {
  const carol = await openPerson('carol');
  await carol.shell.open('Settings');
  await carol.settings.startCheck('e2e-nobody-else-here');
  await expect(carol.settings.checkStatus()).toContainText('Waiting for another device');
  await expect(carol.settings.checkStatus()).toHaveAttribute('data-peers', '0');
});
