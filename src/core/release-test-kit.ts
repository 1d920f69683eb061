// Test helpers for releases (release-download.test.ts, release-attacks.sim.test.ts): a log of
// signed entries with a moving clock, an accepted task in one call (post, start, two committed
// votes, settle, claim, done, accept), and a file description. Never used by the app.

import type { SignedEntry } from './create-entry';
import { TEST_ECONOMY, type TestAuthor } from './credit-test-kit';
import type { KindBodies, KindName } from './kinds';
import type { ReleasePostBody } from './kind-release-post';
import { DEFAULT_CHUNK_BYTES, type ReleaseFile } from './release-state';
import { voteCommitment } from './vote-commitment';

export class EntryLog {
  entries: SignedEntry[] = [];
  constructor(public t: number, readonly ack = 0) {}

  async add<K extends KindName>(author: TestAuthor, kind: K, body: KindBodies[K], time = (this.t += 10)): Promise<SignedEntry> {
    const e = await author.sign(time, kind, body, this.ack);
    this.entries.push(e);
    return e;
  }

  /**
   * A task of `hours` milli posted by `poster`, settled by two committed votes of `voters`
   * (eligible: vouched in MH), claimed and delivered by `dev`, accepted (the poster pays).
   */
  async acceptedTask(poster: TestAuthor, dev: TestAuthor, voters: readonly [TestAuthor, TestAuthor], hours: number, title = 'Work', accept = true): Promise<string> {
    const post = await this.add(poster, 'task-post', { title, description: '', criteria: '', project: 'app', reviewers: [] });
    await this.add(poster, 'task-step', { task: post.id, action: 'start', text: '' });
    const votes = [];
    for (const [k, voter] of voters.entries()) {
      const salt = (this.entries.length * 2 + k).toString(16).padStart(32, '0');
      const commitment = voteCommitment({ economy: TEST_ECONOMY, taskId: post.id, round: 1, voter: voter.id, value: hours, salt })!;
      await this.add(voter, 'task-vote', { task: post.id, round: 1, commitment });
      votes.push({ voter: voter.id, value: hours, salt, commitment });
    }
    await this.add(voters[0], 'task-estimate', { task: post.id, round: 1, estimate: hours, votes });
    await this.add(dev, 'task-step', { task: post.id, action: 'claim', text: '' });
    await this.add(dev, 'task-step', { task: post.id, action: 'done', text: 'done' });
    if (accept) await this.add(poster, 'task-step', { task: post.id, action: 'accept', text: '' });
    return post.id;
  }
}

export function fileOf(size = 3 * 1024 * 1024, seed = 1): ReleaseFile {
  const hex = (n: number) => n.toString(16).padStart(2, '0').repeat(32);
  return { name: 'app-1.2.zip', size, sha256: hex(seed % 256), chunkSize: DEFAULT_CHUNK_BYTES, chunksRoot: hex((seed + 1) % 256) };
}

export function releaseBody(tasks: string[], predicted: number, extra: Partial<ReleasePostBody> = {}): ReleasePostBody {
  return { project: 'app', title: 'v1.2', file: fileOf(), tasks, predicted, ...extra };
}
