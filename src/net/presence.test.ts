import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import { readPresence, setLocalPresence } from './presence';

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
});
