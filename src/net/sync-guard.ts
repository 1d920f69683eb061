// The sync-message guard: every whole message a peer sends us over WebRTC passes through
// `SyncGuard.check` before y-webrtc reads it (hooked in ./chunked-peer.ts). y-webrtc and
// y-protocols trust their input: a message they cannot parse throws out of the data channel's
// event handler, and whatever Yjs can parse goes into the document, which is cached in IndexedDB
// and served to every late joiner. So the guard parses first, never throws, and lets through only
// what the document's schema allows.
//
// Messages (y-protocols, wire format in docs/PROTOCOL.md §4), each read to its last byte:
//   [0, 0, varUint8Array stateVector]  sync step 1: the state vector must decode and be at most
//                                      MAX_STATE_VECTOR_BYTES; one per link per STEP1_INTERVAL_MS
//                                      (an honest peer sends one per connection, and each one
//                                      makes us send it the document: unbounded, it amplifies)
//   [0, 1|2, varUint8Array update]     sync step 2 / update: checked against the schema (below)
//   [1, varUint8Array awareness]       whole message at most MAX_AWARENESS_MESSAGE_BYTES; every
//                                      state must be JSON of at most MAX_AWARENESS_STATE_BYTES
//   [3]                                query awareness: the same rate limit as step 1 (the
//                                      reference client only sends it between tabs)
// Anything else — empty, truncated, trailing bytes, another type or sync subtype — is dropped.
//
// The schema is a registry keyed by root name (DocSchema). Each root is a map (key rule, binary
// values up to a size) or a text (string inserts up to a length). A Yjs update is a list of
// structs per client; each Item names its parent in one of three ways:
//   - a root name (+ a map key): checked directly against that root's rule;
//   - the id of a nested type's item: refused, no schema has nested types;
//   - nothing, because it has an origin (left/right neighbour): Yjs copies parent and key from
//     that neighbour, which is already in the document or waits for it, and got there through
//     this guard (or was written locally). Its content must fit the value rule of at least one
//     root of the schema. The economy schema has one root, so this is exactly the `entries` rule.
// Content that was deleted (ContentDeleted) passes under any allowed root and key; GC and Skip
// structs carry no content and pass. Delete sets are not checked: deleting is allowed.
//
// What happens to a struct outside the schema: it is **replaced by a GC struct of the same id
// and length**, and the rest of the update is delivered. This is what Yjs itself does with
// garbage-collected content, so the receiving document stays causally complete:
//   - later structs of that client integrate normally (dropping the whole update instead would
//     leave a gap in that client's clock, and Yjs keeps every later update of the client pending,
//     in memory, forever);
//   - an item whose origin or parent is a replaced struct becomes GC too when Yjs integrates it
//     (Yjs treats a GC neighbour as "parent collected"), so nothing can hang off junk;
//   - honest content that shares the update with junk still arrives. That matters because a sync
//     step 2 carries everything the receiver lacks, from every client: a peer whose cached
//     document still holds old junk (written before this guard existed, even long deleted: a
//     deleted map item keeps its key) would otherwise never get its step 2 through, and a late
//     joiner would get no document at all. Receivers store GC, so they serve clean step 2s.
// Only the sender that wrote junk sees a difference (its own document still has it); honest
// guards replace exactly the same structs, because the verdict is a pure function of the update
// bytes and the schema (no look-up in the local document), so honest documents converge.
// A message that does not parse (or has too many structs, MAX_STRUCTS_PER_UPDATE) is dropped
// whole; if it came from a client that goes on writing, that client's later updates stay pending
// (a gap in its clock). Only clients that sent unparseable bytes are affected.
//
// Not covered: a peer can use another client's id (Yjs does not authenticate client ids), and
// the BroadcastChannel between tabs of one browser (same origin) is not guarded.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { sha256Sync } from '../core/sha256';
import { toHex } from '../core/bytes';
import { GuardError, readItem, REF_GC, REF_SKIP, type Content, type ItemView } from './update-structs';

