// The script of public/sandbox.html, inlined there by scripts/build-kernels.mjs together with the
// kernel worker's bundled source (WORKER_SOURCE).
//
// The page is loaded in <iframe sandbox="allow-scripts"> (no allow-same-origin), so its origin is
// opaque ("null"), and it is served with a strict CSP (scripts/serve.mjs, and a <meta> copy in
// the page): only this inline script, blob: workers and WebAssembly may run, and it may connect
// nowhere. Workers it creates from a blob: URL inherit both the opaque origin and the policy.
// Its one job: create and kill kernel workers when the parent window asks (sandbox-protocol.ts).
import { SANDBOX_READY, type SandboxCommand, type SandboxEvent } from './sandbox-protocol';

declare const WORKER_SOURCE: string;

const workerUrl = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
const workers = new Map<number, Worker>();
const tell = (event: SandboxEvent) => parent.postMessage(event, '*'); // nothing secret: ids only

addEventListener('message', (event: MessageEvent) => {
  if (event.source !== parent || parent === window) return;
  const command = event.data as SandboxCommand;
  if (command?.type === 'spawn' && Number.isSafeInteger(command.id) && command.port instanceof MessagePort) {
    const worker = new Worker(workerUrl, { name: `kernel-${command.id}` });
    worker.addEventListener('error', (e) => tell({ type: 'worker-error', id: command.id, message: e.message || 'the worker failed to start' }));
    worker.postMessage({ type: 'port', port: command.port }, [command.port]);
    workers.get(command.id)?.terminate();
    workers.set(command.id, worker);
  } else if (command?.type === 'kill') {
    workers.get(command.id)?.terminate();
    workers.delete(command.id);
  }
});

tell({ type: SANDBOX_READY });
