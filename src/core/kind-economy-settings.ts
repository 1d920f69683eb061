// Kind "economy-settings" (code 3): the founder sets the credit limit per currency and, once, the
// length of the orchestrator's epochs.
//
// Body wire format: varuint MH credit limit (milli), varuint CH credit limit (milli), then
// optionally varuint epoch length in ms (MIN_EPOCH_MS..MAX_EPOCH_MS, epochs.ts). A body without
// the third varuint is the format before epochs existed and stays valid: it leaves the epoch
// length as it is. Each body still has exactly one encoding (the field is either there or not).
// Invariants: only entries authored by the economy's founder (given to the Ledger when it is
// created) apply — anyone who knows the room secret can write into the document, so authority
// cannot come from the document itself. Limits are integers in 0..MAX_AMOUNT_MILLI.
// Settings apply by acknowledgement, not by time (credit.ts): an applied settings entry is
// appended to state.settingsLog under the founder's seq, and an entry is judged under the newest
// one it acked (`ack` ≥ that seq) among those before it in replay order. So a backdated lower
// limit never reverses an entry whose author had not seen it. Existing balances are untouched
// (an account past a new limit just cannot pay until it is back within it).
// The newcomer credit is not a setting an entry can change: it stays what the economy started
// with (LedgerOptions.initialSettings; 0 in the app). Were it changeable, lowering it would bind
// no sybil — a fresh key can always ack the settings from before the change.
// The epoch length is fixed when the economy starts: by initialSettings.epochMs if set, else by
// the founder's first applied settings entry (absent there → a day, DEFAULT_EPOCH_MS). A later
// entry may leave it out or repeat it; one that names another length is rejected whole (its
// limits too), since changing the length would renumber every past epoch and its mints.

import { MAX_AMOUNT_MILLI } from './amounts';
import type { ByteReader, ByteWriter } from './bytes';
import { DEFAULT_EPOCH_MS, describeEpochLength, validEpochLength } from './epochs';
import type { KindSpec } from './kinds';
import { recordHistory, type LedgerState } from './ledger-state';

export interface EconomySettingsBody {
  creditLimit: { MH: number; CH: number };
  /** Epoch length in ms; only the first settings entry of an economy sets it (see the header). */
  epochMs?: number;
}

/** The epoch length fixed so far, or undefined while no settings entry (nor initialSettings) fixed it. */
export function fixedEpochMs(state: LedgerState): number | undefined {
  if (state.initialSettings.epochMs !== undefined) return state.initialSettings.epochMs;
  const first = state.settingsLog[0];
  return first ? (first.settings.epochMs ?? DEFAULT_EPOCH_MS) : undefined;
}

/** The economy's epoch length: fixed, or the default until the founder fixes it. */
export function epochMsOf(state: LedgerState): number {
  return fixedEpochMs(state) ?? DEFAULT_EPOCH_MS;
}

export const economySettingsKind: KindSpec<EconomySettingsBody> = {
  name: 'economy-settings',
  code: 3,
  encodeBody(body: EconomySettingsBody, w: ByteWriter) {
    w.writeVarUint(body.creditLimit.MH);
    w.writeVarUint(body.creditLimit.CH);
    if (body.epochMs !== undefined) w.writeVarUint(body.epochMs);
  },
  decodeBody(r: ByteReader) {
    const MH = r.readVarUint();
    const CH = r.readVarUint();
    if (MH === undefined || CH === undefined) return undefined;
    if (r.remaining === 0) return { creditLimit: { MH, CH } };
    const epochMs = r.readVarUint();
    if (epochMs === undefined) return undefined;
    return { creditLimit: { MH, CH }, epochMs };
  },
  validateBody(body) {
    for (const c of ['MH', 'CH'] as const) {
      const v = body.creditLimit[c];
      if (!Number.isSafeInteger(v) || v < 0 || v > MAX_AMOUNT_MILLI) return `credit limit for ${c} out of range`;
    }
    if (body.epochMs !== undefined && !validEpochLength(body.epochMs)) return 'epoch length out of range (1 second to 366 days)';
    return undefined;
  },
  applyBody(state, entry, body) {
    if (entry.author !== state.founder) return 'only the economy founder can change its settings';
    const fixed = fixedEpochMs(state);
    if (body.epochMs !== undefined && fixed !== undefined && body.epochMs !== fixed) {
      return `the epoch length is fixed at ${describeEpochLength(fixed)} for this economy`;
    }
    const epochMs = fixed ?? body.epochMs ?? DEFAULT_EPOCH_MS;
    // A new object (never mutated): checkpoints and the log share it.
    state.settings = { creditLimit: { ...body.creditLimit }, newcomerCredit: state.initialSettings.newcomerCredit, epochMs };
    state.settingsLog.push({ seq: entry.seq, time: entry.time, settings: state.settings });
    recordHistory(state, entry.author, { entryId: entry.id, time: entry.time, kind: 'economy-settings', status: 'applied' });
    return undefined;
  },
};

/** What a settings check needs to know of the ledger. */
export interface SettingsReader {
  readonly founder: string;
  /** Whether a settings entry (or initialSettings) fixed the epoch length already. */
  readonly epochFixed: boolean;
  readonly epochMs: number;
}

/**
 * The founder's settings entry, checked before signing the way replay will rule it: the body to
 * sign, or the sentence to show. `epochMs` is for the economy's first settings entry; leave it
 * out later (the length stays), or repeat the length in force.
 */
export function checkEconomySettings(reader: SettingsReader, me: string, input: EconomySettingsBody): { ok: true; body: EconomySettingsBody } | { ok: false; error: string } {
  if (me !== reader.founder) return { ok: false, error: 'Only the founder of this economy can change its settings.' };
  const body: EconomySettingsBody = { creditLimit: { MH: input.creditLimit.MH, CH: input.creditLimit.CH }, ...(input.epochMs !== undefined ? { epochMs: input.epochMs } : {}) };
  const invalid = economySettingsKind.validateBody(body, me);
  if (invalid) return { ok: false, error: `The settings were not saved: ${invalid}.` };
  if (body.epochMs !== undefined && reader.epochFixed && body.epochMs !== reader.epochMs) {
    return { ok: false, error: `The epoch length is fixed at ${describeEpochLength(reader.epochMs)} for this economy.` };
  }
  return { ok: true, body };
}
