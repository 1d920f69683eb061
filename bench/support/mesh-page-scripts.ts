// Scripts that bench/mesh.bench.ts runs inside the app's pages. They are plain JavaScript strings
// on purpose: tsx (esbuild) may wrap functions written in TypeScript with helpers such as
// `__name(...)` that do not exist in the page, so Function.toString() is not safe here.
//
// Every time is `performance.timeOrigin + performance.now()`: wall-clock milliseconds with
// sub-millisecond resolution. All pages and Node run on the same machine, so one clock serves all.

/** The Yjs transaction origin of the app's own ledger writes (src/net/ledger-sync.ts LOCAL_ORIGIN). */
export const LOCAL_ORIGIN = 'hourmesh-ledger-sync';

/**
 * Send-to-visible hooks for one member of the active economy, installed once everyone has joined.
 * - `published[key]`: when this page wrote the entry into the shared document itself (the Y.Map
 *   observer runs at the end of the transaction, just before y-webrtc broadcasts the update);
 * - `arrived[key]`: when a remote transaction brought the key into this page's document;
 * - `applied[key]`: when the app's ledger reported it applied, checked on every change
 *   notification of the session (the same notification the UI re-renders on);
 * - `clicks`: capture-phase clicks on the confirmation's Send button, i.e. the moment the person
 *   pressed the button that signs ("Review payment" before it signs nothing and is not counted).
 */
export const INSTALL_SEND_HOOKS = `(() => {
  const now = () => performance.timeOrigin + performance.now();
  const session = window.hourmesh.economies.active.session;
  const map = session.doc.getMap('entries');
  const B = window.__mesh = { published: [], arrived: {}, applied: {}, clicks: [] };
  const seenPublished = new Set();
  map.observe((event, tx) => {
    const t = now();
    for (const key of event.keysChanged) {
      if (tx.origin === ${JSON.stringify(LOCAL_ORIGIN)}) {
        if (!seenPublished.has(key)) { seenPublished.add(key); B.published.push([key, t]); }
      } else if (B.arrived[key] === undefined) B.arrived[key] = t;
    }
  });
  const check = () => {
    const t = now();
    for (const key of Object.keys(B.arrived)) {
      if (B.applied[key] === undefined && session.ledger.statusOf(key)?.state === 'applied') B.applied[key] = t;
    }
  };
  session.subscribe(check);
  document.addEventListener('click', (e) => {
    const button = e.target instanceof Element ? e.target.closest('button') : null;
    if (button && button.textContent.trim() === 'Send') B.clicks.push(now());
  }, true);
  return true;
})()`;

/**
 * Init script for a late joiner (runs before the app's code): instruments where the time goes.
 * Data-channel messages (frames), remote Yjs transactions, Ledger.addEntries calls, WebCrypto
 * digest/verify calls and IndexedDB read-write transactions, all with page-clock times.
 */
