// EstimationSession with its room replaced by an in-memory relay (documents and awareness) and
// the ledger by a shared stand-in that applies task-vote commitments at once. The wire records,
// signatures, secrets, reveal rule and write-back are the real ones.
import { describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness';
import { createWebCryptoPort, generateSigner, toHex, type Signer } from '../core';
import { voteCommitment, type VoteValue } from '../core/vote-commitment';
import { EstimationSession, type EstimationLedger } from './estimation-session';
import { createMemorySecrets, type EstimationSecrets } from './estimation-secrets';
import type { RoomConnection } from './room';
import type { Role } from './estimation-view';

const crypto = createWebCryptoPort(globalThis.crypto.subtle);
const ECONOMY = '0123456789abcdef0123456789abcdef';
const SESSION = 'fedcba9876543210fedcba9876543210';
const TASK = '7'.repeat(64);

/** Every connected peer's document and awareness, relayed to every other one synchronously. */
class Relay {
  readonly peers = new Map<Y.Doc, Awareness>();

  connect = (doc: Y.Doc): RoomConnection => {
    const awareness = new Awareness(doc);
    for (const [otherDoc, other] of this.peers) {
      Y.applyUpdate(doc, Y.encodeStateAsUpdate(otherDoc), 'relay');
      Y.applyUpdate(otherDoc, Y.encodeStateAsUpdate(doc), 'relay');
      applyAwarenessUpdate(awareness, encodeAwarenessUpdate(other, [...other.getStates().keys()]), 'relay');
    }
    this.peers.set(doc, awareness);
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === 'relay' || !this.peers.has(doc)) return;
      for (const other of this.peers.keys()) if (other !== doc) Y.applyUpdate(other, update, 'relay');
    });
    awareness.on('update', ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
      if (origin === 'relay' || !this.peers.has(doc)) return;
      const changed = [...added, ...updated, ...removed];
      for (const [other, a] of this.peers) if (other !== doc) applyAwarenessUpdate(a, encodeAwarenessUpdate(awareness, changed), 'relay');
    });
    return {
      awareness,
      status: () => ({ signaling: [], webrtcPeers: this.peers.size - 1, secretMismatch: false, synced: true }),
      onStatus: () => () => {},
      close: () => this.drop(doc),
    };
  };

  /** The peer's link is gone: the others drop its awareness (as y-webrtc does on close). */
  drop(doc: Y.Doc): void {
    const awareness = this.peers.get(doc);
    if (!awareness) return;
    this.peers.delete(doc);
    for (const a of this.peers.values()) removeAwarenessStates(a, [awareness.clientID], 'relay');
  }
}

/** The replicated ledger, as every peer would have it once the task-vote entries arrived. */
class Ledger {
  readonly commits = new Map<number, Map<string, string>>();
  readonly listeners = new Set<() => void>();
  eligible = (_: string) => true;
  forPerson(me: string): EstimationLedger {
    return {
      commitsOf: (task, round) => (task === TASK ? this.commits.get(round) ?? new Map() : new Map()),
      mayVote: (a) => this.eligible(a),
      commit: async (task, round, value, salt) => {
        const c = voteCommitment({ economy: ECONOMY, taskId: task, round, voter: me, value, salt });
        if (!c) return { ok: false, error: 'bad vote' };
        const m = this.commits.get(round) ?? new Map();
        if (m.has(me)) return { ok: false, error: 'already voted' };
        this.commits.set(round, m.set(me, c));
        for (const l of this.listeners) l();
        return { ok: true };
      },
      subscribe: (cb) => {
        this.listeners.add(cb);
        return () => this.listeners.delete(cb);
      },
    };
  }
}

interface Person { signer: Signer; id: string; secrets: EstimationSecrets }

async function person(): Promise<Person> {
  const signer = await generateSigner(globalThis.crypto.subtle);
  return { signer, id: toHex(signer.publicKey), secrets: createMemorySecrets() };
}

let seed = 1;
function open(who: Person, relay: Relay, ledger: Ledger, role: Role = 'voter'): Promise<EstimationSession> {
  return EstimationSession.open({
    economyId: ECONOMY, secret: 's', sessionId: SESSION, signer: who.signer, crypto, network: { signaling: [], ice: [] },
    secrets: who.secrets, ledger: ledger.forPerson(who.id), persistDocument: false, name: who.id.slice(0, 4), colour: '#123456',
    role, randomBytes: (n) => Uint8Array.from({ length: n }, (_, i) => (seed * 31 + i * 7) & 0xff), connect: relay.connect,
  }).then((s) => {
    seed++;
    return s;
  });
}

