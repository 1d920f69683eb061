// Limits every kernel (catalog or user-supplied) must respect. They are checked twice: at upload
// by the owner (checkModule, so the owner reads which limit a module breaks) and again by every
// donor before running a module (a hostile owner can skip the upload page). See docs/KERNELS.md.
//
// Why these numbers: a module travels through a job's room over WebRTC in 16 KiB frames, so it is
// kept small; a donor's tab runs one instance per worker (hardwareConcurrency − 1), so memory is
// capped per instance at an amount a phone can afford a few times over.

export const KERNEL_LIMITS = {
  /** Bytes of the .wasm file. */
  moduleBytes: 256 * 1024,
  /** Declared maximum of the one memory, in 64 KiB pages (32 MiB). A maximum is required. */
  memoryPages: 512,
  /** Functions defined in the module (imports are refused anyway). */
  functions: 1_000,
  /** Elements of the one table, by its declared maximum (or initial size when no maximum). */
  tableElements: 1_000,
  /** Input bytes of one work unit. */
  inputBytes: 1024 * 1024,
  /** Output bytes of one work unit. */
  outputBytes: 1024 * 1024,
} as const;

export type KernelLimits = typeof KERNEL_LIMITS;