export const JOINER_INIT_SCRIPT = `(() => {
  const now = () => performance.timeOrigin + performance.now();
  const J = window.__join = {
    frames: { n: 0, bytes: 0, first: null, last: null, lastBig: null },
    longTasks: [], afterAdd: [],
    remoteTx: [], updates: [], add: [], idb: [],
    crypto: { verify: { n: 0, first: null, last: null }, digest: { n: 0, first: null, last: null } },
    attachedAt: null, countAtAttach: null,
  };
  const desc = Object.getOwnPropertyDescriptor(RTCDataChannel.prototype, 'onmessage');
  if (desc && desc.set) {
    Object.defineProperty(RTCDataChannel.prototype, 'onmessage', {
      configurable: true, enumerable: desc.enumerable,
      get() { return desc.get.call(this); },
      set(handler) {
        desc.set.call(this, typeof handler !== 'function' ? handler : function (event) {
          const t = now();
          const f = J.frames;
          f.n++; f.bytes += event.data && event.data.byteLength !== undefined ? event.data.byteLength : 0;
          if (f.first === null) f.first = t;
          f.last = t;
          if (event.data && event.data.byteLength >= 8192) f.lastBig = t;
          return handler.call(this, event);
        });
      },
    });
  }
  for (const op of ['verify', 'digest']) {
    const orig = SubtleCrypto.prototype[op];
    SubtleCrypto.prototype[op] = function (...args) {
      const c = J.crypto[op];
      c.n++;
      if (c.first === null) c.first = now();
      return orig.apply(this, args).then((r) => { c.last = now(); return r; });
    };
  }
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) J.longTasks.push([performance.timeOrigin + e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch { /* no long-task timing in this browser */ }
  const origTx = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function (stores, mode, options) {
    const tx = origTx.call(this, stores, mode, options);
    if (mode === 'readwrite' && J.idb.length < 5000) {
      const rec = { db: this.name, stores: [].concat(stores).join(','), start: now(), end: null };
      J.idb.push(rec);
      tx.addEventListener('complete', () => { rec.end = now(); });
    }
    return tx;
  };
  const timer = setInterval(() => {
    const active = window.hourmesh && window.hourmesh.economies && window.hourmesh.economies.active;
    if (!active) return;
    clearInterval(timer);
    const session = active.session;
    J.attachedAt = now();
    J.countAtAttach = session.ledger.entryCount;
    session.doc.on('beforeTransaction', (tx) => { if (!tx.local) J.remoteTx.push(now()); });
    session.doc.on('update', (update, origin) => {
      if (J.updates.length < 5000) J.updates.push([now(), update.length, origin === ${JSON.stringify(LOCAL_ORIGIN)}]);
    });
    const ledger = session.ledger;
    // After a big add, LedgerSync lists the new valid entries to save them (IndexedDB), then
    // re-publishes and notifies: the first call and the first notification mark those steps.
    const valid = ledger.validEntries.bind(ledger);
    ledger.validEntries = () => {
      const w = J.watchAfterAdd;
      if (w && w.validEntries === null) w.validEntries = now();
      return valid();
    };
    session.subscribe(() => {
      const w = J.watchAfterAdd;
      if (w && w.notified === null && w.validEntries !== null) { w.notified = now(); J.afterAdd.push(w); }
    });
    const add = ledger.addEntries.bind(ledger);
    ledger.addEntries = (encoded) => {
      const start = now();
      return add(encoded).then((report) => {
        J.add.push([start, now(), encoded.length, report.replay]);
        if (encoded.length > 100) J.watchAfterAdd = { n: encoded.length, validEntries: null, notified: null };
        return report;
      });
    };
  }, 2);
})();`;

/**
 * An expression that is true once the active economy's ledger holds `count` entries and the
 * sample balances (milli-units) match; it then stores the moment in window.__doneAt.
 */
export function ledgerReadyExpression(count: number, sample: [string, number, number][]): string {
  return `(() => {
    const active = window.hourmesh && window.hourmesh.economies && window.hourmesh.economies.active;
    if (!active) return false;
    const ledger = active.session.ledger;
    if (ledger.entryCount < ${count}) return false;
    for (const [account, mh, ch] of ${JSON.stringify(sample)}) {
      const b = ledger.balanceOf(account);
      if (b.MH !== mh || b.CH !== ch) return false;
    }
    window.__doneAt = performance.timeOrigin + performance.now();
    return true;
  })()`;
}

/** Reads every update y-indexeddb keeps for a document: the page's real Yjs document, as stored. */
export function readPersistedUpdatesExpression(dbName: string): string {
  return `new Promise((resolve, reject) => {
    const open = indexedDB.open(${JSON.stringify(dbName)});
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const get = db.transaction('updates', 'readonly').objectStore('updates').getAll();
      get.onerror = () => reject(get.error);
      get.onsuccess = () => { resolve(get.result.map((u) => Array.from(u))); db.close(); };
    };
  })`;
}
