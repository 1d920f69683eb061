import { expect, type Page } from '@playwright/test';

export class SettingsPage {
  constructor(readonly page: Page) {}

  signalingList() {
    return this.page.getByRole('list', { name: 'Signaling servers in use' });
  }

  async addSignaling(url: string) {
    await this.page.getByLabel('Add a signaling server').fill(url);
    await this.page.getByRole('button', { name: 'Add', exact: true }).click();
  }

  async removeSignaling(url: string) {
    await this.signalingList().getByRole('button', { name: `Remove ${url}` }).click();
  }

  /** Removes the default server (the page's own /signal), the entry tagged "default". */
  async removeDefaultSignaling() {
    await this.signalingList().getByRole('listitem').filter({ hasText: 'default:' }).getByRole('button', { name: /^Remove / }).click();
  }

  async startCheck(name: string) {
    await this.page.getByLabel('Check name').fill(name);
    await this.page.getByRole('button', { name: 'Start check' }).click();
  }

  checkStatus() {
    return this.page.getByRole('status', { name: 'Connection check status' });
  }

  note() {
    return this.page.getByLabel('Shared note');
  }

  async expectDirectPeers(atLeast: number) {
    await expect.poll(async () => Number(await this.checkStatus().getAttribute('data-peers'))).toBeGreaterThanOrEqual(atLeast);
  }
}
