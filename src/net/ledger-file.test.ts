import { describe, expect, it } from 'vitest';
import { decodeLedgerFile, encodeLedgerFile } from './ledger-file';

describe('ledger files', () => {
  it('round-trip entries of any allowed size', () => {
    const entries = [new Uint8Array([1]), new Uint8Array(300).fill(7), new Uint8Array(4096).fill(9)];
    expect(decodeLedgerFile(encodeLedgerFile(entries))).toEqual({ ok: true, entries });
    expect(decodeLedgerFile(encodeLedgerFile([]))).toEqual({ ok: true, entries: [] });
  });
  it('say what is wrong with a foreign, truncated or damaged file', () => {
    const file = encodeLedgerFile([new Uint8Array(10).fill(1), new Uint8Array(10).fill(2)]);
    expect(decodeLedgerFile(new TextEncoder().encode('{"json":true}'))).toMatchObject({ ok: false, error: expect.stringContaining('not a hourmesh ledger') });
    expect(decodeLedgerFile(file.slice(0, file.length - 3))).toMatchObject({ ok: false, error: expect.stringContaining('after 1 entries') });
    const wrongVersion = file.slice();
    wrongVersion[17] = 9;
    expect(decodeLedgerFile(wrongVersion)).toMatchObject({ ok: false, error: expect.stringContaining('another version') });
  });
});
