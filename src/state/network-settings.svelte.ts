// The user's signaling and ICE servers, loaded from and saved to the settings store.
// Every change is validated (net/network-config.ts) and saved before it is shown as applied,
// so what the screen lists is what a reload will use.
import {
  addSignalingServer,
  checkIceServer,
  DEFAULT_SIGNALING,
  defaultSignalingUrl,
  effectiveSignaling,
  emptyNetworkConfig,
  parseStoredConfig,
  removeSignalingServer,
  restoreDefaultSignaling,
  serializeConfig,
  signalingEntries,
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
  /** The servers as listed in Settings: `url` to show, `entry` to remove, `isDefault` for the tag. */
  get signalingList(): { entry: string; url: string; isDefault: boolean }[] {
    return signalingEntries(this.#config).map((entry) => ({
      entry, isDefault: entry === DEFAULT_SIGNALING, url: entry === DEFAULT_SIGNALING ? defaultSignalingUrl(location) : entry,
    }));
  }

  /** Returns an error message, or null when the server was added and saved. */
  async addSignaling(text: string): Promise<string | null> {
    const next = addSignalingServer(this.#config, text, location);
    return next.ok ? this.#save(next.value) : next.error;
  }

  async removeSignaling(entry: string): Promise<string | null> {
    const next = removeSignalingServer(this.#config, entry);
    return next.ok ? this.#save(next.value) : next.error;
  }

  async restoreDefaultSignaling(): Promise<string | null> {
    return this.#save(restoreDefaultSignaling(this.#config));
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
      await this.#store.write(KEY, serializeConfig(next));
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
    this.#config = next;
    return null;
  }
}
