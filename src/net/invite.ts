// Invite links: everything a person needs to join an economy, carried in the URL fragment.
//
// Why the fragment: browsers never send it to a server, so the economy's secret reaches only the
// device that opens the link (and whoever it is shared with), not the host that serves the app.
//
// Wire format: `<app url>#/join/<payload>`, payload = base64url(UTF-8 JSON
// {"v":1,"id":<32 hex>,"name":<1..80 chars>,"founder":<64 hex>,"secret":<8..200 chars>}).
// The y-webrtc room is `hourmesh:v1:<id>` and its password is the secret (see docs/PROTOCOL.md).

export interface EconomyInvite {
  id: string;
  name: string;
  /** Account id (hex Ed25519 public key) of the founder; only they can change economy settings. */
  founder: string;
  secret: string;
}

export type ParsedInvite = { ok: true; invite: EconomyInvite } | { ok: false; error: string };

const JOIN_PREFIX = '#/join/';
export const ROOM_PREFIX = 'hourmesh:v1:';

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
  if (v.v !== 1) return { ok: false, error: 'This invite was made by a different version of hourmesh.' };
  const { id, name, founder, secret } = v;
  if (typeof id !== 'string' || !/^[0-9a-f]{32}$/.test(id)) return { ok: false, error: 'The invite has no valid economy id.' };
  if (typeof founder !== 'string' || !/^[0-9a-f]{64}$/.test(founder)) return { ok: false, error: 'The invite has no valid founder account.' };
  if (typeof name !== 'string' || !name.trim() || name.length > 80) return { ok: false, error: 'The invite has no valid economy name.' };
  if (typeof secret !== 'string' || secret.length < 8 || secret.length > 200) return { ok: false, error: 'The invite has no valid secret.' };
  return { ok: true, invite: { id, name: name.trim(), founder, secret } };
}

export function inviteLink(appUrl: string, invite: EconomyInvite): string {
  const base = appUrl.split('#')[0];
  const payload = toBase64Url(JSON.stringify({ v: 1, id: invite.id, name: invite.name, founder: invite.founder, secret: invite.secret }));
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

/** A fresh economy id (128 random bits) and secret (144 random bits), from the given randomness. */
export function newEconomyKeys(randomBytes: (n: number) => Uint8Array): { id: string; secret: string } {
  const id = [...randomBytes(16)].map((b) => b.toString(16).padStart(2, '0')).join('');
  let binary = '';
  for (const b of randomBytes(18)) binary += String.fromCharCode(b);
  const secret = btoa(binary).replace(/\+/g, '-').replace(/\//g, '_');
  return { id, secret };
}
