// Serves the built app and the y-webrtc signaling server behind ONE port.
//
// Why one port: the app's default signaling address is derived from the page's own host
// (`ws(s)://<host>/signal`), so a phone that opens the printed LAN address reaches the signaling
// server too, with no configuration and through any TLS proxy put in front of this server.
// The signaling server itself is y-webrtc's bundled `bin/server.js`, run in a child process (this
// file with --signaling-child) on HOURMESH_SIGNAL_PORT, bound to 127.0.0.1. WebSocket upgrades on
// /signal are passed to it through signal-filter.mjs, which drops the messages that would make it
// throw; the other direction is piped byte for byte.
//
// Invariants:
// - A request this server cannot read (a malformed URL or path) gets 400; a file that cannot be
//   read gets 500 or, once its bytes have started, a closed connection. Nothing in a request
//   stops the server.
// - Signaling never stays down: a child that exits is restarted with a back-off (100 ms doubling
//   to 5 s, back to 100 ms after 30 s up), for ever.
// - The child dies with this process however it ends: killed on exit, SIGINT, SIGTERM or an
//   uncaught error, and, should this process be SIGKILLed, it exits when its stdin (a pipe from
//   here) closes. A leftover child would hold the signal port and fail the next `npm start`.
// - Every HTTP response carries SECURITY_HEADERS, except the compute sandbox page: SANDBOX_HEADERS.
//
// Environment: HOURMESH_PORT (default 8080), HOURMESH_SIGNAL_PORT (default 4444),
// HOURMESH_HOST (default 0.0.0.0, i.e. reachable on the LAN), HOURMESH_DIST (default dist: the
// directory served, relative to the project; the e2e tests serve the test build, dist-test).
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { root } from './ensure-deps.mjs';
import { createClientFrameFilter } from './signal-filter.mjs';

const port = Number(process.env.HOURMESH_PORT ?? 8080);
const signalPort = Number(process.env.HOURMESH_SIGNAL_PORT ?? 4444);
const host = process.env.HOURMESH_HOST ?? '0.0.0.0';
const dist = resolve(root, process.env.HOURMESH_DIST ?? 'dist');
const signalingServer = join(root, 'node_modules/y-webrtc/bin/server.js');

const RESTART_FIRST_MS = 100;
const RESTART_MAX_MS = 5_000;
const STABLE_MS = 30_000;

/**
 * The hash by which the compute sandbox page pins its one inline script (in its <meta> policy),
 * or null without that page. Offline the app loads the sandbox as an srcdoc frame, which inherits
 * the app's policy: that policy must admit the script too (src/compute/sandbox-host.ts).
 */
function sandboxScriptHash() {
  try {
    return /'(sha256-[A-Za-z0-9+/=]+)'/.exec(readFileSync(join(dist, 'sandbox.html'), 'utf8'))?.[1] ?? null;
  } catch {
    return null;
  }
}
const sandboxHash = sandboxScriptHash();

