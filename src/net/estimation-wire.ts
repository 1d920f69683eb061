// Wire format of a live estimation session (docs/ESTIMATION.md is the contract; this file and that
// text must agree). A session is a Yjs document of its own, in a y-webrtc room of its own
// (`hourmesh-estimate:v1:<economy id>:<session id>`), with one root map `estimation` whose values
// are **signed records**:
//
//   value   = author (32 bytes, Ed25519 public key) ‖ signature (64) ‖ payload (UTF-8 JSON object)
//   signed  = UTF-8 "hourmesh-estimate-v1\n" ‖ economy id (16 raw bytes) ‖ session id (16 raw
//             bytes) ‖ UTF-8 key ‖ 0x0a ‖ payload
//
// The signed bytes name the economy, the session and the map key, so a record cannot be replayed
// into another economy, another session or another slot (a round-1 vote moved to round 2 fails).
// They start with 'h' (0x68), never with an entry's version byte (0x02): a record signature can
// never pass as an entry signature or the other way round.
//
// Keys (n = 0…9999, no leading zeros; account = 64 lowercase hex):
//   f:<n>            facilitator hand-over n: {"to": account}
//   r:<n>            round n: {"task": id, "title": text, "round": k, "threePoint": bool}
//   x:<n>            the facilitator's call to reveal round n: {}
//   v:<n>:<account>  that account's reveal for round n: {"value": milli | "?" | "coffee",
//                    "salt": 32 hex} and, for a three-point vote, "threePoint": [o, l, p] (milli)
// Commitments are not in this document: a voter commits with a signed `task-vote` ledger entry
// (core/kind-task-vote.ts: core/vote-commitment.ts's hash of economy, task, task round, voter,
// value, salt), so the settled estimate (`task-estimate`) can be re-checked by replay. The three
// points of a three-point vote are not committed, only the value (their PERT mean) is.
// This module only encodes and decodes; who may write which record is decided in
// ./estimation-view.ts. Nothing here reads a clock or a global.
import { parseHex, toHex } from '../core/bytes';
import type { CryptoPort, Signer } from '../core';
import { isEstimateMilli, type VoteValue } from '../core/vote-commitment';

export const ESTIMATION_MAP = 'estimation';
export const MAX_RECORD_BYTES = 1024;
export const MAX_ROUND = 9999;
const DOMAIN = new TextEncoder().encode('hourmesh-estimate-v1\n');
const ACCOUNT = /^[0-9a-f]{64}$/;
const NUMBER = '(0|[1-9][0-9]{0,3})';
const KEY = new RegExp(`^(?:([frx]):${NUMBER}|(v):${NUMBER}:([0-9a-f]{64}))$`);

export type RecordKey =
  | { type: 'facilitator'; n: number }
  | { type: 'round'; n: number }
  | { type: 'call'; n: number }
  | { type: 'reveal'; n: number; account: string };

export type Payload =
  | { type: 'facilitator'; to: string }
  | { type: 'round'; task: string; title: string; round: number; threePoint: boolean }
  | { type: 'call' }
  | { type: 'reveal'; value: VoteValue; salt: string; threePoint?: ThreePoint };

/** Optimistic, likely, pessimistic, in milli-hours. */
export type ThreePoint = readonly [number, number, number];

/** A record whose signature verified, under its key. */
export interface SignedRecord {
  key: string;
  slot: RecordKey;
  author: string;
  payload: Payload;
}

const LETTER: Record<RecordKey['type'], string> = { facilitator: 'f', round: 'r', call: 'x', reveal: 'v' };

export function keyOf(slot: RecordKey): string {
  const head = `${LETTER[slot.type]}:${slot.n}`;
  return slot.type === 'reveal' ? `${head}:${slot.account}` : head;
}

export function parseKey(key: string): RecordKey | null {
  const m = KEY.exec(key);
  if (!m) return null;
  if (m[1]) {
    const n = Number(m[2]);
    return m[1] === 'f' ? { type: 'facilitator', n } : m[1] === 'r' ? { type: 'round', n } : { type: 'call', n };
  }
  return { type: 'reveal', n: Number(m[4]), account: m[5]! };
}

/** The 16 raw bytes of a 32-hex id (economy or session). */
function idBytes(hex: string): Uint8Array {
  const bytes = parseHex(hex);
  if (!bytes || bytes.length !== 16) throw new Error(`not a 32-hex id: ${hex}`);
  return bytes;
}

