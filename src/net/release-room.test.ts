// A release room's document carries nothing: the file travels as side-channel messages, so
// whatever a peer writes into the document is replaced by GC on arrival.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { checkUpdate, RELEASE_SCHEMA, schemaForRoom } from './sync-guard';
import { releaseRoomName } from './release-room';

describe('release room document', () => {
  it('uses the release schema, which has no roots', () => {
    expect(schemaForRoom(releaseRoomName('e'.repeat(32), 'f'.repeat(64)))).toBe(RELEASE_SCHEMA);
    expect(Object.keys(RELEASE_SCHEMA)).toEqual([]);
  });

  it('replaces any write (a chunk smuggled into the document) by GC', () => {
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    doc.getMap('chunks').set('0', new Uint8Array(1000));
    const checked = checkUpdate(updates[0]!, RELEASE_SCHEMA);
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    expect(checked.replaced).toBe(1);
    const receiver = new Y.Doc();
    Y.applyUpdate(receiver, checked.update);
    expect(receiver.getMap('chunks').size).toBe(0);
  });
});
