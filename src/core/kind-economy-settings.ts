// Kind "economy-settings" (code 3): the founder sets the credit limit per currency.
//
// Body wire format: varuint MH credit limit (milli), varuint CH credit limit (milli).
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

import { MAX_AMOUNT_MILLI } from './amounts';
import type { ByteReader, ByteWriter } from './bytes';
import type { KindSpec } from './kinds';
import { recordHistory } from './ledger-state';

export interface EconomySettingsBody {
  creditLimit: { MH: number; CH: number };
}

export const economySettingsKind: KindSpec<EconomySettingsBody> = {
  name: 'economy-settings',
  code: 3,
  encodeBody(body: EconomySettingsBody, w: ByteWriter) {
    w.writeVarUint(body.creditLimit.MH);
    w.writeVarUint(body.creditLimit.CH);
  },
  decodeBody(r: ByteReader) {
    const MH = r.readVarUint();
    const CH = r.readVarUint();
    if (MH === undefined || CH === undefined) return undefined;
    return { creditLimit: { MH, CH } };
  },
  validateBody(body) {
    for (const c of ['MH', 'CH'] as const) {
      const v = body.creditLimit[c];
      if (!Number.isSafeInteger(v) || v < 0 || v > MAX_AMOUNT_MILLI) return `credit limit for ${c} out of range`;
    }
    return undefined;
  },
  applyBody(state, entry, body) {
    if (entry.author !== state.founder) return 'only the economy founder can change its settings';
    // A new object (never mutated): checkpoints and the log share it.
    state.settings = { creditLimit: { ...body.creditLimit }, newcomerCredit: state.initialSettings.newcomerCredit };
    state.settingsLog.push({ seq: entry.seq, time: entry.time, settings: state.settings });
    recordHistory(state, entry.author, { entryId: entry.id, time: entry.time, kind: 'economy-settings', status: 'applied' });
    return undefined;
  },
};