export function signedBytes(economyId: string, sessionId: string, key: string, payload: Uint8Array): Uint8Array {
  const keyBytes = new TextEncoder().encode(key);
  const out = new Uint8Array(DOMAIN.length + 32 + keyBytes.length + 1 + payload.length);
  let at = 0;
  for (const part of [DOMAIN, idBytes(economyId), idBytes(sessionId), keyBytes, new Uint8Array([0x0a]), payload]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function payloadJson(payload: Payload): unknown {
  switch (payload.type) {
    case 'facilitator': return { to: payload.to };
    case 'round': return { task: payload.task, title: payload.title, round: payload.round, threePoint: payload.threePoint };
    case 'call': return {};
    case 'reveal': return payload.threePoint
      ? { value: payload.value, salt: payload.salt, threePoint: payload.threePoint }
      : { value: payload.value, salt: payload.salt };
  }
}

/** Signs `payload` for slot `key`; the bytes to put in the map. */
export async function signRecord(signer: Signer, economyId: string, sessionId: string, key: string, payload: Payload): Promise<Uint8Array> {
  const body = new TextEncoder().encode(JSON.stringify(payloadJson(payload)));
  const signature = await signer.sign(signedBytes(economyId, sessionId, key, body));
  const out = new Uint8Array(96 + body.length);
  out.set(signer.publicKey, 0);
  out.set(signature, 32);
  out.set(body, 96);
  if (out.length > MAX_RECORD_BYTES) throw new Error(`estimation record over ${MAX_RECORD_BYTES} bytes`);
  return out;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const exactKeys = (o: Record<string, unknown>, keys: string[]) => Object.keys(o).length === keys.length && keys.every((k) => k in o);

export function parseVoteValue(x: unknown): VoteValue | null {
  return x === '?' || x === 'coffee' || isEstimateMilli(x) ? x : null;
}

function parseThreePoint(x: unknown): ThreePoint | null {
  if (!Array.isArray(x) || x.length !== 3 || !x.every(isEstimateMilli)) return null;
  const [o, l, p] = x as number[];
  return o! <= l! && l! <= p! ? [o!, l!, p!] : null;
}

/** The payload a slot must hold, or null when the JSON does not fit it exactly. */
export function parsePayload(slot: RecordKey, json: unknown): Payload | null {
  if (!isObject(json)) return null;
  switch (slot.type) {
    case 'facilitator':
      return exactKeys(json, ['to']) && typeof json.to === 'string' && ACCOUNT.test(json.to) ? { type: 'facilitator', to: json.to } : null;
    case 'round': {
      const { task, title, round, threePoint } = json;
      if (!exactKeys(json, ['task', 'title', 'round', 'threePoint'])) return null;
      if (typeof task !== 'string' || !ACCOUNT.test(task)) return null; // a task-post entry id
      if (typeof title !== 'string' || title.length > 200) return null;
      if (!Number.isSafeInteger(round) || (round as number) < 1 || (round as number) > MAX_ROUND + 1) return null;
      if (typeof threePoint !== 'boolean') return null;
      return { type: 'round', task, title, round: round as number, threePoint };
    }
    case 'call':
      return exactKeys(json, []) ? { type: 'call' } : null;
    case 'reveal': {
      const keys = 'threePoint' in json ? ['value', 'salt', 'threePoint'] : ['value', 'salt'];
      if (!exactKeys(json, keys) || typeof json.salt !== 'string' || !/^[0-9a-f]{32}$/.test(json.salt)) return null;
      const value = parseVoteValue(json.value);
      if (value === null) return null;
      if (!('threePoint' in json)) return { type: 'reveal', value, salt: json.salt };
      const threePoint = parseThreePoint(json.threePoint);
      return threePoint ? { type: 'reveal', value, salt: json.salt, threePoint } : null;
    }
  }
}

export type OpenResult = { ok: true; record: SignedRecord } | { ok: false; reason: string };

/**
 * Checks one map value: the key's grammar, the size, the JSON shape of its slot, the author a
 * reveal slot names, and the signature. Never throws.
 */
export async function openRecord(crypto: CryptoPort, economyId: string, sessionId: string, key: string, value: unknown): Promise<OpenResult> {
  const slot = parseKey(key);
  if (!slot) return { ok: false, reason: 'unknown key' };
  if (!(value instanceof Uint8Array)) return { ok: false, reason: 'value is not bytes' };
  if (value.length > MAX_RECORD_BYTES) return { ok: false, reason: 'record too large' };
  if (value.length < 96 + 2) return { ok: false, reason: 'record too short' };
  const author = toHex(value.subarray(0, 32));
  if (slot.type === 'reveal' && slot.account !== author) return { ok: false, reason: 'written by another account than its key names' };
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(value.subarray(96)));
  } catch {
    return { ok: false, reason: 'payload is not JSON' };
  }
  const payload = parsePayload(slot, json);
  if (!payload) return { ok: false, reason: 'payload does not fit its key' };
  const ok = await crypto.verify(value.subarray(0, 32), value.subarray(32, 96), signedBytes(economyId, sessionId, key, value.subarray(96)));
  if (!ok) return { ok: false, reason: 'invalid signature' };
  return { ok: true, record: { key, slot, author, payload } };
}
