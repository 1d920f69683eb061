// A job's manifest: what a donor needs to compute any of its units, as one blob of the job room.
// The job entry signs its SHA-256 (JobBody.manifest), so a donor that fetched it from anyone knows
// it is the owner's.
//
// Wire format (docs/PROTOCOL.md "Job rooms"):
//   1 byte      version = 1
//   varuint     length of the header, then the header: UTF-8 JSON
//               { "kernel": catalog id | module SHA-256 hex, "params": object (catalog kernels) }
//   varuint     units
//   units ×     varuint length + that unit's input bytes (≤ MAX_UNIT_INPUT_BYTES each)
// The whole manifest is one blob (≤ MAX_JOB_BLOB_BYTES). A manifest whose kernel or unit count
// differs from the signed job entry is not the job's, whatever its hash (checkManifestAgainstJob).
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

export const MANIFEST_VERSION = 1;
export const MAX_UNIT_INPUT_BYTES = 64 * 1024;
const MAX_HEADER_BYTES = 16 * 1024;

export interface JobManifest {
  kernel: string;
  /** The catalog kernel's parameters the owner chose (what the owner's view draws from). */
  params: Record<string, unknown> | null;
  inputs: Uint8Array[];
}

export function encodeManifest(manifest: JobManifest): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeUint8(e, MANIFEST_VERSION);
  encoding.writeVarUint8Array(e, new TextEncoder().encode(JSON.stringify({ kernel: manifest.kernel, params: manifest.params })));
  encoding.writeVarUint(e, manifest.inputs.length);
  for (const input of manifest.inputs) {
    if (input.byteLength > MAX_UNIT_INPUT_BYTES) throw new Error(`A unit input of ${input.byteLength} bytes is over the ${MAX_UNIT_INPUT_BYTES}-byte limit.`);
    encoding.writeVarUint8Array(e, input);
  }
  return encoding.toUint8Array(e);
}

/** The manifest, or null when the bytes are not one (never throws). */
export function decodeManifest(bytes: Uint8Array): JobManifest | null {
  try {
    const d = decoding.createDecoder(bytes);
    if (decoding.readUint8(d) !== MANIFEST_VERSION) return null;
    const header = decoding.readVarUint8Array(d);
    if (header.byteLength > MAX_HEADER_BYTES) return null;
    const parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(header)) as { kernel?: unknown; params?: unknown };
    if (typeof parsed.kernel !== 'string') return null;
    const params = typeof parsed.params === 'object' && parsed.params !== null && !Array.isArray(parsed.params) ? (parsed.params as Record<string, unknown>) : null;
    const units = decoding.readVarUint(d);
    // Each input takes at least one byte (its length): a count beyond the bytes left is a lie.
    if (units > bytes.byteLength) return null;
    const inputs: Uint8Array[] = [];
    for (let i = 0; i < units; i++) {
      const input = decoding.readVarUint8Array(d);
      if (input.byteLength > MAX_UNIT_INPUT_BYTES) return null;
      inputs.push(input);
    }
    if (decoding.hasContent(d)) return null;
    return { kernel: parsed.kernel, params, inputs };
  } catch {
    return null;
  }
}

/** Null when the manifest belongs to a job with this kernel and unit count; else why not. */
export function checkManifestAgainstJob(manifest: JobManifest, job: { kernel: string; units: number }): string | null {
  if (manifest.kernel !== job.kernel) return `the manifest is for kernel ${manifest.kernel}, the job for ${job.kernel}`;
  if (manifest.inputs.length !== job.units) return `the manifest has ${manifest.inputs.length} units, the job ${job.units}`;
  return null;
}
