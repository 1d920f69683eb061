// The kernel worker. It runs inside the sandbox page's opaque origin (see sandbox-page.ts), so
// whatever a kernel could reach, it reaches from origin "null" under the sandbox's CSP: no
// IndexedDB of the app, no network. Bundled into public/sandbox.html by scripts/build-kernels.mjs.
//
// It waits for one message { type: 'port', port } from the sandbox page, then serves comlink on
// that port only (the app page holds the other end).
import * as Comlink from 'comlink';
import { runKernel, type RunOutcome } from './kernel-runner';
import type { SandboxWorkerApi } from './sandbox-protocol';

/** Compiled modules by key; a handful is enough (a donor runs few jobs at once). */
const modules = new Map<string, WebAssembly.Module>();
const MAX_MODULES = 8;

const api: SandboxWorkerApi = {
  run(key: string, bytes: Uint8Array | null, input: Uint8Array): RunOutcome {
    let module = modules.get(key);
    if (!module) {
      if (!bytes) return { ok: false, reason: 'refused', message: `module ${key} was never sent to this worker` };
      try {
        module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
      } catch (error) {
        return { ok: false, reason: 'refused', message: `the module does not compile: ${(error as Error).message}` };
      }
      modules.set(key, module);
      if (modules.size > MAX_MODULES) modules.delete(modules.keys().next().value!);
    }
    const outcome = runKernel(module, input, () => performance.now());
    return outcome.ok ? Comlink.transfer(outcome, [outcome.output.buffer]) : outcome;
  },
};

function awaitPort(event: MessageEvent): void {
  const port = (event.data as { type?: string; port?: unknown } | null)?.port;
  if ((event.data as { type?: string })?.type !== 'port' || !(port instanceof MessagePort)) return;
  self.removeEventListener('message', awaitPort);
  Comlink.expose(api, port);
}
self.addEventListener('message', awaitPort);
