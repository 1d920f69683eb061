// The kinds registry: the ONE place where entry kinds are listed. Replay and createEntry look
// kinds up here, so a new kind (compute payment, task payment, estimate, mint) is a new
// kind-*.ts file plus one line in KINDS and one in KindBodies; replay.ts does not change.
//
// Invariants:
// - Codes and names are unique and never reused; a code is part of the signed wire format.
// - decodeBody must consume the body exactly (decodeKindBody checks no byte is left over), so
//   every body has one encoding.
// - validateBody is stateless (depends on the body and the author only); applyBody sees the
//   state at this entry's place in the replay order and mutates it only when it accepts.

import { ByteReader, ByteWriter } from './bytes';
import type { AccountId } from './encoding';
import type { EntryMeta, LedgerState } from './ledger-state';
import { profileKind, type ProfileBody } from './kind-profile';
import { transferKind, type TransferBody } from './kind-transfer';
import { economySettingsKind, type EconomySettingsBody } from './kind-economy-settings';
import { vouchKind, type VouchBody } from './kind-vouch';
import { releaseKind, type ReleaseBody } from './kind-release';
import { taskPostKind, type TaskPostBody } from './kind-task-post';
import { taskStepKind, type TaskStepBody } from './kind-task-step';
import { taskVoteKind, type TaskVoteBody } from './kind-task-vote';
import { taskEstimateKind, type TaskEstimateBody } from './kind-task-estimate';
import { jobKind, type JobBody } from './kind-job';
import { resultKind, type ResultBody } from './kind-result';
import { releasePostKind, type ReleasePostBody } from './kind-release-post';
import { downloadKind, type DownloadBody } from './kind-download';

export type BodyResult<B> = { ok: true; body: B } | { ok: false; error: string };

export interface KindSpec<B> {
  readonly name: string;
  readonly code: number;
  encodeBody(body: B, w: ByteWriter): void;
  /** Reads the body; returns undefined on malformed bytes (the caller reports it). */
  decodeBody(r: ByteReader): B | undefined;
  /** Stateless checks; returns a human-readable reason to reject, or undefined. */
  validateBody(body: B, author: AccountId): string | undefined;
  /** Applies the body in replay order; returns a reason to reject (state untouched) or undefined. */
  applyBody(state: LedgerState, entry: EntryMeta, body: B): string | undefined;
  /**
   * Optional: called after applyBody rejected a well-formed body, to keep the reason where people
   * look for it (a task's history). It may only append a record of the rejection (bounded), never
   * change balances or anything another rule reads.
   */
  recordRejection?(state: LedgerState, entry: EntryMeta, body: B, reason: string): void;
}

export interface KindBodies {
  profile: ProfileBody;
  transfer: TransferBody;
  'economy-settings': EconomySettingsBody;
  vouch: VouchBody;
  release: ReleaseBody;
  'task-post': TaskPostBody;
  'task-step': TaskStepBody;
  'task-vote': TaskVoteBody;
  'task-estimate': TaskEstimateBody;
  job: JobBody;
  result: ResultBody;
  'release-post': ReleasePostBody;
  download: DownloadBody;
}
export type KindName = keyof KindBodies;

const KINDS: readonly KindSpec<never>[] = [
  profileKind, transferKind, economySettingsKind, vouchKind, releaseKind,
  jobKind, resultKind,
  taskPostKind, taskStepKind, taskVoteKind, taskEstimateKind,
  releasePostKind, downloadKind,
] as KindSpec<never>[];

const byCode = new Map<number, KindSpec<unknown>>();
const byName = new Map<string, KindSpec<unknown>>();
for (const kind of KINDS as readonly KindSpec<unknown>[]) {
  if (byCode.has(kind.code) || byName.has(kind.name)) throw new Error(`duplicate kind ${kind.name}`);
  byCode.set(kind.code, kind);
  byName.set(kind.name, kind);
}

export function findKindByCode(code: number): KindSpec<unknown> | undefined {
  return byCode.get(code);
}

export function findKindByName<K extends KindName>(name: K): KindSpec<KindBodies[K]> {
  const kind = byName.get(name);
  if (!kind) throw new Error(`unknown kind ${name}`);
  return kind as KindSpec<KindBodies[K]>;
}

export function kindNameOf(code: number): string {
  return byCode.get(code)?.name ?? `unknown(${code})`;
}

export function encodeKindBody<K extends KindName>(name: K, body: KindBodies[K]): Uint8Array {
  const w = new ByteWriter();
  findKindByName(name).encodeBody(body, w);
  return w.toBytes();
}

/** Decodes and validates a body; the one gate between raw body bytes and a reducer. */
export function decodeKindBody(code: number, bytes: Uint8Array, author: AccountId): BodyResult<unknown> {
  const kind = byCode.get(code);
  if (!kind) return { ok: false, error: `unknown kind code ${code}` };
  const r = new ByteReader(bytes);
  const body = kind.decodeBody(r);
  if (body === undefined) return { ok: false, error: `malformed ${kind.name} body` };
  if (r.remaining !== 0) return { ok: false, error: `${kind.name} body has ${r.remaining} trailing bytes` };
  const invalid = kind.validateBody(body, author);
  if (invalid) return { ok: false, error: invalid };
  return { ok: true, body };
}
