// scripts/serve.mjs as a process, on free ports, serving a stub dist directory (HOURMESH_DIST):
// bad requests get 400 and the server goes on; every response carries the security headers;
// garbage to /signal never stops signaling, nor does the signaling child dying, however often;
// and the child never outlives the server. Linux only where it reads /proc or `ps`.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const serveScript = fileURLToPath(new URL('./serve.mjs', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => done(port));
    }).on('error', fail);
  });
}

function makeStubDist(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hourmesh-serve-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>stub</title>');
  writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
  // A file that opens but cannot be read: reading /proc/self/mem at offset 0 fails with EIO.
  if (existsSync('/proc/self/mem')) symlinkSync('/proc/self/mem', join(dir, 'assets', 'unreadable.js'));
  return dir;
}

interface Server { child: ChildProcess; port: number; signalPort: number; stderr: () => string }

async function startServe(dist: string): Promise<Server> {
  const [port, signalPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [serveScript], {
    env: { ...process.env, HOURMESH_PORT: String(port), HOURMESH_SIGNAL_PORT: String(signalPort), HOURMESH_HOST: '127.0.0.1', HOURMESH_DIST: dist },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { err += d; });
  await waitFor(async () => out.includes('hourmesh is running') && (await listening(signalPort)), `serve.mjs to start (${err})`);
  return { child, port, signalPort, stderr: () => err };
}

async function stopServe(server: Server) {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise((done) => server.child.once('exit', done));
  server.child.kill('SIGKILL');
  await exited;
}

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); done(true); });
    socket.once('error', () => done(false));
  });
}

function get(port: number, path: string, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((done, fail) => {
    const req = http.request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => done({ status: res.statusCode!, headers: res.headers, body }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end();
  });
}

/** A WebSocket client on a bare TCP socket, so that it can send frames no browser would. */
class RawSocket {
  private pending = Buffer.alloc(0);
  private messages: string[] = [];
  readonly closed: Promise<void>;
  private constructor(private readonly socket: net.Socket) {
    this.closed = new Promise((done) => socket.once('close', () => done()));
    socket.on('error', () => {});
  }

  static async open(port: number): Promise<RawSocket> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((done, fail) => socket.once('connect', done).once('error', fail));
    socket.write(['GET /signal HTTP/1.1', `Host: 127.0.0.1:${port}`, 'Upgrade: websocket', 'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`, 'Sec-WebSocket-Version: 13', '', ''].join('\r\n'));
    const raw = new RawSocket(socket);
    let handshake = Buffer.alloc(0);
    await new Promise<void>((done, fail) => {
      const onData = (d: Buffer) => {
        handshake = Buffer.concat([handshake, d]);
        const end = handshake.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onData);
        if (!handshake.subarray(0, end).toString().startsWith('HTTP/1.1 101')) { fail(new Error(handshake.toString())); return; }
        socket.on('data', (more: Buffer) => raw.read(more));
        raw.read(handshake.subarray(end + 4));
        done();
      };
      socket.on('data', onData);
    });
    return raw;
  }

  /** Sends one frame, masked (as a client must) unless told otherwise. */
  frame(opcode: number, payload: Buffer | string, { fin = true, mask = true } = {}) {
    const body = Buffer.from(payload);
    const key = mask ? randomBytes(4) : Buffer.alloc(0);
    const size = body.length < 126 ? [body.length] : [126, body.length >> 8, body.length & 0xff];
    this.socket.write(Buffer.concat([
      Buffer.from([(fin ? 0x80 : 0) | opcode, (mask ? 0x80 : 0) | size[0]!, ...size.slice(1)]), key,
      Buffer.from(body.map((b, i) => (mask ? b ^ key[i & 3]! : b))),
    ]));
  }

  send(message: object) { this.frame(0x1, JSON.stringify(message)); }

  async next(timeoutMs = 5_000): Promise<Record<string, unknown>> {
    await waitFor(() => this.messages.length > 0, 'a signaling message', timeoutMs);
    return JSON.parse(this.messages.shift()!);
  }

  destroy() { this.socket.destroy(); }

  private read(chunk: Buffer) {
    this.pending = Buffer.concat([this.pending, chunk]);
    for (;;) {
      if (this.pending.length < 2) return;
      let n = this.pending[1]! & 0x7f;
      let offset = 2;
      if (n === 126) { if (this.pending.length < 4) return; n = this.pending.readUInt16BE(2); offset = 4; }
      if (this.pending.length < offset + n) return;
      if ((this.pending[0]! & 0x0f) === 0x1) this.messages.push(this.pending.subarray(offset, offset + n).toString('utf8'));
      this.pending = this.pending.subarray(offset + n);
    }
  }
}

/** Two clients on one topic: a publish reaches both. Fails when signaling is down. */
async function roundTrip(port: number) {
  const topic = `t-${randomBytes(4).toString('hex')}`;
  const [a, b] = [await RawSocket.open(port), await RawSocket.open(port)];
  try {
    a.send({ type: 'subscribe', topics: [topic] });
    b.send({ type: 'subscribe', topics: [topic] });
    await new Promise((r) => setTimeout(r, 50));
    b.send({ type: 'publish', topic, data: 'hello' });
    expect(await a.next()).toEqual({ type: 'publish', topic, data: 'hello', clients: 2 });
  } finally {
    a.destroy();
    b.destroy();
  }
}

function childPids(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').map((s) => Number(s.trim())).filter((n) => n > 0);
  } catch {
    return []; // ps exits 1 when there is none
  }
}

