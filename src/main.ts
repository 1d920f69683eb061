// Composition root: the one place that creates the real adapters (IndexedDB, WebRTC, service
// worker) and hands them to the state classes the UI reads.
import { mount } from 'svelte';
import App from './ui/App.svelte';
import './ui/app.css';
import { openHourmeshDb } from './net/db';
import { createIdbSettingsStore, createMemorySettingsStore, type SettingsStore } from './net/settings-store';
import { createIdbIdentityStore, createMemoryIdentityStore, type IdentityStore } from './net/identity-store';
import { Router } from './state/router.svelte';
import { OnlineStatus } from './state/online.svelte';
import { AppUpdate } from './state/app-update.svelte';
import { NetworkSettings } from './state/network-settings.svelte';
import { ConnectionCheck } from './state/connection-check.svelte';
import { Identity } from './state/identity.svelte';
import type { AppState } from './state/app-state';

async function openSettingsStore(): Promise<{ store: SettingsStore; identityStore: IdentityStore; warning: string | null }> {
  try {
    const db = await openHourmeshDb();
    return { store: createIdbSettingsStore(db), identityStore: createIdbIdentityStore(db), warning: null };
  } catch {
    // Private windows of some browsers refuse IndexedDB: keep working, but say nothing is saved.
    return { store: createMemorySettingsStore(), identityStore: createMemoryIdentityStore(), warning: 'This browser refuses site storage, so nothing will be kept after you close the tab.' };
  }
}

const { store, identityStore, warning } = await openSettingsStore();
const identity = await Identity.load(identityStore, crypto.subtle);
const network = new NetworkSettings(store);
await network.load();
const update = new AppUpdate();
const app: AppState = {
  router: new Router(),
  online: new OnlineStatus(),
  update,
  network,
  check: new ConnectionCheck(network),
  identity,
};
mount(App, { target: document.getElementById('app')!, props: { app, storageWarning: warning } });
update.start();
