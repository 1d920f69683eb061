import { beforeAll, describe, expect, it } from 'vitest';
import { Ledger, CLOCK_SKEW_MS, MALFORMED_KEPT, type LedgerOptions } from './ledger';
import { createLedgerState, SNAPSHOT_FIELDS } from './ledger-state';
import { createEntry, verifyEntry } from './create-entry';
import { createWebCryptoPort, generateSigner, type Signer } from './crypto-port';
import { appendSignature, encodeSignedPart } from './encoding';
import { encodeKindBody } from './kinds';
import { parseHex, toHex } from './bytes';
import { verifyForkProof } from './fork-proof';

/** The one economy these entries belong to (16 bytes as hex). */
const ECONOMY = 'ec'.repeat(16);
const SCOPE = { economy: ECONOMY };

const subtle = globalThis.crypto.subtle;
const crypto = createWebCryptoPort(subtle);
let alice: Signer, bob: Signer, carol: Signer;
let A: string, B: string, C: string;
const T0 = 1_700_000_000_000;

beforeAll(async () => {
  [alice, bob, carol] = await Promise.all([generateSigner(subtle), generateSigner(subtle), generateSigner(subtle)]);
  [A, B, C] = [alice, bob, carol].map((s) => toHex(s.publicKey)) as [string, string, string];
});

/**
 * Every key has the whole credit limit without a vouch (a newcomer credit above any limit), as
 * before credit had to be vouched for: these tests are about the replay; credit has its own
 * (kind-vouch.test.ts, credit.sim.test.ts).
 */
const OPEN = { creditLimit: { MH: 10_000, CH: 10_000 }, newcomerCredit: { MH: 10 ** 12, CH: 10 ** 12 } };

function newLedger(now = T0 + 60_000, tuning: Partial<LedgerOptions> = {}): Ledger & { clock: { now: number } } {
  const clock = { now };
  const ledger = new Ledger({ economy: ECONOMY, crypto, founder: A, now: () => clock.now, initialSettings: OPEN, ...tuning });
  return Object.assign(ledger, { clock });
}

/** A fresh ledger fed every entry in one batch: the reference the fast paths must match. */
async function inOneBatch(entries: Uint8Array[], now = T0 + 60_000): Promise<string> {
  const l = newLedger(now);
  await l.addEntries(entries);
  await l.whenVerified();
  return l.serialize();
}

/** Signs arbitrary fields, bypassing createEntry's checks, to build hostile entries. */
async function signRaw(signer: Signer, seq: number, prev: string | undefined, time: number, kindCode: number, body: Uint8Array) {
  const signed = encodeSignedPart({
    economy: parseHex(ECONOMY)!, ack: 0, authorKey: signer.publicKey, seq, prev: prev ? parseHex(prev)! : new Uint8Array(32), time, kindCode, body,
  });
  const bytes = appendSignature(signed, await signer.sign(signed));
  return { id: toHex(await crypto.sha256(bytes)), bytes };
}

const pay = (to: string, amount: number, currency: 'MH' | 'CH' = 'MH') => ({ to, currency, amount, memo: '' });

/** `n` chained profile entries of Carol: padding that pushes a batch past the incremental limit. */
async function carolProfiles(n: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  let h: ReturnType<typeof head> | undefined;
  for (let i = 0; i < n; i++) {
    const p = await createEntry(carol, crypto, SCOPE, h, T0 + 100 + i, 'profile', { name: `Carol ${i}`, colour: '#123456' });
    out.push(p.bytes);
    h = head(p.id, i + 1, T0 + 100 + i);
  }
  return out;
}
const head = (id: string, seq: number, time: number) => ({ hash: id, seq, time });

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
