// When to tell a person "someone here uses a different secret" (docs/PROTOCOL.md §2).
//
// The signaling topic is the economy's id, which is not secret: anyone who knows it can publish
// there. Everything a room member publishes is an AES-GCM envelope under the room key, so a
// message we cannot open comes either from a member of the economy with another secret (an old
// or mistyped invite) or from someone publishing junk. Once it used to take one such message to
// set the flag for good, so one junk publish told every member "wrong secret" until they closed
// the tab.
//
// The sender of an envelope cannot be identified (the server adds nothing, the iv is random and
// the rest is ciphertext), so "one sender, persistently" is approximated by what a wrong-secret
// peer really does:
//   - it sends well-formed envelopes (varString "AES-GCM", a 12-byte iv, the ciphertext, nothing
//     after) whose ciphertext has exactly the size of an encrypted announce — it cannot read our
//     announces, so announces are all it ever sends us (ANNOUNCE_CIPHER_BYTES, for y-webrtc's
//     UUID peer ids);
//   - it keeps doing so: each side re-announces (at most every 5 s, room.ts) when it sees such an
//     envelope, so two rooms with different secrets answer each other every ~5 s while both are
//     open.
// Rule (the tie-breaks are the `>=`s): the flag is raised when at least MIN_FOREIGN such
// envelopes that fail decryption arrived within WINDOW_MS and the first and last of them are at
// least MIN_SPAN_MS apart; it stays up while they keep coming and clears QUIET_MS after the last
// one. Anything that is not a well-formed envelope of that size is ignored.
// So one junk publish (or a burst) does nothing, and a persistent one only shows the warning while
// it lasts. Someone who imitates the pattern can still show it — a wrong-secret peer and a
// forger are indistinguishable by construction — but has to keep publishing, and the warning
// changes nothing else: it is shown only while the person has no peer at all.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { fromBase64 } from 'lib0/buffer';

export const MISMATCH_WINDOW_MS = 30_000;
export const MISMATCH_MIN_FOREIGN = 2;
export const MISMATCH_MIN_SPAN_MS = 4_000;
export const MISMATCH_QUIET_MS = 30_000;

/** AES-GCM ciphertext size of y-webrtc's `{type:'announce', from:<UUID>}` (tag included). */
export const ANNOUNCE_CIPHER_BYTES = (() => {
  const plain = encoding.createEncoder();
  encoding.writeAny(plain, { type: 'announce', from: '00000000-0000-4000-8000-000000000000' });
  return encoding.length(plain) + 16;
})();

export interface Envelope {
  iv: Uint8Array;
  ciphertext: Uint8Array;
}

/** The parts of a well-formed y-webrtc AES-GCM envelope (base64 text), or null. Never throws. */
export function parseEnvelope(data: string): Envelope | null {
  try {
    const decoder = decoding.createDecoder(fromBase64(data));
    if (decoding.readVarString(decoder) !== 'AES-GCM') return null;
    const iv = decoding.readVarUint8Array(decoder);
    const ciphertext = decoding.readVarUint8Array(decoder);
    if (iv.byteLength !== 12 || decoding.hasContent(decoder)) return null;
    return { iv, ciphertext };
  } catch {
    return null;
  }
}

/** Whether an envelope that our key cannot open is evidence of a wrong-secret peer. */
export function isAnnounceShaped(envelope: Envelope): boolean {
  return envelope.ciphertext.byteLength === ANNOUNCE_CIPHER_BYTES;
}

export interface MismatchOptions {
  windowMs?: number;
  minForeign?: number;
  minSpanMs?: number;
  quietMs?: number;
}

/** The rule above as a small state machine; every method takes the current time. */
export class MismatchDetector {
  readonly #windowMs: number;
  readonly #minForeign: number;
  readonly #minSpanMs: number;
  readonly #quietMs: number;
  #recent: number[] = [];
  #raised = false;

  constructor(options: MismatchOptions = {}) {
    this.#windowMs = options.windowMs ?? MISMATCH_WINDOW_MS;
    this.#minForeign = options.minForeign ?? MISMATCH_MIN_FOREIGN;
    this.#minSpanMs = options.minSpanMs ?? MISMATCH_MIN_SPAN_MS;
    this.#quietMs = options.quietMs ?? MISMATCH_QUIET_MS;
  }

  /** An announce-shaped envelope that failed decryption arrived at `now`. */
  recordForeign(now: number): void {
    this.#settle(now);
    this.#recent.push(now);
    const first = this.#recent[0]!;
    if (this.#recent.length >= this.#minForeign && now - first >= this.#minSpanMs) this.#raised = true;
  }

  isMismatch(now: number): boolean {
    this.#settle(now);
    return this.#raised;
  }

  /** When `isMismatch` turns false if nothing else arrives, or null when it is not raised. */
  clearsAt(now: number): number | null {
    this.#settle(now);
    return this.#raised ? this.#recent[this.#recent.length - 1]! + this.#quietMs : null;
  }

  #settle(now: number): void {
    const last = this.#recent[this.#recent.length - 1];
    if (this.#raised && last !== undefined && now - last >= this.#quietMs) this.#raised = false;
    this.#recent = this.#recent.filter((t) => now - t < this.#windowMs);
  }
}
