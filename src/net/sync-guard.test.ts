import { beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import {
  checkUpdate,
  CONNECTION_CHECK_SCHEMA,
  createSyncGuard,
  ECONOMY_SCHEMA,
  MAX_AWARENESS_MESSAGE_BYTES,
  MAX_STATE_VECTOR_BYTES,
  MAX_STRUCTS_PER_UPDATE,
  resetSyncGuardStats,
  schemaForRoom,
  STEP1_INTERVAL_MS,
  syncGuardStats,
  type GuardVerdict,
} from './sync-guard';
import { seededBytes } from './seeded-bytes';

const KEY_A = 'a'.repeat(64);
const KEY_B = 'b'.repeat(64);
const KEY_C = 'c'.repeat(64);
/** Stands in for an entry: the guard only cares that it is binary and at most 4,096 bytes. */
const entry = (seed: number, size = 300) => seededBytes(size, seed);

/** A document whose every update is recorded, like the one a peer sends over y-webrtc. */
function recordingDoc(clientID: number) {
  const doc = new Y.Doc();
  doc.clientID = clientID;
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  return { doc, updates, map: doc.getMap<unknown>('entries') };
}

function syncMessage(subtype: 0 | 1 | 2, payload: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0);
  encoding.writeVarUint(e, subtype);
  encoding.writeVarUint8Array(e, payload);
  return encoding.toUint8Array(e);
}

function awarenessMessage(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 1);
  encoding.writeVarUint8Array(e, update);
  return encoding.toUint8Array(e);
}

/** What y-webrtc would apply: the update inside a passed or rewritten sync message. */
function deliveredUpdate(message: Uint8Array, verdict: GuardVerdict): Uint8Array | null {
  if (verdict.action === 'drop') return null;
  const bytes = verdict.action === 'rewrite' ? verdict.message : message;
  const d = { pos: 0 };
  const readVarUint = () => {
    let n = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[d.pos++]!;
      n += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) return n;
    }
  };
  readVarUint(); // type
  readVarUint(); // subtype
  const len = readVarUint();
  return bytes.subarray(d.pos, d.pos + len);
}

/** Passes `update` through a guard as a sync update and applies what comes out to `doc`. */
function receive(doc: Y.Doc, update: Uint8Array, guard = createSyncGuard(ECONOMY_SCHEMA)): GuardVerdict {
  const message = syncMessage(2, update);
  const verdict = guard.check(message);
  const delivered = deliveredUpdate(message, verdict);
  if (delivered) Y.applyUpdate(doc, delivered);
  return verdict;
}

beforeEach(() => resetSyncGuardStats());

