// The ONE place where bench/phone-join.bench.ts (and the serving member of bench/support/people.ts)
// read the app's state: page expressions on the `window.hourmesh` debug handle (dev and test
// builds only). Only what a view shows is read (entry count, members' balances), never the ledger
// object itself, so the probes keep working when the ledger moves into a worker and the page holds
// only snapshots: adapt these strings, and every benchmark follows.

/** The app has started and its state objects exist. */
export const APP_LOADED = 'window.hourmesh !== undefined && window.hourmesh.economies !== undefined';

/** An economy is open in the page. */
export const ACTIVE_OPEN = '(window.hourmesh !== undefined && window.hourmesh.economies !== undefined && window.hourmesh.economies.active !== null)';

/** How many entries the page's view of the active economy holds (a number). */
export const ENTRY_COUNT = 'window.hourmesh.economies.active.entryCount';

/**
 * The members the Economy view lists: `[{ account, balance: { MH, CH } }]`, balances in
 * milli-units. Reading it may cost the page a few milliseconds (1,000 members), so the benchmark
 * reads it only once ENTRY_COUNT says the history is complete.
 */
export const MEMBERS = 'window.hourmesh.economies.active.members';

/**
 * The serving member (not the timed joiner) has checked every signature of an imported file.
 * The import is a head-first load; the server must be quiet before a joiner is timed.
 */
export const SERVER_VERIFIED = 'window.hourmesh.economies.active.session.ledger.unverifiedCount === 0';

/** The navigation links a person taps: links (role link) in the navigation named "Main". */
export const NAV = { role: 'navigation', name: 'Main' } as const;
/** Views the phone benchmark taps through, in order (each link's name = its view's h1). */
export const NAV_VIEWS = ['Economy', 'Wallet', 'Tasks', 'Dashboard'] as const;

/**
 * An init script (runs before the app in every page of the joiner's context) that records:
 * - `longTasks`: [start, duration] of every main-thread task over 50 ms (PerformanceObserver
 *   'longtask'), start as wall-clock ms;
 * - `headings`: [text, paintedAt] each time the page's h1 changes, paintedAt being the next
 *   animation frame after the change (the frame that paints it);
 * - `doneAt`: the first moment ENTRY_COUNT ≥ `count` AND every account of `expected` has those
 *   balances in MEMBERS (checked every 50 ms in the page, so no round trip adds to it);
 * - `sawCount`: the highest ENTRY_COUNT seen before that (progress).
 * Times are performance.timeOrigin + performance.now(): wall-clock ms, the machine's one clock.
 */
export function phoneJoinInitScript(count: number, expected: [string, number, number][]): string {
  return `(() => {
    const now = () => performance.timeOrigin + performance.now();
    if (${JSON.stringify(!!process.env.PHONE_BENCH_PROFILE)}) globalThis.__hourmeshTrace = true;
    const P = window.__phone = { longTasks: [], headings: [], doneAt: null, sawCount: 0, error: null };
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) P.longTasks.push([performance.timeOrigin + e.startTime, e.duration]);
      }).observe({ type: 'longtask', buffered: true });
    } catch (error) { P.error = 'no longtask timing: ' + error; }
    let heading = null;
    const watchHeading = () => {
      const h = document.querySelector('h1');
      const text = h ? h.textContent.trim() : null;
      if (text === heading) return;
      heading = text;
      requestAnimationFrame(() => P.headings.push([text, now()]));
    };
    new MutationObserver(watchHeading).observe(document, { subtree: true, childList: true, characterData: true });
    const expected = new Map(${JSON.stringify(expected)}.map(([a, mh, ch]) => [a, [mh, ch]]));
    const timer = setInterval(() => {
      const active = ${ACTIVE_OPEN} ? window.hourmesh.economies.active : null;
      if (!active) return;
      const n = ${ENTRY_COUNT};
      if (n > P.sawCount) P.sawCount = n;
      if (n < ${count}) return;
      let right = 0;
      for (const m of ${MEMBERS}) {
        const want = expected.get(m.account);
        if (want && m.balance.MH === want[0] && m.balance.CH === want[1]) right++;
      }
      if (right === expected.size) { P.doneAt = now(); clearInterval(timer); }
    }, 50);
  })();`;
}
