// Kind "download" (code 15): the downloader pays for a release it fetched, and names the peers
// that served it the verified bytes. docs/RELEASES.md.
//
// Body wire format: 32 bytes release id (the release-post entry's id), 1 byte server count
// (0 … MAX_SERVERS), then per server 32 bytes account key and varuint bytes served (≥ 1).
//
// Invariants:
// - Stateless: servers distinct, never the downloader itself, each ≥ 1 byte, Σ bytes ≤ 256 MiB.
// - In replay order (downloadPlan, then the room check): the release is known (so the download
//   is dated after it), the downloader is not its author and has not downloaded it before, Σ bytes
//   ≤ the file's size. Then it pays, zero-sum, all or nothing:
//     MH: the release's price, split among its contributors pro rata to their shares by largest
//         remainder (mint-shares.ts splitProRata: ties to the smaller account id); a contributor
//         downloading keeps its own share (it does not move and is not flow);
//     CH: servingFee(bytes) to each server.
//   Both must fit the downloader's room (credit.ts spendableOf, under the settings its entry acks),
//   and no recipient may pass MAX_BALANCE_MILLI; otherwise the entry is rejected and nothing moves.
//   Every payment pushes a FlowRecord (`download` MH, `serving` CH) and a history item on both sides.

import { MAX_BALANCE_MILLI, formatAmount, type Currency } from './amounts';
import { ByteReader, ByteWriter, parseHex, toHex } from './bytes';
import type { AccountId } from './encoding';
import type { KindSpec } from './kinds';
import { changeBalance, readBalance, recordHistory, type EntryMeta, type FlowRecord, type LedgerState } from './ledger-state';
import { settingsOfEntry, spendableOf } from './credit';
import { splitProRata } from './mint-shares';
import { short } from './task-state';
import { addDownload, hasDownloaded, MAX_RELEASE_FILE_BYTES, servingFee, type ReleaseRecord } from './release-state';

export interface DownloadServer {
  account: AccountId;
  /** Verified bytes this peer sent, ≥ 1. */
  bytes: number;
}

export interface DownloadBody {
  /** The release-post entry id. */
  release: string;
  servers: DownloadServer[];
}

export const MAX_SERVERS = 16;
const HASH = /^[0-9a-f]{64}$/;

export function validateDownload(body: DownloadBody, author: AccountId): string | undefined {
  if (!HASH.test(body.release)) return 'release is not an entry id';
  if (body.servers.length > MAX_SERVERS) return `more than ${MAX_SERVERS} serving peers`;
  const seen = new Set<string>();
  let total = 0;
  for (const s of body.servers) {
    if (!HASH.test(s.account)) return 'a serving peer is not a 32-byte account id';
    if (s.account === author) return 'the downloader cannot list itself as a serving peer';
    if (seen.has(s.account)) return `serving peer ${short(s.account)} is listed twice`;
    seen.add(s.account);
    if (!Number.isSafeInteger(s.bytes) || s.bytes < 1 || s.bytes > MAX_RELEASE_FILE_BYTES) return 'a serving peer\'s bytes are not between 1 and 256 MiB';
    total += s.bytes;
  }
  if (total > MAX_RELEASE_FILE_BYTES) return 'the serving peers sent more than 256 MiB in all';
  return undefined;
}

export interface DownloadPayments {
  /** [contributor, milli-MH], by account id; the downloader's own share left out. */
  readonly mh: readonly (readonly [AccountId, number])[];
  /** [server, milli-CH], in the entry's order. */
  readonly ch: readonly (readonly [AccountId, number])[];
  /** Σ of mh: what leaves the downloader in MH. */
  readonly mhOut: number;
  /** Σ of ch. */
  readonly chOut: number;
}

export type DownloadPlan = ({ ok: true; release: ReleaseRecord } & DownloadPayments) | { ok: false; reason: string };