/** Rule for one root type of the shared document. */
export type RootRule =
  | {
      kind: 'map';
      /** Longest key accepted (UTF-16 code units), checked before `isKey`. */
      maxKeyLength: number;
      isKey: (key: string) => boolean;
      /** Values are Yjs binary content (`map.set(key, Uint8Array)`) of at most this many bytes. */
      maxValueBytes: number;
      /**
       * Content addressing: when set, a value must satisfy it against its own key (a pure function
       * of the bytes, so every honest guard gives the same verdict). Such a root is write-once: an
       * item that inherits its key from a neighbour (an overwrite) cannot be checked and is refused,
       * and in a document whose every root is content-addressed, delete sets are dropped (an
       * honest client never deletes there; a hostile one could otherwise erase any blob).
       */
      isValue?: (key: string, value: Uint8Array) => boolean;
    }
  | {
      kind: 'text';
      /** Longest string one insert may carry (UTF-16 code units). */
      maxInsertLength: number;
    };

/** Root name → rule. Roots not named here are refused. */
export type DocSchema = Readonly<Record<string, RootRule>>;

const ENTRY_ID = /^[0-9a-f]{64}$/;

/** The economy document (docs/PROTOCOL.md §5): `entries`, entry id → entry bytes (≤ 4 096). */
export const ECONOMY_SCHEMA: DocSchema = Object.freeze({
  entries: { kind: 'map', maxKeyLength: 64, isKey: (k: string) => ENTRY_ID.test(k), maxValueBytes: 4096 },
});

/** Settings → "Check a connection" (./scratch-room.ts): one Y.Text `note`. */
export const CONNECTION_CHECK_SCHEMA: DocSchema = Object.freeze({
  note: { kind: 'text', maxInsertLength: 10_000 },
});

/** Room-name prefix of the connection check (./scratch-room.ts). */
export const CONNECTION_CHECK_ROOM_PREFIX = 'hourmesh-check:';

/**
 * A live estimation session (./estimation-session.ts, docs/ESTIMATION.md): one map `estimation`
 * of signed records, keys `f:<n>`, `r:<n>`, `x:<n>`, `v:<n>:<account>`
 * (n = 0…9999 without leading zeros), values of at most 1 024 bytes.
 */
export const ESTIMATION_KEY = /^(?:[frx]:(?:0|[1-9][0-9]{0,3})|v:(?:0|[1-9][0-9]{0,3}):[0-9a-f]{64})$/;
export const ESTIMATION_SCHEMA: DocSchema = Object.freeze({
  estimation: { kind: 'map', maxKeyLength: 71, isKey: (k: string) => ESTIMATION_KEY.test(k), maxValueBytes: 1024 },
});

/** Room-name prefix of estimation sessions (./estimation-session.ts). */
export const ESTIMATION_ROOM_PREFIX = 'hourmesh-estimate:v1:';

/** Largest blob of a job room (a WebAssembly module, a manifest of unit inputs, one result). */
export const MAX_JOB_BLOB_BYTES = 1024 * 1024;

/**
 * A compute job's room (./job-room.ts, docs/PROTOCOL.md "Job rooms"): `blobs`, SHA-256 hex of the
 * bytes → the bytes (≤ MAX_JOB_BLOB_BYTES). A value whose hash is not its key is replaced by GC
 * on arrival, so it is never stored nor served on.
 */
export const JOB_SCHEMA: DocSchema = Object.freeze({
  blobs: {
    kind: 'map', maxKeyLength: 64, isKey: (k: string) => ENTRY_ID.test(k), maxValueBytes: MAX_JOB_BLOB_BYTES,
    isValue: (key: string, value: Uint8Array) => toHex(sha256Sync(value)) === key,
  },
});

/** Room-name prefix of job rooms (./job-room.ts). */
export const JOB_ROOM_PREFIX = 'hourmesh-job:';

/**
 * A release's room (./release-room.ts, docs/RELEASES-WIRE.md): its document has no roots at all.
 * The file's bytes travel as side-channel messages (./side-channel.ts), never in a Yjs document,
 * so anything written to this document is refused.
 */
