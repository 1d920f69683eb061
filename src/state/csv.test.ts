import { describe, expect, it } from 'vitest';
import type { HistoryItem } from '../core';
import { balancesCsv, csvField, csvText, historyCsv, toCsv } from './csv';

/** A minimal RFC 4180 reader, to check that what we write reads back field for field. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') row.push(field), rows.push(row), (row = []), (field = ''), i++;
    else field += c;
  }
  return rows;
}

describe('CSV (RFC 4180)', () => {
  it('quotes only fields with a comma, quote, CR or LF, doubling quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(toCsv([['a', 'b'], ['1', '']])).toBe('a,b\r\n1,\r\n');
  });
  it('reads back exactly what was written', () => {
    const rows = [['x', 'a "b", c', 'line\r\nbreak', '', 'Ünïcødé ✓']];
    expect(parseCsv(toCsv(rows))).toEqual(rows);
  });
  it('keeps formulas in other people\'s text from running in a spreadsheet', () => {
    expect(csvText('=HYPERLINK("x")')).toBe(`'=HYPERLINK("x")`);
    for (const s of ['+1', '-1', '@SUM(A1)', '\tx']) expect(csvText(s).startsWith("'")).toBe(true);
    expect(csvText('thanks')).toBe('thanks');
  });
  it('writes a history with ISO times, signed decimal hours and names', () => {
    const bob = 'b'.repeat(64);
    const items: HistoryItem[] = [
      { entryId: 'e1', time: Date.UTC(2026, 0, 2, 3, 4, 5), kind: 'transfer', status: 'applied', counterparty: bob, currency: 'MH', delta: -1_234_500, memo: 'code, "review"' },
      { entryId: 'e2', time: Date.UTC(2026, 0, 3), kind: 'vouch', status: 'applied', counterparty: bob, currency: 'CH', stake: 5000, role: 'voucher' },
      { entryId: 'e3', time: Date.UTC(2026, 0, 4), kind: 'profile', status: 'applied' },
      { entryId: 'e4', time: Date.UTC(2026, 0, 5), kind: 'transfer', status: 'rejected', reason: 'over the limit, by 2 MH' },
    ];
    const rows = parseCsv(historyCsv(items, (a) => (a === bob ? '=Bob' : a)));
    expect(rows[0]![0]).toBe('time (UTC)');
    expect(rows[1]).toEqual(['2026-01-02T03:04:05.000Z', 'transfer', "'=Bob", bob, 'MH', '-1234.5', '', 'code, "review"', 'applied', '', 'e1']);
    expect(rows[2]!.slice(1, 7)).toEqual(['vouch', "'=Bob", bob, 'CH', '', '5']);
    expect(rows[3]!.slice(1, 3)).toEqual(['profile', '']);
    expect(rows[4]!.slice(8, 10)).toEqual(['rejected', 'over the limit, by 2 MH']);
    expect(rows).toHaveLength(5);
  });
  it('writes members\' balances with credit', () => {
    const csv = balancesCsv([{ account: 'a'.repeat(64), name: 'Alice, A.', balance: { MH: -1750, CH: 0 }, credit: { MH: 10_000, CH: 10_000 } }]);
    expect(parseCsv(csv)).toEqual([
      ['name', 'account', 'MH', 'CH (static)', 'credit MH', 'credit CH'],
      ['Alice, A.', 'a'.repeat(64), '-1.75', '0', '10', '10'],
    ]);
  });
});
