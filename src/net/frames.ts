// Frame-level chunking for one ordered, reliable byte channel (an RTCDataChannel in practice).
//
// Why: Chromium refuses data-channel messages over 256 KiB and the channel then stays dead, and
// y-webrtc sends a whole Yjs document as one message. So every message is cut into frames of at
// most `MAX_FRAME_BYTES` and glued back together on the other side. Pure functions, no DOM.
//
// Wire format, one frame:
//   byte 0     flag: FRAME_LAST (0x00) = this frame ends a message,
//                    FRAME_MORE (0x01) = more frames of the same message follow
//   bytes 1..  payload: the next slice of the message (may be empty only in a FRAME_LAST frame)
// A message is zero or more FRAME_MORE frames and exactly one FRAME_LAST frame, sent back to back.
// The channel is ordered and reliable, so frames need no message id or sequence number; a message
// of n bytes costs ceil(max(n, 1) / (maxFrame - 1)) frames, a small one exactly 1 byte of overhead.
//
// Invariants of the assembler:
// - It never throws on input: a bad frame yields an `error` result and the state is reset.
// - A message that cannot be completed (bad frame in the middle, beyond `maxMessageBytes`, idle
//   for `idleTimeoutMs`, or evicted from the page-wide budget) is dropped as a whole: frames are
//   skipped up to and including that message's FRAME_LAST, so its tail is never handed over as if
//   it were a message of its own.
//
// Bounded memory (a peer decides what it sends us, so every limit is on the receiving side):
// - One message is at most MAX_MESSAGE_BYTES (32 MiB). The largest honest message is a late
//   joiner's sync step 2, the whole document: about 24 MB for a 100,000-entry economy, measured.
//   32 MiB leaves a third of headroom above that; an 18 MB Yjs update was measured to take
//   432 MB of heap once applied, so 64 MiB (the old cap) was already enough to crash a tab.
// - A message in progress (a "partial") is dropped when no frame of it arrived for
//   PARTIAL_IDLE_TIMEOUT_MS (30 s). An honest sender writes frames back to back; its longest
//   pause is its own main thread being busy (seconds), so 30 s only catches a peer that opens a
//   message and stops. The check runs when the next frame arrives and from `expireIdle`, which
//   the owner calls on a timer (the assembler has no timer of its own: the clock is passed in).
// - All partials of a page share one PartialBudget (PARTIAL_BUDGET_BYTES, 48 MiB: one maximal
//   message and some smaller ones). A frame that does not fit evicts the slowest partial(s) —
//   fewest bytes per second since their first frame — until it fits; the arriving link itself
//   may be the slowest. Eviction is reported as fatal: the owner closes that link, and y-webrtc
//   reconnects and re-syncs it later, so an honest message lost this way is sent again (a dropped
//   sync step 2 would otherwise never be re-sent on that connection). Slowest first, because a
//   peer that wants to hold the budget has to trickle (a fast message completes and leaves the
//   budget), while honest transfers run as fast as the channel allows.

export const FRAME_LAST = 0x00;
export const FRAME_MORE = 0x01;
/** 16 KiB: the size every browser's data channel delivers without fragmentation trouble. */
export const MAX_FRAME_BYTES = 16 * 1024;
/** Cap on one reassembled message (see the header: a whole 100k-entry document plus headroom). */
export const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;
/** A partial message with no new frame for this long is dropped. */
export const PARTIAL_IDLE_TIMEOUT_MS = 30_000;
/** Bytes of partial messages all links of a page may hold together. */
export const PARTIAL_BUDGET_BYTES = 48 * 1024 * 1024;

/** Cuts `message` into frames of at most `maxFrame` bytes (flag byte included), in send order. */
export function splitIntoFrames(message: Uint8Array, maxFrame = MAX_FRAME_BYTES): Uint8Array[] {
  if (!Number.isInteger(maxFrame) || maxFrame < 2) {
    throw new RangeError(`maxFrame must be an integer >= 2, got ${maxFrame}`);
  }
  const payloadPerFrame = maxFrame - 1;
  const frames: Uint8Array[] = [];
  let offset = 0;
  // do/while: an empty message still needs its one FRAME_LAST frame.
  do {
    const end = Math.min(offset + payloadPerFrame, message.byteLength);
    const frame = new Uint8Array(1 + end - offset);
    frame[0] = end === message.byteLength ? FRAME_LAST : FRAME_MORE;
    frame.set(message.subarray(offset, end), 1);
    frames.push(frame);
    offset = end;
  } while (offset < message.byteLength);
  return frames;
}