describe('sync updates against the economy schema', () => {
  it('passes honest writes, overwrites and deletions unchanged', () => {
    const alice = recordingDoc(1);
    alice.map.set(KEY_A, entry(1));
    alice.map.set(KEY_B, entry(2, 4096));
    alice.map.set(KEY_A, entry(3)); // an overwrite: the item names its left origin, not the root
    alice.map.delete(KEY_B);
    const bob = new Y.Doc();
    for (const u of alice.updates) expect(receive(bob, u)).toEqual({ action: 'pass' });
    // A late joiner's full document (sync step 2) passes whole too.
    expect(createSyncGuard(ECONOMY_SCHEMA).check(syncMessage(1, Y.encodeStateAsUpdate(alice.doc)))).toEqual({ action: 'pass' });
    expect([...bob.getMap('entries').keys()]).toEqual([KEY_A]);
    expect(bob.getMap('entries').get(KEY_A)).toEqual(entry(3));
    expect(syncGuardStats).toMatchObject({ passed: 5, rewritten: 0, dropped: 0 });
  });

  it.each([
    ['a key of 1 MB', (m: Y.Map<unknown>) => m.set('k'.repeat(1_000_000), entry(1))],
    ['a key that is not 64 lowercase hex', (m: Y.Map<unknown>) => m.set('A'.repeat(64), entry(1))],
    ['a value of 1 MB', (m: Y.Map<unknown>) => m.set(KEY_C, entry(1, 1_000_000))],
    ['a value of 4,097 bytes', (m: Y.Map<unknown>) => m.set(KEY_C, entry(1, 4097))],
    ['a string value', (m: Y.Map<unknown>) => m.set(KEY_C, 'not bytes')],
    ['an object value', (m: Y.Map<unknown>) => m.set(KEY_C, { amount: 1_000_000 })],
    ['a nested map', (m: Y.Map<unknown>) => { const inner = new Y.Map<unknown>(); m.set(KEY_C, inner); inner.set('x', entry(1)); }],
  ])('replaces %s by GC and still delivers the honest entry beside it', (_name, write) => {
    const mallory = recordingDoc(66);
    mallory.doc.transact(() => {
      mallory.map.set(KEY_A, entry(9));
      write(mallory.map);
      mallory.map.set(KEY_B, entry(10));
    });
    const bob = new Y.Doc();
    const verdict = receive(bob, mallory.updates[0]!);
    const map = bob.getMap('entries');
    expect(map.get(KEY_A)).toEqual(entry(9));
    expect(map.get(KEY_B)).toEqual(entry(10));
    expect([...map.keys()].sort()).toEqual([KEY_A, KEY_B]);
    expect(verdict.action === 'rewrite' && verdict.reason).toMatch(/outside the document schema replaced by GC/);
    expect(syncGuardStats.structsReplaced).toBeGreaterThanOrEqual(1);
  });

  it('replaces list items written into the entries root (a client that treats it as an array)', () => {
    const mallory = new Y.Doc();
    const updates: Uint8Array[] = [];
    mallory.on('update', (u: Uint8Array) => updates.push(u));
    mallory.getArray('entries').insert(0, [entry(1), entry(2)]);
    const bob = new Y.Doc();
    expect(receive(bob, updates[0]!).action).toBe('rewrite');
    expect(bob.getMap('entries').size).toBe(0);
    expect(bob.getMap('entries')._start).toBeNull();
  });

  it('refuses another root and never creates it in the receiving document', () => {
    const mallory = recordingDoc(66);
    mallory.doc.transact(() => {
      mallory.doc.getMap('junk').set(KEY_A, entry(1));
      mallory.doc.getText('graffiti').insert(0, 'x'.repeat(1_000_000));
      mallory.doc.getArray('list').push([1, 2, 3]);
      mallory.map.set(KEY_B, entry(2));
    });
    const bob = new Y.Doc();
    const verdict = receive(bob, mallory.updates[0]!);
    expect(verdict.action).toBe('rewrite');
    expect([...bob.share.keys()]).toEqual(['entries']);
    expect([...bob.getMap('entries').keys()]).toEqual([KEY_B]);
    expect(bob.store.pendingStructs).toBeNull();
  });

  it('keeps the junk writer’s later honest-looking writes flowing (no clock gap, nothing pending)', () => {
    const mallory = recordingDoc(66);
    mallory.map.set('k'.repeat(1_000_000), entry(1));
    mallory.map.set(KEY_A, entry(2));
    const bob = new Y.Doc();
    expect(receive(bob, mallory.updates[0]!).action).toBe('rewrite');
    expect(receive(bob, mallory.updates[1]!)).toEqual({ action: 'pass' });
    expect(bob.getMap('entries').get(KEY_A)).toEqual(entry(2));
    expect(bob.store.pendingStructs).toBeNull();
    // Bob's copy is clean: what he serves a late joiner has no trace of the 1 MB key.
    const served = Y.encodeStateAsUpdate(bob);
    expect(served.byteLength).toBeLessThan(1_000);
    expect(createSyncGuard(ECONOMY_SCHEMA).check(syncMessage(1, served))).toEqual({ action: 'pass' });
  });

  it('cleans a step 2 from a peer whose cached document holds old, deleted junk', () => {
    // Carol's cache predates the guard: it holds Mallory's 1 MB key, deleted by an honest peer.
    const carol = recordingDoc(3);
    const mallory = recordingDoc(66);
    mallory.map.set('k'.repeat(1_000_000), entry(1));
    Y.applyUpdate(carol.doc, mallory.updates[0]!);
    carol.map.delete('k'.repeat(1_000_000));
    carol.map.set(KEY_A, entry(5));
    const step2 = Y.encodeStateAsUpdate(carol.doc);
    expect(step2.byteLength).toBeGreaterThan(1_000_000); // a deleted map item keeps its key
    const joiner = new Y.Doc();
    expect(receive(joiner, step2).action).toBe('rewrite');
    expect(joiner.getMap('entries').toJSON()).toEqual({ [KEY_A]: entry(5) });
    expect(Y.encodeStateAsUpdate(joiner).byteLength).toBeLessThan(1_000);
  });

  it('lets an item that hangs off replaced junk become GC too, without throwing', () => {
    const mallory = recordingDoc(66);
    mallory.map.set(KEY_C, 'a string first');
    mallory.map.set(KEY_C, entry(1)); // its origin is the replaced string item
    const bob = new Y.Doc();
    expect(receive(bob, mallory.updates[0]!).action).toBe('rewrite');
    expect(receive(bob, mallory.updates[1]!)).toEqual({ action: 'pass' });
    expect(bob.getMap('entries').has(KEY_C)).toBe(false);
    expect(bob.store.pendingStructs).toBeNull();
  });

  it('decides from the update alone: two receivers replace the same structs and converge', () => {
    const mallory = recordingDoc(66);
    const honest = recordingDoc(7);
    honest.map.set(KEY_A, entry(1));
    mallory.doc.transact(() => {
      mallory.doc.getMap('junk').set('x', 1);
      mallory.map.set(KEY_B, entry(2));
    });
    const [bob, carol] = [new Y.Doc(), new Y.Doc()];
    receive(bob, honest.updates[0]!);
    receive(bob, mallory.updates[0]!);
    receive(carol, mallory.updates[0]!);
    receive(carol, honest.updates[0]!);
    expect(Y.encodeStateAsUpdate(bob)).toEqual(Y.encodeStateAsUpdate(carol));
  });

  it('drops an update with more structs than the cap', () => {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 1); // one client
    encoding.writeVarUint(e, MAX_STRUCTS_PER_UPDATE + 1);
    encoding.writeVarUint(e, 5); // client id
    encoding.writeVarUint(e, 0); // first clock
    for (let i = 0; i <= MAX_STRUCTS_PER_UPDATE; i++) {
      encoding.writeUint8(e, 0); // GC
      encoding.writeVarUint(e, 1);
    }
    encoding.writeVarUint(e, 0); // empty delete set
    const verdict = createSyncGuard(ECONOMY_SCHEMA).check(syncMessage(2, encoding.toUint8Array(e)));
    expect(verdict).toEqual({ action: 'drop', reason: `malformed update: more than ${MAX_STRUCTS_PER_UPDATE} structs in one update` });
  });

  it('drops truncated and padded updates whole', () => {
    const alice = recordingDoc(1);
    alice.map.set(KEY_A, entry(1));
    const update = alice.updates[0]!;
    const guard = createSyncGuard(ECONOMY_SCHEMA);
    expect(guard.check(syncMessage(2, update.subarray(0, update.length - 10))).action).toBe('drop');
    const padded = new Uint8Array(update.length + 1);
    padded.set(update);
    expect(guard.check(syncMessage(2, padded))).toEqual({ action: 'drop', reason: 'malformed update: trailing bytes after an update' });
    expect(syncGuardStats.dropped).toBe(2);
  });

  it('never throws and never delivers what Yjs cannot apply (seeded byte mutations)', () => {
    const alice = recordingDoc(1);
    alice.doc.transact(() => {
      alice.map.set(KEY_A, entry(1, 40));
      alice.map.set(KEY_B, entry(2, 40));
      alice.doc.getMap('junk').set('x', 'y');
      alice.doc.getText('t').insert(0, 'hello');
    });
    alice.map.delete(KEY_A);
    const base = Y.encodeStateAsUpdate(alice.doc);
    const guard = createSyncGuard(ECONOMY_SCHEMA);
    const noise = seededBytes(20_000, 99);
    let delivered = 0;
    for (let i = 0; i < 2_000; i++) {
      const mutated = base.slice();
      const flips = 1 + (noise[i]! % 3);
      for (let f = 0; f < flips; f++) {
        const at = (noise[(i * 7 + f * 3) % noise.length]! * 256 + noise[(i * 11 + f) % noise.length]!) % mutated.length;
        mutated[at] = noise[(i * 13 + f * 5) % noise.length]!;
      }
      const message = syncMessage(2, mutated);
      const verdict = guard.check(message);
      const update = deliveredUpdate(message, verdict);
      if (update) {
        delivered += 1;
        const doc = new Y.Doc();
        expect(() => Y.applyUpdate(doc, update)).not.toThrow();
        for (const name of doc.share.keys()) expect(name).toBe('entries');
      }
    }
    expect(delivered).toBeGreaterThan(0);
  });
});