/** Everything a peer holds, as bytes and as text, to search for a leaked secret. */
function holdings(s: EstimationSession): { doc: Uint8Array; awareness: string } {
  return { doc: Y.encodeStateAsUpdate(s.doc), awareness: s.awarenessJson() };
}
function containsBytes(hay: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}
function leaked(s: EstimationSession, secret: { salt: string; value: VoteValue }): boolean {
  const { doc, awareness } = holdings(s);
  const text = new TextDecoder('latin1').decode(doc);
  const saltBytes = Uint8Array.from(secret.salt.match(/../g)!.map((b) => parseInt(b, 16)));
  return containsBytes(doc, saltBytes) || text.includes(secret.salt) || text.includes('"value"') || awareness.includes(secret.salt) || awareness.includes('"value"');
}

async function setUp(n: number) {
  const relay = new Relay();
  const ledger = new Ledger();
  const people = await Promise.all(Array.from({ length: n }, person));
  const sessions: EstimationSession[] = [];
  for (const p of people) sessions.push(await open(p, relay, ledger));
  await sessions[0]!.start();
  await vi.waitFor(() => expect(sessions.every((s) => s.view.facilitator === people[0]!.id)).toBe(true));
  await sessions[0]!.startRound(TASK, 'Login', 1, false);
  await vi.waitFor(() => expect(sessions.every((s) => s.view.current?.task === TASK)).toBe(true));
  return { relay, ledger, people, sessions };
}

