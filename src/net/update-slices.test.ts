import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { sliceUpdate } from './update-slices';
import { checkUpdate, ECONOMY_SCHEMA } from './sync-guard';
import { seededBytes } from './seeded-bytes';
import { toHex } from '../core/bytes';

/** A document written by three clients: many entries, an overwrite and a deletion among them. */
function economyDoc(): Y.Doc {
  const writers = [1, 2, 3].map((clientID) => {
    const doc = new Y.Doc();
    doc.clientID = clientID;
    return doc;
  });
  const merged = new Y.Doc();
  writers.forEach((doc, w) => {
    const map = doc.getMap<Uint8Array>('entries');
    doc.transact(() => {
      for (let i = 0; i < 700; i++) {
        const bytes = seededBytes(150 + (i % 90), 1 + w * 10_000 + i);
        map.set(toHex(seededBytes(32, 500_000 + w * 10_000 + i)), bytes);
      }
    });
    Y.applyUpdate(merged, Y.encodeStateAsUpdate(doc));
  });
  // An overwrite (an item with an origin) and a deletion, so the slices carry both kinds.
  const map = merged.getMap<Uint8Array>('entries');
  const [first, second] = [...map.keys()];
  map.set(first!, seededBytes(120, 999_999));
  map.delete(second!);
  return merged;
}

function applyInOrder(slices: Uint8Array[]): Y.Doc {
  const doc = new Y.Doc();
  for (const slice of slices) Y.applyUpdate(doc, slice);
  return doc;
}

describe('sliceUpdate (a step 2 cut into updates)', () => {
  it('gives, applied in order, exactly the document of the whole update, with no struct left pending', () => {
    const whole = Y.encodeStateAsUpdate(economyDoc());
    const slices = sliceUpdate(whole, 16 * 1024);
    expect(slices.length).toBeGreaterThan(10);
    const doc = applyInOrder(slices);
    expect(doc.store.pendingStructs).toBeNull();
    expect(doc.store.pendingDs).toBeNull();
    const reference = applyInOrder([whole]);
    expect(Y.encodeStateVector(doc)).toEqual(Y.encodeStateVector(reference));
    expect(doc.getMap('entries').toJSON()).toEqual(reference.getMap('entries').toJSON());
    // The deletion arrived: the deleted key is gone in both.
    expect(doc.getMap('entries').size).toBe(2_099);
  });

  it('keeps every slice near the bound, and each passes the receiver guard untouched', () => {
    const whole = Y.encodeStateAsUpdate(economyDoc());
    const bound = 16 * 1024;
    const slices = sliceUpdate(whole, bound);
    for (const slice of slices) {
      expect(slice.byteLength).toBeLessThanOrEqual(bound + 64);
      const check = checkUpdate(slice, ECONOMY_SCHEMA);
      expect(check).toMatchObject({ ok: true, replaced: 0 });
    }
    // Nothing is lost or doubled: the slices carry the whole update's bytes plus small headers.
    const total = slices.reduce((n, s) => n + s.byteLength, 0);
    expect(total).toBeGreaterThanOrEqual(whole.byteLength);
    expect(total).toBeLessThan(whole.byteLength + slices.length * 64);
  });

  it('answers a peer that already has part of the document with slices of only the rest', () => {
    const source = economyDoc();
    const half = new Y.Doc();
    const slicesOfAll = sliceUpdate(Y.encodeStateAsUpdate(source), 16 * 1024);
    for (const slice of slicesOfAll.slice(0, Math.floor(slicesOfAll.length / 2))) Y.applyUpdate(half, slice);
    const rest = sliceUpdate(Y.encodeStateAsUpdate(source, Y.encodeStateVector(half)), 16 * 1024);
    for (const slice of rest) Y.applyUpdate(half, slice);
    expect(half.store.pendingStructs).toBeNull();
    expect(half.getMap('entries').toJSON()).toEqual(source.getMap('entries').toJSON());
  });

  it('returns a small update, or bytes that do not parse, whole', () => {
    const small = Y.encodeStateAsUpdate(economyDoc());
    expect(sliceUpdate(small, small.byteLength)).toEqual([small]);
    const junk = seededBytes(4096, 77);
    expect(sliceUpdate(junk, 1024)).toEqual([junk]);
    const truncated = small.subarray(0, 50_000);
    expect(sliceUpdate(truncated, 1024)).toEqual([truncated]);
  });
});