// What the built app needs and nothing more: its own scripts (and WebAssembly, for compute
// kernels; and the compute sandbox's one inline script, by hash, for its offline srcdoc frame), styles only from its CSS files (Svelte sets style: directives through the CSSOM, which
// CSP does not govern), data:/blob: images, workers from itself or blob: URLs, and WebSockets to
// any signaling server the person configures (WebRTC itself is outside CSP). No framing at all:
// a framed invite page could be clickjacked into a one-click join. No referrer: invite secrets
// live in the fragment, which is never sent, but a path or query should not leak either.
export const SECURITY_HEADERS = {
  'Content-Security-Policy': [
    "default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'" + (sandboxHash ? ` '${sandboxHash}'` : ''), "style-src 'self'",
    "img-src 'self' data: blob:", "connect-src 'self' ws: wss:", "worker-src 'self' blob:",
    "manifest-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; '),
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

// The compute sandbox (public/sandbox.html, see src/compute/sandbox-page.ts) runs untrusted
// WebAssembly in workers inside <iframe sandbox="allow-scripts"> (an opaque origin). Its policy is
// the strict one: only inline script (the page pins its own by hash in a <meta> policy too),
// blob: workers and WebAssembly; no connection anywhere; framed only by the app itself.
export const SANDBOX_PATH = '/sandbox.html';
export const SANDBOX_HEADERS = {
  'Content-Security-Policy': [
    "default-src 'none'", "script-src 'unsafe-inline' blob: 'wasm-unsafe-eval'", 'worker-src blob:',
    "connect-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'self'",
  ].join('; '),
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'SAMEORIGIN',
  'Referrer-Policy': 'no-referrer',
};

const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json',
  '.webmanifest': 'application/manifest+json', '.wasm': 'application/wasm',
  '.map': 'application/json', '.txt': 'text/plain; charset=utf-8', '.ico': 'image/x-icon',
};

function portFree(p, h) {
  return new Promise((done) => {
    const probe = net.createServer();
    probe.once('error', () => done(false));
    probe.once('listening', () => probe.close(() => done(true)));
    probe.listen(p, h);
  });
}

function failPortInUse(p, variable) {
  console.error(`hourmesh: port ${p} is already in use (another hourmesh, or another program).`);
  console.error(`Choose another one, e.g.  ${variable}=${p + 1} npm start`);
  process.exit(2);
}

function sendStatus(res, status, text, extra = {}) {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...extra });
  res.end(text);
}

/** The file to send for a request path, or null when the path is malformed or leaves `dist`. */
function fileFor(rawUrl) {
  let path;
  try {
    path = decodeURIComponent(new URL(rawUrl ?? '/', 'http://x').pathname);
  } catch {
    return null; // e.g. /%E0%A4%A: not UTF-8 once decoded
  }
  if (path.includes('\0')) return null;
  const file = resolve(dist, path.replace(/^[/\\]+/, ''));
  if (file !== dist && !file.startsWith(dist + sep)) return null;
  let stat;
  try { stat = statSync(file, { throwIfNoEntry: false }); } catch { stat = undefined; }
  // Anything that is not a file is the single-page app's shell, which routes by itself.
  return stat?.isFile() ? file : join(dist, 'index.html');
}

function serveFile(req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') { sendStatus(res, 405, 'method not allowed', { Allow: 'GET, HEAD' }); return; }
  const file = fileFor(req.url);
  if (file === null) { sendStatus(res, 400, 'bad request path'); return; }
  const headers = {
    ...(file === join(dist, SANDBOX_PATH.slice(1)) ? SANDBOX_HEADERS : SECURITY_HEADERS),
    'Content-Type': types[extname(file)] ?? 'application/octet-stream',
    // The service worker and the HTML must be revalidated so a new version is noticed;
    // hashed assets can be cached forever.
    'Cache-Control': file.startsWith(join(dist, 'assets') + sep) ? 'public, max-age=31536000, immutable' : 'no-cache',
  };
  if (req.method === 'HEAD') { res.writeHead(200, headers).end(); return; }
  const stream = createReadStream(file);
  // Headers go out with the first bytes (or the end), so a file that cannot be opened or read
  // at once still gets a proper 500; an error later can only close the connection.
  stream.once('readable', () => {
    res.writeHead(200, headers);
    pipeline(stream, res, () => {});
  });
  stream.on('error', () => {
    if (!res.headersSent) sendStatus(res, 500, 'could not read the file');
    else res.destroy();
  });
}

function handleRequest(req, res) {
  try {
    serveFile(req, res);
  } catch (error) {
    console.error(`hourmesh: ${req.method} ${req.url}: ${error?.message ?? error}`);
    if (!res.headersSent) sendStatus(res, 500, 'internal error');
    else res.destroy();
  }
}

