// The job room's document: content-addressed blobs checked by the sync guard on arrival, and
// leases in awareness that are worth nothing beyond coordination.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { checkUpdate, JOB_SCHEMA, MAX_JOB_BLOB_BYTES, schemaForRoom } from './sync-guard';
import { BLOBS_MAP, blobHash, JobRoom, jobRoomName } from './job-room';
import { JobRooms } from './job-rooms';
import { MAX_LEASED_UNITS, parseLease } from './job-leases';
import { seededBytes } from './seeded-bytes';

function recordingDoc(clientID: number) {
  const doc = new Y.Doc();
  doc.clientID = clientID;
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  return { doc, updates, blobs: doc.getMap<unknown>(BLOBS_MAP) };
}

/** Applies what the guard lets through (GC in place of refused structs) to `doc`. */
function receive(doc: Y.Doc, update: Uint8Array): number {
  const checked = checkUpdate(update, JOB_SCHEMA);
  if (!checked.ok) return -1;
  Y.applyUpdate(doc, checked.update);
  return checked.replaced;
}

const ECONOMY = 'e'.repeat(64);
const JOB = 'f'.repeat(64);

describe('job room blobs', () => {
  it('uses the job schema for job rooms only', () => {
    expect(schemaForRoom(jobRoomName(ECONOMY, JOB))).toBe(JOB_SCHEMA);
    expect(schemaForRoom(`hourmesh:v1:${ECONOMY}`)).not.toBe(JOB_SCHEMA);
  });

  it('passes a blob stored under its own hash, and a late joiner gets it whole', () => {
    const owner = recordingDoc(1);
    const bytes = seededBytes(5000, 1);
    owner.blobs.set(blobHash(bytes), bytes);
    const donor = new Y.Doc();
    expect(receive(donor, owner.updates[0]!)).toBe(0);
    expect(donor.getMap(BLOBS_MAP).get(blobHash(bytes))).toEqual(bytes);
    const late = new Y.Doc();
    expect(receive(late, Y.encodeStateAsUpdate(donor))).toBe(0);
    expect(late.getMap(BLOBS_MAP).size).toBe(1);
  });

  it('drops a blob whose bytes do not hash to its key: never stored, never served on', () => {
    const hostile = recordingDoc(2);
    const honest = seededBytes(100, 1);
    const wrong = seededBytes(100, 2);
    hostile.blobs.set(blobHash(honest), wrong);
    const donor = new Y.Doc();
    expect(receive(donor, hostile.updates[0]!)).toBe(1);
    expect(donor.getMap(BLOBS_MAP).has(blobHash(honest))).toBe(false);
    // What the donor serves on is clean, and an honest copy written later still arrives.
    const late = new Y.Doc();
    Y.applyUpdate(late, Y.encodeStateAsUpdate(donor));
    expect(late.getMap(BLOBS_MAP).size).toBe(0);
    const owner = recordingDoc(3);
    owner.blobs.set(blobHash(honest), honest);
    expect(receive(donor, owner.updates[0]!)).toBe(0);
    expect(donor.getMap(BLOBS_MAP).get(blobHash(honest))).toEqual(honest);
  });

  it('refuses an overwrite of a stored blob (its key is inherited, so it cannot be checked)', () => {
    const hostile = recordingDoc(4);
    const honest = seededBytes(64, 1);
    hostile.blobs.set(blobHash(honest), honest);
    hostile.blobs.set(blobHash(honest), seededBytes(64, 9));
    const donor = new Y.Doc();
    for (const u of hostile.updates) receive(donor, u);
    expect(donor.getMap(BLOBS_MAP).get(blobHash(honest))).toEqual(honest);
  });

  it('refuses oversized blobs, other roots and non-binary values', () => {
    const hostile = recordingDoc(5);
    const big = new Uint8Array(MAX_JOB_BLOB_BYTES + 1);
    hostile.blobs.set(blobHash(big), big);
    hostile.doc.getMap('entries').set(JOB, new Uint8Array(3));
    hostile.blobs.set(blobHash(new Uint8Array(1)), 'text');
    const donor = new Y.Doc();
    for (const u of hostile.updates) expect(receive(donor, u)).toBe(1);
    expect(donor.getMap(BLOBS_MAP).size).toBe(0);
    expect(donor.getMap('entries').size).toBe(0);
  });

  it('JobRoom.put stores once under the hash and get verifies bytes (a tab of this browser is not guarded)', async () => {
    const room = await JobRoom.open({ economyId: ECONOMY, jobId: JOB, secret: 's', network: { signaling: [], ice: [] }, persist: false, connect: false });
    const bytes = seededBytes(300, 7);
    const hash = room.put(bytes);
    expect(hash).toBe(blobHash(bytes));
    expect(room.put(bytes)).toBe(hash);
    expect(room.get(hash)).toEqual(bytes);
    const waited = room.whenBlob(blobHash(seededBytes(10, 1)));
    room.put(seededBytes(10, 1));
    await expect(waited).resolves.toEqual(seededBytes(10, 1));
    // Bytes written around the guard under a wrong key are not handed out.
    room.doc.getMap(BLOBS_MAP).set('0'.repeat(64), seededBytes(5, 5));
    expect(room.get('0'.repeat(64))).toBeUndefined();
    expect(() => room.put(new Uint8Array(MAX_JOB_BLOB_BYTES + 1))).toThrow(/over the/);
    room.close();
  });
});