export type FrameResult =
  | { kind: 'message'; message: Uint8Array }
  | { kind: 'pending' }
  /** `fatal`: the link should be closed (its partial was evicted from the page-wide budget). */
  | { kind: 'error'; reason: string; fatal?: boolean };

/** One link's claim on a PartialBudget. */
export interface BudgetHolder {
  /** Bytes this holder's partial message holds now. */
  readonly heldBytes: number;
  /** When its partial message's first frame arrived. */
  readonly startedAt: number;
  /** Drops the partial message (and releases it from the budget). */
  evict(reason: string): void;
}

/** The page-wide cap on partial-message bytes, shared by the assemblers of every link. */
export interface PartialBudget {
  readonly maxBytes: number;
  readonly usedBytes: number;
  /**
   * Makes room for `bytes` more held by `holder`, evicting the slowest holders (possibly
   * `holder` itself) until they fit. Returns false when `holder` was evicted; the caller then
   * drops its partial itself (its `evict` is not called).
   */
  claim(holder: BudgetHolder, bytes: number): boolean;
  /** Forgets `holder` (its partial completed or was dropped). */
  release(holder: BudgetHolder): void;
}

export function createPartialBudget(maxBytes = PARTIAL_BUDGET_BYTES, now: () => number = Date.now): PartialBudget {
  const holders = new Set<BudgetHolder>();
  let used = 0;
  const sum = () => {
    let total = 0;
    for (const h of holders) total += h.heldBytes;
    return total;
  };
  return {
    maxBytes,
    get usedBytes() {
      return used;
    },
    claim(holder, bytes) {
      holders.add(holder);
      used = sum();
      while (used + bytes > maxBytes) {
        const victim = slowest(holders, holder, bytes, now());
        holders.delete(victim);
        if (victim === holder) {
          used = sum();
          return false;
        }
        victim.evict(`dropped to stay within the page-wide budget of ${maxBytes} bytes for partial messages`);
        used = sum();
      }
      used += bytes;
      return true;
    },
    release(holder) {
      if (holders.delete(holder)) used = sum();
    },
  };
}

/**
 * The holder receiving the fewest bytes per second since its first frame (the claimant counted
 * with the bytes it asks for). Elapsed time counts as at least 1 s, so a link that just started
 * is judged by its first second. Tie-break: the earlier start loses, then the claimant, so one
 * order holds on every call.
 */
function slowest(holders: Set<BudgetHolder>, claimant: BudgetHolder, extra: number, now: number): BudgetHolder {
  let worst: BudgetHolder = claimant;
  let worstRate = rateOf(claimant, extra, now);
  for (const h of holders) {
    if (h === claimant) continue;
    const rate = rateOf(h, 0, now);
    if (rate < worstRate || (rate === worstRate && h.startedAt < worst.startedAt)) {
      worst = h;
      worstRate = rate;
    }
  }
  return worst;
}

function rateOf(h: BudgetHolder, extra: number, now: number): number {
  return (h.heldBytes + extra) / Math.max(now - h.startedAt, 1000);
}

export interface FrameAssembler {
  /**
   * Feeds the next frame from the channel; returns a whole message once its last frame arrives.
   * The assembler keeps views into earlier frames until then, so callers must not reuse frame
   * buffers (each data-channel event brings a fresh ArrayBuffer, so this holds there).
   */
  push(frame: Uint8Array): FrameResult;
  /** Drops the partial message if no frame arrived for the idle timeout; returns that error. */
  expireIdle(): FrameResult | null;
  /** Drops the partial message, e.g. because the link closed; returns whether there was one. */
  discard(): boolean;
  /** Bytes of the message currently being collected (0 between messages). */
  readonly pendingBytes: number;
}

