// Kind "release" (code 5): a member gives back (part of) a stake a voucher holds on it.
//
// Body wire format: 32-byte voucher public key, 1 byte currency (0 = MH, 1 = CH), varuint amount
// in milli = the stake that remains after this entry (0..MAX_AMOUNT_MILLI; 0 = all of it back).
// The same layout as `vouch` (kind-vouch.ts), with the other account.
//
// Invariants:
// - Stateless: voucher is 32 bytes and not the author, amount 0..MAX_AMOUNT_MILLI.
// - In replay order, under the settings the entry acks: the amount must be below the current
//   stake, and the member's room after it (balance + its lower limit − stakes it gave itself)
//   must stay ≥ 0 — its debt and its own stakes stay covered. The voucher's room grows by the
//   amount given back.
// - Why the member and not the voucher lowers a stake: see kind-vouch.ts. A release is on the
//   member's own chain, later than every payment the member made, so it can only bind the
//   member's later entries. (Backdated, it can only give the voucher room earlier: more entries
//   of the voucher may apply, none of the member's is undone.)

import { MAX_AMOUNT_MILLI, formatAmount, parseAmount, type Currency } from './amounts';
import type { ByteReader, ByteWriter } from './bytes';
import type { AccountId } from './encoding';
import type { KindSpec } from './kinds';
import { recordHistory } from './ledger-state';
import { readStake, setStake, settingsOfEntry, spendableOf, type CreditReader } from './credit';
import { decodeStakeBody, encodeStakeBody, type CheckResult } from './kind-vouch';

export interface ReleaseBody {
  voucher: AccountId;
  currency: Currency;
  /** The stake that remains after this entry, milli (0 = all given back). */
  amount: number;
}

const ACCOUNT = /^[0-9a-f]{64}$/;

export function validateRelease(body: ReleaseBody, author: AccountId): string | undefined {
  if (!ACCOUNT.test(body.voucher)) return 'voucher is not a 32-byte account id';
  if (body.currency !== 'MH' && body.currency !== 'CH') return `unknown currency ${String(body.currency)}`;
  if (!Number.isSafeInteger(body.amount) || body.amount < 0) return 'stake is not an integer of milli-hours';
  if (body.amount > MAX_AMOUNT_MILLI) return `stake exceeds the maximum of ${formatAmount(MAX_AMOUNT_MILLI)}`;
  if (body.voucher === author) return 'self-release';
  return undefined;
}

export const releaseKind: KindSpec<ReleaseBody> = {
  name: 'release',
  code: 5,
  encodeBody(body: ReleaseBody, w: ByteWriter) {
    encodeStakeBody(body.voucher, body.currency, body.amount, w);
  },
  decodeBody(r: ByteReader) {
    const b = decodeStakeBody(r);
    return b && { voucher: b.account, currency: b.currency, amount: b.amount };
  },
  validateBody: validateRelease,
  applyBody(state, entry, body) {
    const { voucher, currency, amount } = body;
    const member = entry.author;
    const current = readStake(state, voucher, member)[currency];
    if (amount >= current) return `nothing to release: the stake is ${formatAmount(current)} ${currency}`;
    const roomAfter = spendableOf(state, member, currency, settingsOfEntry(state, entry), amount - current);
    if (roomAfter < 0) {
      return `the stake still covers the member's debt or own stakes: giving back ${formatAmount(current - amount)} ${currency} would leave it ${formatAmount(-roomAfter)} past its credit`;
    }
    setStake(state, voucher, member, currency, amount);
    const { id: entryId, time } = entry;
    recordHistory(state, member, { entryId, time, kind: 'release', status: 'applied', currency, counterparty: voucher, stake: amount, role: 'member' });
    recordHistory(state, voucher, { entryId, time, kind: 'release', status: 'applied', currency, counterparty: member, stake: amount, role: 'voucher' });
    return undefined;
  },
};

export interface ReleaseInput {
  voucher: string;
  currency: Currency;
  /** How much of the stake to give back (hours, as typed). */
  amountText: string;
}

/** Checks a release the way the ledger will; returns the body to sign or a sentence. */
export function checkRelease(reader: CreditReader, me: AccountId, input: ReleaseInput): CheckResult<ReleaseBody> {
  const voucher = input.voucher.trim().toLowerCase();
  if (!ACCOUNT.test(voucher)) return { ok: false, error: 'Choose the member whose stake you give back.' };
  if (reader.frozenAt(me) !== undefined) return { ok: false, error: 'Your account is frozen: two different entries were signed with your key (a fork). See Economy → Forks.' };
  const back = parseAmount(input.amountText);
  if (!back.ok) return back;
  const current = reader.stakeOf(voucher, me)[input.currency];
  if (current === 0) return { ok: false, error: `That member has no ${input.currency} stake on you.` };
  if (back.milli > current) return { ok: false, error: `Their stake on you is only ${formatAmount(current)} ${input.currency}.` };
  const lost = reader.creditOf(me)[input.currency] - reader.creditIfReleased(me, input.currency, back.milli);
  if (lost > reader.spendable(me, input.currency)) {
    return { ok: false, error: `You cannot give that much back yet: the stake still covers what you owe or have staked (you can give back at most ${formatAmount(Math.max(0, reader.spendable(me, input.currency)))} ${input.currency} of credit you do not use).` };
  }
  return { ok: true, body: { voucher, currency: input.currency, amount: current - back.milli } };
}
