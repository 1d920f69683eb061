// Presence over Yjs awareness: who is online in an economy, their name and colour, and what they
// are doing. Awareness is ephemeral and unauthenticated (anyone in the room can claim any name),
// so it is only ever shown as "online now", never used for money; names shown next to balances
// come from signed profile entries.
//
// Awareness layout: the local state has one field, `member`: {account, name, colour, activity}.
import type { Awareness } from 'y-protocols/awareness';

export type Activity = 'idle' | 'donating' | 'estimating';
const ACTIVITIES: readonly Activity[] = ['idle', 'donating', 'estimating'];

export interface Presence {
  account: string;
  name: string;
  colour: string;
  activity: Activity;
}

export function setLocalPresence(awareness: Awareness, presence: Presence): void {
  awareness.setLocalStateField('member', presence);
}

/** Reads every peer's claimed presence, dropping malformed states, one row per account. */
export function readPresence(awareness: Awareness): Presence[] {
  const byAccount = new Map<string, Presence>();
  for (const state of awareness.getStates().values()) {
    const m = (state as { member?: unknown }).member;
    if (typeof m !== 'object' || m === null) continue;
    const { account, name, colour, activity } = m as Record<string, unknown>;
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