export const RELEASE_SCHEMA: DocSchema = Object.freeze({});

/** Room-name prefix of release rooms (./release-room.ts). */
export const RELEASE_ROOM_PREFIX = 'hourmesh-release:';

/** The schema of a room's document, from its name. Every other room is an economy. */
export function schemaForRoom(room: string): DocSchema {
  if (room.startsWith(CONNECTION_CHECK_ROOM_PREFIX)) return CONNECTION_CHECK_SCHEMA;
  if (room.startsWith(ESTIMATION_ROOM_PREFIX)) return ESTIMATION_SCHEMA;
  if (room.startsWith(JOB_ROOM_PREFIX)) return JOB_SCHEMA;
  if (room.startsWith(RELEASE_ROOM_PREFIX)) return RELEASE_SCHEMA;
  return ECONOMY_SCHEMA;
}

// Which document a link carries: room.ts binds each simple-peer instance y-webrtc creates to its
// room's schema (on y-webrtc's 'peers' event, which fires before the channel can open).
const peerSchemas = new WeakMap<object, DocSchema>();

export function bindPeerSchema(peer: object, schema: DocSchema): void {
  peerSchemas.set(peer, schema);
}

/** The schema bound to `peer`; the economy schema for a peer nobody bound. */
export function schemaOfPeer(peer: object): DocSchema {
  return peerSchemas.get(peer) ?? ECONOMY_SCHEMA;
}

/** About 100,000 clients (writing sessions); an economy's doc gets one per session that wrote. */
export const MAX_STATE_VECTOR_BYTES = 1024 * 1024;
/**
 * Structs + delete-set ranges in one update. A 100,000-entry economy's full document is about
 * 100,000 structs; tiny structs (8 bytes each) could otherwise pack 4 million Yjs objects, about
 * a gigabyte of heap, into a 32 MiB message.
 */
export const MAX_STRUCTS_PER_UPDATE = 500_000;
/** A presence state is about 200 bytes; the connect-time message carries every known state. */
export const MAX_AWARENESS_MESSAGE_BYTES = 64 * 1024;
export const MAX_AWARENESS_STATE_BYTES = 4 * 1024;
/** After the first, at most one sync step 1 (and one query awareness) per link in this time. */
export const STEP1_INTERVAL_MS = 30_000;

export type GuardVerdict =
  | { action: 'pass' }
  /** Deliver `message` instead: structs outside the schema were replaced by GC structs. */
  | { action: 'rewrite'; message: Uint8Array; reason: string }
  | { action: 'drop'; reason: string };

/** Counters over every guard of this page, for diagnostics and tests. */
export const syncGuardStats = {
  passed: 0,
  rewritten: 0,
  dropped: 0,
  /** Structs replaced by GC in rewritten updates. */
  structsReplaced: 0,
};

export function resetSyncGuardStats(): void {
  for (const key of Object.keys(syncGuardStats) as (keyof typeof syncGuardStats)[]) syncGuardStats[key] = 0;
}

export interface SyncGuard {
  /** Never throws. */
  check(message: Uint8Array): GuardVerdict;
}

export interface SyncGuardOptions {
  now?: () => number;
}

/** A guard for one link (it holds that link's rate limits). */
export function createSyncGuard(schema: DocSchema, options: SyncGuardOptions = {}): SyncGuard {
  const now = options.now ?? Date.now;
  const lastAnswered = new Map<'step1' | 'query', number>();
  const rateLimited = (what: 'step1' | 'query'): boolean => {
    const at = now();
    const last = lastAnswered.get(what);
    if (last !== undefined && at - last < STEP1_INTERVAL_MS) return true;
    lastAnswered.set(what, at);
    return false;
  };
  return {
    check(message) {
      let verdict: GuardVerdict;
      try {
        verdict = checkMessage(message, schema, rateLimited);
      } catch (error) {
        // lib0 throws on truncated input; anything else is a bug here, and still not the page's.
        verdict = { action: 'drop', reason: `unparseable message (${error instanceof Error ? error.message : String(error)})` };
      }
      if (verdict.action === 'pass') syncGuardStats.passed += 1;
      else if (verdict.action === 'rewrite') syncGuardStats.rewritten += 1;
      else syncGuardStats.dropped += 1;
      return verdict;
    },
  };
}

