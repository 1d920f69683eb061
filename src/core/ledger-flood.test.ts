// A hostile member floods a peer (issue 7, finding 5): forgeries need no key, so each one may
// cost a peer one signature check and a place in a bounded list of dropped ids — never a full
// replay, never lasting memory — and honest transfers keep applying on the cheap paths. Full
// replays that a flood does force are paced and merged (LedgerOptions.pacing).
import { beforeAll, describe, expect, it } from 'vitest';
import { CLOCK_SKEW_MS, Ledger, MALFORMED_KEPT, type AddReport } from './ledger';
import { createEntry, type EntryHead } from './create-entry';
import { createWebCryptoPort, generateSigner, type Signer } from './crypto-port';
import { appendSignature, encodeSignedPart } from './encoding';
import { encodeKindBody } from './kinds';
import { toHex } from './bytes';
import { createRandom, pickInt, type Random } from './random';

const ECONOMY = 'ec'.repeat(16);
const subtle = globalThis.crypto.subtle;
const crypto = createWebCryptoPort(subtle);
const T0 = 1_700_000_000_000;
let alice: Signer;
let bob: Signer;
let A: string;
let B: string;

beforeAll(async () => {
  [alice, bob] = await Promise.all([generateSigner(subtle), generateSigner(subtle)]);
  [A, B] = [alice, bob].map((s) => toHex(s.publicKey)) as [string, string];
});

const bytesOf = (random: Random, n: number) => Uint8Array.from({ length: n }, () => pickInt(random, 256));

/** What anyone who knows the room secret can write without a key: well-formed, badly signed. */
function forgery(random: Random, author: Uint8Array, time: number): Uint8Array {
  const seq = 1 + pickInt(random, 1_000_000);
  const signed = encodeSignedPart({
    economy: new Uint8Array(16).fill(0xec), ack: 0, authorKey: author, seq,
    prev: seq === 1 ? new Uint8Array(32) : bytesOf(random, 32), time, kindCode: 2,
    body: encodeKindBody('transfer', { to: B, currency: 'MH', amount: 1 + pickInt(random, 9_000), memo: '' }),
  });
  return appendSignature(signed, bytesOf(random, 64));
}

describe('a flood of forgeries', () => {
  it('costs no replay and no lasting memory, and honest transfers keep applying incrementally', async () => {
    const random = createRandom(7);
    const clock = { now: T0 };
    const ledger = new Ledger({ economy: ECONOMY, crypto, founder: A, now: () => clock.now });
    let head: EntryHead | undefined;
    let paid = 0;
    const honest = async (): Promise<AddReport> => {
      clock.now += 10;
      const e = await createEntry(alice, crypto, { economy: ECONOMY }, head, clock.now, 'transfer', { to: B, currency: 'MH', amount: 1, memo: '' });
      head = { seq: (head?.seq ?? 0) + 1, hash: e.id, time: clock.now };
      paid += 1;
      return ledger.addEntries([e.bytes]);
    };
    const replays: Record<AddReport['replay'], number> = { none: 0, incremental: 0, partial: 0, full: 0 };
    await honest();
    // Victims' keys (the account claimed) and fresh random keys; some forgeries dated ahead of
    // the clock, which used to be kept and then force a full replay each as the clock passed them.
    const claimed = [alice.publicKey, bob.publicKey];
    for (let round = 0; round < 300; round++) {
      const batch = Array.from({ length: 1 + pickInt(random, 12) }, () => {
        const author = random() < 0.5 ? claimed[pickInt(random, 2)]! : bytesOf(random, 32);
        const time = random() < 0.2 ? clock.now + CLOCK_SKEW_MS + pickInt(random, 3_600_000) : clock.now - pickInt(random, 10_000);
        return forgery(random, author, time);
      });
      replays[(await ledger.addEntries(batch)).replay]++;
      const r = await honest();
      expect(r.replay, `round ${round}`).toBe('incremental');
      expect(r.rejected).toEqual([]);
    }
    expect(replays.full).toBe(0);
    expect(replays.partial + replays.incremental).toBe(0);
    expect(ledger.entryCount).toBe(301); // Alice's transfers only: no forgery is kept
    // A big batch (the full-replay path) keeps nothing of them either.
    const big = Array.from({ length: 2_000 }, () => forgery(random, random() < 0.5 ? alice.publicKey : bytesOf(random, 32), clock.now - 5));
    const r = await ledger.addEntries(big);
    expect(r.replay).toBe('full');
    expect(ledger.entryCount).toBe(301);
    // The clock passes every future-dated forgery: nothing was held, nothing to replay.
    clock.now += 2 * 3_600_000;
    expect((await ledger.refresh()).replay).toBe('none');
    expect(ledger.balanceOf(B).MH).toBe(paid);
    expect(ledger.balanceOf(A).MH).toBe(-paid);
  });

  it('remembers only a bounded number of dropped ids, and a re-sent forgery costs a hash', async () => {
    const random = createRandom(11);
    const ledger = new Ledger({ economy: ECONOMY, crypto, founder: A, now: () => T0 });
    const first = forgery(random, alice.publicKey, T0 - 1);
    await ledger.addEntries([first]);
    expect((await ledger.addEntries([first])).duplicates).toBe(1);
    for (let i = 0; i < 3; i++) await ledger.addEntries(Array.from({ length: MALFORMED_KEPT }, () => forgery(random, bytesOf(random, 32), T0 - 1)));
    expect(ledger.entryCount).toBe(0);
    expect(ledger.statusOf(toHex(await crypto.sha256(first)))).toBeUndefined(); // long forgotten
  });
});

describe('paced full replays', () => {
  it('merge the batches that arrive while one waits, and give the one-batch result', async () => {

    const waits: number[] = [];
    const pacing = {
      // Background verification's breaks are not replay pacing: not counted here.
      idle: () => Promise.resolve(),
      now: () => performance.now(),
      wait: (ms: number) => {
        waits.push(ms);
        return new Promise<void>((resolve) => setTimeout(resolve, ms));
      },
    };
    const ledger = new Ledger({ economy: ECONOMY, crypto, founder: A, now: () => T0 + 60_000, pacing });
    // Batches of more than 16 entries always take a full replay: each is a new author's chain.
    const batches: Uint8Array[][] = [];
    for (let b = 0; b < 8; b++) {
      const author = await generateSigner(subtle);
      let head: EntryHead | undefined;
      const batch: Uint8Array[] = [];
      for (let i = 0; i < 20; i++) {
        const time = T0 + b * 100 + i;
        const e = await createEntry(author, crypto, { economy: ECONOMY }, head, time, 'profile', { name: `P${b}.${i}`, colour: '#123456' });
        head = { seq: i + 1, hash: e.id, time };
        batch.push(e.bytes);
      }
      batches.push(batch);
    }
    await ledger.addEntries(batches[0]!); // the first full replay: nothing to wait for
    expect(waits).toEqual([]);
    const reports = await Promise.all(batches.slice(1).map((batch) => ledger.addEntries(batch)));
    // Seven callers, but at most two more replays: the second call waits, the others join.
    expect(waits.length).toBeLessThanOrEqual(2);
    for (const r of reports) {
      expect(r.replay).toBe('full');
      expect(r.rejected).toEqual([]);
    }
    const reference = new Ledger({ economy: ECONOMY, crypto, founder: A, now: () => T0 + 60_000 });
    await reference.addEntries(batches.flat());
    await Promise.all([reference.whenVerified(), ledger.whenVerified()]);
    expect(ledger.serialize()).toBe(reference.serialize());
  });
});
