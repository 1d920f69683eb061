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
export { DEFAULT_EPOCH_MS, describeEpochLength, epochOf, epochStart, epochEnd } from './epochs';
export { computeOrchestrator, epochSeries, holdingsOf, revisedEpochs, serializeOrchestrator, type EpochSummary, type OrchestratorResult } from './orchestrator';
export { IncrementalOrchestrator } from './orchestrator-incremental';
export { auditLedger, type AuditReport } from './orchestrator-audit';
export { forecastCurrency, replenishmentRequests, type CurrencyForecast, type ReplenishmentRequest } from './forecast';
export type { EpochMint } from './mint';
export type { FlowRecord } from './ledger-state';