export interface FrameAssemblerOptions {
  maxMessageBytes?: number;
  idleTimeoutMs?: number;
  /** The clock for the idle timeout and budget rates (milliseconds). */
  now?: () => number;
  /** Shared with the other links of the page; by default this assembler has one of its own. */
  budget?: PartialBudget;
  /** Called when another link's frame evicted this link's partial message from the budget. */
  onEvicted?: (reason: string) => void;
}

const PENDING: FrameResult = { kind: 'pending' };

/** An assembler for one channel. Frames must be pushed in the order they arrived. */
export function createFrameAssembler(options: FrameAssemblerOptions = {}): FrameAssembler {
  const maxMessageBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  const idleTimeoutMs = options.idleTimeoutMs ?? PARTIAL_IDLE_TIMEOUT_MS;
  const now = options.now ?? Date.now;
  const budget = options.budget ?? createPartialBudget(PARTIAL_BUDGET_BYTES, now);
  let parts: Uint8Array[] = [];
  let collected = 0;
  let startedAt = 0;
  let lastFrameAt = 0;
  // True while skipping the rest of a message that was already reported as broken.
  let skipping = false;

  const holder: BudgetHolder = {
    get heldBytes() {
      return collected;
    },
    get startedAt() {
      return startedAt;
    },
    evict(reason) {
      // Called by the budget, which already forgot this holder.
      parts = [];
      collected = 0;
      skipping = true;
      options.onEvicted?.(reason);
    },
  };

  function reset(): void {
    if (parts.length > 0) budget.release(holder);
    parts = [];
    collected = 0;
  }

  function fail(reason: string, skipRestOfMessage: boolean, fatal = false): FrameResult {
    reset();
    skipping = skipRestOfMessage;
    return fatal ? { kind: 'error', reason, fatal } : { kind: 'error', reason };
  }

  function isIdle(at: number): boolean {
    return parts.length > 0 && at - lastFrameAt >= idleTimeoutMs;
  }

  function idleError(): FrameResult {
    return fail(`partial message of ${collected} bytes dropped: no frame for ${idleTimeoutMs} ms`, true);
  }

  function push(frame: Uint8Array): FrameResult {
    const at = now();
    if (frame.byteLength === 0) {
      // We cannot tell where an unparseable frame belongs; if a message was in progress, its
      // remaining frames are still coming and must not start a message of their own.
      return fail('empty frame', skipping || parts.length > 0);
    }
    const flag = frame[0];
    if (flag !== FRAME_LAST && flag !== FRAME_MORE) {
      return fail(`unknown frame flag ${flag}`, skipping || parts.length > 0);
    }
    const isLast = flag === FRAME_LAST;
    // A late frame of an idle partial: the partial goes, and this frame is part of its tail.
    if (isIdle(at)) {
      const error = idleError();
      if (isLast) skipping = false;
      return error;
    }
    if (skipping) {
      if (isLast) skipping = false;
      return PENDING;
    }
    const payload = frame.subarray(1);
    if (collected + payload.byteLength > maxMessageBytes) {
      return fail(`message exceeds ${maxMessageBytes} bytes`, !isLast);
    }
    if (!isLast) {
      if (parts.length === 0) startedAt = at;
      if (!budget.claim(holder, payload.byteLength)) {
        // The budget already forgot us; drop the partial without releasing twice.
        parts = [];
        collected = 0;
        skipping = true;
        return { kind: 'error', reason: `dropped to stay within the page-wide budget of ${budget.maxBytes} bytes for partial messages`, fatal: true };
      }
      parts.push(payload);
      collected += payload.byteLength;
      lastFrameAt = at;
      return PENDING;
    }
    // Common case, a message of one frame: hand over a view, no copy.
    if (parts.length === 0) return { kind: 'message', message: payload };
    const message = new Uint8Array(collected + payload.byteLength);
    let offset = 0;
    for (const part of parts) {
      message.set(part, offset);
      offset += part.byteLength;
    }
    message.set(payload, offset);
    reset();
    return { kind: 'message', message };
  }

  return {
    push,
    expireIdle() {
      return isIdle(now()) ? idleError() : null;
    },
    discard() {
      const had = parts.length > 0;
      reset();
      skipping = false;
      return had;
    },
    get pendingBytes() {
      return collected;
    },
  };
}
