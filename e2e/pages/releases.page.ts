import { expect, type Page } from '@playwright/test';

/** The Releases view: the publish form and the list of releases with their Download buttons. */
export class ReleasesPage {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Releases' }).click();
    await expect(this.page.getByRole('heading', { level: 1, name: 'Releases' })).toBeVisible();
  }

  /** Publishes a release of `file` carrying the named accepted tasks; returns the review's sentence. */
  async publish(r: { file: { name: string; buffer: Buffer }; project: string; tasks: string[]; title: string; predicted: number }): Promise<string> {
    await this.page.getByLabel('File').setInputFiles({ name: r.file.name, mimeType: 'application/octet-stream', buffer: r.file.buffer });
    await expect(this.page.getByText(r.file.name)).toBeVisible({ timeout: 20_000 }); // hashed
    await this.page.getByLabel('Project').selectOption(r.project);
    for (const t of r.tasks) await this.page.getByRole('checkbox', { name: new RegExp(`^${t} `) }).check();
    await this.page.getByLabel('Title').fill(r.title);
    await this.page.getByLabel('Predicted paid downloads').fill(String(r.predicted));
    await this.page.getByRole('button', { name: 'Review release' }).click();
    const review = this.page.getByRole('region', { name: 'Confirm release' });
    const text = (await review.textContent()) ?? '';
    await this.page.getByRole('button', { name: 'Sign and publish' }).click();
    await expect(this.page.getByLabel('Publish result')).toContainText(`Published “${r.title}”`);
    return text;
  }

  release(title: string) {
    return this.page.getByRole('article', { name: `Release ${title}` });
  }

  /** Clicks Download and returns the saved file's bytes once the payment is signed. */
  async download(title: string): Promise<{ bytes: Buffer; status: string }> {
    const card = this.release(title);
    await expect(card).toBeVisible({ timeout: 20_000 });
    const saved = this.page.waitForEvent('download', { timeout: 90_000 });
    await card.getByRole('button', { name: 'Download' }).click();
    const download = await saved;
    const stream = await download.createReadStream();
    const parts: Buffer[] = [];
    for await (const part of stream) parts.push(part as Buffer);
    const status = card.getByLabel('Download status');
    await expect(status).toContainText('Saved and paid', { timeout: 30_000 });
    return { bytes: Buffer.concat(parts), status: (await status.textContent()) ?? '' };
  }
}
