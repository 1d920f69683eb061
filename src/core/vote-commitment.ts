// The commitment of one estimation vote: hidden until its reveal, checkable by anyone after it.
//
// A voter publishes commitment = SHA-256(bytes) first (a `task-vote` entry, kind-task-vote.ts, and
// whatever the live session shows), and reveals (card, value, salt) later. Anyone recomputes the
// hash from the reveal; a reveal that does not give the published commitment is ignored.
//
// The byte string (docs/TASKS.md "Vote commitments"), all fields concatenated:
//   "hourmesh-vote-v1" (16 ASCII bytes)
//   ‖ economy id (16 bytes) ‖ task id (32 bytes: the task-post entry's id)
//   ‖ round (unsigned LEB128 varuint, minimal, ≥ 1)
//   ‖ voter public key (32 bytes)
//   ‖ card (1 byte: 0 = a number of hours, 1 = "?", 2 = "coffee")
//   ‖ value (varuint, milli-hours; 0 unless card = 0, then 1..MAX_ESTIMATE_MILLI)
//   ‖ salt (16 random bytes)
// Why each field: economy, task, round and voter bind the commitment to one vote, so a commitment
// (or a reveal) copied to another task, round, voter or economy does not check; the salt makes
// the hash unguessable (without it, hashing the deck's few values would reveal the vote).
//
// Invariants: pure and synchronous (replay re-checks commitments inside a reducer); a malformed
// input (bad hex, wrong size, out-of-range value) gives undefined, never a throw.

import { ByteWriter, parseHex, toHex } from './bytes';
import { sha256Sync } from './sha256';
import type { AccountId } from './encoding';
import { MAX_AMOUNT_MILLI } from './amounts';

/** A card: a number of milli-hours, "I don't know", or "I need a break". */
export type VoteValue = number | '?' | 'coffee';

export const VOTE_SALT_BYTES = 16;
/** The largest estimate a vote or a task may carry: 10,000 hours, in milli. */
export const MAX_ESTIMATE_MILLI = Math.min(MAX_AMOUNT_MILLI, 10_000_000);
const DOMAIN = new TextEncoder().encode('hourmesh-vote-v1');

export interface VoteOpening {
  economy: string;
  taskId: string;
  round: number;
  voter: AccountId;
  value: VoteValue;
  /** 32 lowercase hex characters. */
  salt: string;
}

/** Card byte of the commitment and of the task-estimate body. */
export function cardCode(value: VoteValue): number {
  return value === '?' ? 1 : value === 'coffee' ? 2 : 0;
}

/** The reverse of cardCode for a card byte and a varuint value; undefined when they do not fit. */
export function voteValueOf(card: number, value: number): VoteValue | undefined {
  if (card === 1) return value === 0 ? '?' : undefined;
  if (card === 2) return value === 0 ? 'coffee' : undefined;
  if (card === 0) return isEstimateMilli(value) ? value : undefined;
  return undefined;
}

export function isEstimateMilli(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 && value <= MAX_ESTIMATE_MILLI;
}

/** The documented byte string (see the header), or undefined when a field is malformed. */
export function voteCommitmentBytes(v: VoteOpening): Uint8Array | undefined {
  const economy = parseHex(v.economy);
  const task = parseHex(v.taskId);
  const voter = parseHex(v.voter);
  const salt = parseHex(v.salt);
  if (!economy || economy.length !== 16 || !task || task.length !== 32 || !voter || voter.length !== 32) return undefined;
  if (!salt || salt.length !== VOTE_SALT_BYTES) return undefined;
  if (!Number.isSafeInteger(v.round) || v.round < 1) return undefined;
  if (typeof v.value === 'number' && !isEstimateMilli(v.value)) return undefined;
  if (typeof v.value !== 'number' && v.value !== '?' && v.value !== 'coffee') return undefined;
  const w = new ByteWriter();
  w.writeBytes(DOMAIN);
  w.writeBytes(economy);
  w.writeBytes(task);
  w.writeVarUint(v.round);
  w.writeBytes(voter);
  w.writeByte(cardCode(v.value));
  w.writeVarUint(typeof v.value === 'number' ? v.value : 0);
  w.writeBytes(salt);
  return w.toBytes();
}

/** SHA-256 of voteCommitmentBytes as 64 lowercase hex, or undefined for a malformed opening. */
export function voteCommitment(v: VoteOpening): string | undefined {
  const bytes = voteCommitmentBytes(v);
  return bytes && toHex(sha256Sync(bytes));
}

/** True when the reveal gives exactly the published commitment. */
export function revealMatches(v: VoteOpening, commitment: string): boolean {
  return voteCommitment(v) === commitment;
}

/** A fresh salt from a cryptographic source (pass crypto.getRandomValues in the browser). */
export function newVoteSalt(getRandomValues: (bytes: Uint8Array<ArrayBuffer>) => unknown): string {
  const salt = new Uint8Array(VOTE_SALT_BYTES);
  getRandomValues(salt);
  return toHex(salt);
}
