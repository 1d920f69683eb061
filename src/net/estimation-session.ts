// One live estimation session: its own Yjs document and y-webrtc room
// (`hourmesh-estimate:v1:<economy id>:<session id>`, password = the economy's secret), kept in
// y-indexeddb between visits, plus awareness for who is present.
//
// Why a room of its own and not a map in the economy's document (DESIGN.md, mesh costs): every
// economy document update and every awareness change is relayed to every member of the economy,
// while a session concerns the handful of people estimating; the economy document is rotated
// weekly and refilled only from ledger entries, so live state there would vanish at rotation;
// and junk there would be downloaded by every late joiner of the economy. What must outlive the
// session is the settled estimate, which is a ledger entry (task-estimate) naming the round's
// votes with their salts. The round history lives in the session document, which each
// participant keeps (y-indexeddb `hourmesh-estimate-<economy id>-<session id>`) and can export.
//
// Invariants:
// - Votes stay hidden until reveal: a vote is published only as its commitment
//   (core/vote-commitment.ts), in a signed task-vote ledger entry; the value and salt stay on this
//   device (EstimationSecrets, IndexedDB, saved before the commitment is signed) until this client
//   reveals them into the session document. Awareness carries name, colour, role and transport
//   peer: never a vote.
// - Every value in the map is verified (./estimation-wire.ts openRecord) before it counts; a
//   record this peer verified and that later vanishes or is overwritten by something invalid is
//   written back (as the ledger does with entries). A slot overwritten by another valid record
//   (two facilitators starting round n at once) follows the document: Yjs picks one value per key
//   on every peer, and nobody writes back over a valid record, so every peer converges.
// - Records are checked in arrival order, one batch at a time (a promise chain).
import * as Y from 'yjs';
import { IndexeddbPersistence } from 'y-indexeddb';
import { toHex, type CryptoPort, type Signer } from '../core';
import { parseHex } from '../core/bytes';
import { sha256Sync } from '../core/sha256';
import { voteCommitment, newVoteSalt, type VoteValue } from '../core/vote-commitment';
import { connectRoom, type RoomConnection, type RoomOptions, type RoomStatus } from './room';
import { readPresence, setLocalPresence } from './presence';
import { ESTIMATION_ROOM_PREFIX } from './sync-guard';
import { ESTIMATION_MAP, keyOf, openRecord, signRecord, type Payload, type RecordKey, type SignedRecord, type ThreePoint } from './estimation-wire';
import { activeVoters, deriveSession, shouldCall, shouldReveal, type Present, type Role, type SessionView } from './estimation-view';
import type { EstimationSecrets, SecretVote } from './estimation-secrets';
import type { IceServer } from './network-config';

export const ORIGIN_ESTIMATION = 'hourmesh-estimation';

/** What a session reads from, and writes to, the economy's ledger. */
export interface EstimationLedger {
  /** The commitments of `task` in its round `taskRound` (voter → commitment). */
  commitsOf(task: string, taskRound: number): ReadonlyMap<string, string>;
  /** The sybil rule (core/task-state.ts voterProblem): whether this account's vote counts. */
  mayVote(account: string): boolean;
  /**
   * Checks and signs my task-vote entry (through the economy's own-writes path): its commitment
   * is voteCommitment of these, the one this session computed.
   */
  commit(task: string, taskRound: number, value: VoteValue, salt: string): Promise<ActionResult>;
  /** Calls back after any ledger change; returns the unsubscribe. */
  subscribe(callback: () => void): () => void;
}

export interface EstimationSessionDeps {
  economyId: string;
  secret: string;
  sessionId: string;
  signer: Signer;
  crypto: CryptoPort;
  network: { signaling: string[]; ice: IceServer[] };
  secrets: EstimationSecrets;
  ledger: EstimationLedger;
  persistDocument: boolean;
  /** Who this person is in the room (awareness). */
  name: string;
  colour: string;
  role: Role;
  randomBytes: (n: number) => Uint8Array;
  onProblem?: (message: string) => void;
  /** The room adapter: y-webrtc (./room.ts) in the app, an in-memory relay in tests. */
  connect?: (doc: Y.Doc, options: RoomOptions) => RoomConnection;
}

export type ActionResult = { ok: true } | { ok: false; error: string };

export function estimationRoomName(economyId: string, sessionId: string): string {
  return `${ESTIMATION_ROOM_PREFIX}${economyId}:${sessionId}`;
}

