// Kind "vouch" (code 4): the author (voucher) stakes part of its own room on a member, which gives
// the member that much credit (credit.ts: limit = min(settings limit, newcomer credit + stakes)).
//
// Body wire format: 32-byte member public key, 1 byte currency (0 = MH, 1 = CH), varuint amount
// in milli = the voucher's whole stake on that member in that currency after this entry
// (0..MAX_AMOUNT_MILLI). A total rather than a change, so the body says what holds.
//
// Invariants:
// - Stateless: member is 32 bytes and not the author (no self-vouch), amount 0..MAX_AMOUNT_MILLI.
// - In replay order, under the settings the entry acks: the stake may only grow, and the
//   increase must fit in the voucher's room (balance + limit − stakes already given); the
//   founder's stakes do not use its room (the founder is the economy's gate, see credit.ts).
//   Equal to the current stake → rejected (it would change nothing).
// - A voucher cannot lower its stake: only the member can, with a `release` (kind-release.ts).
//   Why: a voucher's withdrawal can be dated before payments the member already made on that
//   stake (its own chain only has to be later than its own previous entry), which would undo
//   payments everyone had seen applied; nothing the voucher signs can prove it had not seen them.
//   The member's release is signed on the member's own chain, after all of its own payments.
//   So the voucher's risk is the whole stake, until the member gives it back.
// - Two keys of one person vouching for each other gain nothing: each stake comes out of the
//   voucher's room, so the pair's total room stays what it was (see credit.ts for the bound).
// - A frozen (forked) account is not special here: stakes it gave keep counting for their members,
//   and stakes on it stay until it releases them, which it no longer can (its entries from the
//   fork on do not apply): a stake on a member who forks stays locked, part of the voucher's risk.

import { CURRENCIES, MAX_AMOUNT_MILLI, formatAmount, parseAmount, type Currency } from './amounts';
import { ByteReader, ByteWriter, parseHex, toHex } from './bytes';
import type { AccountId } from './encoding';
import type { KindSpec } from './kinds';
import { recordHistory } from './ledger-state';
import { readStake, setStake, settingsOfEntry, spendableOf, stakeBoundProblem, type CreditReader } from './credit';

export interface VouchBody {
  member: AccountId;
  currency: Currency;
  /** The voucher's whole stake on the member in this currency after this entry, milli. */
  amount: number;
}

const ACCOUNT = /^[0-9a-f]{64}$/;

export function validateVouch(body: VouchBody, author: AccountId): string | undefined {
  if (!ACCOUNT.test(body.member)) return 'member is not a 32-byte account id';
  if (!CURRENCIES.includes(body.currency)) return `unknown currency ${String(body.currency)}`;
  if (!Number.isSafeInteger(body.amount) || body.amount < 0) return 'stake is not an integer of milli-hours';
  if (body.amount > MAX_AMOUNT_MILLI) return `stake exceeds the maximum of ${formatAmount(MAX_AMOUNT_MILLI)}`;
  if (body.member === author) return 'self-vouch';
  return undefined;
}

/** Writes and reads the (account, currency, amount) body shared by vouch and release. */
export function encodeStakeBody(account: AccountId, currency: Currency, amount: number, w: ByteWriter): void {
  w.writeBytes(parseHex(account) ?? new Uint8Array(32));
  w.writeByte(CURRENCIES.indexOf(currency));
  w.writeVarUint(amount);
}

export function decodeStakeBody(r: ByteReader): { account: AccountId; currency: Currency; amount: number } | undefined {
  const account = r.readBytes(32);
  const currency = CURRENCIES[r.readByte() ?? 255];
  const amount = r.readVarUint();
  if (!account || !currency || amount === undefined) return undefined;
  return { account: toHex(account), currency, amount };
}

export const vouchKind: KindSpec<VouchBody> = {
  name: 'vouch',
  code: 4,
  encodeBody(body: VouchBody, w: ByteWriter) {
    encodeStakeBody(body.member, body.currency, body.amount, w);
  },
  decodeBody(r: ByteReader) {
    const b = decodeStakeBody(r);
    return b && { member: b.account, currency: b.currency, amount: b.amount };
  },
  validateBody: validateVouch,
  applyBody(state, entry, body) {
    const { member, currency, amount } = body;
    const current = readStake(state, entry.author, member)[currency];
    if (amount === current) return `the stake on this member is already ${formatAmount(current)} ${currency}`;
    if (amount < current) return 'a voucher cannot lower its stake; only the member can give it back (release)';
    const increase = amount - current;
    if (entry.author !== state.founder) {
      const room = spendableOf(state, entry.author, currency, settingsOfEntry(state, entry));
      if (increase > room) return `insufficient room to stake: staking ${formatAmount(increase)} ${currency} more, room ${formatAmount(room)}`;
    }
    const bound = stakeBoundProblem(state, entry.author, member, currency, increase);
    if (bound) return bound;
    setStake(state, entry.author, member, currency, amount);
    const { id: entryId, time } = entry;
    recordHistory(state, entry.author, { entryId, time, kind: 'vouch', status: 'applied', currency, counterparty: member, stake: amount, role: 'voucher' });
    recordHistory(state, member, { entryId, time, kind: 'vouch', status: 'applied', currency, counterparty: entry.author, stake: amount, role: 'member' });
    return undefined;
  },
};

export type CheckResult<B> = { ok: true; body: B } | { ok: false; error: string };

export interface VouchInput {
  member: string;
  currency: Currency;
  /** How much to ADD to my stake on the member (hours, as typed). */
  amountText: string;
}

/**
 * Checks a vouch the way the ledger will (under the newest settings, which an honest client
 * acks), so a person hears why before anything is signed. Returns the body to sign.
 */
export function checkVouch(reader: CreditReader, me: AccountId, input: VouchInput): CheckResult<VouchBody> {
  const member = input.member.trim().toLowerCase();
  if (!ACCOUNT.test(member)) return { ok: false, error: 'Choose a member, or paste a full account id (64 hexadecimal characters).' };
  if (member === me) return { ok: false, error: 'You cannot vouch for yourself.' };
  if (reader.frozenAt(me) !== undefined) return { ok: false, error: 'Your account is frozen: two different entries were signed with your key (a fork). See Economy → Forks.' };
  const add = parseAmount(input.amountText);
  if (!add.ok) return add;
  const current = reader.stakeOf(me, member)[input.currency];
  const amount = current + add.milli;
  if (amount > MAX_AMOUNT_MILLI) return { ok: false, error: `A stake can be at most ${formatAmount(MAX_AMOUNT_MILLI)} hours.` };
  if (me !== reader.founder) {
    const room = reader.spendable(me, input.currency);
    if (room <= 0) return { ok: false, error: `You have nothing to stake in ${input.currency} yet: a stake comes out of what you could spend (your balance and your credit, less what you have already staked).` };
    if (add.milli > room) return { ok: false, error: `You can stake at most ${formatAmount(room)} ${input.currency} more now: a stake comes out of what you could spend.` };
  }
  return { ok: true, body: { member, currency: input.currency, amount } };
}
