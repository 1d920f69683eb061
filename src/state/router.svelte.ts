// Hash-based navigation: works from any static host and offline, and a view can be bookmarked.
export const views = [
  { id: 'wallet', label: 'Wallet' },
  { id: 'tasks', label: 'Tasks' },
  { id: 'releases', label: 'Releases' },
  { id: 'estimate', label: 'Estimate' },
  { id: 'compute', label: 'Compute' },
  { id: 'economy', label: 'Economy' },
  { id: 'dashboard', label: 'Dashboard' },
  { id: 'settings', label: 'Settings' },
] as const;

/** 'join' is reached only through an invite link (#/join/<payload>), so it is not in the nav. */
export type ViewId = (typeof views)[number]['id'] | 'join';

function parseHash(hash: string): ViewId {
  const id = hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  if (id === 'join') return 'join';
  return views.find((v) => v.id === id)?.id ?? 'wallet';
}

export class Router {
  #current = $state<ViewId>(parseHash(location.hash));
  #hash = $state(location.hash);

  constructor() {
    addEventListener('hashchange', () => {
      this.#hash = location.hash;
      this.#current = parseHash(location.hash);
    });
  }

  get current(): ViewId {
    return this.#current;
  }

  /** The whole fragment, followed live: an invite opened in an open tab replaces the one shown. */
  get hash(): string {
    return this.#hash;
  }

  /** Shows a view and replaces the address (e.g. to drop an invite's secret from history). */
  replace(id: ViewId): void {
    history.replaceState(null, '', this.href(id));
    this.#hash = this.href(id);
    this.#current = id;
  }

  href(id: ViewId): string {
    return `#/${id}`;
  }
}