/**
 * The session of a task, when it is opened from the task (`#/estimate/task/<task id>`): everyone
 * who does lands in the same room. First 16 bytes of SHA-256(UTF-8 "hourmesh-estimate-task\n" ‖
 * the task id's 32 bytes), as hex.
 */
export function sessionIdForTask(taskId: string): string {
  const task = parseHex(taskId);
  if (!task || task.length !== 32) throw new Error('not a task id');
  const prefix = new TextEncoder().encode('hourmesh-estimate-task\n');
  return toHex(sha256Sync(new Uint8Array([...prefix, ...task])).subarray(0, 16));
}

export function estimationDocumentName(economyId: string, sessionId: string): string {
  return `hourmesh-estimate-${economyId}-${sessionId}`;
}

interface Checked {
  bytes: Uint8Array;
  record: SignedRecord | null;
  reason?: string;
}

export class EstimationSession {
  readonly sessionId: string;
  readonly me: string;
  readonly doc = new Y.Doc();
  readonly #deps: EstimationSessionDeps;
  readonly #map: Y.Map<unknown>;
  #room: RoomConnection | null = null;
  #persistence: IndexeddbPersistence | null = null;
  /** Verdict per key for the bytes last seen there. */
  readonly #checked = new Map<string, Checked>();
  /** The valid record per key that counts (the document's, or the one held while it is written back). */
  readonly #records = new Map<string, SignedRecord>();
  /** Bytes of every valid record we hold, per key: written back if the document loses them. */
  readonly #held = new Map<string, Uint8Array>();
  #view: SessionView;
  #role: Role;
  #queue: Promise<void> = Promise.resolve();
  #listeners = new Set<() => void>();
  /** Rounds whose own reveal is being written (one write per round). */
  #revealing = new Set<number>();
  /** Rounds this facilitator has called (one call per round). */
  #calling = new Set<number>();
  #mine = new Map<number, SecretVote>();
  #closed = false;
  #stopLedger: () => void = () => {};

  private constructor(deps: EstimationSessionDeps) {
    this.#deps = deps;
    this.sessionId = deps.sessionId;
    this.me = toHex(deps.signer.publicKey);
    this.#role = deps.role;
    this.#map = this.doc.getMap<unknown>(ESTIMATION_MAP);
    this.#view = this.#derive();
  }

