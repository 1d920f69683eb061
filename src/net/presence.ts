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
// Awareness layout: the local state has one field, `member`: {account, name, colour, activity, peer}.
import type { Awareness } from 'y-protocols/awareness';

export type Activity = 'idle' | 'donating' | 'estimating';
const ACTIVITIES: readonly Activity[] = ['idle', 'donating', 'estimating'];

export interface Presence {
  account: string;
  name: string;
  colour: string;
  activity: Activity;
}

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
    const { account, name, colour, activity, peer } = m as Record<string, unknown>;
    if (peers && client !== awareness.clientID && (typeof peer !== 'string' || !peers.isLive(peer))) continue;
    if (typeof account !== 'string' || !/^[0-9a-f]{64}$/.test(account)) continue;
    if (typeof name !== 'string' || typeof colour !== 'string' || !/^#[0-9a-f]{6}$/i.test(colour)) continue;
    const act = ACTIVITIES.includes(activity as Activity) ? (activity as Activity) : 'idle';
    const existing = byAccount.get(account);
    // One person with several tabs: show the busiest activity.
    if (!existing || existing.activity === 'idle') byAccount.set(account, { account, name: name.slice(0, 64), colour, activity: act });
  }
  return [...byAccount.values()].sort((a, b) => a.name.localeCompare(b.name) || (a.account < b.account ? -1 : 1));
}

export function onPresenceChange(awareness: Awareness, callback: () => void): () => void {
  awareness.on('change', callback);
  return () => awareness.off('change', callback);
}
