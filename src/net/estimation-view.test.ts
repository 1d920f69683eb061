import { describe, expect, it } from 'vitest';
import { voteCommitment, type VoteValue } from '../core/vote-commitment';
import { activeVoters, deriveSession, shouldCall, shouldReveal, type Present } from './estimation-view';
import type { Payload, RecordKey, SignedRecord } from './estimation-wire';
import { keyOf } from './estimation-wire';

// The view is pure: records here are what openRecord would have verified (signatures are tested
// in estimation-wire.test.ts); commitments come from a stand-in ledger.
const ECONOMY = '0123456789abcdef0123456789abcdef';
const TASK = '7'.repeat(64);
const [A, B, C, D, M] = ['a', 'b', 'c', 'd', 'e'].map((x) => x.repeat(64)) as [string, string, string, string, string];
const salt = (who: string) => who.slice(0, 32);
const commit = (voter: string, value: VoteValue, round = 1) => voteCommitment({ economy: ECONOMY, taskId: TASK, round, voter, value, salt: salt(voter) })!;

function rec(slot: RecordKey, author: string, payload: Payload): [string, SignedRecord] {
  const key = keyOf(slot);
  return [key, { key, slot, author, payload }];
}
const fac = (n: number, author: string, to: string) => rec({ type: 'facilitator', n }, author, { type: 'facilitator', to });
const round = (n: number, author: string, taskRound = 1) => rec({ type: 'round', n }, author, { type: 'round', task: TASK, title: 'Login', round: taskRound, threePoint: false });
const reveal = (n: number, voter: string, value: VoteValue, s = salt(voter)) => rec({ type: 'reveal', n, account: voter }, voter, { type: 'reveal', value, salt: s });

function view(records: [string, SignedRecord][], ledger: Record<number, [string, string][]>) {
  return deriveSession({ economyId: ECONOMY, records: new Map(records), commitsOf: (task, r) => new Map(task === TASK ? ledger[r] ?? [] : []) });
}

describe('an estimation session view', () => {
  it('honest round: facilitator, ticks from the ledger, reveals that match, the consensus', () => {
    const ledger = { 1: [[A, commit(A, 5000)], [B, commit(B, 5000)], [C, commit(C, 8000)]] as [string, string][] };
    const voting = view([fac(0, A, A), round(0, A)], ledger);
    expect(voting.facilitator).toBe(A);
    expect([...voting.current!.commits.keys()]).toEqual([A, B, C]);
    expect(voting.current!.revealing).toBe(false);
    expect(voting.current!.consensus).toBeNull();
    const done = view([fac(0, A, A), round(0, A), reveal(0, A, 5000), reveal(0, B, 5000), reveal(0, C, 8000)], ledger);
    expect(done.current).toMatchObject({ revealing: true, complete: true, consensus: { kind: 'settled', value: 5000 } });
    expect(done.refused).toEqual([]);
  });

  it('a reveal that does not match its commitment is shown as refused and ignored', () => {
    const ledger = { 1: [[A, commit(A, 5000)], [B, commit(B, 5000)]] as [string, string][] };
    const v = view([fac(0, A, A), round(0, A), reveal(0, A, 5000), reveal(0, B, 40000)], ledger);
    expect([...v.current!.reveals.keys()]).toEqual([A]);
    expect(v.current!.complete).toBe(false);
    expect(v.refused).toEqual([{ key: `v:0:${B}`, reason: 'the reveal does not match its commitment' }]);
    // The right value with another salt does not open it either.
    const w = view([fac(0, A, A), round(0, A), reveal(0, B, 5000, 'f'.repeat(32))], ledger);
    expect(w.refused[0]!.reason).toBe('the reveal does not match its commitment');
  });

  it('a reveal with no commitment in the ledger (a fresh key voting in the session only) is refused', () => {
    const ledger = { 1: [[A, commit(A, 5000)]] as [string, string][] };
    const v = view([fac(0, A, A), round(0, A), reveal(0, M, 1000)], ledger);
    expect(v.current!.reveals.size).toBe(0);
    expect(v.refused).toEqual([{ key: `v:0:${M}`, reason: 'a reveal without a commitment in the ledger' }]);
  });

  it('a commitment of another task round does not open a reveal of this one (replayed from an earlier round)', () => {
    const ledger = { 1: [[A, commit(A, 5000, 1)]], 2: [[A, commit(A, 5000, 1)]] } as Record<number, [string, string][]>;
    const v = view([fac(0, A, A), round(0, A, 1), round(1, A, 2), reveal(0, A, 5000), reveal(1, A, 5000)], ledger);
    expect(v.rounds[0]!.reveals.size).toBe(1);
    expect(v.rounds[1]!.reveals.size).toBe(0);
  });

  it('the facilitator role passes only from the facilitator; rounds and calls only from facilitators', () => {
    const passed = view([fac(0, A, A), fac(1, A, B)], {});
    expect(passed.facilitator).toBe(B);
    const seized = view([fac(0, A, A), fac(1, M, M)], {});
    expect(seized.facilitator).toBe(A);
    expect(seized.refused).toEqual([{ key: 'f:1', reason: 'handed over by someone who was not the facilitator' }]);
    const naming = view([fac(0, M, A)], {});
    expect(naming.facilitator).toBeNull();
    const rogue = view([fac(0, A, A), round(0, M), rec({ type: 'call', n: 0 }, M, { type: 'call' })], {});
    expect(rogue.rounds).toEqual([]);
    expect(rogue.refused.map((r) => r.key)).toEqual(['r:0', 'x:0']);
    // A round started before the role passed stays valid afterwards.
    const after = view([fac(0, A, A), round(0, A), fac(1, A, B), round(1, B, 2), rec({ type: 'call', n: 1 }, A, { type: 'call' })], {});
    expect(after.rounds.map((r) => r.startedBy)).toEqual([A, B]);
    expect(after.current!.called).toBe(true);
  });

  it('rounds are numbered without gaps', () => {
    const v = view([fac(0, A, A), round(0, A), round(2, A)], {});
    expect(v.rounds.map((r) => r.n)).toEqual([0]);
  });

  it('is the same whatever order the records are listed in', () => {
    const ledger = { 1: [[A, commit(A, 5000)], [B, commit(B, 13000)]] as [string, string][] };
    const records = [fac(0, A, A), fac(1, A, B), round(0, A), reveal(0, A, 5000), reveal(0, B, 13000), reveal(0, M, 1)];
    const a = view(records, ledger);
    const b = view([...records].reverse(), ledger);
    expect(b).toEqual(a);
    expect(a.current!.consensus).toMatchObject({ kind: 'revote' });
  });
});

