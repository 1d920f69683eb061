import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { DocRelay, HOLD_IDLE_MS, HOLD_MAX_MS, HOLD_MIN_BYTES } from './doc-relay';
import { seededBytes } from '../net/seeded-bytes';
import { toHex } from '../core/bytes';

/** A document of `n` entry-shaped values (valid keys, ~200-byte values). */
function filledDoc(n: number, seed = 0): Y.Doc {
  const doc = new Y.Doc();
  const map = doc.getMap<Uint8Array>('entries');
  doc.transact(() => {
    for (let i = 0; i < n; i++) map.set(toHex(seededBytes(32, 1_000_000 + seed + i)), seededBytes(180 + (i % 40), 1 + seed + i));
  });
  return doc;
}

/** A sync message of subtype `type` (0 step 1, 1 step 2, 2 update) carrying `payload`. */
function syncMessage(type: number, payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint(encoder, type);
  encoding.writeVarUint8Array(encoder, payload);
  return encoding.toUint8Array(encoder);
}

/** `link:true` when a link starts holding what it brings, `link:false` when it stops. */
function watchHolds(relay: DocRelay): string[] {
  const holds: string[] = [];
  relay.onHold = (origin, held) => holds.push(`${origin.link}:${held}`);
  return holds;
}

afterEach(() => {
  vi.useRealTimers();
});

/** An update the size of one slice (≥ HOLD_MIN_BYTES), as a peer sending its document sends them. */
let sliceSized: Uint8Array | undefined;
function aSlice(): Uint8Array {
  sliceSized ??= syncMessage(2, Y.encodeStateAsUpdate(filledDoc(5_000, 200_000)));
  expect(sliceSized.length).toBeGreaterThanOrEqual(HOLD_MIN_BYTES);
  return sliceSized;
}

describe('DocRelay: the document sent in slices, and the receiver holding verification until it is whole', () => {
  it('answers a step 1 with updates of about a MiB and the step 2 last; the receiver holds from the first slice to the step 2', () => {
    const server = new DocRelay(filledDoc(12_000));
    const client = new DocRelay(new Y.Doc());
    const holds = watchHolds(client);
    const { replies } = server.receive('client', client.syncStep1());
    expect(replies!.length).toBeGreaterThanOrEqual(3);
    // [0 = sync, subtype]: every message an update but the last, which is the step 2.
    expect(replies!.slice(0, -1).every((m) => m[0] === 0 && m[1] === 2)).toBe(true);
    expect(replies!.at(-1)!.slice(0, 2)).toEqual(new Uint8Array([0, 1]));
    for (const reply of replies!.slice(0, -1)) {
      expect(reply.byteLength).toBeLessThanOrEqual(1024 * 1024 + 64);
      expect(client.receive('server', reply)).toEqual({});
      expect(holds).toEqual(['server:true']); // held from the first slice, still held
    }
    expect(client.receive('server', replies!.at(-1)!)).toEqual({ step2: true });
    expect(holds).toEqual(['server:true', 'server:false']);
    expect(client.doc.getMap('entries').toJSON()).toEqual(server.doc.getMap('entries').toJSON());
    expect(client.doc.store.pendingStructs).toBeNull();
  });

  it('a small document is answered as one step 2, as y-webrtc does, and holds nothing', () => {
    const server = new DocRelay(filledDoc(20));
    const client = new DocRelay(new Y.Doc());
    const holds = watchHolds(client);
    const { replies } = server.receive('client', client.syncStep1());
    expect(replies).toHaveLength(1);
    expect(client.receive('server', replies![0]!)).toEqual({ step2: true });
    expect(holds).toEqual([]);
    expect(client.doc.getMap('entries').size).toBe(20);
  });

  it('after its step 2, a link\'s updates are live changes: no hold', () => {
    const server = new DocRelay(filledDoc(5));
    const client = new DocRelay(new Y.Doc());
    const holds = watchHolds(client);
    client.receive('server', server.receive('client', client.syncStep1()).replies![0]!);
    const later = filledDoc(3, 50_000);
    client.receive('server', syncMessage(2, Y.encodeStateAsUpdate(later)));
    expect(holds).toEqual([]);
    expect(client.doc.getMap('entries').size).toBe(8);
  });

  it('a small update before a link\'s step 2 (a live entry while the step 2 is late or lost) is not held', () => {
    const client = new DocRelay(new Y.Doc());
    const holds = watchHolds(client);
    client.receive('slow', syncMessage(2, Y.encodeStateAsUpdate(filledDoc(2_000, 300_000))));
    expect(holds).toEqual([]);
    expect(client.doc.getMap('entries').size).toBe(2_000);
  });

  it('a peer that stops sending slices holds for HOLD_IDLE_MS after its last one', () => {
    vi.useFakeTimers();
    const client = new DocRelay(new Y.Doc(), () => Date.now());
    const holds = watchHolds(client);
    client.receive('stalling', aSlice());
    vi.advanceTimersByTime(HOLD_IDLE_MS - 1_000);
    client.receive('stalling', aSlice());
    vi.advanceTimersByTime(HOLD_IDLE_MS - 1_000);
    expect(holds).toEqual(['stalling:true']);
    vi.advanceTimersByTime(1_000);
    expect(holds).toEqual(['stalling:true', 'stalling:false']);
    client.close();
  });

  it('a peer that keeps sending slices and never its step 2 holds HOLD_MAX_MS at most, and cannot hold again on that link', () => {
    vi.useFakeTimers();
    const client = new DocRelay(new Y.Doc(), () => Date.now());
    const holds = watchHolds(client);
    for (let t = 0; t < HOLD_MAX_MS; t += HOLD_IDLE_MS - 1_000) {
      client.receive('dripping', aSlice());
      vi.advanceTimersByTime(HOLD_IDLE_MS - 1_000);
    }
    vi.advanceTimersByTime(1_000);
    expect(holds).toEqual(['dripping:true', 'dripping:false']);
    client.receive('dripping', aSlice());
    vi.advanceTimersByTime(HOLD_IDLE_MS);
    expect(holds).toEqual(['dripping:true', 'dripping:false']);
    client.close();
  });

  it('a link that closes, or whose message the guard drops, ends its hold; another link\'s hold stays', () => {
    const client = new DocRelay(new Y.Doc());
    const holds = watchHolds(client);
    client.receive('a', aSlice());
    client.receive('b', aSlice());
    expect(holds).toEqual(['a:true', 'b:true']);
    client.forget('a');
    expect(holds).toEqual(['a:true', 'b:true', 'a:false']); // b still holds
    const garbage = client.receive('b', new Uint8Array([0, 2, 0xff, 0xff, 0xff]));
    expect(garbage.problem).toMatch(/sync guard dropped/);
    expect(holds).toEqual(['a:true', 'b:true', 'a:false', 'b:false']);
    client.close();
  });

  it('knows whether an update has anywhere else to go (a late joiner\'s only link gets no echo)', () => {
    const relay = new DocRelay(new Y.Doc());
    expect(relay.hasLinksBesides(null)).toBe(false);
    relay.receive('a', relay.syncStep1());
    expect(relay.hasLinksBesides('a')).toBe(false);
    expect(relay.hasLinksBesides(null)).toBe(true);
    relay.receive('b', relay.syncStep1());
    expect(relay.hasLinksBesides('a')).toBe(true);
    relay.forget('b');
    expect(relay.hasLinksBesides('a')).toBe(false);
  });
});
