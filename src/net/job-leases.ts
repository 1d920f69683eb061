// Leases of a job's work units, in the job room's awareness (DESIGN.md: leases are ephemeral
// coordination, not value). A donor's awareness state holds ONE batch: the units it is working on
// now and one expiry for all of them. It changes when a batch is taken, renewed or finished — not
// per unit — because y-webrtc relays every awareness change to every connection of the room.
//
// Awareness layout: the local state has one field, `lease`:
//   { account: 64 hex, units: number[] (≤ MAX_LEASED_UNITS, each an integer 0 ≤ u < 2^31), until: ms }
// What a lease is worth: nothing. Anyone in the room can claim any account and any unit; a claim
// only makes other donors pick other units first. So a reader:
//   - drops malformed states and units outside the job,
//   - ignores an expired lease and caps a lease's future at the job's per-unit deadline from now
//     (the owner's signed `unitDeadlineMs`: a lease that claims more holds that long after it was
//     last seen at most, then it is renewed or gone),
//   - keeps at most MAX_LEASED_UNITS per state (the guard caps a state at 4 KiB anyway).
// A closed tab's lease leaves with its awareness state (y-webrtc removes it on unload, awareness
// times it out after 30 s otherwise), and expires within the job's deadline in any case.
import type { Awareness } from 'y-protocols/awareness';

export const MAX_LEASED_UNITS = 200;

export interface LeaseBatch {
  account: string;
  units: number[];
  until: number;
}

const ACCOUNT = /^[0-9a-f]{64}$/;

/** Publishes my batch (or clears it with an empty list): one awareness change. */
export function setLocalLeases(awareness: Awareness, batch: LeaseBatch | null): void {
  if (!batch || batch.units.length === 0) {
    if ((awareness.getLocalState() as { lease?: unknown } | null)?.lease !== undefined) awareness.setLocalStateField('lease', null);
    return;
  }
  awareness.setLocalStateField('lease', { account: batch.account, units: batch.units.slice(0, MAX_LEASED_UNITS), until: batch.until });
}

/**
 * Every other state's live leases on units < `units` (the job's unit count), one entry per
 * state. The local state is read too (another tab of this browser may show up as another client).
 */
export function readLeases(awareness: Awareness, units: number, now: number, maxMs: number): LeaseBatch[] {
  const out: LeaseBatch[] = [];
  for (const [client, state] of awareness.getStates()) {
    if (client === awareness.clientID) continue;
    const batch = parseLease((state as { lease?: unknown }).lease, units, now, maxMs);
    if (batch) out.push(batch);
  }
  return out;
}

/** A well-formed, unexpired lease with its expiry capped; null otherwise. */
export function parseLease(value: unknown, units: number, now: number, maxMs: number): LeaseBatch | null {
  if (typeof value !== 'object' || value === null) return null;
  const { account, units: list, until } = value as Record<string, unknown>;
  if (typeof account !== 'string' || !ACCOUNT.test(account)) return null;
  if (typeof until !== 'number' || !Number.isFinite(until) || until <= now) return null;
  if (!Array.isArray(list)) return null;
  const seen = new Set<number>();
  for (const u of list.slice(0, MAX_LEASED_UNITS)) {
    if (Number.isInteger(u) && (u as number) >= 0 && (u as number) < units) seen.add(u as number);
  }
  if (seen.size === 0) return null;
  return { account, units: [...seen].sort((a, b) => a - b), until: Math.min(until, now + maxMs) };
}
