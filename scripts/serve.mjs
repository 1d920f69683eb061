// Serves the built app (dist/) and the y-webrtc signaling server behind ONE port.
//
// Why one port: the app's default signaling address is derived from the page's own host
// (`ws(s)://<host>/signal`), so a phone that opens the printed LAN address reaches the signaling
// server too, with no configuration and through any TLS proxy put in front of this server.
// The signaling server itself is y-webrtc's bundled `bin/server.js`, run as a child process on
// HOURMESH_SIGNAL_PORT; WebSocket upgrades on /signal are piped to it byte for byte.
//
// Environment: HOURMESH_PORT (default 8080), HOURMESH_SIGNAL_PORT (default 4444),
// HOURMESH_HOST (default 0.0.0.0, i.e. reachable on the LAN).
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { root } from './ensure-deps.mjs';

const port = Number(process.env.HOURMESH_PORT ?? 8080);
const signalPort = Number(process.env.HOURMESH_SIGNAL_PORT ?? 4444);
const host = process.env.HOURMESH_HOST ?? '0.0.0.0';
const dist = join(root, 'dist');

const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json',
  '.webmanifest': 'application/manifest+json', '.wasm': 'application/wasm',
  '.map': 'application/json', '.txt': 'text/plain; charset=utf-8', '.ico': 'image/x-icon',
};

function portFree(p, h) {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.once('listening', () => probe.close(() => resolve(true)));
    probe.listen(p, h);
  });
}

function failPortInUse(p, variable) {
  console.error(`hourmesh: port ${p} is already in use (another hourmesh, or another program).`);
  console.error(`Choose another one, e.g.  ${variable}=${p + 1} npm start`);
  process.exit(2);
}

function serveFile(req, res) {
  const url = new URL(req.url ?? '/', 'http://x');
  let path = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '');
  if (path.startsWith('..')) { res.writeHead(400).end('bad path'); return; }
  let file = join(dist, path);
  if (!existsSync(file) || statSync(file).isDirectory()) file = join(dist, 'index.html');
  const type = types[extname(file)] ?? 'application/octet-stream';
  // The service worker and the HTML must be revalidated so a new version is noticed;
  // hashed assets can be cached forever.
  const cache = /\/assets\//.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache';
  res.writeHead(200, { 'Content-Type': type, 'Cache-Control': cache });
  createReadStream(file).pipe(res);
}

function proxyUpgrade(req, socket, head) {
  const path = (req.url ?? '').split('?')[0];
  if (path !== '/signal' && path !== '/signal/') { socket.destroy(); return; }
  const upstream = net.connect(signalPort, '127.0.0.1', () => {
    const lines = [`${req.method} / HTTP/${req.httpVersion}`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    upstream.write(lines.join('\r\n') + '\r\n\r\n');
    if (head.length) upstream.write(head);
    socket.pipe(upstream).pipe(socket);
  });
  upstream.on('error', () => socket.destroy());
  socket.on('error', () => upstream.destroy());
}

function lanAddresses() {
  return Object.values(os.networkInterfaces()).flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal).map((a) => a.address);
}

export async function serve() {
  if (!existsSync(join(dist, 'index.html'))) {
    console.error('hourmesh: dist/ is missing; run `npm run build` first (npm start does it for you).');
    process.exit(1);
  }
  if (!(await portFree(port, host))) failPortInUse(port, 'HOURMESH_PORT');
  if (!(await portFree(signalPort, '127.0.0.1'))) failPortInUse(signalPort, 'HOURMESH_SIGNAL_PORT');

  // y-webrtc's bundled server exits on a malformed message (e.g. non-JSON), so anyone who can
  // reach /signal could stop it: restart it at once. Peers reconnect by themselves. A server that
  // keeps dying (5 times within a minute) is a real fault: stop and say so.
  let signaling;
  const crashes = [];
  const startSignaling = () => {
    signaling = spawn(process.execPath, [join(root, 'node_modules/y-webrtc/bin/server.js')], {
      env: { ...process.env, PORT: String(signalPort) }, stdio: ['ignore', 'ignore', 'inherit'],
    });
    signaling.on('exit', (code) => {
      if (stopping) return;
      const now = Date.now();
      crashes.push(now);
      while (crashes.length && now - crashes[0] > 60_000) crashes.shift();
      if (crashes.length >= 5) {
        console.error(`hourmesh: the signaling server keeps stopping (last exit ${code}); giving up.`);
        process.exit(1);
      }
      console.error(`hourmesh: the signaling server stopped (exit ${code}); restarting it.`);
      setTimeout(startSignaling, 300);
    });
  };
  startSignaling();

  const server = http.createServer(serveFile);
  server.on('upgrade', proxyUpgrade);
  server.listen(port, host, () => {
    console.log(`hourmesh is running:`);
    console.log(`  on this machine:  http://localhost:${port}/`);
    for (const a of lanAddresses()) console.log(`  on your network:  http://${a}:${port}/`);
    console.log(`  signaling:        ws://localhost:${port}/signal  (y-webrtc server on port ${signalPort})`);
    console.log('Press Ctrl-C to stop.');
  });

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    signaling.kill();
    server.close();
    server.closeAllConnections?.();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (import.meta.url === `file://${process.argv[1]}`) serve();