function proxyUpgrade(req, socket, head) {
  socket.on('error', () => socket.destroy());
  const path = (req.url ?? '').split('?')[0];
  if (path !== '/signal' && path !== '/signal/') {
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  const upstream = net.connect(signalPort, '127.0.0.1', () => {
    const lines = [`${req.method} / HTTP/${req.httpVersion}`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      // No extension (permessage-deflate) may be agreed: the filter must read plain payloads.
      if (req.rawHeaders[i].toLowerCase() === 'sec-websocket-extensions') continue;
      lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    }
    upstream.write(lines.join('\r\n') + '\r\n\r\n');
    const push = createClientFrameFilter({
      forward: (frame) => { if (!upstream.write(frame)) socket.pause(); },
      fail: () => { socket.destroy(); upstream.destroy(); },
    });
    upstream.on('drain', () => socket.resume());
    upstream.pipe(socket);
    if (head.length) push(head);
    socket.on('data', push);
  });
  upstream.on('error', () => socket.destroy());
  socket.on('close', () => upstream.destroy());
}

function lanAddresses() {
  return Object.values(os.networkInterfaces()).flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal).map((a) => a.address);
}

/** Starts the signaling child and keeps it running until `stopSignaling()`. */
function superviseSignaling() {
  let child = null;
  let timer = null;
  let stopped = false;
  let delay = RESTART_FIRST_MS;
  const start = () => {
    timer = null;
    if (stopped) return;
    const startedAt = Date.now();
    child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--signaling-child'], {
      env: { ...process.env, PORT: String(signalPort) }, stdio: ['pipe', 'ignore', 'inherit'],
    });
    child.stdin.on('error', () => {});
    child.on('error', (error) => console.error(`hourmesh: the signaling server: ${error.message}`));
    child.once('close', (code, signal) => {
      child = null;
      if (stopped) return;
      if (Date.now() - startedAt > STABLE_MS) delay = RESTART_FIRST_MS;
      console.error(`hourmesh: the signaling server stopped (${signal ?? `exit ${code}`}); restarting it in ${delay} ms.`);
      timer = setTimeout(start, delay);
      delay = Math.min(delay * 2, RESTART_MAX_MS);
    });
  };
  start();
  return function stopSignaling() {
    stopped = true;
    if (timer) clearTimeout(timer);
    child?.kill();
  };
}

export async function serve() {
  if (!existsSync(join(dist, 'index.html'))) {
    console.error(`hourmesh: ${join(dist, 'index.html')} is missing; run \`npm run build\` first (npm start does it for you).`);
    process.exit(1);
  }
  if (!(await portFree(port, host))) failPortInUse(port, 'HOURMESH_PORT');
  if (!(await portFree(signalPort, '127.0.0.1'))) failPortInUse(signalPort, 'HOURMESH_SIGNAL_PORT');

  const stopSignaling = superviseSignaling();
  process.on('exit', stopSignaling);
  const server = http.createServer(handleRequest);
  const stop = (code) => {
    stopSignaling();
    server.close();
    server.closeAllConnections?.();
    process.exit(code);
  };
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  const crash = (error) => {
    console.error('hourmesh: unexpected error, stopping:', error);
    stop(1);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);

  server.on('upgrade', proxyUpgrade);
  server.listen(port, host, () => {
    console.log(`hourmesh is running:`);
    console.log(`  on this machine:  http://localhost:${port}/`);
    for (const a of lanAddresses()) console.log(`  on your network:  http://${a}:${port}/`);
    console.log(`  signaling:        ws://localhost:${port}/signal  (y-webrtc server on 127.0.0.1:${signalPort})`);
    console.log('Press Ctrl-C to stop.');
  });
}

/** The child: y-webrtc's server on 127.0.0.1 only, exiting when the parent's pipe closes. */
async function runSignalingChild() {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
  // The bundled server calls `server.listen(port)`, i.e. on every interface, where anyone on the
  // network could reach it past the filter: pin it to loopback while it starts.
  const listen = http.Server.prototype.listen;
  http.Server.prototype.listen = function listenOnLoopback(p) { return listen.call(this, p, '127.0.0.1'); };
  try {
    await import(pathToFileURL(signalingServer).href);
  } finally {
    http.Server.prototype.listen = listen;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.argv[2] === '--signaling-child') await runSignalingChild();
  else await serve();
}
