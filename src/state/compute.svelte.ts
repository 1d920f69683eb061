// The Compute view's state for the open economy: the donor loop of this tab, the owner's posting,
// and a watch per job of mine. They belong to one economy session: when the active economy
// changes (or closes) they are closed and made anew for the next one, so a donor never keeps
// computing for an economy the person switched away from.
import type { Economies } from './economies.svelte';
import type { EconomySession } from '../net/economy-session';
import type { ComputePool } from '../compute';
import { ComputeDonor } from './compute-donor.svelte';
import { ComputeOwner } from './compute-owner.svelte';
import { JobWatch } from './compute-job-watch.svelte';

export interface ComputeDeps {
  economies: Economies;
  createPool: (size: number) => ComputePool;
  cores: number;
  now: () => number;
}

/** Jobs of mine watched at once (each keeps its room joined); older ones open on demand. */
const MAX_WATCHED = 12;

export class Compute {
  readonly #deps: ComputeDeps;
  #session: EconomySession | null = null;
  #donor: ComputeDonor | null = null;
  #owner: ComputeOwner | null = null;
  readonly #watches = new Map<string, JobWatch>();

  constructor(deps: ComputeDeps) {
    this.#deps = deps;
  }

  /** The open economy's session, switching the per-economy state when it changed. */
  #current(): EconomySession | null {
    const session = this.#deps.economies.active?.session ?? null;
    if (session !== this.#session) {
      this.#donor?.close();
      for (const w of this.#watches.values()) w.close();
      this.#watches.clear();
      this.#session = session;
      const active = this.#deps.economies.active;
      this.#donor = session ? new ComputeDonor({
        session, createPool: this.#deps.createPool, now: this.#deps.now, cores: this.#deps.cores,
        // Presence says "donating" (with workers and speed) while this tab donates.
        // (Not once the economy was switched away from: its session is closed.)
        onOffer: (offer) => {
          if (active && this.#deps.economies.active === active) active.setDonorOffer(offer);
        },
      }) : null;
      this.#owner = session ? new ComputeOwner(session, this.#deps.now) : null;
    }
    return session;
  }

  get donor(): ComputeDonor | null {
    this.#current();
    return this.#donor;
  }

  get owner(): ComputeOwner | null {
    this.#current();
    return this.#owner;
  }

  /** Watches of my newest jobs (rooms joined: inputs served, results received). */
  myJobs(): JobWatch[] {
    const session = this.#current();
    const owner = this.#owner;
    if (!session || !owner) return [];
    const jobs = owner.myJobs().slice(0, MAX_WATCHED);
    const wanted = new Set(jobs.map((j) => j.id));
    for (const [id, watch] of this.#watches) {
      if (!wanted.has(id)) {
        watch.close();
        this.#watches.delete(id);
      }
    }
    return jobs.map((j) => {
      let watch = this.#watches.get(j.id);
      if (!watch) this.#watches.set(j.id, (watch = new JobWatch(session, j.id)));
      return watch;
    });
  }
}
