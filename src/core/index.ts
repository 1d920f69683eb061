// Public API of the ledger core. The network and UI layers import from here only.
export { Ledger, CLOCK_SKEW_MS, type LedgerOptions, type AddReport, type Stake } from './ledger';
export { LedgerView, viewSnapshotOf, type LedgerViewSnapshot } from './ledger-view';
export { LedgerReads } from './ledger-reads';
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
export { consensus, pertMean, medianOfSorted, DEFAULT_CONSENSUS, type ConsensusSettings, type ConsensusResult } from './consensus';
export {
  voteCommitment, voteCommitmentBytes, revealMatches, newVoteSalt, isEstimateMilli, VOTE_SALT_BYTES, MAX_ESTIMATE_MILLI,
  type VoteOpening, type VoteValue,
} from './vote-commitment';
export {
  TASK_STATUSES, TASK_ACTIONS, MAX_ROUNDS, MAX_VOTES_PER_ROUND, voterProblem, stepProblem, isReviewer,
  type TaskStatus, type TaskAction, type TaskRecord, type TaskRound, type TaskEvent, type TaskVoteCommit, type RevealedVote, type VoterReader,
} from './task-state';
export {
  MAX_TITLE_CHARS, MAX_DESCRIPTION_CHARS, MAX_CRITERIA_CHARS, MAX_PROJECT_CHARS, MAX_REVIEWERS, MAX_TASK_BODY_BYTES, type TaskPostBody,
} from './kind-task-post';
export { MAX_STEP_TEXT_CHARS, type TaskStepBody } from './kind-task-step';
export { voteProblem, type TaskVoteBody } from './kind-task-vote';
export { settleProblem, type TaskEstimateBody } from './kind-task-estimate';
export {
  checkTaskPost, checkTaskStep, checkTaskVote, checkTaskEstimate,
  type TaskReader, type TaskCheck, type TaskPostInput, type TaskStepInput, type TaskVoteInput, type TaskEstimateInput,
} from './kind-task-checks';
export {
  checkJob, validateJob, fullBudget, isModuleKernel, DEFAULT_REDUNDANCY, MAX_REDUNDANCY, MAX_JOB_UNITS, MAX_JOB_LIFETIME_MS,
  MIN_UNIT_DEADLINE_MS, MAX_UNIT_DEADLINE_MS, MAX_TITLE_CHARS as MAX_JOB_TITLE_CHARS, MAX_OPEN_JOBS,
  type JobBody, type JobInput, type JobCheck, type JobField, type JobReader,
} from './kind-job';
export { checkResult, validateResult, maxResultsPerUnit, type ResultBody, type ResultCheck, type ResultReader } from './kind-result';
export type { JobRecord, JobStatus, UnitRecord, UnitResult } from './compute-state';
export { planUnits, type Lease, type LeasePlanInput } from './compute-leases';
export { DEFAULT_EPOCH_MS, describeEpochLength, epochOf, epochStart, epochEnd } from './epochs';
export { computeOrchestrator, epochSeries, holdingsOf, revisedEpochs, serializeOrchestrator, type EpochSummary, type OrchestratorResult } from './orchestrator';
export { IncrementalOrchestrator } from './orchestrator-incremental';
export { auditLedger, type AuditReport } from './orchestrator-audit';
export { forecastCurrency, replenishmentRequests, type CurrencyForecast, type ReplenishmentRequest } from './forecast';
export { backlogOf, forecastBacklog, RELEASE_DEMAND_EPOCHS, type Backlog, type BacklogForecast } from './forecast-inputs';
export type { EpochMint } from './mint';
export type { FlowRecord } from './ledger-state';
export {
  servingFee, chunkHashesRoot, chunkCount, SERVING_MILLI_CH_PER_MIB, MAX_RELEASE_FILE_BYTES, MIN_CHUNK_BYTES, MAX_CHUNK_BYTES, DEFAULT_CHUNK_BYTES,
  type ReleaseRecord, type ReleaseFile, type ReleaseContributor,
} from './release-state';
export {
  validateReleasePost, isChunkSize, MAX_RELEASE_TASKS, MAX_RELEASE_PROJECT_BYTES, MAX_RELEASE_TITLE_BYTES, MAX_FILE_NAME_BYTES, MAX_PREDICTED_DOWNLOADS,
  type ReleasePostBody,
} from './kind-release-post';
export { validateDownload, MAX_SERVERS, type DownloadBody, type DownloadServer } from './kind-download';
export type { ReleaseReads } from './release-reads';
export {
  checkReleasePost, checkDownload, type ReleaseReader, type ReleasePostInput, type ReleasePostCheck, type DownloadInput, type DownloadCheck,
} from './release-checks';
