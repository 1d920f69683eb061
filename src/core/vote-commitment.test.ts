import { describe, expect, it } from 'vitest';
import { newVoteSalt, revealMatches, voteCommitment, voteCommitmentBytes, type VoteOpening } from './vote-commitment';
import { toHex } from './bytes';

const base: VoteOpening = { economy: 'ec'.repeat(16), taskId: 'ab'.repeat(32), round: 1, voter: 'cd'.repeat(32), value: 3000, salt: '01'.repeat(16) };

describe('vote commitments (docs/TASKS.md)', () => {
  it('hashes the documented byte string', async () => {
    const bytes = voteCommitmentBytes(base)!;
    const expected = [
      ...new TextEncoder().encode('hourmesh-vote-v1'), ...Array(16).fill(0xec), ...Array(32).fill(0xab), 0x01,
      ...Array(32).fill(0xcd), 0x00, 0xb8, 0x17 /* 3000 as LEB128 */, ...Array(16).fill(0x01),
    ];
    expect(Array.from(bytes)).toEqual(expected);
    const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
    expect(voteCommitment(base)).toBe(toHex(digest));
  });

  it('binds every field: another economy, task, round, voter, value or salt gives another hash', () => {
    const c = voteCommitment(base)!;
    const changes: Partial<VoteOpening>[] = [
      { economy: 'ed'.repeat(16) }, { taskId: 'ac'.repeat(32) }, { round: 2 }, { voter: 'ce'.repeat(32) }, { value: 3001 }, { value: '?' }, { value: 'coffee' }, { salt: '02'.repeat(16) },
    ];
    const hashes = new Set([c, ...changes.map((ch) => voteCommitment({ ...base, ...ch }))]);
    expect(hashes.size).toBe(changes.length + 1);
    expect(revealMatches(base, c)).toBe(true);
    expect(revealMatches({ ...base, value: 5000 }, c)).toBe(false);
  });

  it('refuses malformed openings instead of hashing them', () => {
    for (const bad of [{ salt: '01' }, { economy: 'ec' }, { round: 0 }, { value: 0 }, { value: 1.5 }, { voter: 'zz'.repeat(32) }] as Partial<VoteOpening>[]) {
      expect(voteCommitment({ ...base, ...bad })).toBeUndefined();
    }
  });

  it('makes 16-byte salts from the source it is given', () => {
    const salt = newVoteSalt((b) => globalThis.crypto.getRandomValues(b));
    expect(salt).toMatch(/^[0-9a-f]{32}$/);
    expect(newVoteSalt((b) => globalThis.crypto.getRandomValues(b))).not.toBe(salt);
  });
});
