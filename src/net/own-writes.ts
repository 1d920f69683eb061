// The one path by which this device signs and publishes its own entries, whatever their kind.
//
// Honest use must never fork an honest account (two different entries of one author at one seq).
// Invariants, and the case each one closes:
// - Serialized: one write at a time per economy — within a tab by a promise chain, across the
//   tabs of this browser by a Web Lock (two tabs share the key and the IndexedDB database).
// - Built on the durable head: inside the lock, the next entry follows the later (by seq) of the
//   ledger's head and the head record in IndexedDB. Another tab's last entry may not have reached
//   this tab's ledger yet (the BroadcastChannel hop is asynchronous and encrypted), and a reload
//   or a rejoin after leaving starts from what is on disk; the head record covers all three. A
//   stored head ahead of the ledger is added to it first (its bytes are saved with the record).
// - Durable before published: the entry and its head record are saved in one transaction before
//   the entry is added to the ledger or the document, so before any tab or peer can see it. If
//   the save fails (a full disk, a closed database) nothing is published, the entry is dropped
//   and the person reads "Not sent: …": an entry that never left the device is not a fork when a
//   later one takes its seq. A reload between save and publish re-publishes it on the next start.
// - Compare-and-set: the save refuses a seq the head record already reached ('stale'); the write
//   then rebuilds on the newer head. So even without Web Locks two writers cannot both keep a seq.
// - Restored keys: while `blocked()` gives a reason (a key restored from a backup, before its
//   first sync with a peer of this economy), nothing is signed at all, whatever the kind.
// Not covered (by design): the same key writing on two devices, or in a browser that refuses
// storage (each tab then has its own memory) — those people are warned elsewhere.
import {
  createEntry, nextEntryTime, toHex,
  type CryptoPort, type EntryHead, type KindBodies, type KindName, type Ledger, type Signer,
} from '../core';
import type { EntryScope } from '../core/create-entry';
import type { EntryStore } from './entry-store';
import type { LedgerSync } from './ledger-sync';

export type SendResult = { ok: true; entryId: string } | { ok: false; error: string };

/** Runs `work` while holding the named lock exclusively (across this browser's tabs). */
export type Exclusive = <T>(name: string, work: () => Promise<T>) => Promise<T>;

export interface OwnWriterOptions {
  economyId: string;
  signer: Signer;
  crypto: CryptoPort;
  store: EntryStore;
  ledger: Ledger;
  sync: LedgerSync;
  now: () => number;
  /** What binds the next entry to this economy (economy id, settings ack). */
  scope: () => EntryScope;
  /** Why this device may not write here yet, or null. */
  blocked: () => string | null;
  /** Called once an entry is durable, before anyone can see it. */
  onSaved?: (entryId: string) => void;
  /** Defaults to the Web Locks API where there is one (browsers), else to no lock (Node tests). */
  exclusive?: Exclusive;
}

/** Rebuilding on a newer head is needed only when another writer got in first; this bounds it. */
const MAX_ATTEMPTS = 3;

export function webLockExclusive(): Exclusive | undefined {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  return locks ? (name, work) => locks.request(name, work) : undefined;
}

/** The sentence a person reads when their entry could not be saved, so was not sent. */
export function describeUnsent(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof DOMException && cause.name === 'QuotaExceededError') {
    return 'Not sent: this device\'s storage is full. Free some space (or clear other sites\' data) and send again; nothing left this device.';
  }
  const message = error instanceof Error ? error.message : String(error);
  return `Not sent: ${message} Nothing left this device.`;
}

export class OwnWriter {
  readonly #opts: OwnWriterOptions;
  readonly #me: string;
  readonly #exclusive: Exclusive;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(opts: OwnWriterOptions) {
    this.#opts = opts;
    this.#me = toHex(opts.signer.publicKey);
    this.#exclusive = opts.exclusive ?? webLockExclusive() ?? ((_name, work) => work());
  }

  /** Signs, saves and publishes one entry; resolves with its id or the sentence to show. */
  write<K extends KindName>(kind: K, body: KindBodies[K]): Promise<SendResult> {
    const run = this.#queue
      .then(() => this.#exclusive(`hourmesh-write:${this.#opts.economyId}`, () => this.#writeNow(kind, body)))
      .catch((error: unknown): SendResult => ({ ok: false, error: `Not sent: ${error instanceof Error ? error.message : String(error)}` }));
    this.#queue = run;
    return run;
  }

  async #writeNow<K extends KindName>(kind: K, body: KindBodies[K]): Promise<SendResult> {
    const { sync, ledger, store, economyId } = this.#opts;
    const blocked = this.#opts.blocked();
    if (blocked) return { ok: false, error: blocked };
    try {
      await sync.settled(); // document changes seen so far (e.g. another tab's entries) are in the ledger
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        let head: EntryHead | undefined;
        try {
          head = await this.#durableHead();
        } catch (error) {
          return { ok: false, error: describeUnsent(error) };
        }
        const time = nextEntryTime(head, this.#opts.now());
        const entry = await createEntry(this.#opts.signer, this.#opts.crypto, this.#opts.scope(), head, time, kind, body);
        let saved: 'saved' | 'stale';
        try {
          saved = await store.saveOwn(economyId, this.#me, { seq: (head?.seq ?? 0) + 1, hash: entry.id, time, bytes: entry.bytes });
        } catch (error) {
          return { ok: false, error: describeUnsent(error) }; // dropped: no one has seen it
        }
        if (saved === 'stale') continue; // another writer took this seq first: build on theirs
        this.#opts.onSaved?.(entry.id);
        await sync.publish(entry);
        const status = ledger.statusOf(entry.id);
        if (status?.state === 'rejected') return { ok: false, error: `The ledger rejected it: ${status.reason}` };
        return { ok: true, entryId: entry.id };
      }
      return { ok: false, error: 'Not sent: another tab of this browser kept writing at the same moment. Send again.' };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  }

  /** The later of the ledger's head and the stored head record; a stored head ahead is adopted first. */
  async #durableHead(): Promise<EntryHead | undefined> {
    const stored = await this.#opts.store.loadHead(this.#opts.economyId, this.#me);
    const known = this.#opts.ledger.headOf(this.#me);
    if (!stored || (known && known.seq >= stored.seq)) return known;
    // Written by another tab (its document update not here yet) or before a reload or a rejoin.
    await this.#opts.sync.publish({ id: stored.hash, bytes: stored.bytes });
    return { seq: stored.seq, hash: stored.hash, time: stored.time };
  }
}