/** False once the process is gone or a zombie (an orphan's reaper may be slow in a container). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('scripts/serve.mjs', () => {
  const dist = makeStubDist();
  let server: Server;
  beforeAll(async () => { server = await startServe(dist); });
  afterAll(async () => { if (server) await stopServe(server); });

  it('answers a malformed or escaping path with 400 and keeps serving', async () => {
    for (const path of ['/%E0%A4%A', '/%', '/..%2f..%2fetc%2fpasswd', '/a%00b']) {
      expect((await get(server.port, path)).status, path).toBe(400);
    }
    expect((await get(server.port, '/', 'POST')).status).toBe(405);
    const page = await get(server.port, '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>stub</title>');
    expect((await get(server.port, '/wallet')).body).toContain('<title>stub</title>');
    expect((await get(server.port, '/assets/app.js')).body).toBe('console.log(1)');
  });

  it.runIf(existsSync('/proc/self/mem'))('answers a file that cannot be read with 500 and keeps serving', async () => {
    expect((await get(server.port, '/assets/unreadable.js')).status).toBe(500);
    expect((await get(server.port, '/assets/app.js')).status).toBe(200);
  });

  it('sends the security headers with every response', async () => {
    for (const path of ['/', '/assets/app.js', '/%E0%A4%A']) {
      const { headers } = await get(server.port, path);
      const csp = String(headers['content-security-policy']);
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
      expect(csp).toContain("connect-src 'self' ws: wss:");
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['referrer-policy']).toBe('no-referrer');
    }
  });

  it('keeps signaling up through garbage sent to /signal', async () => {
    await roundTrip(server.port);
    const kept = await RawSocket.open(server.port);
    for (let i = 0; i < 6; i++) {
      kept.frame(0x1, 'not json');
      kept.frame(0x1, JSON.stringify({ type: 'subscribe', topics: 5 }));
      kept.frame(0x1, JSON.stringify({ type: 'unsubscribe', topics: 'abc' }));
      kept.frame(0x2, JSON.stringify({ type: 'ping' }));
      kept.frame(0x1, Buffer.from([0x7b, 0xff, 0x7d]));
    }
    // A valid message in two fragments still arrives (the guard reassembles it).
    kept.frame(0x1, '{"type":', { fin: false });
    kept.frame(0x0, '"ping"}');
    expect(await kept.next()).toEqual({ type: 'pong' });
    kept.destroy();
    // Frames that would be protocol errors for the server end only the sender's connection.
    for (const send of [
      (s: RawSocket) => s.frame(0x1, '{"type":"ping"}', { mask: false }),
      (s: RawSocket) => s.frame(0x3, 'x'),
      (s: RawSocket) => s.frame(0x9, 'x'.repeat(200)),
      (s: RawSocket) => s.frame(0x8, Buffer.from([0x00, 0x01])),
    ]) {
      const s = await RawSocket.open(server.port);
      send(s);
      await s.closed;
    }
    await roundTrip(server.port);
    expect(server.stderr()).not.toContain('signaling server stopped');
  });
});

describe('scripts/serve.mjs signaling child', () => {
  const dist = makeStubDist();

  it('is restarted however often it stops', async () => {
    const server = await startServe(dist);
    try {
      // The old supervisor gave up after five exits within a minute.
      for (let i = 0; i < 6; i++) {
        const [pid] = childPids(server.child.pid!);
        expect(pid).toBeGreaterThan(0);
        process.kill(pid!, 'SIGKILL');
        await waitFor(async () => childPids(server.child.pid!)[0] !== pid && (await listening(server.signalPort)), 'signaling to restart');
      }
      await roundTrip(server.port);
      expect(server.stderr().match(/signaling server stopped/g)).toHaveLength(6);
    } finally {
      await stopServe(server);
    }
  });

  it.each(['SIGTERM', 'SIGINT', 'SIGKILL'] as const)('does not outlive the server (%s)', async (signal) => {
    const server = await startServe(dist);
    const [pid] = childPids(server.child.pid!);
    expect(pid).toBeGreaterThan(0);
    server.child.kill(signal);
    await waitFor(async () => !(await listening(server.signalPort)), 'the signal port to close', 5_000);
    await waitFor(() => !running(pid!), 'the child to exit', 5_000);
  });
});
