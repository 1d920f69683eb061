// Identity: each person gets a key on first visit; the name survives a reload; a backup made by
// one person opens on another person's device only with the right passphrase, after the fork
// warning is confirmed, and then that device acts as the first person's account.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures';

const SHORT_ID = /^[0-9a-f]{8}…[0-9a-f]{4}$/;

test('a person gets an identity, renames themself and keeps the name after a reload', async ({ openPerson }) => {
  const ada = await openPerson('Ada');
  await ada.shell.open('Settings');
  await expect(ada.identity.shortId()).toHaveText(SHORT_ID);
  const id = await ada.identity.fullId();
  expect(id).toMatch(/^[0-9a-f]{64}$/);
  await expect(ada.identity.nameInput()).toHaveValue(`Member ${id.slice(0, 4)}`);

  await ada.identity.rename('  Ada Lovelace  ');
  await ada.identity.recolour('Violet');
  await ada.page.reload();
  await ada.shell.open('Settings');
  await expect(ada.identity.nameInput()).toHaveValue('Ada Lovelace');
  await expect(ada.identity.card().getByRole('radio', { name: 'Violet' })).toBeChecked();
  expect(await ada.identity.fullId()).toBe(id);
});

test('a backup restores on another device only with its passphrase, after the fork warning', async ({ openPerson }) => {
  const dir = mkdtempSync(join(tmpdir(), 'hourmesh-backup-'));
  const ada = await openPerson('Ada');
  await ada.shell.open('Settings');
  await ada.identity.rename('Ada');
  const adaId = await ada.identity.fullId();

  await ada.identity.askForBackup('short');
  await expect(ada.identity.error()).toContainText('at least 8 characters');
  await ada.identity.askForBackup('correct horse battery', 'correct horse batterY');
  await expect(ada.identity.error()).toContainText('differ');

  const path = join(dir, 'backup.json');
  const fileName = await ada.identity.downloadBackup('correct horse battery', path);
  expect(fileName).toBe(`hourmesh-backup-${adaId.slice(0, 8)}-${adaId.slice(-4)}.json`);
  const file = JSON.parse(readFileSync(path, 'utf8'));
  expect(file).toMatchObject({ format: 'hourmesh-key-backup', version: 2, publicKey: adaId, name: 'Ada' });
  expect(file.kdf.iterations).toBeGreaterThanOrEqual(310_000);

  const bob = await openPerson('Bob');
  await bob.shell.open('Settings');
  const bobId = await bob.identity.fullId();
  expect(bobId).not.toBe(adaId);
  await expect(bob.identity.restoreWarning()).toBeVisible();
  await expect(bob.identity.card()).toContainText('freeze that account\'s credit');

  await bob.identity.restore(path, 'wrong passphrase');
  await expect(bob.identity.error()).toHaveText('The passphrase does not open this backup.');
  expect(await bob.identity.fullId()).toBe(bobId);

  await bob.identity.restore(path, 'correct horse battery');
  await expect(bob.identity.card().getByRole('status').filter({ hasText: 'Restored.' })).toBeVisible();
  expect(await bob.identity.fullId()).toBe(adaId);
  await expect(bob.identity.shortId()).toHaveText(`${adaId.slice(0, 8)}…${adaId.slice(-4)}`);
  await expect(bob.identity.nameInput()).toHaveValue('Ada');
  await expect(bob.identity.card()).toContainText('Restored from a backup on');

  // The restored key is stored, not just held in memory.
  await bob.page.reload();
  await bob.shell.open('Settings');
  expect(await bob.identity.fullId()).toBe(adaId);
});