const PASS: GuardVerdict = { action: 'pass' };
const drop = (reason: string): GuardVerdict => ({ action: 'drop', reason });

function checkMessage(message: Uint8Array, schema: DocSchema, rateLimited: (what: 'step1' | 'query') => boolean): GuardVerdict {
  if (message.byteLength === 0) return drop('empty message');
  const decoder = decoding.createDecoder(message);
  const type = decoding.readVarUint(decoder);
  switch (type) {
    case 0: {
      const subtype = decoding.readVarUint(decoder);
      if (subtype > 2) return drop(`unknown sync message subtype ${subtype}`);
      const payload = decoding.readVarUint8Array(decoder);
      if (decoding.hasContent(decoder)) return drop('trailing bytes after a sync message');
      if (subtype === 0) {
        const problem = checkStateVector(payload);
        if (problem) return drop(problem);
        return rateLimited('step1') ? drop('sync step 1 repeated too soon on this link') : PASS;
      }
      const result = checkUpdate(payload, schema);
      if (!result.ok) return drop(result.reason);
      if (result.replaced === 0) return PASS;
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, 0);
      encoding.writeVarUint(encoder, subtype);
      encoding.writeVarUint8Array(encoder, result.update);
      syncGuardStats.structsReplaced += result.replaced;
      return { action: 'rewrite', message: encoding.toUint8Array(encoder), reason: result.reason };
    }
    case 1: {
      if (message.byteLength > MAX_AWARENESS_MESSAGE_BYTES) {
        return drop(`awareness message of ${message.byteLength} bytes (at most ${MAX_AWARENESS_MESSAGE_BYTES})`);
      }
      const update = decoding.readVarUint8Array(decoder);
      if (decoding.hasContent(decoder)) return drop('trailing bytes after an awareness message');
      const problem = checkAwarenessUpdate(update);
      return problem ? drop(problem) : PASS;
    }
    case 3:
      if (decoding.hasContent(decoder)) return drop('trailing bytes after a query-awareness message');
      return rateLimited('query') ? drop('query awareness repeated too soon on this link') : PASS;
    default:
      return drop(`unknown message type ${type}`);
  }
}

/** Null when `sv` is a small, well-formed state vector (what Y.decodeStateVector reads, exactly). */
export function checkStateVector(sv: Uint8Array): string | null {
  if (sv.byteLength > MAX_STATE_VECTOR_BYTES) return `state vector of ${sv.byteLength} bytes (at most ${MAX_STATE_VECTOR_BYTES})`;
  try {
    const decoder = decoding.createDecoder(sv);
    const n = decoding.readVarUint(decoder);
    for (let i = 0; i < n; i++) {
      decoding.readVarUint(decoder);
      decoding.readVarUint(decoder);
    }
    if (decoding.hasContent(decoder)) return 'trailing bytes after a state vector';
    Y.decodeStateVector(sv);
    return null;
  } catch {
    return 'malformed state vector';
  }
}

/** Null when `update` is a well-formed awareness update within the caps. */
export function checkAwarenessUpdate(update: Uint8Array): string | null {
  try {
    const decoder = decoding.createDecoder(update);
    const n = decoding.readVarUint(decoder);
    for (let i = 0; i < n; i++) {
      decoding.readVarUint(decoder); // client id
      decoding.readVarUint(decoder); // clock
      const json = decoding.readVarString(decoder);
      if (json.length > MAX_AWARENESS_STATE_BYTES) return `awareness state of ${json.length} characters (at most ${MAX_AWARENESS_STATE_BYTES})`;
      JSON.parse(json);
    }
    if (decoding.hasContent(decoder)) return 'trailing bytes after an awareness update';
    return null;
  } catch {
    return 'malformed awareness update';
  }
}

