// Kind "economy-settings" (code 3): the founder sets the credit limit per currency.
//
// Body wire format: varuint MH credit limit (milli), varuint CH credit limit (milli).
// Invariants: only entries authored by the economy's founder (given to the Ledger when it is
// created) apply — anyone who knows the room secret can write into the document, so authority
// cannot come from the document itself. Limits are integers in 0..MAX_AMOUNT_MILLI. A new limit
// applies to transfers after it in replay order; existing balances below it stay as they are
// (the account just cannot pay until it is back above the limit).

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
    state.settings = { creditLimit: { ...body.creditLimit } };
    recordHistory(state, entry.author, { entryId: entry.id, time: entry.time, kind: 'economy-settings', status: 'applied' });
    return undefined;
  },
};
