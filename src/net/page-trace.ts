// Phases of a sync on the page's console, for a benchmark's trace (bench/phone-join.bench.ts with
// PHONE_BENCH_PROFILE=1 sets `__hourmeshTrace` before the app loads). Off everywhere else: one
// property read per call, and the line is not even built.
export function pageTrace(what: () => string): void {
  if ((globalThis as { __hourmeshTrace?: boolean }).__hourmeshTrace) console.log(`[hourmesh-page] ${what()}`);
}
