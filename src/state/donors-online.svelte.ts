// Donors online, as this peer sees them while the app is open: a sample of the open economy's
// presence (how many members donate, how many reference cores they advertise) when it changes
// and at least every sampleEvery(epoch length) (core/donor-capacity.ts), kept per economy in the
// settings store under `donors-online:<economy id>`, at most MAX_SAMPLES of them.
// It is this device's own observation of unsigned presence: the dashboard charts it and the
// forecast counts it as CH supply for its requests; it is never shared nor used for money.
// While the device is offline nothing is sampled (the time is unobserved, not "no donors").
import { appendSample, checkSamples, sampleDonors, sampleDue, sampleEvery, type DonorSample } from '../core';
import type { SettingsStore } from '../net/settings-store';
import type { ActiveEconomy } from './active-economy.svelte';

export interface DonorsOnlineDeps {
  /** The open economy now (null: none). */
  active: () => ActiveEconomy | null;
  store: SettingsStore;
  now: () => number;
  /** Whether the device reaches the network (OnlineStatus). */
  reachable: () => boolean;
}

/** How often the sampler looks (a change is recorded within this; the epoch's period bounds the rest). */
const TICK_MS = 2_500;
/** Writes are coalesced: at most one per this many ms, plus one when the page is hidden. */
const WRITE_MS = 5_000;

const keyOf = (economyId: string) => `donors-online:${economyId}`;

export class DonorsOnline {
  readonly #deps: DonorsOnlineDeps;
  #economy: ActiveEconomy | null = null;
  #samples = $state.raw<DonorSample[]>([]);
  /** Samples loaded for this economy yet (nothing is recorded before, or the stored list would be overwritten). */
  #loaded = false;
  #dirty = false;
  #lastWrite = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #unsubscribe: (() => void) | null = null;
  #flush = () => {
    if (document.visibilityState === 'hidden') void this.#write();
  };

  constructor(deps: DonorsOnlineDeps) {
    this.#deps = deps;
  }

  /** The open economy's samples, oldest first. */
  get samples(): readonly DonorSample[] {
    return this.#samples;
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
    document.addEventListener('visibilitychange', this.#flush);
    addEventListener('pagehide', this.#flush);
    this.#tick();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    document.removeEventListener('visibilitychange', this.#flush);
    removeEventListener('pagehide', this.#flush);
    void this.#write();
  }

  #tick(): void {
    const active = this.#deps.active();
    if (active !== this.#economy) void this.#switchTo(active);
    this.#sample();
    if (this.#dirty && this.#deps.now() - this.#lastWrite >= WRITE_MS) void this.#write();
  }

  async #switchTo(active: ActiveEconomy | null): Promise<void> {
    // Switched synchronously (the next tick must not switch again while this one waits); the
    // previous economy's unsaved samples are written from what they were.
    const previous = this.#economy;
    const unsaved = this.#dirty && this.#loaded ? this.#samples : null;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#economy = active;
    this.#loaded = false;
    this.#dirty = false;
    this.#samples = [];
    if (previous && unsaved) await this.#deps.store.write(keyOf(previous.id), unsaved).catch(() => undefined);
    if (!active) return;
    const stored = checkSamples(await this.#deps.store.read(keyOf(active.id)));
    if (this.#economy !== active) return;
    this.#samples = stored;
    this.#loaded = true;
    // Presence changes notify the session: a donor switching on is recorded within a moment.
    // (In a microtask: a notification may come while the UI is deriving, where state is not written.)
    this.#unsubscribe = active.session.subscribe(() => queueMicrotask(() => this.#sample()));
    this.#sample();
  }

  #sample(): void {
    const active = this.#economy;
    if (!active || !this.#loaded || !this.#deps.reachable()) return;
    const next = sampleDonors(active.session.online, this.#deps.now());
    const last = this.#samples[this.#samples.length - 1];
    if (!sampleDue(last, next, sampleEvery(active.epochMs))) return;
    this.#samples = appendSample(this.#samples, next);
    this.#dirty = true;
  }

  async #write(): Promise<void> {
    const economy = this.#economy;
    if (!economy || !this.#dirty || !this.#loaded) return;
    this.#dirty = false;
    this.#lastWrite = this.#deps.now();
    // A full disk loses only samples (a local chart), never an entry: nothing to tell the person.
    await this.#deps.store.write(keyOf(economy.id), this.#samples).catch(() => undefined);
  }
}
