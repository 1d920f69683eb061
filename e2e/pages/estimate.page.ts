import { expect, type Page } from '@playwright/test';

/** The Estimate view: lobby, one live session, its cards, participants and results. */
export class EstimatePage {
  constructor(readonly page: Page) {}

  status() {
    return this.page.locator('.session-status');
  }

  /** Starts a new session from the lobby; returns its link. */
  async startSession(): Promise<string> {
    await this.page.getByRole('link', { name: 'Start a new session' }).click();
    await expect(this.page.getByLabel('Session link (share it with your team)')).toBeVisible();
    return this.page.getByLabel('Session link (share it with your team)').inputValue();
  }

  async open(link: string) {
    await this.page.goto(link);
    await expect(this.page.getByLabel('Session link (share it with your team)')).toHaveValue(link, { timeout: 20_000 });
  }

  async facilitate() {
    await this.page.getByRole('button', { name: 'Start facilitating' }).click();
    await expect(this.status()).toContainText('You facilitate');
  }

  async putToVote(title: string) {
    await this.page.getByLabel('Task to estimate').selectOption({ label: title });
    await this.page.getByRole('button', { name: 'Put to the vote' }).click();
    await expect(this.status()).toContainText(`Voting on "${title}"`);
  }

  /**
   * Votes a deck card, e.g. '5' hours; waits until my row shows the tick (or, when mine was the
   * last vote, the revealed value).
   */
  async vote(hours: string) {
    await this.page.getByRole('button', { name: `Vote ${hours} h`, exact: true }).click();
    const mine = this.page.getByRole('list', { name: 'Participants' }).getByRole('listitem').filter({ hasText: '(you)' });
    await expect(mine).toContainText(new RegExp(`✓ has voted|✓ voted, not revealed|${hours.replace('.', '\\.')} h`));
  }

  /** My sealed vote, as this device shows it before the reveal. */
  hiddenVote() {
    return this.page.getByRole('status').filter({ hasText: 'Your vote:' });
  }

  participant(name: string) {
    return this.page.getByRole('list', { name: 'Participants' }).getByRole('listitem').filter({ hasText: name });
  }

  async expectVoted(name: string) {
    await expect(this.participant(name).locator('.tick')).toHaveText('✓ has voted');
  }

  async expectRevealed(name: string, hours: string) {
    await expect(this.participant(name).locator('.vote')).toHaveText(`${hours} h`);
  }

  async settle(hours: string) {
    await this.page.getByRole('button', { name: `Settle at ${hours} h` }).click();
  }

  async makeFacilitator(name: string) {
    await this.page.getByRole('button', { name: `Make facilitator: ${name}` }).click();
  }

  async voteAgain() {
    await this.page.getByRole('button', { name: 'Vote again' }).click();
  }
}