describe('leases in awareness', () => {
  const account = 'a'.repeat(64);
  it('reads a well-formed lease and caps its future', () => {
    expect(parseLease({ account, units: [3, 1, 3], until: 5_000 }, 10, 1_000, 30_000)).toEqual({ account, units: [1, 3], until: 5_000 });
    expect(parseLease({ account, units: [1], until: 10 ** 12 }, 10, 1_000, 30_000)!.until).toBe(1_000 + 30_000);
  });

  it('drops expired, malformed, foreign-unit and oversized claims', () => {
    expect(parseLease({ account, units: [1], until: 999 }, 10, 1_000, 30_000)).toBeNull();
    expect(parseLease({ account: 'x', units: [1], until: 5_000 }, 10, 1_000, 30_000)).toBeNull();
    expect(parseLease({ account, units: [10, -1, 1.5, 'a'], until: 5_000 }, 10, 1_000, 30_000)).toBeNull();
    expect(parseLease({ account, units: 'all', until: 5_000 }, 10, 1_000, 30_000)).toBeNull();
    expect(parseLease(null, 10, 1_000, 30_000)).toBeNull();
    const many = Array.from({ length: 5_000 }, (_, i) => i);
    expect(parseLease({ account, units: many, until: 5_000 }, 10_000, 1_000, 30_000)!.units).toHaveLength(MAX_LEASED_UNITS);
  });
});

describe('job room deletions', () => {
  it('drops a deletion of a blob: a hostile member cannot erase what donors need', () => {
    const owner = recordingDoc(6);
    const bytes = seededBytes(80, 3);
    owner.blobs.set(blobHash(bytes), bytes);
    const donor = new Y.Doc();
    receive(donor, owner.updates[0]!);
    const hostile = new Y.Doc();
    Y.applyUpdate(hostile, owner.updates[0]!);
    const deletions: Uint8Array[] = [];
    hostile.on('update', (u: Uint8Array) => deletions.push(u));
    hostile.getMap(BLOBS_MAP).delete(blobHash(bytes));
    expect(receive(donor, deletions[0]!)).toBe(1);
    expect(donor.getMap(BLOBS_MAP).get(blobHash(bytes))).toEqual(bytes);
  });
});

describe('job rooms of an economy', () => {
  const rooms = () => new JobRooms({ economyId: ECONOMY, secret: 's', network: { signaling: [], ice: [] }, persist: false, connect: false });

  it('opens a job\'s room once for every holder and closes it when the last one lets go', async () => {
    const all = rooms();
    const [a, b] = await Promise.all([all.open(JOB, 'donor'), all.open(JOB, 'owner')]);
    expect(a).toBe(b);
    all.release(JOB, 'donor');
    expect(a.closed).toBe(false);
    all.release(JOB, 'owner');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(a.closed).toBe(true);
    const again = await all.open(JOB, 'owner');
    expect(again).not.toBe(a);
    all.close();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(again.closed).toBe(true);
    await expect(all.open(JOB, 'owner')).rejects.toThrow(/closed/);
  });
});
