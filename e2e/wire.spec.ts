import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { resignedByWrongKey, seedTransfers, tamperSignature, writeLedgerFile } from './support/signed-entries';
import { inviteLink, parseInviteLink } from '../src/net/invite';

test('a late joiner receives an economy of 20,000 entries and shows the right balances', async ({ openPerson }) => {
  test.setTimeout(180_000);
  const alice = await openPerson('Alice');
  const founder = await alice.accountId();
  const seed = await seedTransfers(20_000, 200, founder);
  const file = join(tmpdir(), `hourmesh-seed-${Date.now()}.bin`);
  writeLedgerFile(file, seed.entries);

  await alice.shell.open('Economy');
  await alice.economy.create('Big ledger');
  await alice.economy.importLedger(file);
  await expect(alice.economy.importStatus()).toContainText('20000 new entries verified and shared', { timeout: 60_000 });

  const link = await alice.economy.inviteLink();
  const bob = await openPerson('Bob');
  await bob.joinByLink(link);
  await bob.shell.open('Economy');
  await bob.economy.expectPeers(1);
  // Every seeded account, as Node's core computed it, re-derived in Bob's browser.
  await bob.economy.expectEntries(20_000, 90_000);
  const sample = [...seed.balances].slice(0, 25);
  for (const [account, expected] of sample) expect(await bob.economy.balanceOf(account)).toBe(expected);
});
