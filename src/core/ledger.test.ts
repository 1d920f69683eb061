import { beforeAll, describe, expect, it } from 'vitest';
import { CLOCK_SKEW_MS, type LedgerOptions } from './ledger';
import { createEntry, verifyEntry } from './create-entry';
import type { Signer } from './crypto-port';
import { encodeKindBody } from './kinds';
import { parseHex, toHex } from './bytes';
import { verifyForkProof } from './fork-proof';
import { crypto, ECONOMY, head, makeLedger, makePeople, pay, profilesOf, replayInOneBatch, SCOPE, signRaw, T0 } from './ledger-test-kit';

let alice: Signer, bob: Signer, carol: Signer;
let A: string, B: string, C: string;
beforeAll(async () => {
  ({ alice, bob, carol, A, B, C } = await makePeople());
});

const newLedger = (now?: number, tuning?: Partial<LedgerOptions>) => makeLedger(A, now, tuning);
const inOneBatch = (entries: Uint8Array[], now?: number) => replayInOneBatch(A, entries, now);
const carolProfiles = (n: number) => profilesOf(carol, n);

describe('Ledger', () => {
  it('applies transfers zero-sum and records history on both sides', async () => {
    const l = newLedger();
    const e = await createEntry(alice, crypto, SCOPE, undefined, T0, 'transfer', { ...pay(B, 2500), memo: 'pizza' });
    const r = await l.addEntries([e.bytes]);
    expect(r.rejected).toEqual([]);
    expect(l.statusOf(e.id)).toEqual({ state: 'applied' });
    expect(l.balanceOf(A).MH).toBe(-2500);
    expect(l.balanceOf(B).MH).toBe(2500);
    expect(l.historyOf(B)[0]).toMatchObject({ counterparty: A, delta: 2500, memo: 'pizza' });
    expect(l.headOf(A)).toEqual({ seq: 1, hash: e.id, time: T0 });
    expect((await verifyEntry(crypto, e.bytes)).ok).toBe(true);
  });

  it('rejects an overdraft past the credit limit and keeps the chain going', async () => {
    const l = newLedger();
    const e1 = await createEntry(alice, crypto, SCOPE, undefined, T0, 'transfer', pay(B, 10_001));
    const e2 = await createEntry(alice, crypto, SCOPE, head(e1.id, 1, T0), T0 + 1, 'transfer', pay(B, 10_000));
    const r = await l.addEntries([e1.bytes, e2.bytes]);
    expect(r.rejected).toEqual([{ id: e1.id, reason: expect.stringContaining('insufficient credit') }]);
    expect(l.statusOf(e2.id)).toEqual({ state: 'applied' });
    expect(l.balanceOf(A).MH).toBe(-10_000);
  });

  it('rejects malformed bytes, forged signatures, unknown kinds, bad amounts and self-transfers; the rest goes on', async () => {
    const l = newLedger();
    const good = await createEntry(alice, crypto, SCOPE, undefined, T0, 'transfer', pay(B, 1000));
    const forged = good.bytes.slice();
    forged[forged.length - 1]! ^= 0xff;
    const unknownKind = await signRaw(bob, 1, undefined, T0, 42, new Uint8Array([1, 2]));
    const zero = await signRaw(bob, 2, unknownKind.id, T0 + 1, 2, encodeKindBody('transfer', pay(C, 0)));
    const huge = await signRaw(bob, 3, zero.id, T0 + 2, 2, encodeKindBody('transfer', pay(C, 10 ** 13)));
    const self = await signRaw(bob, 4, huge.id, T0 + 3, 2, encodeKindBody('transfer', pay(B, 5)));
    const fine = await signRaw(bob, 5, self.id, T0 + 4, 2, encodeKindBody('transfer', pay(C, 7)));
    const r = await l.addEntries([new Uint8Array([2, 2, 3]), forged, good.bytes, unknownKind.bytes, zero.bytes, huge.bytes, self.bytes, fine.bytes]);
    const reasons = Object.fromEntries(r.rejected.map((x) => [x.id, x.reason]));
    expect(reasons[unknownKind.id]).toBe('unknown kind code 42');
    expect(reasons[zero.id]).toBe('amount must be greater than zero');
    expect(reasons[huge.id]).toContain('amount exceeds the maximum');
    expect(reasons[self.id]).toBe('self-transfer');
    expect(reasons[toHex(await crypto.sha256(forged))]).toBe('invalid signature');
    expect(Object.values(reasons)).toContain('malformed entry: entry too short');
    expect(l.statusOf(good.id)).toEqual({ state: 'applied' });
    expect(l.statusOf(fine.id)).toEqual({ state: 'applied' });
    expect(l.balanceOf(C).MH).toBe(7);
    expect([...l.validEntries()].map((e) => e.id)).not.toContain(toHex(await crypto.sha256(forged)));
  });

  it('is idempotent for duplicates', async () => {
    const l = newLedger();
    const e = await createEntry(alice, crypto, SCOPE, undefined, T0, 'transfer', pay(B, 1000));
    await l.addEntries([e.bytes]);
    const before = l.serialize();
    const r = await l.addEntries([e.bytes, e.bytes]);
    expect(r.duplicates).toBe(2);
    expect(l.serialize()).toBe(before);
  });

  it('refuses entries of another economy: a payment copied across economies is worth nothing', async () => {
    // Alice pays Bob in economy X; Mallory, a member of X and Y, copies the bytes into Y.
    const inX = await createEntry(alice, crypto, { economy: 'ab'.repeat(16) }, undefined, T0, 'transfer', pay(B, 1000));
    const y = newLedger();
    const r = await y.addEntries([inX.bytes]);
    expect(r.rejected).toEqual([{ id: inX.id, reason: `malformed entry: entry of another economy (${'ab'.repeat(16)})` }]);
    expect(y.balanceOf(B).MH).toBe(0);
    expect(y.entryCount).toBe(0); // not stored: it can never take part in this economy
    // Re-signing is impossible without Alice's key, and rewriting the economy bytes breaks her signature.
    const moved = inX.bytes.slice();
    moved.set(parseHex(ECONOMY)!, 1);
    const r2 = await y.addEntries([moved]);
    expect(r2.rejected[0]?.reason).toBe('invalid signature');
    expect(y.balanceOf(B).MH).toBe(0);
  });

  it('a forged head never hides the valid entries below it', async () => {
    const l = newLedger();
    const e1 = await createEntry(alice, crypto, SCOPE, undefined, T0, 'transfer', pay(B, 1));
    const e2 = await createEntry(alice, crypto, SCOPE, head(e1.id, 1, T0), T0 + 1, 'transfer', pay(B, 2));
    const real3 = await createEntry(alice, crypto, SCOPE, head(e2.id, 2, T0 + 1), T0 + 2, 'transfer', pay(B, 4));
    const fake3 = await signRaw(bob, 3, e2.id, T0 + 2, 2, encodeKindBody('transfer', pay(C, 9000)));
    fake3.bytes.set(alice.publicKey, 17); // claim to be alice; bob's signature no longer matches
    // A small batch: each entry's own signature is checked, the forgery is dropped on the spot.
    const r = await l.addEntries([e1.bytes, e2.bytes, real3.bytes, fake3.bytes].reverse());
    expect(r.replay).toBe('incremental');
    expect(l.balanceOf(B).MH).toBe(7);
    expect(l.forks).toEqual([]);
    // A big batch (a late joiner's load): the head-only walk meets the forged head, checks its
    // parent next, and still finds every valid entry below it.
    const padding = await carolProfiles(20);
    const big = newLedger();
    const r2 = await big.addEntries([...padding, e1.bytes, e2.bytes, fake3.bytes, real3.bytes]);
    expect(r2.replay).toBe('full');
    await big.whenVerified();
    expect(big.balanceOf(B).MH).toBe(7);
    expect(big.forks).toEqual([]);
    expect(big.profileOf(C)?.name).toBe('Carol 19');
  });

  it('holds an entry whose predecessor is missing, then applies both when it arrives', async () => {
    const l = newLedger();
    const e1 = await createEntry(alice, crypto, SCOPE, undefined, T0, 'transfer', pay(B, 1));
    const e2 = await createEntry(alice, crypto, SCOPE, head(e1.id, 1, T0), T0 + 1, 'transfer', pay(B, 2));
    const r = await l.addEntries([e2.bytes]);
    expect(r.pending[0]?.reason).toContain('waiting for');
    await l.addEntries([e1.bytes]);
    expect(l.statusOf(e2.id)).toEqual({ state: 'applied' });
    expect(l.balanceOf(B).MH).toBe(3);
  });

  it('holds a broken chain (prev names no known entry) and rejects a time going backwards', async () => {
    const l = newLedger();
    const e1 = await createEntry(alice, crypto, SCOPE, undefined, T0, 'transfer', pay(B, 1));
    const broken = await signRaw(alice, 2, 'ee'.repeat(32), T0 + 1, 2, encodeKindBody('transfer', pay(B, 2)));
    const back = await signRaw(bob, 2, (await signRaw(bob, 1, undefined, T0, 2, encodeKindBody('transfer', pay(C, 1)))).id, T0 - 1, 2, encodeKindBody('transfer', pay(C, 1)));
    const bob1 = await signRaw(bob, 1, undefined, T0, 2, encodeKindBody('transfer', pay(C, 1)));
    await l.addEntries([e1.bytes, broken.bytes, bob1.bytes, back.bytes]);
    expect(l.statusOf(broken.id)?.state).toBe('pending');
    expect(l.statusOf(back.id)).toEqual({ state: 'rejected', reason: "time is not after the predecessor's time" });
  });

  it('holds entries dated more than 10 minutes ahead until the clock reaches them', async () => {
    const l = newLedger(T0);
    const future = await createEntry(alice, crypto, SCOPE, undefined, T0 + CLOCK_SKEW_MS + 5_000, 'transfer', pay(B, 1));
    const r = await l.addEntries([future.bytes]);
    expect(r.pending[0]?.reason).toContain('ahead of this device');
    l.clock.now = T0 + 5_000;
    await l.refresh();
    expect(l.statusOf(future.id)).toEqual({ state: 'applied' });
  });

  it('does not replay everything while a future-dated entry is still held', async () => {
    const l = newLedger(T0);
    const future = await createEntry(alice, crypto, SCOPE, undefined, T0 + CLOCK_SKEW_MS + 60_000, 'transfer', pay(B, 1));
    await l.addEntries([future.bytes]);
    const now = await createEntry(bob, crypto, SCOPE, undefined, T0, 'transfer', pay(C, 1));
    expect((await l.addEntries([now.bytes])).replay).toBe('incremental');
    l.clock.now = T0 + 59_999;
    expect((await l.refresh()).replay).toBe('none');
    l.clock.now = T0 + 60_000;
    // Released by the clock, it joins as if it arrived now: here it extends its author's chain.
    expect((await l.refresh()).replay).toBe('incremental');
    expect(l.statusOf(future.id)).toEqual({ state: 'applied' });
    expect(l.serialize()).toBe(await inOneBatch([future.bytes, now.bytes], T0 + 60_000));
  });

  it('counts a fork only once both entries are within the clock horizon', async () => {
    const l = newLedger(T0);
    const e1 = await createEntry(carol, crypto, SCOPE, undefined, T0, 'transfer', pay(B, 1));
    const now2 = await createEntry(carol, crypto, SCOPE, head(e1.id, 1, T0), T0 + 1, 'transfer', pay(B, 2));
    const later2 = await createEntry(carol, crypto, SCOPE, head(e1.id, 1, T0), T0 + CLOCK_SKEW_MS + 60_000, 'transfer', pay(A, 2));
    await l.addEntries([e1.bytes, now2.bytes, later2.bytes]);
    expect(l.frozenAt(C)).toBeUndefined();
    expect(l.statusOf(now2.id)).toEqual({ state: 'applied' });
    l.clock.now = T0 + 60_000;
    await l.refresh();
    expect(l.frozenAt(C)).toBe(2);
    expect(l.statusOf(now2.id)?.state).toBe('rejected');
  });

  it('detects a fork, freezes the author from that seq, and keeps paying into it', async () => {
    const l = newLedger();
    const e1 = await createEntry(carol, crypto, SCOPE, undefined, T0, 'transfer', pay(B, 1));
    const f1 = await createEntry(carol, crypto, SCOPE, head(e1.id, 1, T0), T0 + 1, 'transfer', pay(B, 2));
    const f2 = await createEntry(carol, crypto, SCOPE, head(e1.id, 1, T0), T0 + 2, 'transfer', pay(A, 2));
    const after = await createEntry(carol, crypto, SCOPE, head(f1.id, 2, T0 + 1), T0 + 3, 'transfer', pay(A, 4));
    const incoming = await createEntry(bob, crypto, SCOPE, undefined, T0 + 4, 'transfer', pay(C, 50));
    await l.addEntries([e1.bytes, f1.bytes, after.bytes, incoming.bytes]);
    expect(l.balanceOf(B).MH).toBe(3 - 50);
    await l.addEntries([f2.bytes]);
    expect(l.forks).toHaveLength(1);
    expect(l.frozenAt(C)).toBe(2);
    expect(l.statusOf(f1.id)).toEqual({ state: 'rejected', reason: 'account frozen: fork at seq 2' });
    expect(l.statusOf(after.id)?.state).toBe('rejected');
    expect(l.statusOf(e1.id)).toEqual({ state: 'applied' });
    expect(l.balanceOf(C).MH).toBe(-1 + 50);
    expect(await verifyForkProof(l.forks[0]!, crypto)).toBe(true);
    expect(await verifyForkProof({ ...l.forks[0]!, second: l.forks[0]!.first }, crypto)).toBe(false);
  });

  it('accepts economy settings from the founder only', async () => {
    const l = newLedger();
    const byBob = await createEntry(bob, crypto, SCOPE, undefined, T0, 'economy-settings', { creditLimit: { MH: 0, CH: 0 } });
    const byAlice = await createEntry(alice, crypto, SCOPE, undefined, T0 + 1, 'economy-settings', { creditLimit: { MH: 50_000, CH: 1 } });
    // Bob acks Alice's settings (her seq 1): judged under them.
    const big = await createEntry(bob, crypto, { ...SCOPE, ack: 1 }, head(byBob.id, 1, T0), T0 + 2, 'transfer', pay(C, 40_000));
    await l.addEntries([byBob.bytes, byAlice.bytes, big.bytes]);
    expect(l.statusOf(byBob.id)).toEqual({ state: 'rejected', reason: 'only the economy founder can change its settings' });
    expect(l.creditLimit('MH')).toBe(50_000);
    expect(l.statusOf(big.id)).toEqual({ state: 'applied' });
  });

  it('drops an entry whose own signature fails, even when a signed successor commits to it', async () => {
    // Authentic means "its own signature verifies": a broken entry counts as never received, so
    // nobody has to keep it (a forger needs no key and could fill every peer's memory otherwise).
    const l = newLedger();
    const e1 = await createEntry(alice, crypto, SCOPE, undefined, T0, 'transfer', pay(B, 1));
    const bad1 = e1.bytes.slice();
    bad1[bad1.length - 1]! ^= 1;
    const bad1Id = toHex(await crypto.sha256(bad1));
    const e2 = await createEntry(alice, crypto, SCOPE, head(bad1Id, 1, T0), T0 + 1, 'transfer', pay(B, 2));
    const r = await l.addEntries([bad1]);
    expect(r.replay).toBe('none'); // one signature check, no replay
    expect(l.statusOf(bad1Id)).toEqual({ state: 'rejected', reason: 'invalid signature' });
    expect(l.entryCount).toBe(0);
    await l.addEntries([e2.bytes]);
    expect(l.statusOf(e2.id)?.state).toBe('pending'); // waits for a valid entry 1
    // In a late joiner's big batch, e2's signature first vouches for bad1 (a head-only load),
    // until the background check reaches bad1: then both peers agree again.
    const padding = await carolProfiles(20);
    await l.addEntries(padding);
    await l.whenVerified();
    const fresh = newLedger();
    await fresh.addEntries([...padding, e2.bytes, bad1]);
    expect(fresh.unverifiedCount).toBe(20); // carol's 1–19 and bad1, vouched by their successors
    await fresh.whenVerified();
    expect(fresh.unverifiedCount).toBe(0);
    expect(fresh.serialize()).toBe(l.serialize());
    expect(fresh.balanceOf(B).MH).toBe(0);
  });

  it('a forged entry that is not the author\'s next costs one check and no replay, and is not kept', async () => {
    const l = newLedger();
    const e1 = await createEntry(alice, crypto, SCOPE, undefined, T0, 'transfer', pay(B, 1));
    await l.addEntries([e1.bytes]);
    // Anyone can write such bytes: seq 7 under a prev nobody has, with a broken signature.
    const forged = await signRaw(bob, 7, 'ab'.repeat(32), T0 + 5, 2, encodeKindBody('transfer', pay(C, 1)));
    const bytes = forged.bytes.slice();
    bytes.set(alice.publicKey, 17); // claims to be Alice: Bob's signature no longer matches
    const r = await l.addEntries([bytes]);
    expect(r.replay).toBe('none');
    expect(r.rejected[0]?.reason).toBe('invalid signature');
    expect(l.entryCount).toBe(1);
    expect((await l.addEntries([bytes])).duplicates).toBe(1); // a re-sent forgery costs a hash
  });

  it('rejects an entry whose prev names another seq of the same author', async () => {
    const l = newLedger();
    const e1 = await createEntry(alice, crypto, SCOPE, undefined, T0, 'transfer', pay(B, 1));
    const e2 = await createEntry(alice, crypto, SCOPE, head(e1.id, 1, T0), T0 + 1, 'transfer', pay(B, 2));
    const skip = await createEntry(alice, crypto, SCOPE, head(e1.id, 2, T0 + 1), T0 + 2, 'transfer', pay(B, 4)); // seq 3, prev = seq 1
    await l.addEntries([e1.bytes, e2.bytes, skip.bytes]);
    expect(l.statusOf(skip.id)).toEqual({ state: 'rejected', reason: "prev is the author's entry 1, not 2" });
    expect(l.balanceOf(B).MH).toBe(3);
    const late = newLedger();
    for (const e of [skip, e1, e2]) await late.addEntries([e.bytes]);
    expect(late.serialize()).toBe(l.serialize());
  });
});
