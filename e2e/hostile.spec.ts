import { expect, test } from './fixtures';
import { resignedByWrongKey, tamperSignature } from './support/signed-entries';

test('a hostile peer with the secret cannot change honest balances, and deleted entries come back', async ({ openPerson }) => {
  const [alice, bob] = [await openPerson('Alice'), await openPerson('Bob')];
  for (const p of [alice, bob]) await p.introduce();
  const bobId = await bob.accountId();
  await alice.shell.open('Economy');
  await alice.economy.create('Guarded');
  const link = await alice.economy.inviteLink();
  await bob.joinByLink(link);
  await alice.shell.open('Wallet');
  await alice.wallet.waitForMember('Bob');
  await alice.wallet.send({ toName: 'Bob', amount: '3', currency: 'MH', memo: 'pairing' });
  await alice.wallet.expectSent();
  await bob.shell.open('Economy');
  await expect.poll(() => bob.economy.balanceOf(bobId)).toBe('3 MH 0 CH');
  await alice.shell.open('Economy');
  const honest = await alice.economy.balanceRows();
  expect(await bob.economy.balanceRows()).toEqual(honest);

  // Mallory knows the link, joins the room with a bare document and no ledger, and vandalises it.
  const mallory = await openPerson('Mallory');
  await mallory.page.waitForFunction(() => window.hourmesh !== undefined);
  await mallory.page.evaluate((l) => {
    (window as unknown as { raw: unknown }).raw = window.hourmesh!.openRawDocument(l);
  }, link);
  const rawEntries = () => mallory.page.evaluate(() => {
    const { doc } = (window as unknown as { raw: { doc: import('yjs').Doc } }).raw;
    return [...doc.getMap('entries').entries()].map(([k, v]) => [k, Array.from(v as Uint8Array)] as [string, number[]]);
  });
  await expect.poll(async () => (await rawEntries()).length, { timeout: 20_000 }).toBeGreaterThanOrEqual(4);
  const valid = await rawEntries();
  const transfer = valid.map(([, v]) => Uint8Array.from(v)).sort((a, b) => b.length - a.length)[0]!;
  const forged = tamperSignature(transfer);
  const wrongKey = await resignedByWrongKey(transfer, bobId);

  await mallory.page.evaluate(({ keys, forged, wrongKey }) => {
    const { doc } = (window as unknown as { raw: { doc: import('yjs').Doc } }).raw;
    const map = doc.getMap('entries');
    doc.transact(() => {
      map.set('garbage', new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
      map.set('not-bytes', { amount: 1_000_000 });
      map.set('f'.repeat(64), new Uint8Array(forged));
      map.set('e'.repeat(64), new Uint8Array(wrongKey));
      for (const k of keys) map.delete(k);
    });
  }, { keys: valid.map(([k]) => k), forged: Array.from(forged), wrongKey: Array.from(wrongKey) });

  // The honest peers put every deleted entry back and clear the junk, in Mallory's copy too.
  await expect.poll(async () => (await rawEntries()).map(([k]) => k).sort(), { timeout: 20_000 })
    .toEqual(valid.map(([k]) => k).sort());

  for (const p of [alice, bob]) {
    await expect(p.economy.diagnostics()).toContainText('invalid signature');
    await expect(p.economy.diagnostics()).toContainText('malformed');
    await expect(p.economy.diagnostics()).toContainText('not an entry');
    expect(await p.economy.balanceRows()).toEqual(honest);
  }
});
