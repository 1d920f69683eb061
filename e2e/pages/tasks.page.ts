import { expect, type Page } from '@playwright/test';

/** The Tasks view: post form, list with filters, one task's detail, actions and history. */
export class TasksPage {
  constructor(readonly page: Page) {}

  async open() {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tasks' }).click();
    await expect(this.page.getByRole('heading', { level: 1, name: 'Tasks' })).toBeVisible();
  }

  /** Posts a task through the form (opening it first on a phone) and returns its id. */
  async post(task: { title: string; project?: string; description?: string; criteria?: string }): Promise<string> {
    const opener = this.page.getByRole('button', { name: 'Post a task' });
    if (await opener.isVisible()) await opener.click();
    await this.page.getByLabel('Title').fill(task.title);
    await this.page.getByLabel('Project (optional)').fill(task.project ?? '');
    await this.page.getByLabel('Description').fill(task.description ?? '');
    await this.page.getByLabel('Acceptance criteria').fill(task.criteria ?? '');
    await this.page.getByRole('button', { name: 'Review task' }).click();
    await this.page.getByRole('button', { name: 'Post task' }).click();
    const result = this.page.getByLabel('Post result');
    await expect(result).toContainText(`“${task.title}”`);
    const href = await result.getByRole('link', { name: 'Open it' }).getAttribute('href');
    return href!.replace('#/tasks/', '');
  }

  list() {
    return this.page.getByRole('list', { name: 'Task list' });
  }

  /** Opens a task from the list once it is there (it may still be on its way from a peer). */
  async openTask(title: string) {
    await this.list().getByRole('link', { name: title }).click({ timeout: 20_000 });
    await expect(this.page.getByRole('heading', { level: 2, name: title })).toBeVisible();
  }

  status() {
    return this.page.locator('dd[data-field="status"]');
  }

  async expectStatus(status: string, timeout = 20_000) {
    await expect(this.status()).toHaveText(status, { timeout });
  }

  estimate() {
    return this.page.locator('dd[data-field="estimate"]');
  }

  history() {
    return this.page.getByRole('list', { name: 'Task history' });
  }

  result() {
    return this.page.getByLabel('Task action result');
  }

  async startEstimating() {
    await this.page.getByRole('button', { name: 'Start estimating' }).click();
    await expect(this.result()).toContainText('Estimation started.');
  }

  async claim() {
    await this.page.getByRole('button', { name: 'Claim this task' }).click();
    await expect(this.result()).toHaveText('You claimed this task.');
  }

  async markDone(note: string) {
    await this.page.getByLabel('Note or link for the reviewer').fill(note);
    await this.page.getByRole('button', { name: 'Mark done' }).click();
    await expect(this.result()).toContainText('Marked done');
  }

  async accept(amount: string) {
    await this.page.getByRole('button', { name: `Accept and pay ${amount}` }).click();
    await this.page.getByRole('button', { name: 'Pay and accept' }).click();
    await expect(this.result()).toHaveText(`Accepted: ${amount} paid.`);
  }

  /** Filters the list and returns the titles shown. */
  async filter(options: { text?: string; status?: string; project?: string }): Promise<string[]> {
    if (options.text !== undefined) await this.page.getByLabel('Search tasks').fill(options.text);
    if (options.status !== undefined) await this.page.getByLabel('Status', { exact: true }).selectOption({ label: options.status });
    if (options.project !== undefined) await this.page.getByLabel('Project', { exact: true }).selectOption({ label: options.project });
    return this.list().getByRole('link').allTextContents();
  }
}
