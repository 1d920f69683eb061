// The page's copy of a replayed ledger: what the ledger worker (src/worker) replayed, sent over as
// a snapshot of plain data, answering the same questions as the Ledger (ledger-reads.ts) without
// its entries. Issue 12: the page of a phone joining a 100,000-entry economy must not hold the
// entries, their statuses or every account's history (hundreds of MB), only what it shows.
//
// What a snapshot holds (viewSnapshotOf): the replayed state with one account's history (the
// person's own; statements of others are not shown), the fork results, which accounts have
// appeared, and the counts the status line shows. Everything in it is structured-cloneable.
// What it leaves out is asked of the worker when needed (export, audit, statuses).
import type { AccountId } from './encoding';
import type { ForkProof } from './fork-proof';
import { createLedgerState, type LedgerState } from './ledger-state';
import type { Ledger } from './ledger';
import { LedgerReads } from './ledger-reads';

export interface LedgerViewSnapshot {
  readonly state: LedgerState;
  readonly forkSeqs: ReadonlyMap<AccountId, number>;
  readonly forkProofs: readonly ForkProof[];
  /** Accounts that wrote an entry or were named in one (hasAppeared). */
  readonly appeared: ReadonlySet<AccountId>;
  readonly entryCount: number;
  /** Entries accepted provisionally and still checked in the background (Ledger.unverifiedCount). */
  readonly unverifiedCount: number;
}

/** The snapshot of `ledger` that a page showing `me` needs (cost ∝ accounts + my history). */
export function viewSnapshotOf(ledger: Ledger, me: AccountId): LedgerViewSnapshot {
  return ledger.viewSnapshot(me);
}

export class LedgerView extends LedgerReads {
  protected state: LedgerState;
  protected forkSeqs: ReadonlyMap<AccountId, number>;
  protected forkProofs: readonly ForkProof[];
  readonly #appeared: ReadonlySet<AccountId>;
  readonly #entryCount: number;
  readonly #unverified: number;
  readonly #now: () => number;

  constructor(snapshot: LedgerViewSnapshot, now: () => number) {
    super();
    this.state = snapshot.state;
    this.forkSeqs = snapshot.forkSeqs;
    this.forkProofs = snapshot.forkProofs;
    this.#appeared = snapshot.appeared;
    this.#entryCount = snapshot.entryCount;
    this.#unverified = snapshot.unverifiedCount;
    this.#now = now;
  }

  /** An empty view of an economy (before the worker's first snapshot). */
  static empty(founder: AccountId, economy: string, now: () => number): LedgerView {
    const state = createLedgerState(founder, undefined, economy);
    return new LedgerView({ state, forkSeqs: new Map(), forkProofs: [], appeared: new Set(), entryCount: 0, unverifiedCount: 0 }, now);
  }

  protected nowMs(): number {
    return this.#now();
  }

  hasAppeared(account: AccountId): boolean {
    return this.#appeared.has(account) || this.state.balances.has(account) || this.historyOf(account).length > 0;
  }

  get entryCount(): number {
    return this.#entryCount;
  }

  get unverifiedCount(): number {
    return this.#unverified;
  }
}