describe('an estimation session between peers', () => {
  it('keeps votes out of every shared byte until all present voters voted, then reveals them all', async () => {
    const { people, sessions } = await setUp(3);
    const [a, b, c] = sessions as [EstimationSession, EstimationSession, EstimationSession];
    expect((await a.vote(5000)).ok).toBe(true);
    expect((await b.vote(8000)).ok).toBe(true);
    const secrets = [a.myVote(0)!, b.myVote(0)!];
    expect(secrets.map((s) => s.value)).toEqual([5000, 8000]);
    for (const s of sessions) for (const secret of secrets) expect(leaked(s, secret)).toBe(false);
    expect(c.view.current!.commits.size).toBe(2);
    expect(c.view.current!.revealing).toBe(false);
    await c.vote(5000);
    await vi.waitFor(() => expect(sessions.every((s) => s.view.current!.complete && s.view.current!.reveals.size === 3)).toBe(true));
    expect(c.view.current!.consensus).toEqual({ kind: 'settled', value: 5000, counted: 3 });
    expect(c.view.current!.reveals.get(people[1]!.id)).toEqual({ value: 8000, salt: secrets[1]!.salt });
  });

  it('a voter who leaves blocks nothing; a spectator is never waited for', async () => {
    const { relay, sessions } = await setUp(4);
    const [a, b, c, d] = sessions as [EstimationSession, EstimationSession, EstimationSession, EstimationSession];
    c.setRole('spectator');
    await a.vote(3000);
    await b.vote(3000);
    expect(a.view.current!.revealing).toBe(false); // d is present and has not voted
    relay.drop(d.doc);
    await vi.waitFor(() => expect(a.view.current!.reveals.size).toBe(2));
    expect(b.view.current!.complete).toBe(true);
  });

  it('a reload mid-round keeps the vote (kept on the device), and reveals it when due', async () => {
    const { relay, ledger, people, sessions } = await setUp(3);
    const [a, b, c] = sessions as [EstimationSession, EstimationSession, EstimationSession];
    await b.vote(2000);
    const kept = Y.encodeStateAsUpdate(b.doc);
    b.close();
    relay.drop(b.doc);
    const reloaded = await open(people[1]!, relay, ledger);
    Y.applyUpdate(reloaded.doc, kept);
    await vi.waitFor(() => expect(reloaded.myVote(0)?.value).toBe(2000));
    await a.vote(2000);
    await c.vote(3000);
    await vi.waitFor(() => expect(a.view.current!.reveals.get(people[1]!.id)?.value).toBe(2000));
  });

  it('a late joiner sees the current round, its ticks and the facilitator', async () => {
    const { relay, ledger, people, sessions } = await setUp(2);
    await sessions[0]!.vote(5000);
    const late = await open(await person(), relay, ledger);
    await vi.waitFor(() => expect(late.view.facilitator).toBe(people[0]!.id));
    expect(late.view.current).toMatchObject({ n: 0, task: TASK, revealing: false });
    expect([...late.view.current!.commits.keys()]).toEqual([people[0]!.id]);
  });

  describe('hostile members', () => {
    it('deleted or overwritten records are written back; junk under a valid key is replaced', async () => {
      const { relay, sessions } = await setUp(2);
      const [a, b] = sessions as [EstimationSession, EstimationSession];
      const honest = new Map([...a.doc.getMap<Uint8Array>('estimation').entries()]);
      // Mallory joins the room with a bare document and vandalises it.
      const raw = new Y.Doc();
      relay.connect(raw);
      const map = raw.getMap('estimation');
      raw.transact(() => {
        map.delete('f:0');
        map.set('r:0', new Uint8Array(200));
      });
      await vi.waitFor(() => {
        for (const s of [a, b, { doc: raw }]) {
          const m = s.doc.getMap<Uint8Array>('estimation');
          for (const [k, v] of honest) expect(m.get(k)).toEqual(v);
        }
      });
      expect(b.view.facilitator).toBe(a.view.facilitator);
      expect(b.view.current?.task).toBe(TASK);
    });

    it('a reveal that does not open its commitment is shown and ignored; a vote after the reveal is refused', async () => {
      const { relay, ledger, sessions } = await setUp(2);
      const [a, b] = sessions as [EstimationSession, EstimationSession];
      const mallory = await person();
      // Mallory's modified client: a real commitment in the ledger, then a reveal of another value
      // written straight into the document.
      const salt = 'ab'.repeat(16);
      expect((await ledger.forPerson(mallory.id).commit(TASK, 1, 1000, salt)).ok).toBe(true);
      const raw = new Y.Doc();
      relay.connect(raw);
      const { signRecord } = await import('./estimation-wire');
      const key = `v:0:${mallory.id}`;
      raw.getMap('estimation').set(key, await signRecord(mallory.signer, ECONOMY, SESSION, key, { type: 'reveal', value: 40000, salt }));
      await vi.waitFor(() => expect(a.view.refused).toContainEqual({ key, reason: 'the reveal does not match its commitment' }));
      expect(a.view.current!.reveals.has(mallory.id)).toBe(false);
      // The round is revealing (a reveal counts once any counted reveal exists): Mallory's bad one
      // does not count, so a and b still vote; once they reveal, nobody can vote any more.
      await a.vote(3000);
      await b.vote(3000);
      await vi.waitFor(() => expect(b.view.current!.reveals.size).toBe(2));
      // Mallory committed and never opened her commitment: the round cannot be settled as it is.
      expect(b.view.current!.complete).toBe(false);
      const late = await person();
      const s = await open(late, relay, ledger);
      await vi.waitFor(() => expect(s.view.current?.revealing).toBe(true));
      expect(await s.vote(3000)).toEqual({ ok: false, error: 'The votes of this round are already revealed.' });
    });

    it('a fresh key that may not vote is neither an active voter nor able to vote', async () => {
      const { relay, ledger, sessions } = await setUp(2);
      const fresh = await person();
      ledger.eligible = (acc) => acc !== fresh.id;
      const f = await open(fresh, relay, ledger);
      await vi.waitFor(() => expect(f.view.current?.task).toBe(TASK));
      expect(await f.vote(1000)).toMatchObject({ ok: false, error: expect.stringContaining('vouch') });
      expect(sessions[0]!.activeVoters).not.toContain(fresh.id);
      await sessions[0]!.vote(2000);
      await sessions[1]!.vote(2000);
      await vi.waitFor(() => expect(sessions[0]!.view.current!.reveals.size).toBe(2));
    });

    it('only the facilitator passes the role; a round opened by another is not followed', async () => {
      const { people, sessions } = await setUp(2);
      const [a, b] = sessions as [EstimationSession, EstimationSession];
      expect(await b.passFacilitator(people[1]!.id)).toEqual({ ok: false, error: 'Only the facilitator can pass the role on.' });
      expect(await b.startRound(TASK, 'x', 2, false)).toEqual({ ok: false, error: 'Only the facilitator can start a round.' });
      await a.passFacilitator(people[1]!.id);
      await vi.waitFor(() => expect(b.view.facilitator).toBe(people[1]!.id));
      expect((await b.startRound(TASK, 'Login', 2, false)).ok).toBe(true);
      await vi.waitFor(() => expect(a.view.current?.n).toBe(1));
    });
  });
});
