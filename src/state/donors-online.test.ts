// The donors-online sampler against an in-memory settings store and a fake economy: samples when
// presence changes, keeps them per economy across a reload, and samples nothing while offline.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemorySettingsStore } from '../net/settings-store';
import type { Presence } from '../net/presence';
import type { ActiveEconomy } from './active-economy.svelte';
import { DonorsOnline } from './donors-online.svelte';

class FakeEconomy {
  online: Presence[] = [];
  #listeners = new Set<() => void>();
  readonly session = {
    subscribe: (f: () => void) => {
      this.#listeners.add(f);
      return () => this.#listeners.delete(f);
    },
    get online() {
      return economy.online;
    },
  };
  constructor(readonly id: string, readonly epochMs = 60_000) {}
  /** A presence change: the session notifies its subscribers. */
  set(rows: Presence[]) {
    this.online = rows;
    for (const f of this.#listeners) f();
  }
}
let economy: FakeEconomy;

const donor = (account: string, workers?: number): Presence => ({ account, name: account.slice(0, 3), colour: '#123456', activity: 'donating', ...(workers ? { workers } : {}) });

describe('DonorsOnline', () => {
  let now = 1_000_000;
  beforeEach(() => {
    vi.useFakeTimers();
    vi.stubGlobal('document', { visibilityState: 'visible', addEventListener() {}, removeEventListener() {} });
    vi.stubGlobal('addEventListener', () => {});
    vi.stubGlobal('removeEventListener', () => {});
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  const flush = async () => {
    await vi.advanceTimersByTimeAsync(0);
  };

  it('records a sample when presence changes, saves it per economy, and reads it back after a reload', async () => {
    const store = createMemorySettingsStore();
    economy = new FakeEconomy('e1');
    let active: FakeEconomy | null = economy;
    const make = () => new DonorsOnline({ active: () => active as unknown as ActiveEconomy, store, now: () => now, reachable: () => true });
    const sampler = make();
    sampler.start();
    await flush();
    expect(sampler.samples.map((s) => s.donors)).toEqual([0]);
    now += 10_000;
    economy.set([donor('a'.repeat(64), 3), donor('b'.repeat(64))]);
    await flush();
    expect(sampler.samples.at(-1)).toEqual({ time: now, donors: 2, milliCores: 4_000 });
    // Written within a few seconds (coalesced), under the economy's key.
    now += 5_000;
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await store.read('donors-online:e1')).toEqual(sampler.samples);
    sampler.stop();

    // A reload: the stored samples come back, and new ones follow them.
    const again = make();
    again.start();
    await flush();
    expect(again.samples.slice(0, 2).map((s) => s.donors)).toEqual([0, 2]);
    // Another economy: its own (empty) list, the first one's untouched.
    active = economy = new FakeEconomy('e2');
    now += 10_000;
    await vi.advanceTimersByTimeAsync(2_500);
    expect(again.samples.map((s) => s.donors)).toEqual([0]);
    expect(((await store.read('donors-online:e1')) as unknown[]).length).toBeGreaterThanOrEqual(2);
    again.stop();
  });

  it('samples nothing while the device is offline (unobserved, not "no donors")', async () => {
    const store = createMemorySettingsStore();
    economy = new FakeEconomy('e3');
    let reachable = false;
    const sampler = new DonorsOnline({ active: () => economy as unknown as ActiveEconomy, store, now: () => now, reachable: () => reachable });
    sampler.start();
    await flush();
    economy.set([donor('c'.repeat(64))]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sampler.samples).toEqual([]);
    reachable = true;
    await vi.advanceTimersByTimeAsync(2_500);
    expect(sampler.samples.map((s) => s.donors)).toEqual([1]);
    sampler.stop();
  });
});