describe('message types', () => {
  it('drops the malformed frames that used to throw in the page: [1,0,0] then [0,9,9,9]', () => {
    const guard = createSyncGuard(ECONOMY_SCHEMA);
    expect(guard.check(new Uint8Array([1, 0, 0]))).toEqual({ action: 'drop', reason: 'trailing bytes after an awareness message' });
    expect(guard.check(new Uint8Array([0, 9, 9, 9]))).toEqual({ action: 'drop', reason: 'unknown sync message subtype 9' });
  });

  it.each([
    ['empty', []],
    ['an unknown type', [7]],
    ['the BroadcastChannel-only peer-id type', [4, 1, 0]],
    ['a truncated sync message', [0, 2, 10, 1]],
    ['a sync message without subtype', [0]],
    ['an awareness message without payload', [1]],
    ['an empty awareness update', [1, 0]],
    ['a query awareness with trailing bytes', [3, 0]],
  ])('drops %s without throwing', (_name, bytes) => {
    expect(createSyncGuard(ECONOMY_SCHEMA).check(new Uint8Array(bytes)).action).toBe('drop');
  });

  it('checks step 1 state vectors and answers one step 1 per link every 30 s', () => {
    let now = 0;
    const guard = createSyncGuard(ECONOMY_SCHEMA, { now: () => now });
    const doc = new Y.Doc();
    doc.getMap('entries').set(KEY_A, entry(1));
    const step1 = syncMessage(0, Y.encodeStateVector(doc));
    expect(guard.check(step1)).toEqual({ action: 'pass' });
    now += STEP1_INTERVAL_MS - 1;
    expect(guard.check(step1)).toEqual({ action: 'drop', reason: 'sync step 1 repeated too soon on this link' });
    now += 1;
    expect(guard.check(step1)).toEqual({ action: 'pass' });
    // Another link has its own allowance.
    expect(createSyncGuard(ECONOMY_SCHEMA, { now: () => now }).check(step1)).toEqual({ action: 'pass' });
    const fresh = () => createSyncGuard(ECONOMY_SCHEMA);
    expect(fresh().check(syncMessage(0, new Uint8Array([5, 1])))).toEqual({ action: 'drop', reason: 'malformed state vector' });
    expect(fresh().check(syncMessage(0, new Uint8Array([1, 1, 1, 0])))).toEqual({ action: 'drop', reason: 'trailing bytes after a state vector' });
    expect(fresh().check(syncMessage(0, new Uint8Array(MAX_STATE_VECTOR_BYTES + 1))).action).toBe('drop');
  });

  it('rate-limits query awareness like step 1', () => {
    const guard = createSyncGuard(ECONOMY_SCHEMA, { now: () => 0 });
    expect(guard.check(new Uint8Array([3]))).toEqual({ action: 'pass' });
    expect(guard.check(new Uint8Array([3])).action).toBe('drop');
  });

  it('passes awareness updates that decode, within the caps', () => {
    const doc = new Y.Doc();
    const awareness = new awarenessProtocol.Awareness(doc);
    awareness.setLocalStateField('member', { account: KEY_A, name: 'Alice', colour: '#112233', activity: 'idle' });
    const update = awarenessProtocol.encodeAwarenessUpdate(awareness, [doc.clientID]);
    const guard = createSyncGuard(ECONOMY_SCHEMA);
    expect(guard.check(awarenessMessage(update))).toEqual({ action: 'pass' });

    const bad = encoding.createEncoder();
    encoding.writeVarUint(bad, 1);
    encoding.writeVarUint(bad, 42);
    encoding.writeVarUint(bad, 1);
    encoding.writeVarString(bad, '{not json');
    expect(guard.check(awarenessMessage(encoding.toUint8Array(bad)))).toEqual({ action: 'drop', reason: 'malformed awareness update' });

    const big = encoding.createEncoder();
    encoding.writeVarUint(big, 1);
    encoding.writeVarUint(big, 42);
    encoding.writeVarUint(big, 1);
    encoding.writeVarString(big, JSON.stringify({ junk: 'x'.repeat(MAX_AWARENESS_MESSAGE_BYTES) }));
    expect(guard.check(awarenessMessage(encoding.toUint8Array(big))).action).toBe('drop');

    const fat = encoding.createEncoder();
    encoding.writeVarUint(fat, 1);
    encoding.writeVarUint(fat, 42);
    encoding.writeVarUint(fat, 1);
    encoding.writeVarString(fat, JSON.stringify({ junk: 'x'.repeat(5_000) }));
    expect(guard.check(awarenessMessage(encoding.toUint8Array(fat))).action).toBe('drop');
  });
});

