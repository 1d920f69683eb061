// Epochs and the epoch length in economy-settings: fixed once, by the founder, compatibly encoded.
import { beforeAll, describe, expect, it } from 'vitest';
import { createSimulationKeys, type MemoryCrypto } from './crypto-port-memory';
import { ledgerOf, TestAuthor } from './credit-test-kit';
import { DEFAULT_EPOCH_MS, describeEpochLength, epochEnd, epochOf, epochStart, lastCompleteEpoch } from './epochs';
import { decodeKindBody, encodeKindBody } from './kinds';
import { toHex } from './bytes';

const T0 = 1_700_000_000_000;
const NOW = T0 + 3_600_000;
let memory: MemoryCrypto;
let founder: TestAuthor, bob: TestAuthor;

beforeAll(async () => {
  const keys = await createSimulationKeys(globalThis.crypto.subtle, 2, 0xe90c);
  memory = keys.memory;
  [founder, bob] = keys.signers.map((s) => new TestAuthor(s, memory.port)) as [TestAuthor, TestAuthor];
});

function reset(): void {
  founder.head = undefined;
  bob.head = undefined;
}
const limits = { MH: 10_000, CH: 10_000 };

describe('epochs', () => {
  it('numbers epochs from the Unix epoch, so a day is a UTC day', () => {
    const day = DEFAULT_EPOCH_MS;
    const t = Date.UTC(2026, 10, 26, 13, 0);
    expect(epochStart(epochOf(t, day), day)).toBe(Date.UTC(2026, 10, 26));
    expect(epochEnd(epochOf(t, day), day)).toBe(Date.UTC(2026, 10, 27));
    expect(epochOf(Date.UTC(2026, 10, 27) - 1, day)).toBe(epochOf(t, day));
    expect(lastCompleteEpoch(t, day)).toBe(epochOf(t, day) - 1);
    expect(describeEpochLength(day)).toBe('1 day');
    expect(describeEpochLength(300_000)).toBe('5 minutes');
    expect(describeEpochLength(90_000)).toBe('90 seconds');
  });
});

describe('epoch length in economy-settings', () => {
  it('keeps the old two-field body valid and adds the length as an optional third varuint', () => {
    const old = encodeKindBody('economy-settings', { creditLimit: limits });
    const withLength = encodeKindBody('economy-settings', { creditLimit: limits, epochMs: 300_000 });
    expect(withLength.length).toBe(old.length + 3);
    expect(decodeKindBody(3, old, 'a'.repeat(64))).toEqual({ ok: true, body: { creditLimit: limits } });
    expect(decodeKindBody(3, withLength, 'a'.repeat(64))).toEqual({ ok: true, body: { creditLimit: limits, epochMs: 300_000 } });
  });

  it('refuses lengths out of range and a truncated or padded third field', () => {
    const author = 'a'.repeat(64);
    for (const epochMs of [0, 999, 366 * DEFAULT_EPOCH_MS + 1]) {
      const bytes = encodeKindBody('economy-settings', { creditLimit: limits, epochMs });
      expect(decodeKindBody(3, bytes, author)).toMatchObject({ ok: false, error: expect.stringContaining('epoch length') });
    }
    const good = encodeKindBody('economy-settings', { creditLimit: limits, epochMs: 300_000 });
    expect(decodeKindBody(3, good.slice(0, -1), author).ok).toBe(false);
    const padded = new Uint8Array([...good, 0]);
    expect(decodeKindBody(3, padded, author)).toMatchObject({ ok: false, error: expect.stringContaining('trailing') });
    expect(toHex(good)).not.toBe(toHex(padded));
  });

  it('is fixed by the founder’s first settings entry; a later entry may omit or repeat it, not change it', async () => {
    reset();
    const first = await founder.sign(T0 + 100, 'economy-settings', { creditLimit: limits, epochMs: 300_000 });
    const omits = await founder.sign(T0 + 200, 'economy-settings', { creditLimit: { MH: 5_000, CH: 5_000 } }, 1);
    const repeats = await founder.sign(T0 + 300, 'economy-settings', { creditLimit: limits, epochMs: 300_000 }, 2);
    const changes = await founder.sign(T0 + 400, 'economy-settings', { creditLimit: { MH: 1, CH: 1 }, epochMs: 60_000 }, 3);
    const l = await ledgerOf(memory.port, founder.id, NOW, [changes, repeats, omits, first]);
    expect(l.statusOf(first.id)).toEqual({ state: 'applied' });
    expect(l.statusOf(omits.id)).toEqual({ state: 'applied' });
    expect(l.statusOf(repeats.id)).toEqual({ state: 'applied' });
    expect(l.statusOf(changes.id)).toEqual({ state: 'rejected', reason: 'the epoch length is fixed at 5 minutes for this economy' });
    expect(l.settings.epochMs).toBe(300_000);
    // The rejected entry changed nothing else either: its limits did not apply.
    expect(l.creditLimit('MH')).toBe(10_000);
  });

  it('an economy whose first settings entry names no length has day epochs for good', async () => {
    reset();
    const first = await founder.sign(T0 + 100, 'economy-settings', { creditLimit: limits });
    const later = await founder.sign(T0 + 200, 'economy-settings', { creditLimit: limits, epochMs: 60_000 }, 1);
    const l = await ledgerOf(memory.port, founder.id, NOW, [first, later]);
    expect(l.statusOf(later.id)).toMatchObject({ state: 'rejected', reason: expect.stringContaining('fixed at 1 day') });
    expect(l.settings.epochMs).toBe(DEFAULT_EPOCH_MS);
  });

  it('a non-founder cannot fix the length, even before the founder does', async () => {
    reset();
    const forged = await bob.sign(T0 + 50, 'economy-settings', { creditLimit: limits, epochMs: 1_000 });
    const first = await founder.sign(T0 + 100, 'economy-settings', { creditLimit: limits, epochMs: 600_000 });
    const l = await ledgerOf(memory.port, founder.id, NOW, [forged, first]);
    expect(l.statusOf(forged.id)).toMatchObject({ state: 'rejected' });
    expect(l.settings.epochMs).toBe(600_000);
  });

  it('initial settings with a length fix it before any entry', async () => {
    reset();
    const first = await founder.sign(T0 + 100, 'economy-settings', { creditLimit: limits, epochMs: 600_000 });
    const l = await ledgerOf(memory.port, founder.id, NOW, [first], { creditLimit: limits, newcomerCredit: { MH: 0, CH: 0 }, epochMs: 60_000 });
    expect(l.statusOf(first.id)).toMatchObject({ state: 'rejected', reason: expect.stringContaining('fixed at 1 minute') });
  });
});
