// Presence over Yjs awareness: who is online in an economy, their name and colour, and what they
// are doing. Awareness is ephemeral and unauthenticated (anyone in the room can claim any name),
// so it is only ever shown as "online now", never used for money; names shown next to balances
// come from signed profile entries.
//
// Online means reachable now. An awareness state outlives its peer: a closed tab's state stays
// until awareness times it out (30 s), and a device that lost its network keeps everyone's last
// state. So the room (./room.ts) tells presence which transport peer is connected right now
// (trackLiveness), each member state names the transport peer that sent it (`peer`, its y-webrtc
// peer id), and readPresence keeps only states whose peer is connected now, besides our own.
// An awareness no room tracks (unit tests) keeps every state.
//
// Awareness layout: the local state has one field, `member`: {account, name, colour, activity, peer}
// and, while donating, `workers` (integer 1..64) and `speed` (the measured speed factor in
// per-mille of the reference device, integer 1..16,000): what the donors-online chart and the
// forecast's donor capacity read (core/donor-capacity.ts). Both are optional: an older peer
// leaves them out (read as 1 worker at reference speed) and ignores them when it reads ours.
import type { Awareness } from 'y-protocols/awareness';
import { MAX_SPEED, MAX_WORKERS } from '../core/donor-capacity';

export type Activity = 'idle' | 'donating' | 'estimating';
const ACTIVITIES: readonly Activity[] = ['idle', 'donating', 'estimating'];

export interface Presence {
  account: string;
  name: string;
  colour: string;
  activity: Activity;
  /** While donating: workers computing in this tab (1..MAX_WORKERS). */
  workers?: number;
  /** While donating: measured speed factor, per-mille of the reference device (1..MAX_SPEED). */
  speed?: number;
}

/** An integer in 1..max, or undefined (absent or malformed: an older peer, or junk). */
function readCount(value: unknown, max: number): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 && value <= max ? value : undefined;
}

const coresOf = (p: Presence) => (p.activity === 'donating' ? (p.workers ?? 1) * (p.speed ?? 1_000) : 0);

/** How a room reports its transport: this page's peer id (once known), and whether a peer id is connected now. */
export interface PeerLiveness {
  peerId(): string | undefined;
  isLive(peerId: string): boolean;
}

const liveness = new WeakMap<Awareness, PeerLiveness>();

/** Called by the room that owns `awareness`, before any presence is set on it. */
export function trackLiveness(awareness: Awareness, peers: PeerLiveness): void {
  liveness.set(awareness, peers);
}

/**
 * The room learns its peer id a moment after it is created (y-webrtc derives the key first): it
 * calls this then, so a presence set before carries the peer id too.
 */
export function stampLocalPeer(awareness: Awareness): void {
  const member = (awareness.getLocalState() as { member?: Presence & { peer?: string } } | null)?.member;
  const peer = liveness.get(awareness)?.peerId();
  if (member && peer !== undefined && member.peer !== peer) awareness.setLocalStateField('member', { ...member, peer });
}

export function setLocalPresence(awareness: Awareness, presence: Presence): void {
  const peer = liveness.get(awareness)?.peerId();
  awareness.setLocalStateField('member', peer === undefined ? presence : { ...presence, peer });
}

/** Reads every peer's claimed presence, dropping malformed states, one row per account. */
export function readPresence(awareness: Awareness): Presence[] {
  const byAccount = new Map<string, Presence>();
  const peers = liveness.get(awareness);
  for (const [client, state] of awareness.getStates()) {
    const m = (state as { member?: unknown }).member;
    if (typeof m !== 'object' || m === null) continue;
    const { account, name, colour, activity, peer, workers, speed } = m as Record<string, unknown>;
    if (peers && client !== awareness.clientID && (typeof peer !== 'string' || !peers.isLive(peer))) continue;
    if (typeof account !== 'string' || !/^[0-9a-f]{64}$/.test(account)) continue;
    if (typeof name !== 'string' || typeof colour !== 'string' || !/^#[0-9a-f]{6}$/i.test(colour)) continue;
    const act = ACTIVITIES.includes(activity as Activity) ? (activity as Activity) : 'idle';
    const row: Presence = { account, name: name.slice(0, 64), colour, activity: act };
    const w = readCount(workers, MAX_WORKERS);
    const sp = readCount(speed, MAX_SPEED);
    if (act === 'donating' && w !== undefined) row.workers = w;
    if (act === 'donating' && sp !== undefined) row.speed = sp;
    const existing = byAccount.get(account);
    // One person with several tabs: show the busiest activity (of two donating tabs, the one
    // that claims more cores).
    if (!existing || existing.activity === 'idle' || coresOf(row) > coresOf(existing)) byAccount.set(account, row);
  }
  return [...byAccount.values()].sort((a, b) => a.name.localeCompare(b.name) || (a.account < b.account ? -1 : 1));
}

export function onPresenceChange(awareness: Awareness, callback: () => void): () => void {
  awareness.on('change', callback);
  return () => awareness.off('change', callback);
}
