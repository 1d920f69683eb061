// Everything the UI reaches, created once by the composition root (main.ts) and passed down.
import type { Router } from './router.svelte';
import type { OnlineStatus } from './online.svelte';
import type { AppUpdate } from './app-update.svelte';
import type { NetworkSettings } from './network-settings.svelte';
import type { ConnectionCheck } from './connection-check.svelte';
import type { Identity } from './identity.svelte';
import type { Economies } from './economies.svelte';
import type { EstimationDesk } from './estimation-desk.svelte';
import type { Compute } from './compute.svelte';
import type { Dashboards } from './dashboard.svelte';
import type { DonorsOnline } from './donors-online.svelte';

export interface AppState {
  router: Router;
  online: OnlineStatus;
  update: AppUpdate;
  network: NetworkSettings;
  check: ConnectionCheck;
  identity: Identity;
  economies: Economies;
  estimation: EstimationDesk;
  compute: Compute;
  /** Donors online as this peer samples them (the dashboard's chart, the forecast's capacity). */
  donors: DonorsOnline;
  /** The open economy's orchestrator, forecast and requests (Dashboard, Compute and Tasks). */
  dashboards: Dashboards;
}
