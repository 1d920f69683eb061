import { describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import { checkManifestAgainstJob, decodeManifest, encodeManifest, MAX_UNIT_INPUT_BYTES } from './job-manifest';

describe('job manifest', () => {
  const manifest = { kernel: 'primes', params: { from: 0, to: 100, units: 2 }, inputs: [new Uint8Array([1, 2]), new Uint8Array([3])] };

  it('round-trips and matches its job', () => {
    const decoded = decodeManifest(encodeManifest(manifest))!;
    expect(decoded).toEqual(manifest);
    expect(checkManifestAgainstJob(decoded, { kernel: 'primes', units: 2 })).toBeNull();
  });

  it('is not the job\'s when kernel or unit count differ', () => {
    expect(checkManifestAgainstJob(manifest, { kernel: 'mandelbrot', units: 2 })).toMatch(/kernel/);
    expect(checkManifestAgainstJob(manifest, { kernel: 'primes', units: 3 })).toMatch(/units/);
  });

  it('reads hostile bytes as null, never throws', () => {
    const good = encodeManifest(manifest);
    expect(decodeManifest(new Uint8Array())).toBeNull();
    expect(decodeManifest(good.subarray(0, good.length - 1))).toBeNull();
    expect(decodeManifest(new Uint8Array([...good, 0]))).toBeNull();
    expect(decodeManifest(new Uint8Array([2, ...good.subarray(1)]))).toBeNull();
    // A unit count of 2^32 in a 20-byte blob: refused before any allocation.
    const e = encoding.createEncoder();
    encoding.writeUint8(e, 1);
    encoding.writeVarUint8Array(e, new TextEncoder().encode('{"kernel":"primes"}'));
    encoding.writeVarUint(e, 2 ** 32);
    expect(decodeManifest(encoding.toUint8Array(e))).toBeNull();
    expect(() => encodeManifest({ ...manifest, inputs: [new Uint8Array(MAX_UNIT_INPUT_BYTES + 1)] })).toThrow(/limit/);
  });
});
