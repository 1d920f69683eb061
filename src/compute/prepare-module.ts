// prepareUserModule: what the owner's upload does to a user module before posting it.
//
// 1. checkModule (limits and calling convention; the reason says which).
// 2. Determinism. WebAssembly is deterministic except for NaN bit patterns (and relaxed SIMD,
//    which is non-deterministic by design): measured here, V8 on x64 gives one NaN payload from
//    its baseline compiler and another once optimised, and arm64 differs again, so two honest
//    donors could disagree on a float kernel. Binaryen's `denan` pass rewrites every float result
//    so that a NaN becomes 0, which makes the output independent of the engine. Modules using
//    relaxed SIMD are refused.
//
// Binaryen (the `binaryen` npm package: 14.8 MB of JavaScript with its WebAssembly inlined) is
// imported dynamically, only when a person uploads a module: it is not in the main bundle and,
// being over the service worker's 5 MB file limit, not in the precache. Offline it therefore
// cannot load, and the upload is refused with that reason (docs/KERNELS.md, "Floats and NaN").
import type BinaryenModule from 'binaryen';
import { checkModule } from './check-module';
import type { ModuleInfo, PreparedModule } from './types';

type Binaryen = typeof BinaryenModule;

let loading: Promise<Binaryen> | null = null;

/** Loads binaryen once; a failed load is retried on the next call. */
export function loadBinaryen(): Promise<Binaryen> {
  loading ??= import('binaryen').then((m) => m.default).catch((error: unknown) => {
    loading = null;
    throw error;
  });
  return loading;
}

export async function prepareUserModule(bytes: Uint8Array, load: () => Promise<Binaryen> = loadBinaryen): Promise<PreparedModule> {
  const check = checkModule(bytes);
  if (!check.ok) return check;
  let binaryen: Binaryen;
  try {
    binaryen = await load();
  } catch (error) {
    return {
      ok: false,
      reason: `The tool that makes float results identical on every device (Binaryen) could not be loaded (${(error as Error).message}). ` +
        'It is downloaded when needed: connect to the internet and try again.',
    };
  }
  return canonicalizeNaNs(binaryen, bytes, check.info);
}

/** Step 2 alone (for a module that passed checkModule): denan, or refuse relaxed SIMD. */
export function canonicalizeNaNs(binaryen: Binaryen, bytes: Uint8Array, info: ModuleInfo): PreparedModule {
  let module: ReturnType<Binaryen['readBinary']>;
  try {
    module = binaryen.readBinary(bytes);
  } catch (error) {
    return { ok: false, reason: `It cannot be read for NaN canonicalization: ${(error as Error).message}.` };
  }
  try {
    // Every feature but relaxed SIMD: validation then fails exactly on the non-deterministic ones.
    module.setFeatures(binaryen.Features.All & ~binaryen.Features.RelaxedSIMD);
    if (!module.validate()) {
      return { ok: false, reason: 'It uses relaxed SIMD (whose results differ between devices) or a feature that cannot be made deterministic. A kernel may not.' };
    }
    module.runPasses(['denan']);
    // denan adds its helpers ($deNan32, $deNan64, $deNan128) to every module; a module that calls
    // none of them had no float result to fix and is posted exactly as uploaded.
    if (!/\(call \$deNan(32|64|128)\b/.test(module.emitText())) return { ok: true, bytes, info, denan: 'not-needed' };
    const fixed = module.emitBinary();
    const again = checkModule(fixed);
    if (!again.ok) return { ok: false, reason: `Once its float results are made deterministic: ${again.reason}` };
    return { ok: true, bytes: fixed, info: again.info, denan: 'applied' };
  } finally {
    module.dispose();
  }
}
