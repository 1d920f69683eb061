// Kind "transfer" (code 2): the author pays `amount` milli of one currency to another account.
//
// Body wire format: 32-byte recipient public key, 1 byte currency (0 = MH, 1 = CH),
// varuint amount in milli, varuint byte length + UTF-8 memo (length 0 = no memo).
// A transfer without memo is 164 bytes plus its seq, time and amount varuints: with seq ≤ 127
// (1 byte) and a present-day time (6 bytes), 172 bytes for an amount ≤ 127 milli (1 byte) and
// 173 bytes for 128–16,383 milli (2 bytes; 0.128–16.383 h, the usual case). See docs/LEDGER.md.
//
// Invariants:
// - Stateless: amount is an integer in 1..MAX_AMOUNT_MILLI, memo ≤ 280 code points, the
//   recipient is not the author (a self-transfer moves nothing and only pads history).
// - In replay order: the amount must be ≤ the payer's room (credit.ts: balance + credit limit −
//   stakes it has given, under the settings its `ack` names), and the recipient must stay
//   ≤ MAX_BALANCE_MILLI; otherwise the transfer is rejected and no balance changes. Zero-sum:
//   payer −amount, recipient +amount. A transfer never creates credit for anyone.
// - A recipient whose own account is frozen by a fork still receives: the payer's entry is valid,
//   and refusing it would let a third party's misbehaviour decide the payer's outcome.
// - checkTransfer is what a person's send runs before anything is signed: the same rules
//   (validateTransfer, the room of credit.ts) read from the ledger now, in sentences a person reads,
//   plus what to confirm: the amount as it was read, and whether the recipient ever appeared here.

import { MAX_AMOUNT_MILLI, MAX_BALANCE_MILLI, formatAmount, parseAmount, type Currency } from './amounts';
import { ByteReader, ByteWriter, parseHex, toHex } from './bytes';
import type { AccountId } from './encoding';
import type { KindSpec } from './kinds';
import { changeBalance, readBalance, recordHistory } from './ledger-state';
import { creditLimitOf, creditRoomProblem, readPledged, settingsOfEntry, spendableOf, type CreditReader } from './credit';

export interface TransferBody {
  to: AccountId;
  currency: Currency;
  amount: number;
  memo: string;
}

export const MAX_MEMO_CHARS = 280;
const CURRENCY_CODES: readonly Currency[] = ['MH', 'CH'];

export function validateTransfer(body: TransferBody, author: AccountId): string | undefined {
  if (!/^[0-9a-f]{64}$/.test(body.to)) return 'recipient is not a 32-byte account id';
  if (!CURRENCY_CODES.includes(body.currency)) return `unknown currency ${String(body.currency)}`;
  if (!Number.isSafeInteger(body.amount)) return 'amount is not an integer of milli-hours';
  if (body.amount <= 0) return 'amount must be greater than zero';
  if (body.amount > MAX_AMOUNT_MILLI) return `amount exceeds the maximum of ${formatAmount(MAX_AMOUNT_MILLI)}`;
  // Code points ≤ UTF-16 units, so the spread (slow) is only needed for long memos.
  if (body.memo.length > MAX_MEMO_CHARS && [...body.memo].length > MAX_MEMO_CHARS) return `memo is longer than ${MAX_MEMO_CHARS} characters`;
  if (body.to === author) return 'self-transfer';
  return undefined;
}

