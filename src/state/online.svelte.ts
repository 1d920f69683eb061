// Whether this device can reach the network, as a person would mean it. navigator.onLine alone
// is not enough: it says "online" on a Wi-Fi with no way out, and a page reopened from the
// service worker while offline has been seen to report "online" too (Chromium 150 under
// emulated offline). So "online" = the browser believes it has a network AND the last reachability
// probe — a tiny uncached HEAD request to this app's own origin, which the service worker does not
// answer — did not fail. Probes run at start, on the online/offline events, when the tab becomes
// visible, and every PROBE_MS; until the first answer, navigator.onLine decides.
// Read through createSubscriber so the value is never a stale copy.
import { createSubscriber } from 'svelte/reactivity';

const PROBE_MS = 30_000;
const PROBE_TIMEOUT_MS = 5_000;

export class OnlineStatus {
  /** Result of the last probe: true reachable, false failed, null none yet. */
  #reachable = $state<boolean | null>(null);
  #probing = false;

  #subscribe = createSubscriber((update) => {
    const recheck = () => {
      update();
      void this.#probe();
    };
    const onVisible = () => {
      if (document.visibilityState === 'visible') void this.#probe();
    };
    addEventListener('online', recheck);
    addEventListener('offline', recheck);
    document.addEventListener('visibilitychange', onVisible);
    const timer = setInterval(() => void this.#probe(), PROBE_MS);
    void this.#probe();
    return () => {
      removeEventListener('online', recheck);
      removeEventListener('offline', recheck);
      document.removeEventListener('visibilitychange', onVisible);
      clearInterval(timer);
    };
  });

  get online(): boolean {
    this.#subscribe();
    return navigator.onLine && this.#reachable !== false;
  }

  async #probe(): Promise<void> {
    if (this.#probing) return;
    if (!navigator.onLine) {
      this.#reachable = false;
      return;
    }
    this.#probing = true;
    try {
      // Any HTTP answer (even 404) means the network works; only a network error means it does not.
      const url = new URL(`./?online-probe=${Date.now()}`, location.href);
      await fetch(url, { method: 'HEAD', cache: 'no-store', signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      this.#reachable = true;
    } catch {
      this.#reachable = false;
    } finally {
      this.#probing = false;
    }
  }
}
