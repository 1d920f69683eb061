// Invite links: everything a person needs to join an economy, carried in the URL fragment.
//
// Why the fragment: browsers never send it to a server, so the economy's secret reaches only the
// device that opens the link (and whoever it is shared with), not the host that serves the app.
//
// Wire format: `<app url>#/join/<payload>`, payload = base64url(UTF-8 JSON
// {"v":2,"name":<1..80 chars>,"founder":<64 hex>,"nonce":<32 hex>,"secret":<8..200 chars>}).
// The economy id is not carried: it is derived, id = economyIdOf(founder, nonce) (src/core), so
// an invite cannot name another founder for a known economy — a different founder is a
// different economy. The y-webrtc room is `hourmesh:v2:<id>` and its password is the secret
// (see docs/PROTOCOL.md).
import { economyIdOf } from '../core';

export interface EconomyInvite {
  /** Derived from founder and nonce (economyIdOf); never read from the link. */
  id: string;
  name: string;
  /** Account id (hex Ed25519 public key) of the founder; only they can change economy settings. */
  founder: string;
  /** 16 random bytes (32 hex) chosen by the founder at creation; with the founder it fixes the id. */
  nonce: string;
  secret: string;
}

export type ParsedInvite = { ok: true; invite: EconomyInvite } | { ok: false; error: string };

const JOIN_PREFIX = '#/join/';
export const ROOM_PREFIX = 'hourmesh:v2:';
const INVITE_VERSION = 2;

export function roomNameOf(economyId: string): string {
  return ROOM_PREFIX + economyId;
}

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): string | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

export function checkInvite(value: unknown): ParsedInvite {
  if (typeof value !== 'object' || value === null) return { ok: false, error: 'The invite is damaged.' };
  const v = value as Record<string, unknown>;
  if (v.v !== INVITE_VERSION) return { ok: false, error: 'This invite was made by a different version of hourmesh.' };
  const { name, founder, nonce, secret } = v;
  if (typeof founder !== 'string' || !/^[0-9a-f]{64}$/.test(founder)) return { ok: false, error: 'The invite has no valid founder account.' };
  if (typeof nonce !== 'string' || !/^[0-9a-f]{32}$/.test(nonce)) return { ok: false, error: 'The invite has no valid economy id.' };
  if (typeof name !== 'string' || !name.trim() || name.length > 80) return { ok: false, error: 'The invite has no valid economy name.' };
  if (typeof secret !== 'string' || secret.length < 8 || secret.length > 200) return { ok: false, error: 'The invite has no valid secret.' };
  const id = economyIdOf(founder, nonce)!;
  return { ok: true, invite: { id, name: name.trim(), founder, nonce, secret } };
}

export function inviteLink(appUrl: string, invite: EconomyInvite): string {
  const base = appUrl.split('#')[0];
  const payload = toBase64Url(JSON.stringify({ v: INVITE_VERSION, name: invite.name, founder: invite.founder, nonce: invite.nonce, secret: invite.secret }));
  return `${base}${JOIN_PREFIX}${payload}`;
}

/** Accepts a whole link (as pasted) or just the fragment (as read from location.hash). */
export function parseInviteLink(text: string): ParsedInvite {
  const at = text.indexOf(JOIN_PREFIX);
  if (at < 0) return { ok: false, error: 'That is not a hourmesh invite link (it should contain "#/join/").' };
  const json = fromBase64Url(text.slice(at + JOIN_PREFIX.length).trim());
  if (json === null) return { ok: false, error: 'The invite link is damaged (was it cut short when copied?).' };
  try {
    return checkInvite(JSON.parse(json));
  } catch {
    return { ok: false, error: 'The invite link is damaged (was it cut short when copied?).' };
  }
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
