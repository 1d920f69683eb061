// The read side of a replayed ledger: every question the UI, the checks before signing and the
// orchestrator ask, answered from the replayed state alone (ledger-state.ts) plus the fork
// results. Two classes share it: the Ledger itself (where entries are verified and replayed, in
// the ledger worker) and LedgerView (ledger-view.ts), the page's copy of what the worker
// replayed, built from a snapshot. One implementation for both, so the page reads exactly what
// the replay decided.
//
// Invariant: nothing here mutates the state; values are replaced by the replay, never changed
// in place (ledger-state.ts), so a reader may keep what it read.
import type { AccountId } from './encoding';
import type { Currency } from './amounts';
import type { ForkProof } from './fork-proof';
import { readBalance, type Balance, type EconomySettings, type FlowRecord, type HistoryItem, type LedgerState, type Profile } from './ledger-state';
import type { TaskRecord } from './task-state';
import type { TaskReader } from './kind-task-checks';
import type { TransferReader } from './kind-transfer';
import type { JobReader } from './kind-job';
import type { ResultReader } from './kind-result';
import { previewMints, type CreditedEpoch } from './mint-replay';
import { epochOf } from './epochs';
import { epochMsOf } from './kind-economy-settings';
import { creditLimitOf, creditLoweringOf, readStake, readVouched, settingsAckOf, spendableOf, type CreditLowering } from './credit';
import { escrowExpiredBy, jobStatusOf, listJobs, readEarned, type JobRecord, type JobStatus, type UnitRecord } from './compute-state';
import { quorumEligibilityProblem, relatedDonor, resultProblem, type ResultBody } from './kind-result';
import { createReleaseReads, type ReleaseReads } from './release-reads';
import type { ReleaseRecord } from './release-state';
import type { ReleaseReader } from './release-checks';

/** A live stake: `voucher` has `amount` (per currency) at stake on `member`. */
export interface Stake {
  voucher: AccountId;
  member: AccountId;
  amount: Balance;
}

export abstract class LedgerReads implements TaskReader, TransferReader, JobReader, ResultReader, ReleaseReader {
  protected abstract state: LedgerState;
  /** Accounts frozen by a verified fork → the seq of the fork. */
  protected abstract forkSeqs: ReadonlyMap<AccountId, number>;
  protected abstract forkProofs: readonly ForkProof[];
  /** The clock expiry and mint previews are judged by. */
  protected abstract nowMs(): number;
  /** True once the account wrote an entry here, or received or was named in one. */
  abstract hasAppeared(account: AccountId): boolean;
  /** Entries held (authentic, waiting or held back). */
  abstract get entryCount(): number;

  get balances(): ReadonlyMap<AccountId, Balance> {
    return this.state.balances;
  }

  balanceOf(account: AccountId): Balance {
    return readBalance(this.state, account);
  }

  historyOf(account: AccountId): readonly HistoryItem[] {
    return this.state.history.get(account) ?? [];
  }

  /** Every signed profile, by account (the newest applied one each). */
  get profiles(): ReadonlyMap<AccountId, Profile> {
    return this.state.profiles;
  }

  profileOf(account: AccountId): Profile | undefined {
    return this.state.profiles.get(account);
  }

  get forks(): readonly ForkProof[] {
    return this.forkProofs;
  }

  /** The seq at which an account was frozen by a fork, if it was. */
  frozenAt(account: AccountId): number | undefined {
    return this.forkSeqs.get(account);
  }



  get settings(): EconomySettings {
    return this.state.settings;
  }

  /** The economy's credit limit under the newest settings (the founder's; others: see creditOf). */
  creditLimit(currency: Currency): number {
    return this.state.settings.creditLimit[currency];
  }

  get founder(): AccountId {
    return this.state.founder;
  }

  /** The ack an honest author signs: founder seq of the newest applied settings entry (0 = none). */
  get settingsAck(): number {
    return settingsAckOf(this.state);
  }

  /** An account's credit limits under the newest settings (credit.ts). */
  creditOf(account: AccountId): { MH: number; CH: number } {
    const s = this.state.settings;
    return { MH: creditLimitOf(this.state, account, 'MH', s), CH: creditLimitOf(this.state, account, 'CH', s) };
  }

  /** The newest settings change, if it lowered the limit in `currency` (credit.ts). */
  creditLowering(currency: Currency): CreditLowering | undefined {
    return creditLoweringOf(this.state, currency);
  }

  creditIfReleased(member: AccountId, currency: Currency, released: number): number {
    return creditLimitOf(this.state, member, currency, this.state.settings, -released);
  }

  /**
   * What an account can still pay or stake now under the newest settings: balance + limit −
   * stakes given − escrow of its open jobs, plus its mints due (an entry written now credits them
   * before it applies). Escrow of jobs expired by now counts as free: the next entry the account
   * signs is dated after the expiry, so the replay frees it before that entry.
   */
  spendable(account: AccountId, currency: Currency): number {
    const expired = currency === 'CH' ? escrowExpiredBy(this.state.compute, account, this.nowMs()) : 0;
    return spendableOf(this.state, account, currency, this.state.settings) + expired + this.mintsDue(account)[currency];
  }

  /** Compute jobs, newest first (docs/COMPUTE.md). */
  get jobs(): readonly JobRecord[] {
    return listJobs(this.state.compute);
  }

