// What a ledger answers about releases (LedgerReads, ledger-reads.ts, delegates here: the Ledger
// in the worker and the page's LedgerView alike): the
// records, one account's downloads, and the replay's plans for a release-post or a download
// signed now — what the pre-signing checks of release-checks.ts read. Reads the ledger's current
// state through a getter, since a full replay replaces the state object.

import type { AccountId } from './encoding';
import type { LedgerState } from './ledger-state';
import { releasePostPlan, type ReleasePlan, type ReleasePostBody } from './kind-release-post';
import { downloadPlan, type DownloadBody, type DownloadPlan } from './kind-download';
import { hasDownloaded, type ReleaseRecord } from './release-state';

export interface ReleaseReads {
  /** Every release by id; a record is replaced when it changes (release-state.ts). */
  readonly releases: ReadonlyMap<string, ReleaseRecord>;
  releaseOf(id: string): ReleaseRecord | undefined;
  hasDownloaded(release: string, account: AccountId): boolean;
  /** The replay's verdict on `author` posting `body` now: price and contributors, or the reason. */
  planReleasePost(author: AccountId, body: ReleasePostBody): ReleasePlan;
  /** The replay's verdict on `downloader` sending `body` now, before its room is checked. */
  planDownload(downloader: AccountId, body: DownloadBody): DownloadPlan;
}

export function createReleaseReads(state: () => LedgerState): ReleaseReads {
  return {
    get releases() {
      return state().releases;
    },
    releaseOf: (id) => state().releases.get(id),
    hasDownloaded: (release, account) => hasDownloaded(state(), release, account),
    planReleasePost: (author, body) => releasePostPlan(state(), author, body),
    planDownload: (downloader, body) => downloadPlan(state(), downloader, body),
  };
}
