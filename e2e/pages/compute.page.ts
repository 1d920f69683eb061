import { expect, type Download, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';

/** The Compute view: donating this tab, posting a job, following my jobs. */
export class ComputePage {
  constructor(readonly page: Page) {}

  donateSwitch() {
    return this.page.getByRole('switch', { name: 'Donate this tab' });
  }

  /** The banner asking for cpu-hours this epoch (the forecast's shortfall), with its own switch. */
  requestBanner() {
    return this.page.getByRole('note', { name: 'Request for cpu-hours' });
  }

  requestSwitch() {
    return this.requestBanner().getByRole('switch', { name: 'Donate now' });
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
    await this.post({ ...job, kernel: 'primes', params: { from: job.from, to: job.to, units: job.units } });
  }

  async post(job: { title: string; kernel: string; params: Record<string, number>; redundancy?: number; deadlineSeconds?: number; ceiling?: string }) {
    await this.fill(job);
    await this.page.getByRole('button', { name: 'Review job' }).click();
    const confirm = this.page.getByRole('region', { name: 'Confirm job' });
    await expect(confirm).toBeVisible();
    await confirm.getByRole('button', { name: 'Post job' }).click();
    await expect(this.page.getByRole('status', { name: 'Post result' })).toContainText(`Posted “${job.title}”`);
  }

  async fill(job: { title: string; kernel: string; params?: Record<string, number>; redundancy?: number; deadlineSeconds?: number; ceiling?: string }) {
    const p = this.page;
    await p.getByLabel('Title').fill(job.title);
    await p.getByLabel('Kernel').selectOption(job.kernel);
    for (const [name, value] of Object.entries(job.params ?? {})) await p.getByLabel(name, { exact: true }).fill(String(value));
    await p.getByLabel('Donors per unit').fill(String(job.redundancy ?? 2));
    await p.getByLabel('Seconds per unit').fill(String(job.deadlineSeconds ?? 10));
    await p.getByLabel('Most CH per unit and donor').fill(job.ceiling ?? '0.01');
  }

  /** Uploads a module (bytes) with unit inputs (hex lines) and reviews it: returns the refusal shown, if any. */
  async reviewUpload(title: string, module: Uint8Array, inputs: string[]) {
    const p = this.page;
    await this.fill({ title, kernel: 'upload' });
    await p.getByLabel('WebAssembly module (.wasm, no imports)').setInputFiles({ name: 'kernel.wasm', mimeType: 'application/wasm', buffer: Buffer.from(module) });
    await p.getByLabel('Unit inputs: one line of hexadecimal bytes per unit').fill(inputs.join('\n'));
    await p.getByRole('button', { name: 'Review job' }).click();
  }

  job(title: string) {
    return this.page.getByRole('article', { name: `Job ${title}` });
  }

  jobStatus(title: string) {
    return this.job(title).getByRole('status', { name: 'Job status' });
  }

  /** Presses a download button of the job's card; returns the saved file's text. */
  async download(title: string, format: 'JSON' | 'CSV'): Promise<string> {
    return (await this.downloadBytes(title, format)).toString('utf8');
  }

  async downloadBytes(title: string, format: 'JSON' | 'CSV' | 'PNG'): Promise<Buffer> {
    const download: Promise<Download> = this.page.waitForEvent('download');
    await this.job(title).getByRole('button', { name: `Download ${format}` }).click();
    return readFile(await (await download).path());
  }
}
