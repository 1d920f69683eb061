// The user's signaling and ICE servers, loaded from and saved to the settings store.
// Every change is validated (net/network-config.ts) and saved before it is shown as applied,
// so what the screen lists is what a reload will use.
import {
  checkIceServer,
  checkSignalingUrl,
  defaultSignalingUrl,
  effectiveSignaling,
  emptyNetworkConfig,
  parseStoredConfig,
  type NetworkConfig,
} from '../net/network-config';
import type { SettingsStore } from '../net/settings-store';

const KEY = 'network';

export class NetworkSettings {
  #config = $state.raw<NetworkConfig>(emptyNetworkConfig);
  #loaded = $state(false);
  #store: SettingsStore;

  constructor(store: SettingsStore) {
    this.#store = store;
  }

  async load(): Promise<void> {
    this.#config = parseStoredConfig(await this.#store.read(KEY));
    this.#loaded = true;
  }

  get loaded() {
    return this.#loaded;
  }
  get config(): NetworkConfig {
    return this.#config;
  }
  get usesDefaultSignaling(): boolean {
    return this.#config.signaling === null;
  }
  get defaultSignaling(): string {
    return defaultSignalingUrl(location);
  }
  get signaling(): string[] {
    return effectiveSignaling(this.#config, location);
  }

  /** Returns an error message, or null when the server was added and saved. */
  async addSignaling(text: string): Promise<string | null> {
    const checked = checkSignalingUrl(text);
    if (!checked.ok) return checked.error;
    const current = this.#config.signaling ?? [];
    if (current.includes(checked.value)) return 'That signaling server is already in the list.';
    return this.#save({ ...this.#config, signaling: [...current, checked.value] });
  }

  async removeSignaling(url: string): Promise<string | null> {
    const rest = (this.#config.signaling ?? []).filter((u) => u !== url);
    return this.#save({ ...this.#config, signaling: rest.length ? rest : null });
  }

  async useDefaultSignaling(): Promise<string | null> {
    return this.#save({ ...this.#config, signaling: null });
  }

  async addIce(urls: string, username: string, credential: string): Promise<string | null> {
    const checked = checkIceServer(urls, username, credential);
    if (!checked.ok) return checked.error;
    if (this.#config.ice.some((s) => s.urls === checked.value.urls)) return 'That ICE server is already in the list.';
    return this.#save({ ...this.#config, ice: [...this.#config.ice, checked.value] });
  }

  async removeIce(urls: string): Promise<string | null> {
    return this.#save({ ...this.#config, ice: this.#config.ice.filter((s) => s.urls !== urls) });
  }

  async #save(next: NetworkConfig): Promise<string | null> {
    try {
      await this.#store.write(KEY, next);
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
    this.#config = next;
    return null;
  }
}