export type UpdateCheck =
  | { ok: true; update: Uint8Array; replaced: number; reason: string }
  | { ok: false; reason: string };


/**
 * Walks a v1 update struct by struct (as Yjs's own reader does, without building Yjs objects),
 * and returns the update with every struct outside `schema` replaced by a GC struct of the same
 * length — the original bytes when nothing was replaced. Never throws.
 */
export function checkUpdate(update: Uint8Array, schema: DocSchema): UpdateCheck {
  const replace: { start: number; end: number; length: number }[] = [];
  let firstReason = '';
  const writeOnce = isWriteOnce(schema);
  let dropDeletes = false;
  try {
    const decoder = decoding.createDecoder(update);
    let records = 0;
    const countRecords = (n: number) => {
      records += n;
      if (records > MAX_STRUCTS_PER_UPDATE) throw new GuardError(`more than ${MAX_STRUCTS_PER_UPDATE} structs in one update`);
    };
    const clients = decoding.readVarUint(decoder);
    for (let c = 0; c < clients; c++) {
      const structs = decoding.readVarUint(decoder);
      countRecords(structs);
      decoding.readVarUint(decoder); // client
      let clock = decoding.readVarUint(decoder);
      for (let s = 0; s < structs; s++) {
        const start = decoder.pos;
        const info = decoding.readUint8(decoder);
        let length: number;
        let problem: string | null = null;
        if (info === REF_GC || info === REF_SKIP) {
          length = decoding.readVarUint(decoder);
        } else if ((info & 0x1f) === REF_GC || (info & 0x1f) === REF_SKIP) {
          throw new GuardError(`struct info ${info}`);
        } else {
          const item = readItem(decoder, info);
          length = item.length;
          problem = judgeItem(item, schema);
        }
        if (length < 1) throw new GuardError('struct of length 0');
        clock += length;
        if (clock > Number.MAX_SAFE_INTEGER) throw new GuardError('clock beyond 2^53');
        if (problem !== null) {
          replace.push({ start, end: decoder.pos, length });
          if (!firstReason) firstReason = problem;
        }
      }
    }
    // Delete set: read to check it parses; deleting is allowed, except in a write-once document.
    const dsClients = decoding.readVarUint(decoder);
    if (dsClients > 0 && writeOnce) dropDeletes = true;
    for (let c = 0; c < dsClients; c++) {
      decoding.readVarUint(decoder); // client
      const ranges = decoding.readVarUint(decoder);
      countRecords(ranges);
      for (let r = 0; r < ranges; r++) {
        decoding.readVarUint(decoder); // clock
        decoding.readVarUint(decoder); // length
      }
    }
    if (decoding.hasContent(decoder)) throw new GuardError('trailing bytes after an update');
  } catch (error) {
    return { ok: false, reason: error instanceof GuardError ? `malformed update: ${error.message}` : 'malformed update' };
  }
  if (replace.length === 0 && !dropDeletes) return { ok: true, update, replaced: 0, reason: '' };
  let result = replaceWithGc(update, replace);
  if (dropDeletes) {
    // GC replacement changed the structs' byte lengths: find the delete set in the rewritten bytes.
    result = withoutDeleteSet(result);
    if (!firstReason) firstReason = 'a deletion in a write-once document';
  }
  // A rewritten update gets Yjs's own reader as the last word. An untouched one was just read
  // byte for byte the way that reader does (the seeded mutation test holds the two together);
  // decoding it again would cost ~150 ms and a second copy of a 30 MB late-join document.
  try {
    Y.decodeUpdate(result);
  } catch {
    return { ok: false, reason: 'malformed update (Yjs cannot decode the rewritten update)' };
  }
  const reason = `${replace.length} struct(s) outside the document schema replaced by GC${dropDeletes ? ', deletions dropped' : ''} (first: ${firstReason})`;
  return { ok: true, update: result, replaced: replace.length + (dropDeletes ? 1 : 0), reason };
}

