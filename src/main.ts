// Composition root: the one place that creates the real adapters (IndexedDB, WebRTC, service
// worker) and hands them to the state classes the UI reads.
import { mount } from 'svelte';
import App from './ui/App.svelte';
import './ui/app.css';
import { openHourmeshDb } from './net/db';
import { createIdbSettingsStore, createMemorySettingsStore, type SettingsStore } from './net/settings-store';
import { createIdbIdentityStore, createMemoryIdentityStore, type IdentityStore } from './net/identity-store';
import { createIdbEconomyDirectory, createMemoryEconomyDirectory, type EconomyDirectory } from './net/economy-directory';
import { createIdbEntryStore, createMemoryEntryStore, type EntryStore } from './net/entry-store';
import { createWebCryptoPort } from './core';
import { Economies } from './state/economies.svelte';
import { connectLedgerWorker, type LedgerClient } from './worker/ledger-client';
import * as Y from 'yjs';
import { connectRoom, type RoomConnection } from './net/room';
import { parseInviteLink } from './net/invite';
import { ReleaseRoom } from './net/release-room';
import { describeFile } from './net/release-file';
import { MemoryChunkStore } from './net/release-store';
import type { IceServer } from './net/network-config';
import { checkGenerationClock, generationAt, generationRoomName, type GenerationClock } from './net/generations';
import { Router } from './state/router.svelte';
import { OnlineStatus } from './state/online.svelte';
import { AppUpdate } from './state/app-update.svelte';
import { NetworkSettings } from './state/network-settings.svelte';
import { ConnectionCheck } from './state/connection-check.svelte';
import { Identity } from './state/identity.svelte';
import { Compute } from './state/compute.svelte';
import { createComputePool } from './compute';
import type { AppState } from './state/app-state';
import { EstimationDesk } from './state/estimation-desk.svelte';
import { createStoredSecrets } from './net/estimation-secrets';
import { DonorsOnline } from './state/donors-online.svelte';
import { Dashboards } from './state/dashboard.svelte';

interface Stores {
  store: SettingsStore;
  identityStore: IdentityStore;
  directory: EconomyDirectory;
  entries: EntryStore;
  persistent: boolean;
  warning: string | null;
}

async function openStores(): Promise<Stores> {
  try {
    const db = await openHourmeshDb();
    return {
      store: createIdbSettingsStore(db), identityStore: createIdbIdentityStore(db),
      directory: createIdbEconomyDirectory(db), entries: createIdbEntryStore(db), persistent: true, warning: null,
    };
  } catch {
    // Private windows of some browsers refuse IndexedDB: keep working, but say nothing is saved.
    return {
      store: createMemorySettingsStore(), identityStore: createMemoryIdentityStore(),
      directory: createMemoryEconomyDirectory(), entries: createMemoryEntryStore(), persistent: false,
      warning: 'This browser refuses site storage, so nothing will be kept after you close the tab.',
    };
  }
}

const { store, identityStore, directory, entries, persistent, warning } = await openStores();
const identity = await Identity.load(identityStore, crypto.subtle);
const network = new NetworkSettings(store);
await network.load();
const update = new AppUpdate();
// Document generations last a week; an e2e test shortens them (to watch a rotation) by setting
// `__hourmeshGenerations` before the page loads. Only in development and the test build.
const testGenerations = (import.meta.env.DEV || import.meta.env.MODE === 'test')
  ? (globalThis as { __hourmeshGenerations?: GenerationClock }).__hourmeshGenerations
  : undefined;
