// Document generations: the economy's shared Yjs document is rotated to a fresh, empty one every
// GENERATION_MS, which honest peers refill from their own verified stores (see ledger-sync.ts).
//
// Why: the document is only transport (the signed entries in each peer's own store are the
// truth), but a Yjs document never forgets: a key that a hostile member wrote and honest peers
// deleted, or a value that was replaced, stays in it as a tombstone that every late joiner
// downloads. A new generation starts with none; only what an honest peer holds is written into it.
//
// Rule (pure; every peer computes it from its own clock):
// - generation g = floor(now / generationMs); its room is `hourmesh:v2:<economy id>:g<g>` (also
//   the PBKDF2 salt of the room password) and its cached document `hourmesh-doc-<id>-g<g>`;
// - a peer joins g, plus g−1 during the first overlapMs of g and g+1 during the last overlapMs
//   of g. overlapMs is the ledger's clock-skew bound (10 minutes): two peers whose clocks differ
//   by at most overlapMs always share at least one room (proof in generations.test.ts: if a
//   boundary b lies between their clocks t < t', then t' − b < overlapMs, so the later peer still
//   joins the earlier generation);
// - generationMs must exceed 2 × overlapMs, so a peer is in at most two generations at once.
import { ROOM_PREFIX } from './invite';

export interface GenerationClock {
  generationMs: number;
  overlapMs: number;
}

export const DEFAULT_GENERATIONS: GenerationClock = { generationMs: 7 * 24 * 60 * 60_000, overlapMs: 10 * 60_000 };

export function checkGenerationClock(clock: GenerationClock): GenerationClock {
  if (!(clock.overlapMs > 0 && clock.generationMs > 2 * clock.overlapMs)) {
    throw new Error(`Generations of ${clock.generationMs} ms with an overlap of ${clock.overlapMs} ms: the generation must exceed twice the overlap.`);
  }
  return clock;
}

export function generationAt(now: number, clock: GenerationClock = DEFAULT_GENERATIONS): number {
  return Math.floor(now / clock.generationMs);
}

/** The generations a peer whose clock reads `now` keeps open, oldest first (one or two). */
export function generationsToJoin(now: number, clock: GenerationClock = DEFAULT_GENERATIONS): number[] {
  const g = generationAt(now, clock);
  const start = g * clock.generationMs;
  const joined = [g];
  if (now - start < clock.overlapMs) joined.unshift(g - 1);
  if (start + clock.generationMs - now <= clock.overlapMs) joined.push(g + 1);
  return joined;
}

/** Milliseconds until `generationsToJoin` may give another answer (at least 1). */
export function msUntilGenerationsChange(now: number, clock: GenerationClock = DEFAULT_GENERATIONS): number {
  const start = generationAt(now, clock) * clock.generationMs;
  const end = start + clock.generationMs;
  // At `end` the answer stays [g, g + 1]: it next changes when g + 1's first overlap ends.
  const changes = [start + clock.overlapMs, end - clock.overlapMs, end + clock.overlapMs].filter((t) => t > now);
  return Math.max(1, Math.min(...changes) - now);
}

export function generationRoomName(economyId: string, generation: number): string {
  return `${ROOM_PREFIX}${economyId}:g${generation}`;
}

export function generationDocumentName(economyId: string, generation: number): string {
  return `hourmesh-doc-${economyId}-g${generation}`;
}

/** True for a cached document of `economyId` (any generation, or the one before generations). */
export function isDocumentNameOf(economyId: string, name: string): boolean {
  const base = `hourmesh-doc-${economyId}`;
  return name === base || /^-g-?\d+$/.test(name.slice(base.length)) && name.startsWith(base);
}
