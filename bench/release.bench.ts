// Release benchmark (issue 11): a 50 MB release moving between two browsers, against a raw
// RTCDataChannel between the same two pages measured in the same run.
// Run: npm run bench -- release  (or node --expose-gc --import tsx bench/release.bench.ts)
// Needs the test build (HOURMESH_BENCH_DIST, default dist-test: `npx vite build --mode test --outDir dist-test`),
// whose window.hourmesh.releaseWire exposes the release transport the app uses.
//
// Two Chromium browser contexts (own IndexedDB each) load the app from scripts/serve.mjs (which
// also runs the signaling server, on free ports). Figures:
// 1. release.mb-per-s: page A keeps a 50 MB file of random bytes (ReleaseRoom.seed into its
//    IndexedDB store, as a publisher does); page B opens the same release room on an empty
//    IndexedDB store and, once the WebRTC link is up, downloads it: hash list checked against the
//    root, every 256 KiB chunk hashed and written to IndexedDB. Clock: page B's performance.now()
//    from download() to its resolution (every chunk verified and stored); then B reassembles the
//    file and checks its SHA-256 (not timed).
// 2. release.raw-channel-mb-per-s: the same 50 MB on one plain RTCDataChannel between the same
//    pages (SDP exchanged through Node, no trickle), the sender keeping at most 4 MiB in
//    bufferedAmount; best of two runs, one in 16 KiB messages and one in 64 KiB messages. Clock: from the first send (page A) to the last byte received
//    (page B), both as performance.timeOrigin + now() on this machine's clock.
// 3. release.vs-raw: figure 1 / figure 2 (target 0.5: half the raw channel's speed, after framing,
//    hashing and IndexedDB writes).
import { chromium, type Page } from '@playwright/test';
import { line, note } from './support/report';
import { startServer, stopServer } from './support/browser';

const SIZE = 50 * 1024 * 1024;
const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
];

const RELEASE = 'a'.repeat(64);
const ECONOMY = 'b'.repeat(32);

/** Page A: a 50 MB random file kept as a publisher keeps it; returns the file's description. */
const SEED = `async (size) => {
  const h = window.hourmesh.releaseWire;
  const bytes = new Uint8Array(size);
  for (let o = 0; o < size; o += 65536) crypto.getRandomValues(bytes.subarray(o, Math.min(size, o + 65536)));
  const file = await h.describeFile(bytes);
  window.__file = bytes;
  window.__room = await h.ReleaseRoom.seed({ economyId: '${ECONOMY}', releaseId: '${RELEASE}', secret: 'bench', network: h.network(), account: 'publisher', file }, bytes);
  return { size: file.size, chunkSize: file.chunkSize, chunksRoot: [...file.chunksRoot], sha256: [...file.sha256] };
}`;

/** Page B: opens the room, waits for the link, downloads; returns the timed milliseconds. */
const DOWNLOAD = `async (d) => {
  const h = window.hourmesh.releaseWire;
  const file = { size: d.size, chunkSize: d.chunkSize, chunksRoot: new Uint8Array(d.chunksRoot), sha256: new Uint8Array(d.sha256) };
  const room = await h.ReleaseRoom.open({ economyId: '${ECONOMY}', releaseId: '${RELEASE}', secret: 'bench', network: h.network(), account: 'downloader', file });
  while (room.status().webrtcPeers < 1) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 200));
  const t0 = performance.now();
  await room.swarm.download();
  const ms = performance.now() - t0;
  const whole = await room.swarm.assemble();
  return { ms, bytes: whole.length, byAccount: room.swarm.progress().byAccount, rejected: room.swarm.stats.chunksRejected, stats: room.swarm.stats };
}`;

