import { describe, expect, it } from 'vitest';
import {
  addSignalingServer,
  checkIceServer,
  checkSignalingUrl,
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
} from './network-config';

describe('default signaling', () => {
  it('follows the page host and its TLS', () => {
    expect(defaultSignalingUrl({ protocol: 'http:', host: '192.168.1.20:8080' })).toBe('ws://192.168.1.20:8080/signal');
    expect(defaultSignalingUrl({ protocol: 'https:', host: 'hours.example.org' })).toBe('wss://hours.example.org/signal');
  });
  it('is used until the user configures servers', () => {
    const here = { protocol: 'http:', host: 'localhost:8080' };
    expect(effectiveSignaling({ signaling: null, ice: [] }, here)).toEqual(['ws://localhost:8080/signal']);
    expect(effectiveSignaling({ signaling: ['wss://a.example/'], ice: [] }, here)).toEqual(['wss://a.example/']);
  });
});

describe('user-entered servers', () => {
  it('accepts ws and wss, rejects other schemes and garbage with a reason', () => {
    expect(checkSignalingUrl(' wss://signal.example.org ')).toEqual({ ok: true, value: 'wss://signal.example.org' });
    expect(checkSignalingUrl('ws://10.0.0.2:4444/signal')).toEqual({ ok: true, value: 'ws://10.0.0.2:4444/signal' });
    const https = checkSignalingUrl('https://signal.example.org');
    expect(https.ok).toBe(false);
    expect(!https.ok && https.error).toMatch(/ws:\/\/ or wss:\/\//);
    expect(checkSignalingUrl('not a url').ok).toBe(false);
  });
  it('accepts STUN freely and TURN only with credentials', () => {
    expect(checkIceServer('stun:stun.example.org:3478')).toEqual({ ok: true, value: { urls: 'stun:stun.example.org:3478' } });
    expect(checkIceServer('turn:turn.example.org').ok).toBe(false);
    expect(checkIceServer('turn:turn.example.org', 'me', 'pw')).toEqual({ ok: true, value: { urls: 'turn:turn.example.org', username: 'me', credential: 'pw' } });
    expect(checkIceServer('http://x').ok).toBe(false);
  });
  it('drops damaged stored records instead of failing', () => {
    expect(parseStoredConfig(undefined)).toEqual({ signaling: null, ice: [] });
    expect(parseStoredConfig({ v: 2, signaling: ['ftp://x', 'wss://ok.example'], ice: [{ urls: 'stun:a' }, 42, { urls: 'turn:b' }] }))
      .toEqual({ signaling: ['wss://ok.example'], ice: [{ urls: 'stun:a' }] });
    expect(parseStoredConfig({ v: 2, signaling: ['ftp://x'], ice: [] })).toEqual({ signaling: null, ice: [] });
  });
});

describe('the list of signaling servers', () => {
  const here = { protocol: 'http:', host: 'localhost:8080' };
  const own = 'ws://localhost:8080/signal';
  const add = (config: NetworkConfig, text: string) => {
    const next = addSignalingServer(config, text, here);
    if (!next.ok) throw new Error(next.error);
    return next.value;
  };

  it('lists the default like any other server', () => {
    expect(signalingEntries(emptyNetworkConfig)).toEqual([DEFAULT_SIGNALING]);
  });

  it('adds a server beside the default instead of replacing it', () => {
    const next = add(emptyNetworkConfig, 'wss://b.example');
    expect(signalingEntries(next)).toEqual([DEFAULT_SIGNALING, 'wss://b.example']);
    expect(effectiveSignaling(next, here)).toEqual([own, 'wss://b.example']);
  });

  it('refuses a duplicate, including the default written out as a URL', () => {
    const next = add(emptyNetworkConfig, 'wss://b.example');
    expect(addSignalingServer(next, ' wss://b.example ', here)).toEqual({ ok: false, error: 'That signaling server is already in the list.' });
    expect(addSignalingServer(next, own, here).ok).toBe(false);
    expect(addSignalingServer(next, 'https://b.example', here).ok).toBe(false);
  });

  it('removes the default like any other, but never the last server', () => {
    const both = add(emptyNetworkConfig, 'wss://b.example');
    const removed = removeSignalingServer(both, DEFAULT_SIGNALING);
    expect(removed).toEqual({ ok: true, value: { signaling: ['wss://b.example'], ice: [] } });
    if (!removed.ok) return;
    expect(effectiveSignaling(removed.value, here)).toEqual(['wss://b.example']);
    const last = removeSignalingServer(removed.value, 'wss://b.example');
    expect(last.ok).toBe(false);
    expect(!last.ok && last.error).toMatch(/at least one/);
    expect(removeSignalingServer(emptyNetworkConfig, DEFAULT_SIGNALING).ok).toBe(false);
  });

  it('is back to the defaults when only the default is left, or on restore', () => {
    const both = add(emptyNetworkConfig, 'wss://b.example');
    expect(removeSignalingServer(both, 'wss://b.example')).toEqual({ ok: true, value: emptyNetworkConfig });
    const ice = { signaling: ['wss://b.example'], ice: [{ urls: 'stun:a' }] };
    expect(restoreDefaultSignaling(ice)).toEqual({ signaling: null, ice: [{ urls: 'stun:a' }] });
  });

  it('keeps the default a token across a save and a load, so it follows the page host', () => {
    const removedAndBack = add(add(emptyNetworkConfig, 'wss://b.example'), 'wss://c.example');
    const stored = JSON.parse(JSON.stringify(serializeConfig(removedAndBack)));
    expect(stored.signaling).toEqual([DEFAULT_SIGNALING, 'wss://b.example', 'wss://c.example']);
    const loaded = parseStoredConfig(stored);
    expect(loaded).toEqual(removedAndBack);
    expect(effectiveSignaling(loaded, { protocol: 'https:', host: 'phone.lan' })[0]).toBe('wss://phone.lan/signal');
    const withoutDefault = removeSignalingServer(loaded, DEFAULT_SIGNALING);
    expect(withoutDefault.ok && parseStoredConfig(serializeConfig(withoutDefault.value))).toEqual({ signaling: ['wss://b.example', 'wss://c.example'], ice: [] });
  });

  it('reads a record from before the default was listed as the default plus its servers', () => {
    // Such a record came from "Add", which silently replaced the default: give the default back.
    expect(parseStoredConfig({ signaling: ['wss://b.example'], ice: [] })).toEqual({ signaling: [DEFAULT_SIGNALING, 'wss://b.example'], ice: [] });
    expect(parseStoredConfig({ signaling: null, ice: [] })).toEqual(emptyNetworkConfig);
  });
});
