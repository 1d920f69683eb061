// Composition root: the one place that creates the real adapters (IndexedDB, WebRTC, service
// worker) and hands them to the state classes the UI reads.
import { mount } from 'svelte';
import App from './ui/App.svelte';
import './ui/app.css';
import { openHourmeshDb } from './net/db';
import { createIdbSettingsStore, createMemorySettingsStore, type SettingsStore } from './net/settings-store';
import { Router } from './state/router.svelte';
import { OnlineStatus } from './state/online.svelte';
import { AppUpdate } from './state/app-update.svelte';
import { NetworkSettings } from './state/network-settings.svelte';
import { ConnectionCheck } from './state/connection-check.svelte';
import type { AppState } from './state/app-state';

async function openSettingsStore(): Promise<{ store: SettingsStore; warning: string | null }> {
  try {
    return { store: createIdbSettingsStore(await openHourmeshDb()), warning: null };
  } catch {
    // Private windows of some browsers refuse IndexedDB: keep working, but say nothing is saved.
    return { store: createMemorySettingsStore(), warning: 'This browser refuses site storage, so nothing will be kept after you close the tab.' };
  }
}

const { store, warning } = await openSettingsStore();
const network = new NetworkSettings(store);
await network.load();
const update = new AppUpdate();
const app: AppState = {
  router: new Router(),
  online: new OnlineStatus(),
  update,
  network,
  check: new ConnectionCheck(network),
};
mount(App, { target: document.getElementById('app')!, props: { app, storageWarning: warning } });
update.start();
