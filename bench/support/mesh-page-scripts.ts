// Scripts that bench/mesh.bench.ts runs inside the app's pages. They are plain JavaScript strings
// on purpose: tsx (esbuild) may wrap functions written in TypeScript with helpers such as
// `__name(...)` that do not exist in the page, so Function.toString() is not safe here.
//
// Every time is `performance.timeOrigin + performance.now()`: wall-clock milliseconds with
// sub-millisecond resolution. All pages and Node run on the same machine, so one clock serves all.

/**
 * Send-to-visible hooks for one member of the active economy, installed once everyone has joined.
 * Since the ledger runs in a worker (issue 12), a page sees the ledger only through the views the
 * worker sends, and every hook reads those, on the session's change notification (the same one
 * the UI re-renders on):
 * - `published`: [entry id, time] when this page's own history first shows an entry it signed
 *   (the worker has saved, applied and written it into the document, which y-webrtc broadcasts
 *   from the page at the same moment);
 * - `counts`: [entry count, time] whenever the count this page's view holds changes (in a quiet
 *   mesh with one transfer at a time, the moment a receiver's count passes N is when the N-th
 *   entry became visible there: it was verified and applied in its worker);
 * - `clicks`: capture-phase clicks on the confirmation's Send button, i.e. the moment the person
 *   pressed the button that signs ("Review payment" before it signs nothing and is not counted).
 */
export const INSTALL_SEND_HOOKS = `(() => {
  const now = () => performance.timeOrigin + performance.now();
  const session = window.hourmesh.economies.active.session;
  const B = window.__mesh = { published: [], counts: [[session.ledger.entryCount, now()]], clicks: [] };
  const mine = new Set(session.ledger.historyOf(session.me).map((i) => i.entryId));
  const check = () => {
    const t = now();
    const count = session.ledger.entryCount;
    if (count !== B.counts[B.counts.length - 1][0]) B.counts.push([count, t]);
    const history = session.ledger.historyOf(session.me);
    for (let i = history.length - 1; i >= 0 && i >= history.length - 5; i--) {
      const item = history[i];
      if (mine.has(item.entryId)) continue;
      mine.add(item.entryId);
      if (item.delta !== undefined && item.delta < 0) B.published.push([item.entryId, t, count]);
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
 * Init script for a late joiner (runs before the app's code): instruments where the page's time
 * goes. Data-channel messages (frames), main-thread long tasks, the page's IndexedDB read-write
 * transactions, and the views the ledger worker sends (their count and the entry count each
 * held), all with page-clock times. The Yjs document, verification and replay run in the worker
 * (issue 12), out of this page's reach.
 */
export const JOINER_INIT_SCRIPT = `(() => {
  const now = () => performance.timeOrigin + performance.now();
  const J = window.__join = {
    frames: { n: 0, bytes: 0, first: null, last: null, lastBig: null },
    longTasks: [], idb: [], views: [],
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
    let last = null;
    session.subscribe(() => {
      const view = session.ledger;
      if (view === last || J.views.length >= 5000) return;
      last = view;
      J.views.push([now(), view.entryCount, session.verifying, view.unverifiedCount]);
    });
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
