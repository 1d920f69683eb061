import { describe, expect, it } from 'vitest';
import type { HistoryItem } from '../core';
import { accountChanges, filterHistory, foldForSearch, isFiltered, newIncoming, NO_FILTER, statementHref, statementMemberOf, statementWith } from './history-view';

const bob = 'b'.repeat(64);
const carol = 'c'.repeat(64);
let n = 0;
function item(fields: Partial<HistoryItem>): HistoryItem {
  n++;
  return { entryId: `e${n}`, time: n, kind: 'transfer', status: 'applied', ...fields };
}

const history: HistoryItem[] = [
  item({ kind: 'profile' }),
  item({ kind: 'profile' }),
  item({ counterparty: bob, currency: 'MH', delta: 2000, memo: 'Code review' }),
  item({ counterparty: bob, currency: 'CH', delta: -1500, memo: 'render job' }),
  item({ kind: 'vouch', counterparty: carol, currency: 'MH', stake: 5000, role: 'voucher' }),
  item({ counterparty: carol, currency: 'MH', delta: -250, memo: 'Café' }),
  item({ status: 'rejected', reason: 'over the limit' }),
  item({ kind: 'economy-settings' }),
  item({ counterparty: bob, currency: 'MH', delta: -500 }),
  item({ kind: 'profile' }),
];

describe('history filters', () => {
  it('lists payments and stakes, never account changes', () => {
    expect(filterHistory(history, NO_FILTER).map((i) => i.kind)).toEqual(['transfer', 'transfer', 'vouch', 'transfer', 'transfer', 'transfer']);
    expect(isFiltered(NO_FILTER)).toBe(false);
  });
  it('filters by currency, member and kind, together', () => {
    expect(filterHistory(history, { ...NO_FILTER, currency: 'CH' }).map((i) => i.memo)).toEqual(['render job']);
    expect(filterHistory(history, { ...NO_FILTER, member: carol }).map((i) => i.kind)).toEqual(['vouch', 'transfer']);
    expect(filterHistory(history, { ...NO_FILTER, kind: 'stake' }).map((i) => i.kind)).toEqual(['vouch']);
    expect(filterHistory(history, { ...NO_FILTER, member: bob, currency: 'MH' }).map((i) => i.delta)).toEqual([2000, -500]);
    expect(isFiltered({ ...NO_FILTER, text: ' x ' })).toBe(true);
  });
  it('searches memos without case or accents', () => {
    expect(filterHistory(history, { ...NO_FILTER, text: 'CODE' }).map((i) => i.delta)).toEqual([2000]);
    expect(filterHistory(history, { ...NO_FILTER, text: ' cafe ' }).map((i) => i.delta)).toEqual([-250]);
    expect(filterHistory(history, { ...NO_FILTER, text: 'nothing like it' })).toEqual([]);
    expect(foldForSearch('ÉCOLE')).toBe('ecole');
  });
  it('folds every applied profile entry into the latest (a rename signs two), settings each their own', () => {
    const changes = accountChanges(history);
    expect(changes.map((c) => [c.item.kind, c.count])).toEqual([['economy-settings', 1], ['profile', 3]]);
    expect(changes[1]!.item.entryId).toBe(history[9]!.entryId);
  });
  it('keeps a rejected profile entry apart', () => {
    const list = [item({ kind: 'profile' }), item({ kind: 'profile', status: 'rejected', reason: 'x' }), item({ kind: 'economy-settings' })];
    expect(accountChanges(list).map((c) => [c.item.status, c.count])).toEqual([['applied', 1], ['rejected', 1], ['applied', 1]]);
  });
});

describe('statement with one member', () => {
  it('lists applied transfers between us with totals and net per currency, stakes apart', () => {
    const s = statementWith(history, bob);
    expect(s.transfers.map((t) => t.delta)).toEqual([2000, -1500, -500]);
    expect(s.totals.MH).toEqual({ sent: 500, received: 2000, net: 1500 });
    expect(s.totals.CH).toEqual({ sent: 1500, received: 0, net: -1500 });
    const c = statementWith(history, carol);
    expect(c.transfers).toHaveLength(1);
    expect(c.totals.MH).toEqual({ sent: 250, received: 0, net: -250 });
  });
});

describe('incoming notices', () => {
  it('names only applied incoming transfers not seen before', () => {
    const seen = new Set(history.slice(0, 3).map((i) => i.entryId));
    expect(newIncoming(history, seen)).toEqual([]);
    const later = [...history, item({ counterparty: carol, currency: 'CH', delta: 750 }), item({ counterparty: carol, currency: 'MH', delta: -1 })];
    expect(newIncoming(later, seen).map((i) => i.delta)).toEqual([750]);
    expect(newIncoming(history, new Set()).map((i) => i.delta)).toEqual([2000]);
  });
});

describe('statement addresses', () => {
  it('round-trips a member and refuses anything else', () => {
    expect(statementMemberOf(statementHref(bob))).toBe(bob);
    expect(statementMemberOf('#/wallet')).toBeUndefined();
    expect(statementMemberOf(`#/wallet/with/${bob}x`)).toBeUndefined();
  });
});
