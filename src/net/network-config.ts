// Network settings: which signaling servers and ICE (STUN/TURN) servers a peer uses.
//
// Invariant: a stored configuration is always valid (every URL parsed and of the right scheme),
// because it is validated here before it is saved. `signaling: null` means "the default", which
// is derived from the page's own host so the server that `npm start` runs is found with no setup,
// including from a phone that opened the printed LAN address.

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

/** The signaling server that `npm start` serves beside the app, at /signal on the same host. */
export function defaultSignalingUrl(location: { protocol: string; host: string }): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/signal`;
}

export function effectiveSignaling(config: NetworkConfig, location: { protocol: string; host: string }): string[] {
  return config.signaling && config.signaling.length > 0 ? config.signaling : [defaultSignalingUrl(location)];
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
  const v = value as { signaling?: unknown; ice?: unknown };
  const signaling = Array.isArray(v.signaling)
    ? v.signaling.filter((s): s is string => typeof s === 'string' && checkSignalingUrl(s).ok)
    : null;
  const ice = Array.isArray(v.ice)
    ? v.ice.flatMap((s) => {
        if (typeof s !== 'object' || s === null) return [];
        const { urls, username, credential } = s as Record<string, unknown>;
        if (typeof urls !== 'string') return [];
        const checked = checkIceServer(urls, typeof username === 'string' ? username : '', typeof credential === 'string' ? credential : '');
        return checked.ok ? [checked.value] : [];
      })
    : [];
  return { signaling: signaling && signaling.length ? signaling : null, ice };
}
