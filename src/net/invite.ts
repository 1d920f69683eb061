// Invite links: everything a person needs to join an economy, carried in the URL fragment.
//
// Why the fragment: browsers never send it to a server, so the economy's secret reaches only the
// device that opens the link (and whoever it is shared with), not the host that serves the app.
//
// Wire format (version 3; docs/PROTOCOL.md §10 has the byte table): `<app url>#/join/<payload>`,
// payload = base64url without padding of
//   0x03 | founder (32) | nonce (16) | secret | name | [signaling servers]
// where secret = 0x00 + the 18 random bytes of a generated secret (one that is the base64url of
// 18 bytes, 24 characters), or 0x01 + length byte + UTF-8 of a typed one; name = length byte +
// UTF-8; signaling servers (only when the inviter uses servers other than its page's default) =
// count byte (1..4) + for each a length byte + UTF-8 ws(s):// URL. Nothing may follow.
// Binary keeps the link short (about 140 characters instead of 272), so its QR code has large
// modules and scans from a laptop screen.
// The economy id is not carried: it is derived, id = economyIdOf(founder, nonce) (src/core), so
// an invite cannot name another founder for a known economy — a different founder is a
// different economy. The y-webrtc room is `hourmesh:v2:<id>` and its password is the secret
// (see docs/PROTOCOL.md).
import { economyIdOf, toHex } from '../core';
import { checkSignalingUrl } from './network-config';

export interface EconomyInvite {
  /** Derived from founder and nonce (economyIdOf); never read from the link. */
  id: string;
  name: string;
  /** Account id (hex Ed25519 public key) of the founder; only they can change economy settings. */
  founder: string;
  /** 16 random bytes (32 hex) chosen by the founder at creation; with the founder it fixes the id. */
  nonce: string;
  secret: string;
  /**
   * Signaling servers the inviter uses besides its page's default. The joiner uses them for this
   * economy's room only, on top of its own list (Economies), so a joiner on another host finds
   * the room without its settings for other economies changing.
   */
  signaling?: string[];
}

export type ParsedInvite = { ok: true; invite: EconomyInvite } | { ok: false; error: string };

const JOIN_PREFIX = '#/join/';
export const ROOM_PREFIX = 'hourmesh:v2:';
export const INVITE_VERSION = 3;
const GENERATED_SECRET = 0;
const TYPED_SECRET = 1;
const GENERATED_SECRET_BYTES = 18;
export const MAX_INVITE_SIGNALING = 4;
const MAX_FIELD_BYTES = 255;

const DAMAGED = 'The invite link is damaged (was it cut short when copied?).';
const OTHER_VERSION = 'This invite was made by a different version of hourmesh.';

export function roomNameOf(economyId: string): string {
  return ROOM_PREFIX + economyId;
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

function hexBytes(hex: string): number[] {
  return hex.match(/../g)!.map((h) => parseInt(h, 16));
}

/** The 18 bytes behind a generated secret, or null for a typed one (see newEconomyKeys). */
function generatedSecretBytes(secret: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]{24}$/.test(secret)) return null;
  const bytes = fromBase64Url(secret);
  return bytes && bytes.length === GENERATED_SECRET_BYTES ? bytes : null;
}

/** The secret rules every invite enforces: 8–200 characters, at most 255 bytes as UTF-8. */
export function checkSecret(secret: string): string | null {
  if (secret.length < 8) return 'The secret must be at least 8 characters long; anyone who knows it can join.';
  if (secret.length > 200 || new TextEncoder().encode(secret).length > MAX_FIELD_BYTES) return 'The secret can have at most 200 characters.';
  return null;
}

function checkFields(v: { name: string; founder: string; nonce: string; secret: string; signaling?: string[] }): ParsedInvite {
  const { name, founder, nonce, secret } = v;
  if (!/^[0-9a-f]{64}$/.test(founder)) return { ok: false, error: 'The invite has no valid founder account.' };
  if (!/^[0-9a-f]{32}$/.test(nonce)) return { ok: false, error: 'The invite has no valid economy id.' };
  if (!name.trim() || name.length > 80) return { ok: false, error: 'The invite has no valid economy name.' };
  if (checkSecret(secret)) return { ok: false, error: 'The invite has no valid secret.' };
  const signaling: string[] = [];
  for (const url of v.signaling ?? []) {
    const checked = checkSignalingUrl(url);
    if (!checked.ok || checked.value !== url) return { ok: false, error: 'The invite names a signaling server that is not a ws:// or wss:// address.' };
    if (!signaling.includes(url)) signaling.push(url);
  }
  if (signaling.length > MAX_INVITE_SIGNALING) return { ok: false, error: `The invite names more than ${MAX_INVITE_SIGNALING} signaling servers.` };
  const id = economyIdOf(founder, nonce)!;
  const invite: EconomyInvite = { id, name: name.trim(), founder, nonce, secret };
  if (signaling.length) invite.signaling = signaling;
  return { ok: true, invite };
}

/**
 * Checks invite fields that come from elsewhere than a link (a backup file): the same rules, and
 * the id derived again rather than trusted.
 */
