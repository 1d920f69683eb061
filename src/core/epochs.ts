// Epochs: the orchestrator's clock (docs/ORCHESTRATOR.md "Epochs").
//
// Invariants:
// - An economy's epoch length L (ms) is fixed when the economy starts: by its founder's first
//   applied economy-settings entry (kind-economy-settings.ts; absent there → DEFAULT_EPOCH_MS);
//   later settings entries may repeat it or leave it out, never change it.
// - Epoch k covers the signed times [k·L, (k+1)·L) counted from the Unix epoch (1970-01-01T00:00Z):
//   epochOf(t) = floor(t / L). The origin is fixed, not the founder's first entry, so that no late
//   or missing entry can renumber every epoch on one peer (the founder's seq 1 may be pending at a
//   peer while later entries are known); with the default length an epoch is a UTC day.
// - Epoch k is complete once the local clock reaches (k+1)·L. Whether an epoch is complete is the
//   only thing the clock decides; what it holds is decided by the entries alone, so two peers
//   whose clocks both passed the end agree once they hold the same entries.

export const DEFAULT_EPOCH_MS = 86_400_000;
/** Shortest epoch a settings entry may fix (tests and demos use seconds to minutes). */
export const MIN_EPOCH_MS = 1_000;
/** Longest: a leap year. */
export const MAX_EPOCH_MS = 366 * 86_400_000;

export function validEpochLength(ms: number): boolean {
  return Number.isSafeInteger(ms) && ms >= MIN_EPOCH_MS && ms <= MAX_EPOCH_MS;
}

/** The epoch a signed time falls in. */
export function epochOf(time: number, epochMs: number): number {
  return Math.floor(time / epochMs);
}

export function epochStart(epoch: number, epochMs: number): number {
  return epoch * epochMs;
}

/** First millisecond after the epoch (when it becomes complete). */
export function epochEnd(epoch: number, epochMs: number): number {
  return (epoch + 1) * epochMs;
}

/** The newest complete epoch at `now` (the one before the epoch `now` is in). */
export function lastCompleteEpoch(now: number, epochMs: number): number {
  return epochOf(now, epochMs) - 1;
}

/** Human text for an epoch length: "1 day", "5 minutes", "90 seconds". */
export function describeEpochLength(ms: number): string {
  const units: [number, string][] = [[86_400_000, 'day'], [3_600_000, 'hour'], [60_000, 'minute'], [1_000, 'second']];
  for (const [size, name] of units) {
    if (ms % size === 0) {
      const n = ms / size;
      return `${n} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  return `${ms} ms`;
}
