// What a person's release actions run before anything is signed (docs/RELEASES.md): the same
// rules the replay applies (kind-release-post.ts releasePostPlan, kind-download.ts downloadPlan
// and the room of credit.ts), read from the ledger now, in sentences a person reads; and the body
// to sign. Like checkTransfer: the ledger may still reject the entry if it changes meanwhile
// (another release took a task first, the downloader spent its room), and its history says why.

import type { Currency } from './amounts';
import type { AccountId } from './encoding';
import { validateReleasePost, MAX_RELEASE_TASKS, type ReleasePostBody } from './kind-release-post';
import { downloadRoomProblem, validateDownload, MAX_SERVERS, type DownloadBody, type DownloadServer } from './kind-download';
import type { ReleaseReads } from './release-reads';
import type { ReleaseContributor, ReleaseFile } from './release-state';

/** What the checks read (the Ledger implements it). */
export interface ReleaseReader {
  frozenAt(account: AccountId): number | undefined;
  spendable(account: AccountId, currency: Currency): number;
  readonly releaseReads: ReleaseReads;
}

const FROZEN = 'Your account is frozen: two different entries were signed with your key (a fork). See Economy → Forks.';

function sentence(reason: string): string {
  return reason.charAt(0).toUpperCase() + reason.slice(1) + '.';
}

export interface ReleasePostInput {
  project: string;
  title: string;
  file: ReleaseFile;
  /** Ids of accepted tasks the person posted. */
  tasks: string[];
  predicted: number;
}

export type ReleasePostCheck =
  | { ok: true; body: ReleasePostBody; invested: number; price: number; contributors: readonly ReleaseContributor[] }
  | { ok: false; error: string; field?: 'project' | 'title' | 'file' | 'tasks' | 'predicted' };

export function checkReleasePost(reader: ReleaseReader, me: AccountId, input: ReleasePostInput): ReleasePostCheck {
  const title = input.title.trim().replace(/\s+/g, ' ');
  const project = input.project.trim();
  const tasks = [...new Set(input.tasks.map((t) => t.trim().toLowerCase()))];
  if (title === '') return { ok: false, field: 'title', error: 'Give the release a title, such as “v1.2”.' };
  if (tasks.length === 0) return { ok: false, field: 'tasks', error: 'Choose the accepted tasks whose hours this release carries.' };
  if (tasks.length > MAX_RELEASE_TASKS) return { ok: false, field: 'tasks', error: `A release can carry at most ${MAX_RELEASE_TASKS} tasks.` };
  if (!Number.isSafeInteger(input.predicted) || input.predicted < 1) return { ok: false, field: 'predicted', error: 'Predict how many paid downloads the release will have (a whole number, at least 1).' };
  const body: ReleasePostBody = { project, title, file: { ...input.file, name: input.file.name.trim() }, tasks, predicted: input.predicted };
  const invalid = validateReleasePost(body);
  if (invalid) {
    const field = /^(file|chunk)/.test(invalid) ? 'file' : /^project/.test(invalid) ? 'project' : /title/.test(invalid) ? 'title' : /predicted/.test(invalid) ? 'predicted' : /task/.test(invalid) ? 'tasks' : undefined;
    return { ok: false, error: `This release cannot be signed: ${invalid}.`, ...(field ? { field } : {}) };
  }
  if (reader.frozenAt(me) !== undefined) return { ok: false, error: FROZEN };
  const plan = reader.releaseReads.planReleasePost(me, body);
  if (!plan.ok) return { ok: false, field: /price/.test(plan.reason) ? 'predicted' : 'tasks', error: sentence(plan.reason) };
  return { ok: true, body, invested: plan.invested, price: plan.price, contributors: plan.contributors };
}

export interface DownloadInput {
  release: string;
  /** Who sent how many verified bytes, as the transfer counted them (merged and trimmed here). */
  servers: DownloadServer[];
}

export type DownloadCheck =
  | {
    ok: true;
    body: DownloadBody;
    /** MH milli that leave the downloader (the price, less its own share if it is a contributor). */
    price: number;
    /** CH milli of serving fees, Σ servingFee(bytes). */
    fee: number;
  }
  | { ok: false; error: string };

/**
 * Checks a download before it is signed. The server list is normalised the same way every time:
 * the downloader itself and peers with 0 bytes are left out, a peer counted twice is summed, and
 * beyond MAX_SERVERS peers the ones that sent the most bytes are kept (ties: smaller account id).
 */
export function checkDownload(reader: ReleaseReader, me: AccountId, input: DownloadInput): DownloadCheck {
  const release = input.release.trim().toLowerCase();
  const sums = new Map<AccountId, number>();
  for (const s of input.servers) {
    const account = s.account.trim().toLowerCase();
    if (account === me || !(s.bytes > 0)) continue;
    sums.set(account, (sums.get(account) ?? 0) + Math.floor(s.bytes));
  }
  const servers = [...sums].map(([account, bytes]) => ({ account, bytes }))
    .sort((a, b) => b.bytes - a.bytes || (a.account < b.account ? -1 : 1))
    .slice(0, MAX_SERVERS);
  const body: DownloadBody = { release, servers };
  const invalid = validateDownload(body, me);
  if (invalid) return { ok: false, error: `This download cannot be signed: ${invalid}.` };
  if (reader.frozenAt(me) !== undefined) return { ok: false, error: FROZEN };
  const plan = reader.releaseReads.planDownload(me, body);
  if (!plan.ok) return { ok: false, error: sentence(plan.reason) };
  const noRoom = downloadRoomProblem(plan, (c) => reader.spendable(me, c));
  if (noRoom) {
    const ch = /serving fee/.test(noRoom);
    const hint = ch ? ' Serving fees are paid in cpu-hours: donate compute first, or ask a member to vouch for you in CH.' : ' A member can vouch for you, or you can earn man-hours first.';
    return { ok: false, error: `${sentence(noRoom)}${hint}` };
  }
  return { ok: true, body, price: plan.mhOut, fee: plan.chOut };
}
