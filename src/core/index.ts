// Public API of the ledger core. The network and UI layers import from here only.
export { Ledger, CLOCK_SKEW_MS, type LedgerOptions, type AddReport, type Stake } from './ledger';
export { createEntry, verifyEntry, nextEntryTime, type EntryHead, type EntryScope, type SignedEntry, type VerifyEntryResult } from './create-entry';
export { economyIdOf, ECONOMY_NONCE_BYTES } from './economy-id';
export {
  createWebCryptoPort, createWebCryptoSigner, generateSigner, hashMany, verifyMany,
  type CryptoPort, type Signer,
} from './crypto-port';
export { verifyForkProof, type ForkProof } from './fork-proof';
export type { EntryStatus } from './replay';
export type { AccountId } from './encoding';
export { decodeEnvelope, MAX_ENTRY_BYTES } from './encoding';
export type { KindBodies, KindName } from './kinds';
export { checkTransfer, type TransferBody, type TransferCheck, type TransferInput } from './kind-transfer';
export type { ProfileBody } from './kind-profile';
export type { EconomySettingsBody } from './kind-economy-settings';
export { checkVouch, type VouchBody, type VouchInput } from './kind-vouch';
export { checkRelease, type ReleaseBody, type ReleaseInput } from './kind-release';
export { creditRoomProblem, type CreditLowering, type CreditReader } from './credit';
export { DEFAULT_SETTINGS, type Balance, type EconomySettings, type HistoryItem, type Profile } from './ledger-state';
export {
  parseAmount, formatAmount, manHours, cpuHours, addAmounts, MAX_AMOUNT_MILLI, MILLI_PER_HOUR,
  type Currency, type ManHours, type CpuHours, type ParseAmountResult,
} from './amounts';
export { presentValueCH, ageInDays, HALF_LIFE_DAYS } from './decay';
export { toHex } from './bytes';
export { createRandom, type Random } from './random';
export { presentBalanceCH } from './present-balance';
export {
  checkJob, validateJob, fullBudget, isModuleKernel, DEFAULT_REDUNDANCY, MAX_REDUNDANCY, MAX_JOB_UNITS, MAX_JOB_LIFETIME_MS,
  MIN_UNIT_DEADLINE_MS, MAX_UNIT_DEADLINE_MS, MAX_TITLE_CHARS, MAX_OPEN_JOBS,
  type JobBody, type JobInput, type JobCheck, type JobField, type JobReader,
} from './kind-job';
export { checkResult, validateResult, maxResultsPerUnit, type ResultBody, type ResultCheck, type ResultReader } from './kind-result';
export type { JobRecord, JobStatus, UnitRecord, UnitResult } from './compute-state';
export { planUnits, type Lease, type LeasePlanInput } from './compute-leases';
export type { FlowRecord } from './ledger-state';
