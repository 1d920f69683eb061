// Economy ids bind the founder: id = the first 16 bytes of
//   SHA-256( "hourmesh-economy-v2" ‖ founder public key (32 bytes) ‖ nonce (16 bytes) ),
// as 32 lowercase hex characters. The founder (the only author whose economy-settings entries
// count) is therefore not a free claim of an invite: an invite carries the founder key and the
// nonce, and a joiner recomputes the id from them. Naming another founder for a known id would
// need a second preimage of a 128-bit truncated SHA-256. A new economy's nonce is random, so one
// founder can found many economies.
import { parseHex, toHex } from './bytes';
import { sha256Sync } from './sha256';

export const ECONOMY_NONCE_BYTES = 16;
const DOMAIN = new TextEncoder().encode('hourmesh-economy-v2');

/** The economy id of (founder, nonce); undefined when either is not lowercase hex of the right size. */
export function economyIdOf(founderHex: string, nonceHex: string): string | undefined {
  const founder = parseHex(founderHex);
  const nonce = parseHex(nonceHex);
  if (!founder || founder.length !== 32 || !nonce || nonce.length !== ECONOMY_NONCE_BYTES) return undefined;
  const input = new Uint8Array(DOMAIN.length + 32 + ECONOMY_NONCE_BYTES);
  input.set(DOMAIN);
  input.set(founder, DOMAIN.length);
  input.set(nonce, DOMAIN.length + 32);
  return toHex(sha256Sync(input).subarray(0, 16));
}
