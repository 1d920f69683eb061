import { expect, type Download, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';

/** The Compute view: donating this tab, posting a job, following my jobs. */
export class ComputePage {
  constructor(readonly page: Page) {}

  donateSwitch() {
    return this.page.getByRole('switch', { name: 'Donate this tab' });
  }

  async startDonating() {
    await this.donateSwitch().check();
    await expect(this.donateSwitch()).toBeChecked();
  }

  donorStatus() {
    return this.page.getByRole('status', { name: 'Donor status' });
  }

  earned() {
    return this.page.getByLabel('CH earned');
  }

  /** Fills the form for a primes job, reviews it and presses "Post job" (the press that signs). */
  async postPrimes(job: { title: string; from: number; to: number; units: number; redundancy?: number; deadlineSeconds?: number; ceiling?: string }) {
    const p = this.page;
    await p.getByLabel('Title').fill(job.title);
    await p.getByLabel('Kernel').selectOption('primes');
    await p.getByLabel('from', { exact: true }).fill(String(job.from));
    await p.getByLabel('to', { exact: true }).fill(String(job.to));
    await p.getByLabel('units', { exact: true }).fill(String(job.units));
    await p.getByLabel('Donors per unit').fill(String(job.redundancy ?? 2));
    await p.getByLabel('Seconds per unit').fill(String(job.deadlineSeconds ?? 10));
    await p.getByLabel('Most CH per unit and donor').fill(job.ceiling ?? '0.01');
    await p.getByRole('button', { name: 'Review job' }).click();
    const confirm = p.getByRole('region', { name: 'Confirm job' });
    await expect(confirm).toBeVisible();
    await confirm.getByRole('button', { name: 'Post job' }).click();
    await expect(p.getByRole('status', { name: 'Post result' })).toContainText(`Posted “${job.title}”`);
  }

  job(title: string) {
    return this.page.getByRole('article', { name: `Job ${title}` });
  }

  jobStatus(title: string) {
    return this.job(title).getByRole('status', { name: 'Job status' });
  }

  /** Presses a download button of the job's card; returns the saved file's text. */
  async download(title: string, format: 'JSON' | 'CSV'): Promise<string> {
    const download: Promise<Download> = this.page.waitForEvent('download');
    await this.job(title).getByRole('button', { name: `Download ${format}` }).click();
    const path = await (await download).path();
    return readFile(path, 'utf8');
  }
}
