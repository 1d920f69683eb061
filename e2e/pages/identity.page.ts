import { expect, type Page } from '@playwright/test';

/** The "Your identity" card in Settings: name, colour, account id, backup and restore. */
export class IdentityPage {
  constructor(readonly page: Page) {}

  card() {
    return this.page.getByRole('region', { name: 'Your identity' });
  }

  shortId() {
    return this.card().getByLabel('Account id', { exact: true });
  }

  async fullId(): Promise<string> {
    return (await this.card().getByTestId('full-account-id').textContent())?.trim() ?? '';
  }

  nameInput() {
    return this.card().getByLabel('Display name');
  }

  async rename(name: string) {
    await this.nameInput().fill(name);
    await this.card().getByRole('button', { name: 'Save name' }).click();
    await expect(this.card().getByRole('status').filter({ hasText: 'Name saved.' })).toBeVisible();
  }

  async recolour(label: string) {
    const radio = this.card().getByRole('radio', { name: label });
    // The default colour comes from the key, so it may already be this one: nothing to save then.
    if (await radio.isChecked()) return;
    await radio.check();
    await expect(this.card().getByRole('status').filter({ hasText: 'Colour saved.' })).toBeVisible();
  }

  /** Submits the backup form without expecting a download (for refused passphrases). */
  async askForBackup(passphrase: string, repeat = passphrase) {
    await this.card().getByLabel('Backup passphrase').fill(passphrase);
    await this.card().getByLabel('Repeat the passphrase').fill(repeat);
    await this.card().getByRole('button', { name: 'Download a backup' }).click();
  }

  /** Downloads a backup and saves it at `path`; returns the suggested file name. */
  async downloadBackup(passphrase: string, path: string): Promise<string> {
    const download = this.page.waitForEvent('download');
    await this.askForBackup(passphrase);
    const file = await download;
    await file.saveAs(path);
    return file.suggestedFilename();
  }

  async restore(path: string, passphrase: string) {
    await this.card().getByLabel('Backup file').setInputFiles(path);
    await this.card().getByLabel('Passphrase of the backup').fill(passphrase);
    await this.card().getByRole('checkbox', { name: /I understand/ }).check();
    await this.card().getByRole('button', { name: 'Restore this backup' }).click();
  }

  restoreWarning() {
    return this.card().getByText('Only restore to move to a new device or to recover a lost one.');
  }

  error() {
    return this.card().getByRole('alert');
  }
}