  #derive(): SessionView {
    return deriveSession({ economyId: this.#deps.economyId, records: this.#records, commitsOf: (t, r) => this.#deps.ledger.commitsOf(t, r) });
  }

  /** Cached document first (a reload keeps the round), then own secrets, then the room. */
  static async open(deps: EstimationSessionDeps): Promise<EstimationSession> {
    const session = new EstimationSession(deps);
    if (deps.persistDocument) {
      session.#persistence = new IndexeddbPersistence(estimationDocumentName(deps.economyId, deps.sessionId), session.doc);
      await session.#persistence.whenSynced;
    }
    for (const secret of await deps.secrets.list(deps.economyId, deps.sessionId)) session.#mine.set(secret.round, secret);
    session.#map.observe((event) => {
      if (event.transaction.origin === ORIGIN_ESTIMATION) return;
      session.#enqueue([...event.keysChanged]);
    });
    session.#enqueue([...session.#map.keys()]);
    await session.#queue;
    if (session.#closed) return session;
    session.#room = (deps.connect ?? connectRoom)(session.doc, {
      room: estimationRoomName(deps.economyId, deps.sessionId), password: deps.secret,
      signaling: deps.network.signaling, ice: deps.network.ice,
    });
    session.#room.awareness.on('change', session.#onAwareness);
    // A peer whose link closed is no longer an active voter: the auto-reveal rule is asked again.
    session.#room.onStatus(() => session.#recompute());
    session.#stopLedger = deps.ledger.subscribe(() => session.#recompute());
    session.#announce();
    return session;
  }

  get view(): SessionView {
    return this.#view;
  }
  get role(): Role {
    return this.#role;
  }
  get status(): RoomStatus {
    return this.#room?.status() ?? { signaling: [], webrtcPeers: 0, secretMismatch: false, synced: false };
  }
  /** People present now (live transport), one row per account, with their claimed role. */
  get present(): Present[] {
    const awareness = this.#room?.awareness;
    if (!awareness) return [{ account: this.me, name: this.#deps.name, colour: this.#deps.colour, role: this.#role }];
    const roles = new Map<string, Role>();
    for (const state of awareness.getStates().values()) {
      const member = (state as { member?: { account?: unknown } }).member;
      const role = (state as { estimation?: { role?: unknown } }).estimation?.role;
      if (typeof member?.account !== 'string') continue;
      if (role === 'voter' || !roles.has(member.account)) roles.set(member.account, role === 'voter' ? 'voter' : 'spectator');
    }
    return readPresence(awareness).map((p) => ({ account: p.account, name: p.name, colour: p.colour, role: roles.get(p.account) ?? 'spectator' }));
  }
  get activeVoters(): string[] {
    return activeVoters(this.present, (a) => this.#deps.ledger.mayVote(a));
  }
  /** My own vote of session round n, while this device holds it. */
  myVote(n: number): SecretVote | undefined {
    return this.#mine.get(n);
  }
  /** The raw verdicts, for diagnostics: keys whose current bytes were refused, with the reason. */
  get malformed(): { key: string; reason: string }[] {
    return [...this.#checked].filter(([, c]) => !c.record).map(([key, c]) => ({ key, reason: c.reason ?? 'refused' }));
  }

  /** Every awareness state of the session's room as JSON (what any peer of it receives; tests read it). */
  awarenessJson(): string {
    return JSON.stringify([...(this.#room?.awareness.getStates() ?? new Map()).entries()]);
  }

  subscribe(callback: () => void): () => void {
    this.#listeners.add(callback);
    return () => this.#listeners.delete(callback);
  }

  setRole(role: Role): void {
    this.#role = role;
    this.#announce();
    this.#recompute();
  }

  /** Starts facilitating a session nobody facilitates yet (f:0). */
  async start(): Promise<ActionResult> {
    if (this.#records.has('f:0')) return { ok: false, error: 'This session already has a facilitator.' };
    return this.#write({ type: 'facilitator', n: 0 }, { type: 'facilitator', to: this.me });
  }

  async passFacilitator(to: string): Promise<ActionResult> {
    if (this.#view.facilitator !== this.me) return { ok: false, error: 'Only the facilitator can pass the role on.' };
    let n = 0;
    while (this.#records.has(`f:${n}`)) n++;
    return this.#write({ type: 'facilitator', n }, { type: 'facilitator', to });
  }

  /** Opens the next round on `task` (its `taskRound`-th vote). */
  async startRound(task: string, title: string, taskRound: number, threePoint: boolean): Promise<ActionResult> {
    if (this.#view.facilitator !== this.me) return { ok: false, error: 'Only the facilitator can start a round.' };
    const n = this.#view.rounds.length;
    return this.#write({ type: 'round', n }, { type: 'round', task, title: title.slice(0, 200), round: taskRound, threePoint });
  }

  async callReveal(): Promise<ActionResult> {
    const round = this.#view.current;
    if (!round) return { ok: false, error: 'No round is open.' };
    if (this.#view.facilitator !== this.me) return { ok: false, error: 'Only the facilitator can reveal the votes.' };
    if (round.revealing) return { ok: true };
    return this.#write({ type: 'call', n: round.n }, { type: 'call' });
  }

  /**
   * Votes in the current round: the value and a fresh salt are saved on this device first, then
   * only their commitment goes into the shared document.
   */
  async vote(value: VoteValue, threePoint?: ThreePoint): Promise<ActionResult> {
    const round = this.#view.current;
    if (!round) return { ok: false, error: 'No round is open.' };
    if (round.revealing) return { ok: false, error: 'The votes of this round are already revealed.' };
    if (round.commits.has(this.me)) return { ok: false, error: 'You have voted in this round.' };
    if (!this.#deps.ledger.mayVote(this.me)) return { ok: false, error: 'Your vote would not count here yet: a member must vouch for you first.' };
    const salt = newVoteSalt((bytes) => {
      bytes.set(this.#deps.randomBytes(bytes.length));
      return bytes;
    });
    const commitment = voteCommitment({ economy: this.#deps.economyId, taskId: round.task, round: round.taskRound, voter: this.me, value, salt });
    if (!commitment) return { ok: false, error: 'That is not a vote this round accepts.' };
    const secret: SecretVote = { round: round.n, value, salt, commitment, ...(threePoint ? { threePoint } : {}) };
    try {
      await this.#deps.secrets.put(this.#deps.economyId, this.sessionId, secret);
    } catch (error) {
      return { ok: false, error: `Your vote was not saved on this device, so it was not sent: ${error instanceof Error ? error.message : String(error)}` };
    }
    this.#mine.set(round.n, secret);
    const result = await this.#deps.ledger.commit(round.task, round.taskRound, value, salt);
    this.#recompute();
    return result;
  }

  close(): void {
    this.#closed = true;
    this.#stopLedger();
    this.#room?.awareness.off('change', this.#onAwareness);
    this.#room?.close();
    void this.#persistence?.destroy();
    this.doc.destroy();
    this.#listeners.clear();
  }

  #onAwareness = () => this.#recompute();

  #announce(): void {
    const awareness = this.#room?.awareness;
    if (!awareness) return;
    setLocalPresence(awareness, { account: this.me, name: this.#deps.name, colour: this.#deps.colour, activity: 'estimating' });
    awareness.setLocalStateField('estimation', { role: this.#role });
  }

  async #write(slot: RecordKey, payload: Payload): Promise<ActionResult> {
    if (this.#closed) return { ok: false, error: 'The session is closed.' };
    const key = keyOf(slot);
    const bytes = await signRecord(this.#deps.signer, this.#deps.economyId, this.sessionId, key, payload);
    const record: SignedRecord = { key, slot, author: this.me, payload };
    this.#checked.set(key, { bytes, record });
    this.#records.set(key, record);
    this.#held.set(key, bytes);
    this.doc.transact(() => this.#map.set(key, bytes), ORIGIN_ESTIMATION);
    this.#recompute();
    return { ok: true };
  }

  #enqueue(keys: string[]): void {
    this.#queue = this.#queue.then(() => this.#check(keys)).catch((error: unknown) => this.#deps.onProblem?.(`Estimation: ${String(error)}`));
  }

  async #check(keys: string[]): Promise<void> {
    if (this.#closed) return;
    const writeBack: [string, Uint8Array][] = [];
    for (const key of keys) {
      const value = this.#map.get(key);
      const known = this.#checked.get(key);
      if (value instanceof Uint8Array && known && equalBytes(known.bytes, value)) continue;
      const opened = value === undefined ? null : await openRecord(this.#deps.crypto, this.#deps.economyId, this.sessionId, key, value);
      if (this.#closed) return;
      if (opened?.ok) {
        this.#checked.set(key, { bytes: value as Uint8Array, record: opened.record });
        this.#records.set(key, opened.record);
        this.#held.set(key, value as Uint8Array);
        continue;
      }
      if (opened) this.#checked.set(key, { bytes: value instanceof Uint8Array ? value : new Uint8Array(), record: null, reason: opened.reason });
      else this.#checked.delete(key);
      // Gone or junk: the valid record we held still counts, and goes back into the document.
      const held = this.#held.get(key);
      if (held) writeBack.push([key, held]);
      else this.#records.delete(key);
    }
    if (writeBack.length) {
      this.doc.transact(() => {
        for (const [key, bytes] of writeBack) this.#map.set(key, bytes);
      }, ORIGIN_ESTIMATION);
      for (const [key, bytes] of writeBack) this.#checked.set(key, { bytes, record: this.#records.get(key)! });
    }
    this.#recompute();
  }

  #recompute(): void {
    if (this.#closed) return;
    this.#view = this.#derive();
    this.#revealWhenDue();
    this.#notify();
  }

  /**
   * The auto-reveal (./estimation-view.ts): as facilitator, calls the reveal once everyone present
   * has voted; as a voter, reveals my vote in every round that is called or being revealed (or,
   * with no facilitator present, once everyone present has voted).
   */
  #revealWhenDue(): void {
    const active = this.activeVoters;
    const current = this.#view.current;
    if (current && !this.#calling.has(current.n) && shouldCall(current, this.me, this.#view.facilitator, active)) {
      this.#calling.add(current.n);
      void this.#write({ type: 'call', n: current.n }, { type: 'call' });
    }
    const facilitatorPresent = this.#view.facilitator !== null && this.present.some((p) => p.account === this.#view.facilitator);
    for (const round of this.#view.rounds) {
      const due = round === current ? shouldReveal(round, this.me, active, facilitatorPresent) : shouldReveal(round, this.me, [], true);
      if (this.#revealing.has(round.n) || !due) continue;
      const secret = this.#mine.get(round.n);
      if (!secret || secret.commitment !== round.commits.get(this.me)) continue;
      this.#revealing.add(round.n);
      const { value, salt, threePoint } = secret;
      void this.#write({ type: 'reveal', n: round.n, account: this.me }, { type: 'reveal', value, salt, ...(threePoint ? { threePoint } : {}) });
    }
  }

  #notify(): void {
    for (const listener of this.#listeners) listener();
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