/** The replay's rules for `downloader` sending `body` in `state` as it is, before its room is checked. */
export function downloadPlan(state: LedgerState, downloader: AccountId, body: DownloadBody): DownloadPlan {
  const release = state.releases.get(body.release);
  if (!release) return { ok: false, reason: 'unknown release (a download is dated after its release)' };
  if (release.author === downloader) return { ok: false, reason: 'the release\'s author cannot download its own release' };
  if (hasDownloaded(state, release.id, downloader)) return { ok: false, reason: `already downloaded “${release.title}”` };
  const bytes = body.servers.reduce((a, s) => a + s.bytes, 0);
  if (bytes > release.file.size) return { ok: false, reason: `the serving peers are said to have sent ${bytes} bytes, more than the file's ${release.file.size}` };
  const shares = splitProRata(release.price, release.contributors.map((c) => ({ account: c.account, weight: BigInt(c.share) })));
  const mh = [...shares].filter(([a]) => a !== downloader).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const ch = body.servers.map((s) => [s.account, servingFee(s.bytes)] as const);
  return { ok: true, release, mh, ch, mhOut: mh.reduce((a, [, x]) => a + x, 0), chOut: ch.reduce((a, [, x]) => a + x, 0) };
}

/** Why the downloader cannot pay `plan` with `room` per currency, or undefined. */
export function downloadRoomProblem(plan: DownloadPayments, room: (c: Currency) => number): string | undefined {
  const mh = room('MH');
  if (plan.mhOut > mh) return `not enough to pay ${formatAmount(plan.mhOut)} MH: at most ${formatAmount(Math.max(0, mh))} MH can be paid now`;
  const ch = room('CH');
  if (plan.chOut > ch) return `not enough to pay the serving fee of ${formatAmount(plan.chOut)} CH: at most ${formatAmount(Math.max(0, ch))} CH can be paid now`;
  return undefined;
}

function pay(state: LedgerState, entry: EntryMeta, release: ReleaseRecord, currency: Currency, payee: AccountId, amount: number, source: FlowRecord['source']): void {
  if (amount <= 0) return;
  changeBalance(state, entry.author, currency, -amount);
  changeBalance(state, payee, currency, amount);
  state.flows.push({ entryId: entry.id, time: entry.time, currency, payer: entry.author, payee, amount, source });
  const item = { entryId: entry.id, time: entry.time, kind: source, status: 'applied' as const, currency, memo: `${source}: ${release.title}` };
  recordHistory(state, entry.author, { ...item, counterparty: payee, delta: -amount });
  recordHistory(state, payee, { ...item, counterparty: entry.author, delta: amount });
}

export const downloadKind: KindSpec<DownloadBody> = {
  name: 'download',
  code: 15,
  encodeBody(body, w: ByteWriter) {
    w.writeBytes(parseHex(body.release) ?? new Uint8Array(32));
    w.writeByte(body.servers.length);
    for (const s of body.servers) {
      w.writeBytes(parseHex(s.account) ?? new Uint8Array(32));
      w.writeVarUint(s.bytes);
    }
  },
  decodeBody(r: ByteReader) {
    const release = r.readBytes(32);
    const count = r.readByte();
    if (!release || count === undefined || count > MAX_SERVERS) return undefined;
    const servers: DownloadServer[] = [];
    for (let i = 0; i < count; i++) {
      const account = r.readBytes(32);
      const bytes = r.readVarUint();
      if (!account || bytes === undefined) return undefined;
      servers.push({ account: toHex(account), bytes });
    }
    return { release: toHex(release), servers };
  },
  validateBody: validateDownload,
  applyBody(state, entry, body) {
    const plan = downloadPlan(state, entry.author, body);
    if (!plan.ok) return plan.reason;
    const settings = settingsOfEntry(state, entry);
    const noRoom = downloadRoomProblem(plan, (c) => spendableOf(state, entry.author, c, settings));
    if (noRoom) return noRoom;
    for (const [account, amount] of plan.mh) if (readBalance(state, account).MH + amount > MAX_BALANCE_MILLI) return 'a contributor\'s balance would exceed the maximum';
    for (const [account, amount] of plan.ch) if (readBalance(state, account).CH + amount > MAX_BALANCE_MILLI) return 'a serving peer\'s balance would exceed the maximum';
    for (const [account, amount] of plan.mh) pay(state, entry, plan.release, 'MH', account, amount, 'download');
    for (const [account, amount] of plan.ch) pay(state, entry, plan.release, 'CH', account, amount, 'serving');
    if (plan.mhOut === 0 && plan.chOut === 0) {
      // A sole contributor downloading with no serving peer: nothing moves, but its history says so.
      recordHistory(state, entry.author, { entryId: entry.id, time: entry.time, kind: 'download', status: 'applied', currency: 'MH', delta: 0, counterparty: plan.release.author, memo: `download: ${plan.release.title}` });
    }
    addDownload(state, plan.release, entry.author, plan.mhOut, plan.chOut);
    return undefined;
  },
};
