import { describe, expect, it } from 'vitest';
import { createWebCryptoPort, generateSigner, toHex, type Signer } from '../core';
import { keyOf, openRecord, parseKey, signRecord, signedBytes, MAX_RECORD_BYTES } from './estimation-wire';

const crypto = createWebCryptoPort(globalThis.crypto.subtle);
const ECONOMY = '0123456789abcdef0123456789abcdef';
const SESSION = 'fedcba9876543210fedcba9876543210';
const SALT = 'ab'.repeat(16);

async function person(): Promise<{ signer: Signer; id: string }> {
  const signer = await generateSigner(globalThis.crypto.subtle);
  return { signer, id: toHex(signer.publicKey) };
}

describe('estimation records', () => {
  it('round-trip every slot', async () => {
    const alice = await person();
    const cases = [
      [keyOf({ type: 'facilitator', n: 0 }), { type: 'facilitator', to: alice.id }],
      [keyOf({ type: 'round', n: 3 }), { type: 'round', task: 'a'.repeat(64), title: 'Login page', round: 2, threePoint: true }],
      [keyOf({ type: 'call', n: 3 }), { type: 'call' }],
      [keyOf({ type: 'reveal', n: 3, account: alice.id }), { type: 'reveal', value: 5000, salt: SALT }],
      [keyOf({ type: 'reveal', n: 4, account: alice.id }), { type: 'reveal', value: '?', salt: SALT }],
      [keyOf({ type: 'reveal', n: 5, account: alice.id }), { type: 'reveal', value: 3167, salt: SALT, threePoint: [1000, 3000, 6000] }],
    ] as const;
    for (const [key, payload] of cases) {
      const bytes = await signRecord(alice.signer, ECONOMY, SESSION, key, payload);
      const opened = await openRecord(crypto, ECONOMY, SESSION, key, bytes);
      expect(opened).toEqual({ ok: true, record: { key, slot: parseKey(key), author: alice.id, payload } });
    }
  });

  it('parse only the documented keys', () => {
    expect(parseKey('f:0')).toEqual({ type: 'facilitator', n: 0 });
    expect(parseKey(`v:9999:${'a'.repeat(64)}`)).toEqual({ type: 'reveal', n: 9999, account: 'a'.repeat(64) });
    for (const bad of ['f:01', 'r:-1', 'r:10000', 'f:0 ', `v:1:${'A'.repeat(64)}`, `c:1:${'a'.repeat(64)}`, 'x', '']) expect(parseKey(bad)).toBeNull();
  });

  describe('hostile records are refused', () => {
    it('a reveal moved to another round, session or economy, or a forged signature', async () => {
      const bob = await person();
      const key = keyOf({ type: 'reveal', n: 1, account: bob.id });
      const bytes = await signRecord(bob.signer, ECONOMY, SESSION, key, { type: 'reveal', value: 2000, salt: SALT });
      expect(await openRecord(crypto, ECONOMY, SESSION, keyOf({ type: 'reveal', n: 2, account: bob.id }), bytes)).toEqual({ ok: false, reason: 'invalid signature' });
      expect(await openRecord(crypto, ECONOMY, '1'.repeat(32), key, bytes)).toEqual({ ok: false, reason: 'invalid signature' });
      expect(await openRecord(crypto, '2'.repeat(32), SESSION, key, bytes)).toEqual({ ok: false, reason: 'invalid signature' });
      const forged = bytes.slice();
      forged[40]! ^= 1;
      expect(await openRecord(crypto, ECONOMY, SESSION, key, forged)).toEqual({ ok: false, reason: 'invalid signature' });
      // The payload changed after signing (a vote altered in transit).
      const altered = await signRecord(bob.signer, ECONOMY, SESSION, key, { type: 'reveal', value: 9000, salt: SALT });
      const spliced = new Uint8Array([...bytes.subarray(0, 96), ...altered.subarray(96)]);
      expect(await openRecord(crypto, ECONOMY, SESSION, key, spliced)).toEqual({ ok: false, reason: 'invalid signature' });
    });

    it("one account's reveal written under another account's key (a fresh key speaking for a member)", async () => {
      const [bob, mallory] = [await person(), await person()];
      const key = keyOf({ type: 'reveal', n: 0, account: bob.id });
      const bytes = await signRecord(mallory.signer, ECONOMY, SESSION, key, { type: 'reveal', value: 40000, salt: SALT });
      expect(await openRecord(crypto, ECONOMY, SESSION, key, bytes)).toEqual({ ok: false, reason: 'written by another account than its key names' });
    });

    it('junk: not bytes, oversized, too short, not JSON, a shape that does not fit its key', async () => {
      const alice = await person();
      expect(await openRecord(crypto, ECONOMY, SESSION, 'f:0', { to: alice.id })).toMatchObject({ ok: false, reason: 'value is not bytes' });
      expect(await openRecord(crypto, ECONOMY, SESSION, 'f:0', new Uint8Array(MAX_RECORD_BYTES + 1))).toMatchObject({ ok: false, reason: 'record too large' });
      expect(await openRecord(crypto, ECONOMY, SESSION, 'f:0', new Uint8Array(90))).toMatchObject({ ok: false, reason: 'record too short' });
      expect(await openRecord(crypto, ECONOMY, SESSION, 'nope', new Uint8Array(200))).toMatchObject({ ok: false, reason: 'unknown key' });
      const raw = async (key: string, json: string) => {
        const body = new TextEncoder().encode(json);
        const sig = await alice.signer.sign(signedBytes(ECONOMY, SESSION, key, body));
        return new Uint8Array([...alice.signer.publicKey, ...sig, ...body]);
      };
      expect(await openRecord(crypto, ECONOMY, SESSION, 'f:0', await raw('f:0', '{"to":'))).toMatchObject({ reason: 'payload is not JSON' });
      const vKey = keyOf({ type: 'reveal', n: 0, account: alice.id });
      for (const json of [
        `{"to":"${alice.id}","extra":1}`,
        `{"value":0,"salt":"${SALT}"}`, // 0 is not an estimate
        `{"value":5000.5,"salt":"${SALT}"}`,
        `{"value":"maybe","salt":"${SALT}"}`,
        `{"value":5000,"salt":"abc"}`,
        `{"value":5000,"salt":"${SALT}","threePoint":[5,3,1]}`, // not ordered
        `{"value":5000,"salt":"${SALT}","note":"hi"}`,
      ]) {
        const key = json.includes('"to"') ? 'f:0' : vKey;
        expect(await openRecord(crypto, ECONOMY, SESSION, key, await raw(key, json))).toMatchObject({ ok: false, reason: 'payload does not fit its key' });
      }
    });
  });

  it('signed bytes start with the domain, never with an entry version byte', () => {
    const bytes = signedBytes(ECONOMY, SESSION, 'f:0', new Uint8Array([0x7b, 0x7d]));
    expect(new TextDecoder().decode(bytes.subarray(0, 21))).toBe('hourmesh-estimate-v1\n');
    expect(bytes[0]).not.toBe(0x02);
  });
});
