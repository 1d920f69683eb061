import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import { readPresence, setLocalPresence, stampLocalPeer, trackLiveness } from './presence';

describe('presence', () => {
  it('lists valid members once each, ignoring malformed states from peers', () => {
    const mine = new Awareness(new Y.Doc());
    const theirs = new Awareness(new Y.Doc());
    const junk = new Awareness(new Y.Doc());
    setLocalPresence(mine, { account: 'a'.repeat(64), name: 'Ada', colour: '#112233', activity: 'donating' });
    setLocalPresence(theirs, { account: 'b'.repeat(64), name: 'Bo', colour: '#445566', activity: 'estimating' });
    junk.setLocalStateField('member', { account: 'not hex', name: 42 });
    applyAwarenessUpdate(mine, encodeAwarenessUpdate(theirs, [theirs.clientID]), 'remote');
    applyAwarenessUpdate(mine, encodeAwarenessUpdate(junk, [junk.clientID]), 'remote');
    expect(readPresence(mine).map((p) => `${p.name}:${p.activity}`)).toEqual(['Ada:donating', 'Bo:estimating']);
  });

  it('lists only members whose transport peer is connected now, and always this page', () => {
    const mine = new Awareness(new Y.Doc());
    const alice = new Awareness(new Y.Doc());
    const bob = new Awareness(new Y.Doc());
    const live = new Set(['peer-alice', 'peer-bob']);
    let minePeer: string | undefined;
    trackLiveness(mine, { peerId: () => minePeer, isLive: (p) => live.has(p) });
    trackLiveness(alice, { peerId: () => 'peer-alice', isLive: () => true });
    setLocalPresence(mine, { account: 'a'.repeat(64), name: 'Me', colour: '#112233', activity: 'idle' });
    setLocalPresence(alice, { account: 'b'.repeat(64), name: 'Alice', colour: '#445566', activity: 'idle' });
    // Bob's client never said which peer it is: not shown by a room that tracks liveness.
    setLocalPresence(bob, { account: 'c'.repeat(64), name: 'Bob', colour: '#445566', activity: 'idle' });
    for (const other of [alice, bob]) applyAwarenessUpdate(mine, encodeAwarenessUpdate(other, [other.clientID]), 'remote');
    expect(readPresence(mine).map((p) => p.name)).toEqual(['Alice', 'Me']);
    // Alice closes her tab: her state stays until awareness times it out, but her peer is gone.
    live.delete('peer-alice');
    expect(readPresence(mine).map((p) => p.name)).toEqual(['Me']);
    // The room learns its own peer id later and stamps it on the presence already set.
    minePeer = 'peer-me';
    stampLocalPeer(mine);
    expect((mine.getLocalState() as { member: { peer: string } }).member.peer).toBe('peer-me');
  });
});