async function rawChannel(a: Page, b: Page, piece: number): Promise<number> {
  await a.evaluate(`(async () => {
    const pc = new RTCPeerConnection({ iceServers: [] });
    window.__pc = pc;
    window.__dc = pc.createDataChannel('raw', { ordered: true });
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((r) => { if (pc.iceGatheringState === 'complete') r(); else pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r(); });
  })()`);
  const offer = await a.evaluate('JSON.stringify(window.__pc.localDescription)');
  const answer = await b.evaluate(`(async (offer) => {
    const pc = new RTCPeerConnection({ iceServers: [] });
    window.__pc = pc;
    window.__got = new Promise((resolve) => {
      pc.ondatachannel = (e) => {
        let n = 0;
        e.channel.binaryType = 'arraybuffer';
        e.channel.onmessage = (m) => { n += m.data.byteLength; if (n >= ${SIZE}) resolve(performance.timeOrigin + performance.now()); };
      };
    });
    await pc.setRemoteDescription(JSON.parse(offer));
    await pc.setLocalDescription(await pc.createAnswer());
    await new Promise((r) => { if (pc.iceGatheringState === 'complete') r(); else pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r(); });
    return JSON.stringify(pc.localDescription);
  })(${JSON.stringify(offer)})`);
  await a.evaluate(`window.__pc.setRemoteDescription(JSON.parse(${JSON.stringify(answer)}))`);
  await a.evaluate(`new Promise((r) => window.__dc.readyState === 'open' ? r() : window.__dc.onopen = r)`);
  const start = (await a.evaluate(`(async () => {
    const dc = window.__dc, bytes = window.__file, piece = ${piece}, high = 4 * 1024 * 1024;
    dc.bufferedAmountLowThreshold = 1024 * 1024;
    const start = performance.timeOrigin + performance.now();
    for (let o = 0; o < bytes.length; o += piece) {
      if (dc.bufferedAmount > high) await new Promise((r) => { dc.onbufferedamountlow = () => r(); });
      dc.send(bytes.subarray(o, Math.min(bytes.length, o + piece)));
    }
    return start;
  })()`)) as number;
  const end = (await b.evaluate('window.__got')) as number;
  return end - start;
}

async function main(): Promise<void> {
  const server = await startServer(process.env.HOURMESH_BENCH_DIST ?? 'dist-test');
  const { url } = server;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const pages: Page[] = [];
    for (const name of ['A', 'B']) {
      const context = await browser.newContext({ baseURL: url, bypassCSP: true });
      const page = await context.newPage();
      page.on('pageerror', (e) => console.log(`# [${name}] page error: ${e.message}`));
      page.on('console', (m) => m.type() === 'warning' && console.log(`# [${name}] ${m.text()}`));
      await page.goto('/');
      await page.waitForFunction('window.hourmesh !== undefined && window.hourmesh.releaseWire !== undefined');
      pages.push(page);
    }
    const [a, b] = pages as [Page, Page];
    const file = await a.evaluate(`(${SEED})(${SIZE})`);
    const got = (await b.evaluate(`(${DOWNLOAD})(${JSON.stringify(file)})`)) as { ms: number; bytes: number; byAccount: Record<string, number>; rejected: number; stats: object };
    note(`downloader ${JSON.stringify(got.stats)}; publisher ${JSON.stringify(await a.evaluate('window.__room.swarm.stats'))}`);
    if (got.bytes !== SIZE || got.byAccount.publisher !== SIZE || got.rejected !== 0) throw new Error(`download wrong: ${JSON.stringify(got)}`);
    const mb = SIZE / 1e6;
    const release = mb / (got.ms / 1000);
    // The raw channel's best of two message sizes: 16 KiB (our frame size) and 64 KiB.
    const rawMs = Math.min(await rawChannel(a, b, 16 * 1024), await rawChannel(a, b, 64 * 1024));
    const raw = mb / (rawMs / 1000);
    note(`50 MB (${SIZE} bytes), 256 KiB chunks, IndexedDB on both sides; release ${got.ms.toFixed(0)} ms, raw channel ${rawMs.toFixed(0)} ms`);
    line('release.mb-per-s', release, 'MB/s');
    line('release.raw-channel-mb-per-s', raw, 'MB/s');
    line('release.vs-raw', release / raw, 'x', 0.5, 2);
  } finally {
    await browser.close();
    await stopServer(server);
  }
}

await main();