  jobOf(id: string): JobRecord | undefined {
    return this.state.compute.jobs.get(id);
  }

  /** A job's progress, escrow and payments, with expiry judged by this device's clock. */
  jobStatus(id: string): JobStatus | undefined {
    return jobStatusOf(this.state.compute, id, this.nowMs());
  }

  /** The job's units that have counted results (by index); a unit not in it has none yet. */
  unitsOf(jobId: string): ReadonlyMap<number, UnitRecord> {
    return this.state.compute.units.get(jobId) ?? EMPTY_UNITS;
  }

  /** How many jobs of `account` are open, by this device's clock. */
  openJobsOf(account: AccountId): number {
    const now = this.nowMs();
    let n = 0;
    for (const { expires, id } of this.state.compute.expiries) if (expires > now && this.state.compute.jobs.get(id)?.owner === account) n++;
    return n;
  }

  /** CH milli `account` earned from validated compute units. */
  computeEarned(account: AccountId): number {
    return readEarned(this.state.compute, account);
  }

  /** Why `account`'s results would not count toward a quorum now, or undefined (kind-result.ts). */
  quorumProblem(account: AccountId): string | undefined {
    return quorumEligibilityProblem(this.state, account);
  }

  /** The accounts among `donors` whose results would keep `account`'s out of the same quorum (rule 8). */
  relatedDonors(account: AccountId, donors: Iterable<AccountId>): Set<AccountId> {
    const out = new Set<AccountId>();
    for (const d of donors) if (d !== account && relatedDonor(this.state, account, [d])) out.add(d);
    return out;
  }

  /** Why a result by `donor` dated `time` would be refused or not counted now, or undefined. */
  resultProblem(donor: AccountId, body: ResultBody, time: number): string | undefined {
    return resultProblem(this.state, donor, body, time);
  }

  #due: { key: unknown; flows: number; last: FlowRecord | undefined; epoch: number; mints: Map<AccountId, Balance> } | undefined;

  /**
   * Mints of epochs the clock has passed but no replayed entry has yet (mint-replay.ts): the next
   * entry dated now credits them first. Not part of the state; cached per state and epoch.
   */
  mintsDue(account: AccountId): Balance {
    const now = this.nowMs();
    // The preview depends on the clock only through the epoch it is in.
    const epoch = epochOf(now, epochMsOf(this.state));
    const d = this.#due;
    if (!d || d.key !== this.state.mint || d.flows !== this.state.flows.length || d.last !== this.state.flows.at(-1) || d.epoch !== epoch) {
      this.#due = { key: this.state.mint, flows: this.state.flows.length, last: this.state.flows.at(-1), epoch, mints: previewMints(this.state, now) };
    }
    return this.#due!.mints.get(account) ?? ZERO_DUE;
  }

  /** The economy's epoch length (fixed by initialSettings or the founder's first settings entry). */
  get epochMs(): number {
    return epochMsOf(this.state);
  }

  /** Epochs whose mints the replay credited (ascending), with their per-currency results. */
  get mintedEpochs(): readonly CreditedEpoch[] {
    return this.state.mint.epochs;
  }

  /** An account's cumulative credited mints (already in its balance). */
  mintedTo(account: AccountId): Balance {
    const mh = this.state.mint.minters.MH.minted.get(account) ?? 0;
    const ch = this.state.mint.minters.CH.minted.get(account) ?? 0;
    return { MH: mh, CH: ch } as Balance;
  }

  stakeOf(voucher: AccountId, member: AccountId): Balance {
    return readStake(this.state, voucher, member);
  }

  /** Every live stake given or received by `account`. */
  stakesOf(account: AccountId): { given: Stake[]; received: Stake[] } {
    const given: Stake[] = [];
    const received: Stake[] = [];
    for (const [key, amount] of this.state.stakes) {
      const [voucher, member] = key.split('>') as [AccountId, AccountId];
      if (voucher === account) given.push({ voucher, member, amount });
      if (member === account) received.push({ voucher, member, amount });
    }
    return { given, received };
  }

  /** The economy id this ledger accepts entries of. */
  get economy(): string {
    return this.state.economy;
  }

  /** Every task, by id (task-state.ts); records are replaced on change, so views can compare them. */
  get tasks(): ReadonlyMap<string, TaskRecord> {
    return this.state.tasks;
  }

  taskOf(id: string): TaskRecord | undefined {
    return this.state.tasks.get(id);
  }

  /** The MH stakes others hold on `account` (the voter rule of task-state.ts reads it). */
  vouchedMH(account: AccountId): number {
    return readVouched(this.state, account).MH;
  }

  supply(currency: Currency): number {
    return this.state.supply[currency];
  }

  /** Payments for delivered hours in replay order (append-only; the orchestrator's input). */
  get flows(): readonly FlowRecord[] {
    return this.state.flows;
  }

  /** Releases and downloads (release-reads.ts); `releases` and `releaseOf` are shortcuts. */
  readonly releaseReads: ReleaseReads = createReleaseReads(() => this.state);

  get releases(): ReadonlyMap<string, ReleaseRecord> {
    return this.state.releases;
  }

  releaseOf(id: string): ReleaseRecord | undefined {
    return this.state.releases.get(id);
  }
}

const EMPTY_UNITS: ReadonlyMap<number, UnitRecord> = new Map();
const ZERO_DUE: Balance = Object.freeze({ MH: 0, CH: 0 }) as Balance;
