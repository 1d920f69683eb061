// Cuts one big Yjs v1 update into several smaller ones, at struct boundaries.
//
// Why: the answer to a late joiner's sync step 1 is the whole document (25 MiB for 100,000
// entries). Sent as one message, the receiver can do nothing with it until its last byte arrives,
// and then parses and applies all of it in one go. Sent as slices of about a MiB (docs/PROTOCOL.md
// §4, "Step 2 in slices"), the receiver checks and applies each slice while the next ones are still
// on the wire.
//
// A v1 update is, per client, a run of structs with consecutive clocks (the run's first clock is
// written once), then a delete set. A struct's bytes do not depend on where its run starts (its
// origins are absolute ids), so a slice is a set of sub-runs, one per client at most, whose bytes
// are copied verbatim under a new header. Each client's structs keep their clock order across the
// slices, so applying the slices in order integrates every struct at once (nothing waits in Yjs's
// pending set for a gap to fill). The delete set travels with the last slice.
//
// Applying the slices in order gives exactly the document the whole update gives: same structs,
// same delete set.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { readItem, REF_GC, REF_SKIP } from './update-structs';

/** Target size of one slice (a slice holding a single larger struct is that struct's size). */
export const UPDATE_SLICE_BYTES = 1024 * 1024;

/** One client's structs inside a slice: bytes [from, to) of the update, `count` structs from `clock`. */
interface Part {
  client: number;
  clock: number;
  count: number;
  from: number;
  to: number;
}

/**
 * `update` cut into updates of at most about `maxBytes` each (never more than one struct over),
 * to be applied in order. An update that fits, or that does not parse (it is returned whole:
 * nothing here judges bytes, the receiver's guard does), is the only element.
 */
export function sliceUpdate(update: Uint8Array, maxBytes = UPDATE_SLICE_BYTES): Uint8Array[] {
  if (update.byteLength <= maxBytes) return [update];
  const slices: Part[][] = [];
  let deleteSetAt: number;
  try {
    const decoder = decoding.createDecoder(update);
    let current: Part[] = [];
    let size = 0;
    const clients = decoding.readVarUint(decoder);
    for (let c = 0; c < clients; c++) {
      const structs = decoding.readVarUint(decoder);
      const client = decoding.readVarUint(decoder);
      let clock = decoding.readVarUint(decoder);
      let part: Part | null = null;
      for (let s = 0; s < structs; s++) {
        const start = decoder.pos;
        const info = decoding.readUint8(decoder);
        const length = info === REF_GC || info === REF_SKIP ? decoding.readVarUint(decoder) : readItem(decoder, info).length;
        const bytes = decoder.pos - start;
        if (size > 0 && size + bytes > maxBytes) {
          slices.push(current);
          current = [];
          size = 0;
          part = null;
        }
        if (!part) {
          part = { client, clock, count: 0, from: start, to: start };
          current.push(part);
          size += 16; // the part's header, at most
        }
        part.count += 1;
        part.to = decoder.pos;
        size += bytes;
        clock += length;
      }
    }
    if (current.length > 0) slices.push(current);
    deleteSetAt = decoder.pos;
  } catch {
    return [update];
  }
  if (slices.length <= 1) return [update];
  const deleteSet = update.subarray(deleteSetAt);
  return slices.map((parts, i) => {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, parts.length);
    for (const part of parts) {
      encoding.writeVarUint(encoder, part.count);
      encoding.writeVarUint(encoder, part.client);
      encoding.writeVarUint(encoder, part.clock);
      encoding.writeUint8Array(encoder, update.subarray(part.from, part.to));
    }
    if (i === slices.length - 1) encoding.writeUint8Array(encoder, deleteSet);
    else encoding.writeVarUint(encoder, 0);
    return encoding.toUint8Array(encoder);
  });
}
