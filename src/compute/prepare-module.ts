// prepareUserModule: checkModule, then NaN canonicalization (binaryen's denan pass, loaded lazily).
import type { PreparedModule } from './types';
import { checkModule } from './check-module';

export async function prepareUserModule(bytes: Uint8Array): Promise<PreparedModule> {
  const check = checkModule(bytes);
  if (!check.ok) return check;
  return { ok: false, reason: 'not implemented yet' };
}