/** Every root content-addressed (RootRule.isValue): nothing there is ever deleted by an honest client. */
function isWriteOnce(schema: DocSchema): boolean {
  const rules = Object.values(schema);
  return rules.length > 0 && rules.every((r) => r.kind === 'map' && r.isValue !== undefined);
}

/** `update` (already checked) with an empty delete set. */
function withoutDeleteSet(update: Uint8Array): Uint8Array {
  const decoder = decoding.createDecoder(update);
  const clients = decoding.readVarUint(decoder);
  for (let c = 0; c < clients; c++) {
    const structs = decoding.readVarUint(decoder);
    decoding.readVarUint(decoder);
    decoding.readVarUint(decoder);
    for (let s = 0; s < structs; s++) {
      const info = decoding.readUint8(decoder);
      if (info === REF_GC || info === REF_SKIP) decoding.readVarUint(decoder);
      else readItem(decoder, info);
    }
  }
  const encoder = encoding.createEncoder();
  encoding.writeUint8Array(encoder, update.subarray(0, decoder.pos));
  encoding.writeVarUint(encoder, 0);
  return encoding.toUint8Array(encoder);
}

/** Null when the item fits the schema; otherwise why not. */
function judgeItem(item: ItemView, schema: DocSchema): string | null {
  if (item.nested) return 'an item inside a nested type';
  if (item.root === null) {
    // Parent and key come from a neighbour that is (or will be) in the document already.
    const rules = Object.values(schema);
    const problems = rules.map((rule) => judgeContent(item.content, rule, null));
    return problems.some((p) => p === null) ? null : problems[0] ?? 'no root allowed';
  }
  if (!Object.hasOwn(schema, item.root)) return `root "${clip(item.root)}" is not in the schema`;
  const rule = schema[item.root]!;
  if (rule.kind === 'map') {
    if (item.key === null) return `a list item in map root "${item.root}"`;
    if (item.key.length > rule.maxKeyLength || !rule.isKey(item.key)) return `key "${clip(item.key)}" not allowed in "${item.root}"`;
  } else if (item.key !== null) {
    return `a keyed item in text root "${item.root}"`;
  }
  return judgeContent(item.content, rule, item.key);
}

/** `key` is null for an item that inherits its key from a neighbour. */
function judgeContent(content: Content, rule: RootRule, key: string | null): string | null {
  if (content.kind === 'deleted') return null;
  if (rule.kind === 'map') {
    if (content.kind !== 'binary') return `value is ${content.kind === 'other' ? content.name : content.kind}, not binary`;
    if (content.bytes > rule.maxValueBytes) return `value of ${content.bytes} bytes (at most ${rule.maxValueBytes})`;
    if (!rule.isValue) return null;
    if (key === null) return 'an overwrite of a content-addressed value';
    // Size was checked first: the hash is computed over at most maxValueBytes.
    return rule.isValue(key, content.data) ? null : `value does not match its key "${clip(key)}"`;
  }
  if (content.kind !== 'string') return `text content is ${content.kind === 'other' ? content.name : content.kind}`;
  return content.length > rule.maxInsertLength ? `text insert of ${content.length} characters (at most ${rule.maxInsertLength})` : null;
}

function clip(s: string): string {
  return s.length > 24 ? `${s.slice(0, 24)}… (${s.length} characters)` : s;
}

/** Copies `update`, writing GC(length) in place of each listed byte range (in order). */
function replaceWithGc(update: Uint8Array, ranges: { start: number; end: number; length: number }[]): Uint8Array {
  const encoder = encoding.createEncoder();
  let at = 0;
  for (const { start, end, length } of ranges) {
    encoding.writeUint8Array(encoder, update.subarray(at, start));
    encoding.writeUint8(encoder, REF_GC);
    encoding.writeVarUint(encoder, length);
    at = end;
  }
  encoding.writeUint8Array(encoder, update.subarray(at));
  return encoding.toUint8Array(encoder);
}
