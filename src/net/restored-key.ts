// A key restored from a backup must not write before it has seen what peers hold of it
// (docs/PROTOCOL.md §5, rule 8). EconomySession refuses its writes until its first sync with a
// peer; this module adds the wait around a generation rotation.
import { DEFAULT_REFILL } from './refill';
import { generationsToJoin, type GenerationClock } from './generations';

export const RESTORED_WAIT = 'Your key was restored from a backup and this device has not synced with a peer of this economy yet. Wait until it is connected: writing before then could fork your account.';

/**
 * A peer that entered the generation moments ago may still be refilling it (./refill.ts). Around a
 * rotation every peer does, within its longest delay: there a restored key waits, after its first
 * sync, at least RESTORED_ROTATION_MS and until the documents have been quiet for
 * RESTORED_QUIET_MS (never longer than RESTORED_MAX_MS: a flood must not block it). Elsewhere the
 * first sync counts at once, as before generations: a peer that entered late pays on its own sync
 * ('on-sync'), so what it owes trails that sync by one round trip, and only a peer with no cached
 * copy of the generation (a first visit this week) can be in that position.
 */
const RESTORED_QUIET_MS = 1_000;
const RESTORED_ROTATION_MS = DEFAULT_REFILL.maxDelayMs + 2 * DEFAULT_REFILL.quietMs;
const RESTORED_MAX_MS = 60_000;
const LOOK_EVERY_MS = 250;

/**
 * After a restored key's first sync at `now`: near a rotation, waits as above and resolves true
 * (the caller settles again); elsewhere resolves false at once. `lastRemoteChange` is the ledger
 * worker's time of its last remote change as its views report it: the worker's clock has its own
 * origin, so only a change of the value counts, timed by when it was seen here.
 */
export async function waitOutRotation(now: number, clock: GenerationClock, lastRemoteChange: () => number): Promise<boolean> {
  const rotating = generationsToJoin(now, clock).length > 1 || now % clock.generationMs < clock.overlapMs + RESTORED_ROTATION_MS;
  if (!rotating) return false;
  const since = performance.now();
  let lastSeen = lastRemoteChange();
  let changedAt = since;
  const waiting = () => {
    const t = performance.now();
    if (lastRemoteChange() !== lastSeen) {
      lastSeen = lastRemoteChange();
      changedAt = t;
    }
    return t - since < RESTORED_MAX_MS && (t - since < RESTORED_ROTATION_MS || t - changedAt < RESTORED_QUIET_MS);
  };
  while (waiting()) await new Promise((resolve) => setTimeout(resolve, LOOK_EVERY_MS));
  return true;
}