describe('auto-reveal', () => {
  const ledger = { 1: [[A, commit(A, 5000)], [B, commit(B, 3000)]] as [string, string][] };
  const r = () => view([fac(0, A, A), round(0, A)], ledger).current!;
  const present = (accounts: string[], role: 'voter' | 'spectator' = 'voter'): Present[] => accounts.map((account) => ({ account, name: account[0]!, colour: '#000000', role }));
  const everyone = () => true;

  it('the facilitator calls once every active voter has voted; a voter who left blocks nothing', () => {
    expect(shouldCall(r(), A, A, activeVoters(present([A, B, C]), everyone))).toBe(false);
    expect(shouldCall(r(), A, A, activeVoters(present([A, B]), everyone))).toBe(true);
    // Spectators and accounts that may not vote are not waited for.
    expect(shouldCall(r(), A, A, activeVoters([...present([A, B]), ...present([D], 'spectator')], everyone))).toBe(true);
    expect(shouldCall(r(), A, A, activeVoters(present([A, B, M]), (a) => a !== M))).toBe(true);
    // Only the facilitator calls, and only once.
    expect(shouldCall(r(), B, A, [A, B])).toBe(false);
    const called = view([fac(0, A, A), round(0, A), rec({ type: 'call', n: 0 }, A, { type: 'call' })], ledger).current!;
    expect(shouldCall(called, A, A, [A, B])).toBe(false);
  });

  it('with the facilitator present, a voter who sees everyone voted waits for the call (it may not see everyone)', () => {
    expect(shouldReveal(r(), B, [A, B], true)).toBe(false);
    // No facilitator present: each voter applies the test itself.
    expect(shouldReveal(r(), B, [A, B], false)).toBe(true);
    expect(shouldReveal(r(), B, [A, B, C], false)).toBe(false);
  });

  it('one voter alone does not reveal by themself; a call or a reveal seen reveals', () => {
    const single = view([fac(0, A, A), round(0, A)], { 1: [[A, commit(A, 5000)]] }).current!;
    expect(shouldReveal(single, A, [A], false)).toBe(false);
    expect(shouldCall(single, A, A, [A])).toBe(false);
    const called = view([fac(0, A, A), round(0, A), rec({ type: 'call', n: 0 }, A, { type: 'call' })], { 1: [[A, commit(A, 5000)]] }).current!;
    expect(shouldReveal(called, A, [A, B, C], true)).toBe(true);
    const cascading = view([fac(0, A, A), round(0, A), reveal(0, B, 3000)], ledger).current!;
    expect(shouldReveal(cascading, A, [A, B, C], true)).toBe(true);
    // Not before voting, and only once.
    expect(shouldReveal(cascading, C, [A, B, C], true)).toBe(false);
    expect(shouldReveal(cascading, B, [A, B, C], true)).toBe(false);
  });
});
