// Ledger files: every entry of an economy in one file, to back up, audit elsewhere, or seed a
// device. Importing verifies each entry exactly as if it came from a peer, so a file can be
// untrusted.
//
// Format: the 17 ASCII bytes "hourmesh-entries\n", a version byte (1), then for each entry a
// 2-byte big-endian length followed by the encoded signed entry (see docs/LEDGER.md).
import { MAX_ENTRY_BYTES } from '../core';

const MAGIC = new TextEncoder().encode('hourmesh-entries\n');
const VERSION = 1;

export function encodeLedgerFile(entries: readonly Uint8Array[]): Uint8Array {
  const size = MAGIC.length + 1 + entries.reduce((n, e) => n + 2 + e.length, 0);
  const out = new Uint8Array(size);
  out.set(MAGIC, 0);
  out[MAGIC.length] = VERSION;
  let at = MAGIC.length + 1;
  for (const e of entries) {
    if (e.length > MAX_ENTRY_BYTES) throw new Error('entry too large for a ledger file');
    out[at] = e.length >> 8;
    out[at + 1] = e.length & 0xff;
    out.set(e, at + 2);
    at += 2 + e.length;
  }
  return out;
}

export type DecodedLedgerFile = { ok: true; entries: Uint8Array[] } | { ok: false; error: string };

export function decodeLedgerFile(bytes: Uint8Array): DecodedLedgerFile {
  const header = MAGIC.length + 1;
  if (bytes.length < header || MAGIC.some((b, i) => bytes[i] !== b)) return { ok: false, error: 'This is not a hourmesh ledger file.' };
  if (bytes[MAGIC.length] !== VERSION) return { ok: false, error: 'This ledger file was written by another version of hourmesh.' };
  const entries: Uint8Array[] = [];
  let at = header;
  while (at < bytes.length) {
    if (at + 2 > bytes.length) return { ok: false, error: `The file is cut short after ${entries.length} entries.` };
    const length = (bytes[at]! << 8) | bytes[at + 1]!;
    if (length === 0 || length > MAX_ENTRY_BYTES || at + 2 + length > bytes.length) {
      return { ok: false, error: `The file is damaged after ${entries.length} entries.` };
    }
    entries.push(bytes.slice(at + 2, at + 2 + length));
    at += 2 + length;
  }
  return { ok: true, entries };
}