const generations = testGenerations ? checkGenerationClock(testGenerations) : undefined;
const online = new OnlineStatus();
// The ledger worker: every open economy's documents, verification and replay run there.
const ledger = connectLedgerWorker();
const economies = new Economies({
  directory, entries, ledger, identity, network, crypto: createWebCryptoPort(crypto.subtle), now: Date.now,
  randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)), persistDocument: persistent, generations, online,
});
// Votes stay on this device until revealed (net/estimation-secrets.ts), in the settings store.
const estimation = new EstimationDesk({ economies, secrets: createStoredSecrets(store), randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)) });
const compute = new Compute({
  economies, now: Date.now, cores: navigator.hardwareConcurrency || 2,
  createPool: (size) => createComputePool({ size }),
});
// Donors online are sampled while the app is open, whichever view shows (state/donors-online.svelte.ts).
const donors = new DonorsOnline({ active: () => economies.active, store, now: Date.now, reachable: () => online.online });
donors.start();
const dashboards = new Dashboards(economies, () => donors.samples);
const app: AppState = {
  router: new Router(),
  online,
  update,
  network,
  check: new ConnectionCheck(network),
  identity,
  economies,
  estimation,
  compute,
  donors,
  dashboards,
};
mount(App, { target: document.getElementById('app')!, props: { app, storageWarning: warning } });
update.start();
// A handle for devtools, and for the e2e test that plays a modified (hostile) client: the state
// objects, and `openRawDocument`, which joins an economy's room with a bare document and no
// ledger: what any client that knows the secret sees (and could write). It hands every economy's
// secret and a raw document writer to any script on the page, so it exists only in development
// (`vite`) and in the e2e build (`vite build --mode test`, into dist-test/). Both conditions are
// constants at build time, so the production bundle leaves the whole block out (scripts/test.mjs
// checks that dist/ does not contain `openRawDocument`).
declare global {
  interface Window {
    hourmesh?: {
      economies: Economies;
      /** The ledger worker's client (e2e: its debug calls play a full disk or a slow phone). */
      ledger: LedgerClient;
      /** The open estimation session (e2e/estimation.spec.ts reads its view and writes as a hostile member would). */
      estimation: EstimationDesk;
      /** The Compute view's state; `compute.donor.tamper = true` makes this tab return corrupted results (e2e). */
      compute: Compute;
      /** Donors online as this page sampled them (e2e/dashboard.spec.ts reads the chart's data). */
      donors: DonorsOnline;
      /** Joins one document generation's room (default: the current one by this page's clock). */
      openRawDocument: (inviteLink: string, generation?: number) => { doc: Y.Doc; room: RoomConnection; generation: number };
      /** The whole state of a document as one Yjs update (what a peer holds, byte for byte). */
      encodeDocument: (doc: Y.Doc) => Uint8Array;
      /** A document rebuilt on this page from such an update (to inspect the ledger worker's). */
      decodeDocument: (update: Uint8Array) => Y.Doc;
      /** The generation current at `now` by this page's generation clock. */
      generationAt: (now: number) => number;
      /** The release transport alone (bench/release.bench.ts moves a file between two pages with it). */
      releaseWire: {
        ReleaseRoom: typeof ReleaseRoom;
        describeFile: typeof describeFile;
        MemoryChunkStore: typeof MemoryChunkStore;
        network: () => { signaling: string[]; ice: IceServer[] };
      };
    };
  }
}
if (import.meta.env.DEV || import.meta.env.MODE === 'test') {
  window.hourmesh = {
    economies,
    ledger,
    estimation,
    compute,
    donors,
    openRawDocument(link, generation = generationAt(Date.now(), generations)) {
      const parsed = parseInviteLink(link);
      if (!parsed.ok) throw new Error(parsed.error);
      const doc = new Y.Doc();
      const room = connectRoom(doc, {
        room: generationRoomName(parsed.invite.id, generation), password: parsed.invite.secret, signaling: network.signaling, ice: network.config.ice,
      });
      return { doc, room, generation };
    },
    generationAt: (now) => generationAt(now, generations),
    encodeDocument: (doc) => Y.encodeStateAsUpdate(doc),
    releaseWire: { ReleaseRoom, describeFile, MemoryChunkStore, network: () => ({ signaling: network.signaling, ice: network.config.ice }) },
    decodeDocument: (update) => {
      const doc = new Y.Doc();
      Y.applyUpdate(doc, update);
      return doc;
    },
  };
}
// A closing tab leaves the shared ledger worker (other tabs keep it); a page restored from the
// back-forward cache had left it, so it starts again.
addEventListener('pagehide', () => economies.active?.session.close());
addEventListener('pageshow', (event: PageTransitionEvent) => {
  if (event.persisted) location.reload();
});
// Opened after the first paint: the shell shows at once, balances follow from this device's store.
void economies.load();