export function checkInvite(value: unknown): ParsedInvite {
  if (typeof value !== 'object' || value === null) return { ok: false, error: 'The invite is damaged.' };
  const { name, founder, nonce, secret, signaling } = value as Record<string, unknown>;
  if (typeof name !== 'string' || typeof founder !== 'string' || typeof nonce !== 'string' || typeof secret !== 'string') {
    return { ok: false, error: 'The invite is damaged.' };
  }
  if (signaling !== undefined && !(Array.isArray(signaling) && signaling.every((s) => typeof s === 'string'))) return { ok: false, error: 'The invite is damaged.' };
  return checkFields({ name, founder, nonce, secret, signaling });
}

/** The payload bytes of an invite (after the version byte comes the table in the header). */
export function encodeInvite(invite: Omit<EconomyInvite, 'id'>): Uint8Array {
  const utf8 = (text: string) => {
    const bytes = new TextEncoder().encode(text);
    if (bytes.length > MAX_FIELD_BYTES) throw new Error('An invite field is longer than 255 bytes.');
    return [bytes.length, ...bytes];
  };
  const generated = generatedSecretBytes(invite.secret);
  const out = [
    INVITE_VERSION,
    ...hexBytes(invite.founder),
    ...hexBytes(invite.nonce),
    ...(generated ? [GENERATED_SECRET, ...generated] : [TYPED_SECRET, ...utf8(invite.secret)]),
    ...utf8(invite.name),
  ];
  const servers = invite.signaling ?? [];
  if (servers.length) out.push(Math.min(servers.length, MAX_INVITE_SIGNALING), ...servers.slice(0, MAX_INVITE_SIGNALING).flatMap(utf8));
  return Uint8Array.from(out);
}

/** Parses payload bytes strictly: every length inside the data, valid UTF-8, nothing left over. */
export function decodeInvite(bytes: Uint8Array): ParsedInvite {
  if (bytes.length === 0) return { ok: false, error: DAMAGED };
  if (bytes[0] !== INVITE_VERSION) return { ok: false, error: OTHER_VERSION };
  let at = 1;
  const take = (n: number): Uint8Array | null => {
    if (at + n > bytes.length) return null;
    const part = bytes.subarray(at, at + n);
    at += n;
    return part;
  };
  const text = (): string | null => {
    const length = take(1);
    const data = length && take(length[0]!);
    if (!data) return null;
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(data);
    } catch {
      return null;
    }
  };
  const founder = take(32);
  const nonce = take(16);
  const kind = take(1);
  if (!founder || !nonce || !kind) return { ok: false, error: DAMAGED };
  let secret: string | null = null;
  if (kind[0] === GENERATED_SECRET) {
    const raw = take(GENERATED_SECRET_BYTES);
    secret = raw && toBase64Url(raw);
  } else if (kind[0] === TYPED_SECRET) {
    secret = text();
  } else {
    return { ok: false, error: 'The invite has no valid secret.' };
  }
  const name = secret === null ? null : text();
  if (secret === null || name === null) return { ok: false, error: DAMAGED };
  const signaling: string[] = [];
  if (at < bytes.length) {
    const count = take(1)![0]!;
    if (count < 1 || count > MAX_INVITE_SIGNALING) return { ok: false, error: DAMAGED };
    for (let i = 0; i < count; i++) {
      const url = text();
      if (url === null) return { ok: false, error: DAMAGED };
      signaling.push(url);
    }
  }
  if (at !== bytes.length) return { ok: false, error: DAMAGED };
  return checkFields({ name, founder: toHex(founder), nonce: toHex(nonce), secret, signaling });
}

export function inviteLink(appUrl: string, invite: EconomyInvite): string {
  const base = appUrl.split('#')[0];
  return `${base}${JOIN_PREFIX}${toBase64Url(encodeInvite(invite))}`;
}

/** Accepts a whole link (as pasted) or just the fragment (as read from location.hash). */
export function parseInviteLink(text: string): ParsedInvite {
  const at = text.indexOf(JOIN_PREFIX);
  if (at < 0) return { ok: false, error: 'That is not a hourmesh invite link (it should contain "#/join/").' };
  const bytes = fromBase64Url(text.slice(at + JOIN_PREFIX.length).trim());
  if (bytes === null) return { ok: false, error: DAMAGED };
  return decodeInvite(bytes);
}

export function isJoinHash(hash: string): boolean {
  return hash.startsWith(JOIN_PREFIX);
}

/** A fresh economy nonce (128 random bits) and secret (144 random bits), from the given randomness. */
export function newEconomyKeys(randomBytes: (n: number) => Uint8Array): { nonce: string; secret: string } {
  const nonce = [...randomBytes(16)].map((b) => b.toString(16).padStart(2, '0')).join('');
  let binary = '';
  for (const b of randomBytes(18)) binary += String.fromCharCode(b);
  const secret = btoa(binary).replace(/\+/g, '-').replace(/\//g, '_');
  return { nonce, secret };
}

/**
 * Whether joining `invite` may proceed given the economy this device already holds under the
 * same id. The founder cannot differ (the id is derived from it); a different secret is refused
 * rather than silently replacing the known one: a crafted or stale link must not move a member
 * to another room of the same economy. Returns the sentence to show, or null.
 */
export function checkInviteAgainstKnown(invite: EconomyInvite, known: { name: string; founder: string; secret: string } | undefined): string | null {
  if (!known) return null;
  if (known.founder !== invite.founder) return `This invite names another founder for ${known.name}; it was not made for this economy.`;
  if (known.secret !== invite.secret) {
    return `You already belong to ${known.name}, with a different secret than this invite's. If the invite's secret is the right one, leave ${known.name} first (your own entries stay on this device) and open the invite again.`;
  }
  return null;
}
