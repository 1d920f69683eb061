// Network settings: which signaling servers and ICE (STUN/TURN) servers a peer uses.
//
// Invariant: a stored configuration is always valid (every URL parsed and of the right scheme),
// because it is validated here before it is saved. `signaling: null` means "the defaults". The
// default server is derived from the page's own host so the server that `npm start` runs is found
// with no setup, including from a phone that opened the printed LAN address; in a stored list it is
// kept as the token DEFAULT_SIGNALING, never as a URL, so it keeps following the host.
//
// Stored record (settings key "network"): { v: 2, signaling: string[] | null, ice: IceServer[] }.
// A record without v (written before the default was listed) held the servers that had silently
// replaced the default: it is read as the default plus those servers.

export interface IceServer {
  urls: string;
  username?: string;
  credential?: string;
}

export interface NetworkConfig {
  /** null = use the default derived from the page's location. */
  signaling: string[] | null;
  ice: IceServer[];
}

export const emptyNetworkConfig: NetworkConfig = { signaling: null, ice: [] };

/** Stands for the page's own /signal in a list of signaling servers. */
export const DEFAULT_SIGNALING = 'default';

type Here = { protocol: string; host: string };

/** The signaling server that `npm start` serves beside the app, at /signal on the same host. */
export function defaultSignalingUrl(location: { protocol: string; host: string }): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/signal`;
}

/** The list a person sees and edits: the default is an entry like any other. */
export function signalingEntries(config: NetworkConfig): string[] {
  return config.signaling ?? [DEFAULT_SIGNALING];
}

/** The URLs to connect to, with the default resolved against the page's host and duplicates dropped. */
export function effectiveSignaling(config: NetworkConfig, location: Here): string[] {
  const urls = signalingEntries(config).map((s) => (s === DEFAULT_SIGNALING ? defaultSignalingUrl(location) : s));
  return [...new Set(urls)];
}

/** Adds a server after the ones in use (the default stays unless the person removes it). */
export function addSignalingServer(config: NetworkConfig, text: string, location: Here): Checked<NetworkConfig> {
  const checked = checkSignalingUrl(text);
  if (!checked.ok) return checked;
  if (effectiveSignaling(config, location).includes(checked.value)) {
    return { ok: false, error: 'That signaling server is already in the list.' };
  }
  return { ok: true, value: withSignaling(config, [...signalingEntries(config), checked.value]) };
}

/** Removes one entry (a URL or DEFAULT_SIGNALING); the last one stays, or no peer could be found. */
export function removeSignalingServer(config: NetworkConfig, entry: string): Checked<NetworkConfig> {
  const rest = signalingEntries(config).filter((s) => s !== entry);
  if (rest.length === 0) {
    return { ok: false, error: 'Keep at least one signaling server: peers find each other only through one. Add another before removing this one.' };
  }
  return { ok: true, value: withSignaling(config, rest) };
}

export function restoreDefaultSignaling(config: NetworkConfig): NetworkConfig {
  return { ...config, signaling: null };
}

/** A list that is just the default is stored as null, so "Restore defaults" has nothing to do. */
function withSignaling(config: NetworkConfig, list: string[]): NetworkConfig {
  return { ...config, signaling: list.length === 1 && list[0] === DEFAULT_SIGNALING ? null : list };
}

export function serializeConfig(config: NetworkConfig): { v: 2 } & NetworkConfig {
  return { v: 2, signaling: config.signaling, ice: config.ice };
}

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

export function checkSignalingUrl(text: string): Checked<string> {
  const trimmed = text.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return { ok: false, error: `"${trimmed}" is not a URL. A signaling server looks like wss://example.org/signal.` };
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    return { ok: false, error: `A signaling server is reached over WebSocket: the address must start with ws:// or wss://, not ${url.protocol}//.` };
  }
  // URL adds a '/' to a bare host; keep the address as the user would write it.
  return { ok: true, value: url.pathname === '/' ? url.href.replace(/\/$/, '') : url.href };
}

export function checkIceServer(urls: string, username = '', credential = ''): Checked<IceServer> {
  const trimmed = urls.trim();
  const scheme = /^(stuns?|turns?):/.exec(trimmed)?.[1];
  if (!scheme || trimmed.length <= scheme.length + 1) {
    return { ok: false, error: `"${trimmed}" is not a STUN or TURN address. Examples: stun:stun.example.org:3478, turn:turn.example.org:3478.` };
  }
  if (scheme.startsWith('turn') && (!username.trim() || !credential)) {
    return { ok: false, error: 'A TURN server needs a username and a credential.' };
  }
  const server: IceServer = { urls: trimmed };
  if (username.trim()) server.username = username.trim();
  if (credential) server.credential = credential;
  return { ok: true, value: server };
}

/** Accepts only a well-formed stored config; anything else (an old or damaged record) falls back to defaults. */
export function parseStoredConfig(value: unknown): NetworkConfig {
  if (typeof value !== 'object' || value === null) return emptyNetworkConfig;
  const v = value as { v?: unknown; signaling?: unknown; ice?: unknown };
  const listed = Array.isArray(v.signaling)
    ? v.signaling.filter((s): s is string => typeof s === 'string' && (s === DEFAULT_SIGNALING || checkSignalingUrl(s).ok))
    : [];
  const signaling = v.v === 2 ? listed : [DEFAULT_SIGNALING, ...listed];
  const ice = Array.isArray(v.ice)
    ? v.ice.flatMap((s) => {
        if (typeof s !== 'object' || s === null) return [];
        const { urls, username, credential } = s as Record<string, unknown>;
        if (typeof urls !== 'string') return [];
        const checked = checkIceServer(urls, typeof username === 'string' ? username : '', typeof credential === 'string' ? credential : '');
        return checked.ok ? [checked.value] : [];
      })
    : [];
  const unique = [...new Set(signaling)];
  return { signaling: unique.length === 0 || (unique.length === 1 && unique[0] === DEFAULT_SIGNALING) ? null : unique, ice };
}
