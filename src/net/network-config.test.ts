import { describe, expect, it } from 'vitest';
import { checkIceServer, checkSignalingUrl, defaultSignalingUrl, effectiveSignaling, parseStoredConfig } from './network-config';

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
    expect(parseStoredConfig({ signaling: ['ftp://x', 'wss://ok.example'], ice: [{ urls: 'stun:a' }, 42, { urls: 'turn:b' }] }))
      .toEqual({ signaling: ['wss://ok.example'], ice: [{ urls: 'stun:a' }] });
  });
});
