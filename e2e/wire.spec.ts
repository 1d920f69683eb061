import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { seedEconomy, writeLedgerFile } from './support/signed-entries';
import { inviteLink } from '../src/net/invite';

test('a late joiner receives an economy of 20,000 entries and shows the right balances', async ({ openPerson }) => {
  test.setTimeout(180_000);
  const alice = await openPerson('Alice');
  // An economy founded in Node (its founder's key never reaches a browser); Alice joins it and
  // seeds it from a ledger file, Bob joins later and receives everything from Alice.
  const seed = await seedEconomy(20_000, 200, 'Big ledger');
  const file = join(tmpdir(), `hourmesh-seed-${Date.now()}.bin`);
  writeLedgerFile(file, seed.entries);
  const link = inviteLink(alice.page.url(), seed.invite);

  await alice.joinByLink(link);
  await alice.shell.open('Economy');
  await alice.economy.importLedger(file);
  await expect(alice.economy.importStatus()).toContainText('20000 new entries verified and shared', { timeout: 60_000 });

  const bob = await openPerson('Bob');
  await bob.joinByLink(link);
  await bob.shell.open('Economy');
  await bob.economy.expectPeers(1);
  // Every seeded account, as Node's core computed it, re-derived in Bob's browser.
  await bob.economy.expectEntries(20_000, 90_000);
  const sample = [...seed.balances].slice(0, 25);
  for (const [account, expected] of sample) expect(await bob.economy.balanceOf(account)).toBe(expected);
});
