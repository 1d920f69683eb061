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

  it('reads what a donor advertises, reads an older peer without it, and drops claims out of range', () => {
    const mine = new Awareness(new Y.Doc());
    const others = ['b', 'c', 'd', 'e'].map(() => new Awareness(new Y.Doc()));
    setLocalPresence(mine, { account: 'a'.repeat(64), name: 'Ada', colour: '#112233', activity: 'donating', workers: 3, speed: 1_250 });
    // An older peer: no workers, no speed.
    setLocalPresence(others[0]!, { account: 'b'.repeat(64), name: 'Bo', colour: '#445566', activity: 'donating' });
    // A hostile one: out of range numbers are dropped (read as absent).
    others[1]!.setLocalStateField('member', { account: 'c'.repeat(64), name: 'Cy', colour: '#445566', activity: 'donating', workers: 1e9, speed: -1 });
    // Idle with a stale workers field: not a donor, nothing read.
    setLocalPresence(others[2]!, { account: 'd'.repeat(64), name: 'Di', colour: '#445566', activity: 'idle', workers: 4 });
    // Two tabs of one account: the one claiming more cores is shown.
    setLocalPresence(others[3]!, { account: 'a'.repeat(64), name: 'Ada', colour: '#112233', activity: 'donating', workers: 1, speed: 1_000 });
    for (const o of others) applyAwarenessUpdate(mine, encodeAwarenessUpdate(o, [o.clientID]), 'remote');
    const rows = readPresence(mine).map(({ name, activity, workers, speed }) => ({ name, activity, workers, speed }));
    expect(rows).toEqual([
      { name: 'Ada', activity: 'donating', workers: 3, speed: 1_250 },
      { name: 'Bo', activity: 'donating', workers: undefined, speed: undefined },
      { name: 'Cy', activity: 'donating', workers: undefined, speed: undefined },
      { name: 'Di', activity: 'idle', workers: undefined, speed: undefined },
    ]);
  });
});
