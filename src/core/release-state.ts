// Releases as replay derives them (kinds `release-post` 14 and `download` 15, docs/RELEASES.md),
// the serving fee, and the chunk-hash root a release commits to.
//
// Invariants:
// - A ReleaseRecord is replaced, never mutated, except `downloaders`: one append-only list per
//   release, shared by every record of that release; a record's downloaders are the first
//   `downloads` items of it (the newest record's: all of them). `state.downloaderSets` holds the
//   same accounts as a Set per release (one lookup per download, not a scan). snapshotState copies
//   the releases map (its records carry the counts); restoreState cuts both the lists and the sets
//   back to the restored records' counts (restoreReleases), the way history lists are cut back.
// - Every amount is integer milli: price = floor(invested / predicted) milli-MH, servingFee(bytes)
//   milli-CH.

import type { AccountId } from './encoding';
import type { LedgerState } from './ledger-state';
import { sha256Sync } from './sha256';

export const MIB = 1024 * 1024;
/** A release's file: 1 byte … 256 MiB. */
export const MAX_RELEASE_FILE_BYTES = 256 * MIB;
export const MIN_CHUNK_BYTES = 64 * 1024;
export const MAX_CHUNK_BYTES = MIB;
/** What the app uses (rel-net's transfer code); any power of two in range is valid in the ledger. */
export const DEFAULT_CHUNK_BYTES = 256 * 1024;

/**
 * The serving fee, milli-CH per MiB served (a started MiB counts whole). Why this rate
 * (docs/RELEASES.md "Serving fee"): 1 milli-CH is 3.6 s of the reference device's core
 * (src/compute/metering.ts). Serving a MiB costs a peer reading it from IndexedDB, hashing it and
 * sending it through a data channel — a few tens of ms of a core — and, the scarce part, its
 * uplink: about 1–3 s of a 3–8 Mbit/s home uplink, during which the tab must stay open. So one
 * milli-CH per MiB pays roughly the time the peer's machine is occupied, as the seed asks
 * ("anyone using my machine for x cpu hours to download some software will let me use theirs").
 * The largest file (256 MiB) earns its servers 256 milli-CH, plus at most one per extra server
 * for rounding: a download's fees are never more than 256 + 15 = 271 milli-CH.
 */
export const SERVING_MILLI_CH_PER_MIB = 1;

/** The CH (milli) a peer earns for serving `bytes` verified bytes of one download: ⌈bytes / MiB⌉ × rate. */
export function servingFee(bytes: number): number {
  if (!Number.isSafeInteger(bytes) || bytes <= 0) return 0;
  return Math.ceil(bytes / MIB) * SERVING_MILLI_CH_PER_MIB;
}

/** How many chunks a file of `size` bytes has with chunks of `chunkSize` (the last may be short). */
export function chunkCount(size: number, chunkSize: number): number {
  return Math.ceil(size / chunkSize);
}

/**
 * The root a release-post commits to: SHA-256 of the concatenation of every chunk's SHA-256, in
 * order. A downloader checks the hash list it is sent against it before fetching any chunk.
 */
export function chunkHashesRoot(hashes: readonly Uint8Array[]): Uint8Array {
  const all = new Uint8Array(hashes.length * 32);
  hashes.forEach((h, i) => {
    if (h.length !== 32) throw new RangeError(`chunk hash ${i} is ${h.length} bytes, not 32`);
    all.set(h, i * 32);
  });
  return sha256Sync(all);
}

export interface ReleaseFile {
  readonly name: string;
  /** Bytes, 1 … MAX_RELEASE_FILE_BYTES. */
  readonly size: number;
  /** SHA-256 of the whole file, 64 hex. */
  readonly sha256: string;
  /** A power of two, MIN_CHUNK_BYTES … MAX_CHUNK_BYTES. */
  readonly chunkSize: number;
  /** chunkHashesRoot of the file's chunks, 64 hex. */
  readonly chunksRoot: string;
}

/** An account the release's tasks paid, and how much (milli-MH): its weight in every download's split. */
export interface ReleaseContributor {
  readonly account: AccountId;
  readonly share: number;
}

export interface ReleaseRecord {
  /** The release-post entry's id. */
  readonly id: string;
  readonly author: AccountId;
  readonly time: number;
  readonly project: string;
  readonly title: string;
  readonly file: ReleaseFile;
  /** The accepted tasks it names (ids, in the entry's order). */
  readonly tasks: readonly string[];
  /** Σ of those tasks' accepted payments, milli-MH. */
  readonly invested: number;
  readonly predicted: number;
  /** floor(invested / predicted), milli-MH, ≥ 1. */
  readonly price: number;
  /** Sorted by account id; shares sum to `invested`. */
  readonly contributors: readonly ReleaseContributor[];
  /** Applied downloads. */
  readonly downloads: number;
  /** Downloaders in replay order: the first `downloads` items are this record's (see the header). */
  readonly downloaders: readonly AccountId[];
  /** MH milli paid to contributors so far (a contributor's own share of its download does not move). */
  readonly paid: number;
  /** CH milli paid to serving peers so far. */
  readonly served: number;
}

export function readRelease(state: LedgerState, id: string): ReleaseRecord | undefined {
  return state.releases.get(id);
}

export function hasDownloaded(state: LedgerState, release: string, account: AccountId): boolean {
  return state.downloaderSets.get(release)?.has(account) ?? false;
}

/** Stores a new release (no downloads yet). */
export function putNewRelease(state: LedgerState, record: ReleaseRecord): void {
  state.releases.set(record.id, record);
  state.downloaderSets.set(record.id, new Set());
}

/** Records one applied download: a new record, the shared list and the set grow by one. */
export function addDownload(state: LedgerState, release: ReleaseRecord, downloader: AccountId, paid: number, served: number): void {
  (release.downloaders as AccountId[]).push(downloader);
  state.downloaderSets.get(release.id)!.add(downloader);
  state.releases.set(release.id, { ...release, downloads: release.downloads + 1, paid: release.paid + paid, served: release.served + served });
}

/**
 * After restoreState put `state.releases` back: cuts every release's downloader list and set back
 * to its restored record's count, and forgets releases posted after the snapshot.
 */
export function restoreReleases(state: LedgerState): void {
  for (const [id, set] of state.downloaderSets) {
    const record = state.releases.get(id);
    if (!record) {
      state.downloaderSets.delete(id);
      continue;
    }
    const list = record.downloaders as AccountId[];
    for (let i = record.downloads; i < list.length; i++) set.delete(list[i]!);
    list.length = record.downloads;
  }
}

export function serializeReleases(state: LedgerState): unknown {
  const ids = [...state.releases.keys()].sort();
  return ids.map((id) => {
    const r = state.releases.get(id)!;
    return { ...r, downloaders: r.downloaders.slice(0, r.downloads), known: state.downloaderSets.get(id)?.size ?? -1 };
  });
}