describe('schemas', () => {
  it('picks the connection-check schema by room name, the economy schema otherwise', () => {
    expect(schemaForRoom('hourmesh-check:abc')).toBe(CONNECTION_CHECK_SCHEMA);
    expect(schemaForRoom('hourmesh:v1:0123')).toBe(ECONOMY_SCHEMA);
  });

  it('lets the connection check edit its text note and nothing else', () => {
    const a = new Y.Doc();
    const updates: Uint8Array[] = [];
    a.on('update', (u: Uint8Array) => updates.push(u));
    const note = a.getText('note');
    note.insert(0, 'hello');
    note.insert(5, ' world');
    note.delete(0, 6);
    note.insert(0, '¡ünïcødé 🎉 ');
    a.getMap('entries').set(KEY_A, entry(1)); // not part of this document
    const b = new Y.Doc();
    const guard = createSyncGuard(CONNECTION_CHECK_SCHEMA);
    const verdicts = updates.map((u) => receive(b, u, guard).action);
    expect(verdicts).toEqual(['pass', 'pass', 'pass', 'pass', 'rewrite']);
    expect(b.getText('note').toString()).toBe(note.toString());
    expect([...b.share.keys()]).toEqual(['note']);
    expect(checkUpdate(updates[0]!, ECONOMY_SCHEMA)).toMatchObject({ ok: true, replaced: 1 });
  });

  it('a registry: a new root brings its own key and value caps', () => {
    const schema = {
      ...ECONOMY_SCHEMA,
      tasks: { kind: 'map', maxKeyLength: 8, isKey: (k: string) => /^t\d+$/.test(k), maxValueBytes: 10 },
    } as const;
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    doc.getMap('tasks').set('t1', new Uint8Array(10));
    doc.getMap('tasks').set('t2', new Uint8Array(11));
    doc.getMap('tasks').set('task-3', new Uint8Array(1));
    expect(updates.map((u) => checkUpdate(u, schema)).map((r) => r.ok && r.replaced)).toEqual([0, 1, 1]);
  });
});

describe('the estimation session schema', () => {
  it('is picked by room name and keeps only signed-record slots of at most 1 024 bytes', async () => {
    const { ESTIMATION_SCHEMA } = await import('./sync-guard');
    expect(schemaForRoom('hourmesh-estimate:v1:0123:4567')).toBe(ESTIMATION_SCHEMA);
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    const map = doc.getMap('estimation');
    map.set('f:0', new Uint8Array(200));
    map.set(`v:12:${KEY_A}`, new Uint8Array(1024));
    map.set(`v:12:${KEY_B}`, new Uint8Array(1025)); // oversized
    map.set(`c:0:${KEY_A}`, new Uint8Array(10)); // no commitment slot: commitments live in the ledger
    map.set('r:01', new Uint8Array(10)); // leading zero
    map.set('r:10000', new Uint8Array(10)); // beyond 9999
    map.set('x:3', 'not bytes');
    doc.getMap('entries').set(KEY_C, entry(1)); // the economy's root is not part of a session
    expect(updates.map((u) => checkUpdate(u, ESTIMATION_SCHEMA)).map((r) => r.ok && r.replaced)).toEqual([0, 0, 1, 1, 1, 1, 1, 1]);
  });
});
