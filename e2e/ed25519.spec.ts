// One verdict in every engine: Chromium's raw WebCrypto verdict on each Ed25519 edge case, with
// our pre-checks (src/core/ed25519-strict.ts) applied, equals the verdict our rule expects, the
// same one Node gives (src/core/ed25519-strict.test.ts). Where raw Chromium and raw Node
// disagree, the pre-checks must be what removes the disagreement; the table is printed for
// docs/SIGNATURES.md.
import { expect, test } from '@playwright/test';
import { parseHex } from '../src/core/bytes';
import { checkPublicKey, checkSignatureEncoding } from '../src/core/ed25519-strict';
import { ED25519_VECTORS } from '../src/core/ed25519-vectors';

interface HexVector {
  message: string;
  publicKey: string;
  signature: string;
}

/** Raw WebCrypto verdicts in this engine: import raw, verify, any failure counts as "reject". */
async function rawVerdicts(vectors: readonly HexVector[]): Promise<boolean[]> {
  const bytes = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
  const out: boolean[] = [];
  for (const v of vectors) {
    try {
      const key = await crypto.subtle.importKey('raw', bytes(v.publicKey), { name: 'Ed25519' }, false, ['verify']);
      out.push(await crypto.subtle.verify('Ed25519', key, bytes(v.signature), bytes(v.message)));
    } catch {
      out.push(false);
    }
  }
  return out;
}

test('Chromium and Node give one verdict on every Ed25519 edge case under our rule', async ({ page }) => {
  await page.goto('/');
  const vectors = ED25519_VECTORS.map(({ message, publicKey, signature }) => ({ message, publicKey, signature }));
  const chromium = await page.evaluate(rawVerdicts, vectors);
  const node = await rawVerdicts(vectors);

  const rows: string[] = [];
  ED25519_VECTORS.forEach((v, i) => {
    const passesPreChecks =
      checkPublicKey(parseHex(v.publicKey)!) === undefined && checkSignatureEncoding(parseHex(v.signature)!) === undefined;
    const verdict = (raw: boolean) => passesPreChecks && raw;
    const mark = (b: boolean) => (b ? 'accept' : 'reject');
    const differs = chromium[i] !== node[i] ? '  <- raw engines disagree' : '';
    rows.push(`${v.name.padEnd(17)} raw Chromium ${mark(chromium[i]!)}  raw Node ${mark(node[i]!)}  ours ${mark(verdict(chromium[i]!))}${differs}`);
    expect({ name: v.name, chromium: verdict(chromium[i]!), node: verdict(node[i]!) })
      .toEqual({ name: v.name, chromium: v.accept, node: v.accept });
  });
  const browser = page.context().browser()?.version() ?? 'unknown';
  const disagree = ED25519_VECTORS.filter((_, i) => chromium[i] !== node[i]).map((v) => v.name);
  console.log(`Chromium ${browser} vs Node ${process.version}:\n${rows.join('\n')}`);
  console.log(`raw Chromium and raw Node disagree on: ${disagree.length ? disagree.join(', ') : 'none'}`);
  // The forgery this rule exists for: raw Chromium accepts the identity key for any message.
  expect(chromium[ED25519_VECTORS.findIndex((v) => v.name === 'identity forgery')]).toBe(true);
});
