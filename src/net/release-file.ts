// A release's file cut into chunks: sizes, hashes and the root that the signed release-post names
// (docs/RELEASES-WIRE.md). chunksRoot = SHA-256 of the concatenation of every chunk's SHA-256, in
// order; the whole file's SHA-256 is signed too. Hashing uses WebCrypto (browsers and Node 20):
// a 256 KiB chunk is large enough that the async digest beats the plain-TypeScript one.

export const RELEASE_CHUNK_BYTES = 256 * 1024;

export interface ReleaseFileInfo {
  size: number;
  chunkSize: number;
  /** SHA-256 of the concatenated chunk hashes. */
  chunksRoot: Uint8Array;
  /** SHA-256 of the whole file. */
  sha256: Uint8Array;
}

export function chunkCountOf(size: number, chunkSize: number): number {
  return Math.ceil(size / chunkSize);
}

/** Bytes of chunk `index` (the last one may be short). */
export function chunkLengthOf(size: number, chunkSize: number, index: number): number {
  return Math.min(chunkSize, size - index * chunkSize);
}

export async function digest(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Hashes every chunk of `file`: the concatenated hash list, its root and the file's SHA-256. */
export async function describeFile(file: Uint8Array, chunkSize = RELEASE_CHUNK_BYTES): Promise<ReleaseFileInfo & { hashes: Uint8Array }> {
  const n = chunkCountOf(file.length, chunkSize);
  const hashes = new Uint8Array(n * 32);
  for (let i = 0; i < n; i++) {
    hashes.set(await digest(file.subarray(i * chunkSize, i * chunkSize + chunkLengthOf(file.length, chunkSize, i))), i * 32);
  }
  return { size: file.length, chunkSize, chunksRoot: await digest(hashes), sha256: await digest(file), hashes };
}
