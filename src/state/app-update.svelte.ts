// Service-worker lifecycle as the user sees it: "ready to work offline" once the shell is cached,
// and "a new version is available" with a button, never a forced reload mid-task (a reload would
// cut a donor's running job or an estimation round).
import { registerSW } from 'virtual:pwa-register';

export class AppUpdate {
  #needRefresh = $state(false);
  #offlineReady = $state(false);
  #error = $state<string | null>(null);
  #update: ((reload?: boolean) => Promise<void>) | null = null;

  start(): void {
    if (!('serviceWorker' in navigator)) return;
    this.#update = registerSW({
      immediate: true,
      onNeedRefresh: () => (this.#needRefresh = true),
      onOfflineReady: () => (this.#offlineReady = true),
      onRegisterError: (error: unknown) => (this.#error = `Offline support is unavailable: ${String(error)}`),
    });
  }

  get needRefresh() {
    return this.#needRefresh;
  }
  get offlineReady() {
    return this.#offlineReady;
  }
  get error() {
    return this.#error;
  }

  async applyUpdate(): Promise<void> {
    // The plugin reloads only for updates its own registration found; an update the browser
    // found later (the usual case for a tab left open) would activate without a reload. The new
    // worker claims this page (clientsClaim), so reload when it takes control, whoever found it.
    navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), { once: true });
    await this.#update?.(true);
  }

  dismiss(): void {
    this.#needRefresh = false;
    this.#offlineReady = false;
  }
}
