// The ledger's fast paths (incremental apply, checkpoints, settling frozen authors) against a full
// replay of the same entries, and its bounds on what it keeps.
import { beforeAll, describe, expect, it } from 'vitest';
import { MALFORMED_KEPT, type LedgerOptions } from './ledger';
import { createLedgerState, SNAPSHOT_FIELDS } from './ledger-state';
import { createEntry } from './create-entry';
import { generateSigner, type Signer } from './crypto-port';
import { encodeKindBody } from './kinds';
import { toHex } from './bytes';
import { verifyForkProof } from './fork-proof';
import { crypto, head, makeLedger, makePeople, pay, replayInOneBatch, SCOPE, signRaw, subtle, T0 } from './ledger-test-kit';

let alice: Signer, bob: Signer, carol: Signer;
let A: string, B: string, C: string;
beforeAll(async () => {
  ({ alice, bob, carol, A, B, C } = await makePeople());
});

const newLedger = (now?: number, tuning?: Partial<LedgerOptions>) => makeLedger(A, now, tuning);
const inOneBatch = (entries: Uint8Array[], now?: number) => replayInOneBatch(A, entries, now);

describe('Ledger: fast paths equal a full replay', () => {
  it('applies a late entry by re-applying only from the last checkpoint before its place', async () => {
    const l = newLedger(T0 + 60_000, { checkpointEvery: 4, checkpointsKept: 4 });
    const all: Uint8Array[] = [];
    const add = async (bytes: Uint8Array) => {
      all.push(bytes);
      return l.addEntries([bytes]);
    };
    // Background: carol pays alice 1 milli every 7 ms (16 entries), bob pays carol twice.
    let h: ReturnType<typeof head> | undefined;
    const carolEntries = [];
    for (let i = 0; i < 16; i++) {
      const e = await createEntry(carol, crypto, SCOPE, h, T0 + 7 * i, 'transfer', pay(A, 1));
      carolEntries.push(e);
      h = head(e.id, i + 1, T0 + 7 * i);
    }
    const b1 = await createEntry(bob, crypto, SCOPE, undefined, T0 + 50, 'transfer', pay(C, 6000));
    const b2 = await createEntry(bob, crypto, SCOPE, head(b1.id, 1, T0 + 50), T0 + 60, 'transfer', pay(C, 6000));
    for (const e of [...carolEntries.slice(0, 8), b1, ...carolEntries.slice(8, 9), b2, ...carolEntries.slice(9)]) {
      expect((await add(e.bytes)).replay).toBe('incremental');
    }
    expect(l.statusOf(b2.id)?.state).toBe('rejected'); // −12 MH is past the −10 MH limit
    expect(l.historyOf(B)).toHaveLength(2);

    // Alice pays bob 5 MH at T0+55, between bob's two payments: the second one now applies.
    const late = await createEntry(alice, crypto, SCOPE, undefined, T0 + 55, 'transfer', pay(B, 5000));
    const r = await add(late.bytes);
    expect(r.replay).toBe('partial');
    expect(l.statusOf(b2.id)).toEqual({ state: 'applied' });
    expect(l.balanceOf(B).MH).toBe(-7000);
    expect(l.historyOf(B).map((x) => x.entryId)).toEqual([b1.id, late.id, b2.id]);
    expect(l.serialize()).toBe(await inOneBatch(all));

    // Alice's next entry, also late (before carol's last entries), extends her new head.
    const late2 = await createEntry(alice, crypto, SCOPE, head(late.id, 1, T0 + 55), T0 + 90, 'profile', { name: 'Alice', colour: '#112233' });
    expect((await add(late2.bytes)).replay).toBe('partial');
    expect(l.serialize()).toBe(await inOneBatch(all));

    // Far older than every checkpoint kept: full replay, same result.
    const dave = await generateSigner(subtle);
    const old = await createEntry(dave, crypto, SCOPE, undefined, T0 + 1, 'transfer', pay(C, 1));
    expect((await add(old.bytes)).replay).toBe('full');
    expect(l.serialize()).toBe(await inOneBatch(all));
    // And after the full replay the partial path works again.
    const late3 = await createEntry(dave, crypto, SCOPE, head(old.id, 1, T0 + 1), T0 + 100, 'transfer', pay(C, 2));
    expect((await add(late3.bytes)).replay).toBe('partial');
    expect(l.serialize()).toBe(await inOneBatch(all));
  });

  it('falls back to a full replay for a late entry that unlocks a waiting one or forks', async () => {
    const l = newLedger(T0 + 60_000, { checkpointEvery: 2, checkpointsKept: 8 });
    const bg = await createEntry(carol, crypto, SCOPE, undefined, T0 + 100, 'transfer', pay(A, 1));
    const e1 = await createEntry(alice, crypto, SCOPE, undefined, T0, 'transfer', pay(B, 1));
    const e2 = await createEntry(alice, crypto, SCOPE, head(e1.id, 1, T0), T0 + 1, 'transfer', pay(B, 2));
    const f2 = await createEntry(alice, crypto, SCOPE, head(e1.id, 1, T0), T0 + 2, 'transfer', pay(C, 2));
    await l.addEntries([bg.bytes]);
    expect((await l.addEntries([e2.bytes])).replay).toBe('full'); // waits for e1
    expect((await l.addEntries([e1.bytes])).replay).toBe('full'); // unlocks e2
    expect(l.statusOf(e2.id)).toEqual({ state: 'applied' });
    expect((await l.addEntries([f2.bytes])).replay).toBe('full'); // fork at seq 2
    expect(l.frozenAt(A)).toBe(2);
    expect(l.serialize()).toBe(await inOneBatch([bg.bytes, e1.bytes, e2.bytes, f2.bytes]));
  });

  it('snapshots cover every field of the ledger state', () => {
    expect(Object.keys(createLedgerState(A)).sort()).toEqual([...SNAPSHOT_FIELDS].sort());
  });

  it('gives the same state whatever the arrival order and batching', async () => {
    const entries = [];
    let h: ReturnType<typeof head> | undefined;
    for (let i = 0; i < 6; i++) {
      const e = await createEntry(alice, crypto, SCOPE, h, T0 + i * 10, 'transfer', pay(i % 2 ? B : C, 3000));
      entries.push(e.bytes);
      h = head(e.id, i + 1, T0 + i * 10);
    }
    const b1 = await createEntry(bob, crypto, SCOPE, undefined, T0 + 5, 'transfer', pay(A, 9000));
    entries.push(b1.bytes);
    const one = newLedger();
    await one.addEntries(entries);
    const two = newLedger();
    for (const e of [...entries].reverse()) await two.addEntries([e]);
    const three = newLedger();
    for (const e of entries) await three.addEntries([e]);
    expect(two.serialize()).toBe(one.serialize());
    expect(three.serialize()).toBe(one.serialize());
  });
  it('settles a frozen author\'s further entries without a replay, as a full replay would', async () => {
    const l = newLedger(T0 + 60_000, { checkpointEvery: 2, checkpointsKept: 4 });
    const all: Uint8Array[] = [];
    const add = async (...bytes: Uint8Array[]) => {
      all.push(...bytes);
      const r = await l.addEntries(bytes);
      expect(l.serialize()).toBe(await inOneBatch(all));
      return r;
    };
    const e1 = await createEntry(carol, crypto, SCOPE, undefined, T0, 'transfer', pay(B, 1));
    const a2 = await createEntry(carol, crypto, SCOPE, head(e1.id, 1, T0), T0 + 1, 'transfer', pay(B, 2));
    const b2 = await createEntry(carol, crypto, SCOPE, head(e1.id, 1, T0), T0 + 2, 'transfer', pay(A, 2));
    await add(e1.bytes, a2.bytes);
    expect((await add(b2.bytes)).replay).toBe('full'); // the fork itself
    expect(l.frozenAt(C)).toBe(2);
    // Carol goes on writing on branch a: each entry only gets its status.
    let h = head(a2.id, 2, T0 + 1);
    for (let i = 0; i < 3; i++) {
      const e = await createEntry(carol, crypto, SCOPE, h, T0 + 10 + i, 'transfer', pay(B, 5));
      const r = await add(e.bytes);
      expect(r.replay).toBe('none');
      expect(r.rejected).toEqual([{ id: e.id, reason: 'account frozen: fork at seq 2' }]);
      h = head(e.id, h.seq + 1, T0 + 10 + i);
    }
    // …and is not kept: above a verified fork seq nothing can ever count or prove anything more.
    expect(l.entryCount).toBe(3);
    // A third branch at the fork seq: dropped at once unless it has a lower id than one of the
    // two kept there (the proof), which changes what exists at seq 2 → full replay.
    const c2 = await createEntry(carol, crypto, SCOPE, head(e1.id, 1, T0), T0 + 3, 'transfer', pay(B, 3));
    const replacesOne = c2.id < [a2.id, b2.id].sort()[1]!;
    expect((await add(c2.bytes)).replay).toBe(replacesOne ? 'full' : 'none');
    expect(l.entryCount).toBe(3); // e1 and the two lowest ids at seq 2
    const forged = await createEntry(carol, crypto, SCOPE, h, T0 + 20, 'transfer', pay(B, 6));
    const bad = forged.bytes.slice();
    bad[bad.length - 1]! ^= 1;
    const badId = toHex(await crypto.sha256(bad));
    const r = await add(bad);
    expect(r.replay).toBe('none');
    expect(l.statusOf(badId)?.state).toBe('rejected');
    // Carol signs a successor of the broken entry: above the fork seq, dropped too.
    const vouch = await createEntry(carol, crypto, SCOPE, head(badId, h.seq + 1, T0 + 20), T0 + 21, 'transfer', pay(B, 7));
    expect((await add(vouch.bytes)).replay).toBe('none');
    expect(l.statusOf(vouch.id)).toEqual({ state: 'rejected', reason: 'account frozen: fork at seq 2' });
    // Batches too, children before parents.
    const n1 = await createEntry(carol, crypto, SCOPE, head(vouch.id, h.seq + 2, T0 + 21), T0 + 22, 'transfer', pay(B, 8));
    const n2 = await createEntry(carol, crypto, SCOPE, head(n1.id, h.seq + 3, T0 + 22), T0 + 23, 'transfer', pay(B, 9));
    expect((await add(n2.bytes, n1.bytes)).replay).toBe('none');
    // A fork below the current fork seq is no cheap case: full replay, frozen lower.
    const d1 = await createEntry(carol, crypto, SCOPE, undefined, T0 + 1, 'profile', { name: 'Carol', colour: '#123456' });
    expect((await add(d1.bytes)).replay).toBe('full');
    expect(l.frozenAt(C)).toBe(1);
    expect(await verifyForkProof(l.forks[0]!, crypto)).toBe(true);
  });

  it('applies the real next entry incrementally next to a forgery at its seq or a seq skip above it', async () => {
    const l = newLedger();
    const all: Uint8Array[] = [];
    const add = async (bytes: Uint8Array) => {
      all.push(bytes);
      const r = await l.addEntries([bytes]);
      expect(l.serialize()).toBe(await inOneBatch(all));
      return r;
    };
    const e1 = await createEntry(alice, crypto, SCOPE, undefined, T0, 'transfer', pay(B, 1));
    await add(e1.bytes);
    const fake2 = (await createEntry(alice, crypto, SCOPE, head(e1.id, 1, T0), T0 + 5, 'transfer', pay(C, 9))).bytes.slice();
    fake2[fake2.length - 2]! ^= 4;
    await add(fake2);
    const e2 = await createEntry(alice, crypto, SCOPE, head(e1.id, 1, T0), T0 + 1, 'transfer', pay(B, 2));
    expect((await add(e2.bytes)).replay).toBe('incremental');
    // Seq skip: seq 4 naming seq 2. The real seq 3 still extends the head alone…
    const skip = await createEntry(alice, crypto, SCOPE, head(e2.id, 3, T0 + 1), T0 + 2, 'transfer', pay(B, 4));
    await add(skip.bytes);
    const e3 = await createEntry(alice, crypto, SCOPE, head(e2.id, 2, T0 + 1), T0 + 3, 'transfer', pay(B, 8));
    expect((await add(e3.bytes)).replay).toBe('incremental');
    // …but the real seq 4 forks with the skip (both signed by alice): full, frozen at 4.
    const e4 = await createEntry(alice, crypto, SCOPE, head(e3.id, 3, T0 + 3), T0 + 4, 'transfer', pay(B, 16));
    expect((await add(e4.bytes)).replay).toBe('full');
    expect(l.frozenAt(A)).toBe(4);
    expect(l.balanceOf(B).MH).toBe(1 + 2 + 8);
    // An entry above that waits for the next one makes it a full replay (it unlocks it).
    const b1 = await createEntry(bob, crypto, SCOPE, undefined, T0, 'transfer', pay(C, 1));
    const b2 = await createEntry(bob, crypto, SCOPE, head(b1.id, 1, T0), T0 + 1, 'transfer', pay(C, 2));
    expect((await add(b2.bytes)).replay).toBe('full');
    expect((await add(b1.bytes)).replay).toBe('full');
    expect(l.statusOf(b2.id)).toEqual({ state: 'applied' });
  });

  it('keeps a prev naming another author\'s rejected entry pending, whatever the arrival order', async () => {
    const a1 = await createEntry(alice, crypto, SCOPE, undefined, T0, 'transfer', pay(B, 1));
    const bad = a1.bytes.slice();
    bad[bad.length - 1]! ^= 1; // rejected: invalid signature
    const badId = toHex(await crypto.sha256(bad));
    const b1 = await createEntry(bob, crypto, SCOPE, undefined, T0, 'transfer', pay(C, 1));
    const b2 = await signRaw(bob, 2, badId, T0 + 1, 2, encodeKindBody('transfer', pay(C, 2)));
    const first = newLedger();
    await first.addEntries([bad]);
    await first.addEntries([b1.bytes, b2.bytes]);
    const second = newLedger();
    await second.addEntries([b1.bytes, b2.bytes]);
    await second.addEntries([bad]);
    expect(first.statusOf(b2.id)?.state).toBe('pending');
    expect(first.serialize()).toBe(second.serialize());
  });

  it('copes with a seq near 2^53 (no walk over every seq below it)', async () => {
    const l = newLedger();
    const e1 = await createEntry(alice, crypto, SCOPE, undefined, T0, 'transfer', pay(B, 1));
    const huge = await signRaw(alice, 2 ** 53 - 1, e1.id, T0 + 1, 2, encodeKindBody('transfer', pay(B, 2)));
    const hugeForged = huge.bytes.slice();
    hugeForged[hugeForged.length - 1]! ^= 1;
    const r = await l.addEntries([e1.bytes, huge.bytes, hugeForged]);
    expect(r.replay).toBe('full');
    expect(l.statusOf(huge.id)).toEqual({ state: 'rejected', reason: `prev is the author's entry 1, not ${2 ** 53 - 2}` });
    const e2 = await createEntry(alice, crypto, SCOPE, head(e1.id, 1, T0), T0 + 2, 'transfer', pay(B, 4));
    expect((await l.addEntries([e2.bytes])).replay).toBe('incremental');
    expect(l.serialize()).toBe(await inOneBatch([hugeForged, e2.bytes, huge.bytes, e1.bytes]));
  });

  it('forgets the oldest dropped inputs beyond a bound (malformed bytes and bad signatures alike), and still reports each', async () => {
    const l = newLedger();
    const junk = (n: number) => Uint8Array.from([9, n & 255, n >> 8, n >> 16]);
    const ids = await Promise.all(Array.from({ length: MALFORMED_KEPT + 10 }, async (_, n) => toHex(await crypto.sha256(junk(n)))));
    const e1 = await createEntry(alice, crypto, SCOPE, undefined, T0, 'transfer', pay(B, 1));
    const forged = e1.bytes.slice();
    forged[forged.length - 1]! ^= 1;
    const forgedId = toHex(await crypto.sha256(forged));
    const r0 = await l.addEntries([junk(0), forged]);
    expect(r0.rejected).toEqual([
      { id: ids[0], reason: 'malformed entry: entry too short' },
      { id: forgedId, reason: 'invalid signature' },
    ]);
    const before = l.serialize();
    // One big call keeps every id of its own (callers read statusOf right after)…
    const big = Array.from({ length: MALFORMED_KEPT + 9 }, (_, n) => junk(n + 1));
    const r1 = await l.addEntries(big);
    expect(r1.rejected).toHaveLength(MALFORMED_KEPT + 9);
    expect(ids.slice(1).every((id) => l.statusOf(id)?.state === 'rejected')).toBe(true);
    expect(l.statusOf(ids[0]!)).toBeUndefined(); // the oldest is forgotten
    // …and the next call trims back to the bound; a forgotten input comes back as new.
    const r2 = await l.addEntries([junk(0)]);
    expect(r2.duplicates).toBe(0);
    expect(r2.rejected).toEqual([{ id: ids[0], reason: 'malformed entry: entry too short' }]);
    expect(ids.filter((id) => l.statusOf(id) !== undefined)).toHaveLength(MALFORMED_KEPT);
    const r3 = await l.addEntries([junk(MALFORMED_KEPT + 9)]); // still kept: a duplicate
    expect(r3.duplicates).toBe(1);
    // None of it is state or kept: a bad signature can never count, like malformed bytes.
    expect(l.serialize()).toBe(before);
    expect(l.entryCount).toBe(0);
    expect(l.statusOf(forgedId)).toBeUndefined(); // forgotten with the oldest
  });
});