export const transferKind: KindSpec<TransferBody> = {
  name: 'transfer',
  code: 2,
  encodeBody(body: TransferBody, w: ByteWriter) {
    w.writeBytes(parseHex(body.to) ?? new Uint8Array(32));
    w.writeByte(CURRENCY_CODES.indexOf(body.currency));
    w.writeVarUint(body.amount);
    w.writeString(body.memo);
  },
  decodeBody(r: ByteReader) {
    const to = r.readBytes(32);
    const currency = CURRENCY_CODES[r.readByte() ?? 255];
    const amount = r.readVarUint();
    const memo = r.readString(MAX_MEMO_CHARS * 4);
    if (!to || !currency || amount === undefined || memo === undefined) return undefined;
    return { to: toHex(to), currency, amount, memo };
  },
  validateBody: validateTransfer,
  applyBody(state, entry, body) {
    const settings = settingsOfEntry(state, entry);
    if (body.amount > spendableOf(state, entry.author, body.currency, settings)) {
      const payer = readBalance(state, entry.author)[body.currency];
      const limit = creditLimitOf(state, entry.author, body.currency, settings);
      const pledged = entry.author === state.founder ? 0 : readPledged(state, entry.author)[body.currency];
      const staked = pledged > 0 ? ` with ${formatAmount(pledged)} staked on others` : '';
      return `insufficient credit: balance ${formatAmount(payer)} ${body.currency}${staked}, paying ${formatAmount(body.amount)} would pass the credit limit of -${formatAmount(limit)}`;
    }
    const recipient = readBalance(state, body.to)[body.currency];
    if (recipient + body.amount > MAX_BALANCE_MILLI) return 'recipient balance would exceed the maximum';
    changeBalance(state, entry.author, body.currency, -body.amount);
    changeBalance(state, body.to, body.currency, body.amount);
    const memo = body.memo || undefined;
    const { id: entryId, time } = entry;
    const { currency } = body;
    recordHistory(state, entry.author, { entryId, time, kind: 'transfer', status: 'applied', currency, counterparty: body.to, delta: -body.amount, memo });
    recordHistory(state, body.to, { entryId, time, kind: 'transfer', status: 'applied', currency, counterparty: entry.author, delta: body.amount, memo });
    const source = state.transferFlow?.(body.memo);
    if (source) state.flows.push({ entryId, time, currency, payer: entry.author, payee: body.to, amount: body.amount, source });
    return undefined;
  },
};

/** What a person typed into the send form. */
export interface TransferInput {
  to: string;
  currency: Currency;
  amountText: string;
  memo: string;
}

/** What checkTransfer reads besides credit: whether an account ever appeared in the economy. */
export interface TransferReader extends CreditReader {
  hasAppeared(account: AccountId): boolean;
}

export type TransferCheck =
  | {
    ok: true;
    body: TransferBody;
    /** The amount as read, to confirm before signing: "  3 " → "3 MH", "1,5" → "1.5 MH". */
    reading: string;
    /** The recipient never wrote, received or was named here: a typo or a stranger, confirm twice. */
    stranger: boolean;
  }
  /** `field`: the input the sentence is about, so a form can mark it invalid (none: the whole send). */
  | { ok: false; error: string; field?: 'to' | 'amount' | 'memo' };

/** Checks a send the way the ledger will apply it, so a person hears why before anything is signed. */
export function checkTransfer(reader: TransferReader, me: AccountId, input: TransferInput, timeZone?: string): TransferCheck {
  const to = input.to.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(to)) return { ok: false, field: 'to', error: 'Choose a member, or paste a full account id (64 hexadecimal characters).' };
  if (to === me) return { ok: false, field: 'to', error: 'You cannot send hours to yourself.' };
  const amount = parseAmount(input.amountText);
  if (!amount.ok) return { ...amount, field: 'amount' };
  if ([...input.memo].length > MAX_MEMO_CHARS) return { ok: false, field: 'memo', error: `The memo is longer than ${MAX_MEMO_CHARS} characters.` };
  const body: TransferBody = { to, currency: input.currency, amount: amount.milli, memo: input.memo };
  const invalid = validateTransfer(body, me);
  if (invalid) return { ok: false, error: `This payment cannot be signed: ${invalid}.` };
  if (reader.frozenAt(me) !== undefined) {
    return { ok: false, error: 'Your account is frozen: two different entries were signed with your key (a fork). See Economy → Forks.' };
  }
  const noRoom = creditRoomProblem(reader, me, input.currency, amount.milli, timeZone);
  if (noRoom) return { ok: false, field: 'amount', error: noRoom };
  return { ok: true, body, reading: `${formatAmount(amount.milli)} ${input.currency}`, stranger: !reader.hasAppeared(to) };
}
