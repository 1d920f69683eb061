// Whether the browser believes it has a network. Read through createSubscriber so the value is
// never a stale copy: components re-read navigator.onLine when the online/offline events fire.
import { createSubscriber } from 'svelte/reactivity';

export class OnlineStatus {
  #subscribe = createSubscriber((update) => {
    addEventListener('online', update);
    addEventListener('offline', update);
    return () => {
      removeEventListener('online', update);
      removeEventListener('offline', update);
    };
  });

  get online(): boolean {
    this.#subscribe();
    return navigator.onLine;
  }
}
