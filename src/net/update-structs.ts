// Reading Yjs v1 updates struct by struct, as Yjs's own reader does but without building Yjs
// objects: the sync guard (./sync-guard.ts) judges each struct against a document schema, and
// ./update-slices.ts cuts a big update at struct boundaries. Every reader here throws GuardError
// (or lib0's errors on truncated input) for bytes Yjs would not accept.
import * as decoding from 'lib0/decoding';

// Yjs content refs (the low 5 bits of an Item's info byte) and info flags, v1 encoding.
export const REF_GC = 0;
const REF_DELETED = 1;
const REF_JSON = 2;
const REF_BINARY = 3;
const REF_STRING = 4;
const REF_EMBED = 5;
const REF_FORMAT = 6;
const REF_TYPE = 7;
const REF_ANY = 8;
const REF_DOC = 9;
export const REF_SKIP = 10;
const HAS_ORIGIN = 0x80;
const HAS_RIGHT_ORIGIN = 0x40;
const HAS_PARENT_SUB = 0x20;
const TYPE_REF_XML_ELEMENT = 3;
const TYPE_REF_XML_HOOK = 5;
const TYPE_REF_MAX = 6;

/** A struct's content as far as the schema cares. */
export type Content =
  | { kind: 'deleted' }
  | { kind: 'binary'; bytes: number; data: Uint8Array }
  | { kind: 'string'; length: number }
  | { kind: 'other'; name: string };

export class GuardError extends Error {}

export interface ItemView {
  /** Root name when the parent is written as one; null when inherited from a neighbour. */
  root: string | null;
  nested: boolean;
  key: string | null;
  content: Content;
  length: number;
}

/** Reads one Item after its info byte, exactly as Yjs's UpdateDecoderV1 + readItemContent do. */
export function readItem(decoder: decoding.Decoder, info: number): ItemView {
  if (info & HAS_ORIGIN) readId(decoder);
  if (info & HAS_RIGHT_ORIGIN) readId(decoder);
  let root: string | null = null;
  let nested = false;
  let key: string | null = null;
  if ((info & (HAS_ORIGIN | HAS_RIGHT_ORIGIN)) === 0) {
    if (decoding.readVarUint(decoder) === 1) root = readShortString(decoder);
    else {
      readId(decoder);
      nested = true;
    }
    if (info & HAS_PARENT_SUB) key = readShortString(decoder);
  }
  const { content, length } = readContent(decoder, info & 0x1f);
  return { root, nested, key, content, length };
}

export function readId(decoder: decoding.Decoder): void {
  decoding.readVarUint(decoder);
  decoding.readVarUint(decoder);
}

export function readContent(decoder: decoding.Decoder, ref: number): { content: Content; length: number } {
  switch (ref) {
    case REF_DELETED:
      return { content: { kind: 'deleted' }, length: decoding.readVarUint(decoder) };
    case REF_BINARY: {
      const data = decoding.readVarUint8Array(decoder);
      return { content: { kind: 'binary', bytes: data.byteLength, data }, length: 1 };
    }
    case REF_STRING: {
      // Yjs counts a string item's length in UTF-16 code units of the decoded string.
      const length = decoding.readVarString(decoder).length;
      return { content: { kind: 'string', length }, length };
    }
    case REF_JSON: {
      const n = decoding.readVarUint(decoder);
      for (let i = 0; i < n; i++) {
        const json = decoding.readVarString(decoder);
        if (json !== 'undefined') JSON.parse(json);
      }
      return { content: { kind: 'other', name: 'JSON content' }, length: n };
    }
    case REF_EMBED:
      JSON.parse(decoding.readVarString(decoder));
      return { content: { kind: 'other', name: 'embed content' }, length: 1 };
    case REF_FORMAT:
      decoding.readVarString(decoder);
      JSON.parse(decoding.readVarString(decoder));
      return { content: { kind: 'other', name: 'format content' }, length: 1 };
    case REF_TYPE: {
      const typeRef = decoding.readVarUint(decoder);
      if (typeRef > TYPE_REF_MAX) throw new GuardError(`type ref ${typeRef}`);
      if (typeRef === TYPE_REF_XML_ELEMENT || typeRef === TYPE_REF_XML_HOOK) decoding.readVarString(decoder);
      return { content: { kind: 'other', name: 'a nested type' }, length: 1 };
    }
    case REF_ANY: {
      const n = decoding.readVarUint(decoder);
      for (let i = 0; i < n; i++) decoding.readAny(decoder);
      return { content: { kind: 'other', name: 'any content' }, length: n };
    }
    case REF_DOC:
      decoding.readVarString(decoder);
      decoding.readAny(decoder);
      return { content: { kind: 'other', name: 'a subdocument' }, length: 1 };
    default:
      throw new GuardError(`content ref ${ref}`);
  }
}

/** Strings up to this many bytes that are all ASCII are built without a TextDecoder. */
const SHORT_ASCII = 256;

/**
 * lib0's readVarString, with a fast path for short ASCII strings (root names and map keys: two
 * per struct, 200,000 for a late joiner's 100,000 entries). A TextDecoder call costs Chromium
 * far more per short string than building it from char codes; the result is the same string.
 */
export function readShortString(decoder: decoding.Decoder): string {
  const start = decoder.pos;
  const length = decoding.readVarUint(decoder);
  const end = decoder.pos + length;
  if (length <= SHORT_ASCII && end <= decoder.arr.length) {
    const bytes = decoder.arr.subarray(decoder.pos, end);
    let ascii = true;
    for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) ascii = false;
    if (ascii) {
      decoder.pos = end;
      return String.fromCharCode.apply(null, bytes as unknown as number[]);
    }
  }
  decoder.pos = start;
  return decoding.readVarString(decoder);
}

