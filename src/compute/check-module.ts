// checkModule: refuses a user WebAssembly module that breaks KERNEL_LIMITS, saying which.
import type { ModuleCheck } from './types';

export function checkModule(bytes: Uint8Array): ModuleCheck {
  void bytes;
  return { ok: false, reason: 'not implemented yet' };
}
