// The app's side of the sandbox: one hidden <iframe sandbox="allow-scripts"> loading
// public/sandbox.html, and kernel workers inside it, each reached through comlink over a
// MessagePort (protocol: sandbox-protocol.ts). Killing a worker is asked of the sandbox page,
// whose main thread stays free while a kernel loops in a worker.
//
// Offline: Chromium does not route a sandboxed (opaque-origin) frame's navigation through the
// app's service worker, so /sandbox.html cannot load from the precache. The app then fetches the
// page's text itself (that fetch IS served from the precache) and loads it as the frame's srcdoc.
// An srcdoc frame keeps the opaque origin (sandbox attribute) and is governed by BOTH the app's
// policy, which it inherits, and the page's own <meta> policy: their intersection is at least as
// strict as the header policy (connect-src 'none' from the meta; scripts by hash). The app's
// policy lists that one script's hash for this (scripts/serve.mjs).
import * as Comlink from 'comlink';
import { SANDBOX_READY, type SandboxCommand, type SandboxEvent, type SandboxWorkerApi } from './sandbox-protocol';

export interface SandboxWorker {
  readonly id: number;
  readonly api: Comlink.Remote<SandboxWorkerApi>;
  /** Resolves with a message if the worker fails to start (the CSP or the browser refused it). */
  readonly failed: Promise<string>;
  kill(): void;
}

export interface Sandbox {
  spawn(): SandboxWorker;
  /** Kills every worker and removes the iframe. */
  destroy(): void;
}

/**
 * Opens the sandbox page from `url`, or, offline or when that fails, from its text as srcdoc;
 * rejects if neither says it is ready within `readyTimeoutMs`.
 */
export async function openSandbox(url: string, container: HTMLElement, readyTimeoutMs = 20_000): Promise<Sandbox> {
  if (navigator.onLine) {
    try {
      return await openFrame((frame) => { frame.src = url; }, container, readyTimeoutMs, url);
    } catch {
      // e.g. the network went away between the check and the load: try the precached text.
    }
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`the compute sandbox (${url}) could not be loaded: HTTP ${response.status}`);
  const html = await response.text();
  return openFrame((frame) => { frame.srcdoc = html; }, container, readyTimeoutMs, `${url} (srcdoc)`);
}

const LOADED_GRACE_MS = 3_000;

function openFrame(load: (frame: HTMLIFrameElement) => void, container: HTMLElement, readyTimeoutMs: number, url: string): Promise<Sandbox> {
  const iframe = document.createElement('iframe');
  iframe.setAttribute('sandbox', 'allow-scripts');
  iframe.title = 'Compute sandbox';
  iframe.hidden = true;
  iframe.setAttribute('aria-hidden', 'true');
  iframe.dataset.hourmeshSandbox = '';
  const failures = new Map<number, (message: string) => void>();
  let nextId = 1;

  return new Promise((resolve, reject) => {
    let ready = false;
    const giveUp = (why: string) => {
      if (ready) return;
      clearTimeout(timer);
      removeEventListener('message', onMessage);
      iframe.remove();
      reject(new Error(`the compute sandbox (${url}) did not start: ${why}`));
    };
    const timer = setTimeout(() => giveUp(`no answer within ${readyTimeoutMs} ms`), readyTimeoutMs);
    // The page says it is ready while it loads, before its load event: a frame that has loaded
    // and stayed silent shows an error page (offline, or refused), so do not wait the full timeout.
    iframe.addEventListener('load', () => setTimeout(() => giveUp('it loaded but did not answer'), LOADED_GRACE_MS));

    const send = (command: SandboxCommand, transfer: Transferable[] = []) => iframe.contentWindow?.postMessage(command, '*', transfer);

    function onMessage(event: MessageEvent) {
      if (event.source !== iframe.contentWindow || event.source === null) return;
      const message = event.data as SandboxEvent;
      if (message?.type === SANDBOX_READY && !ready) {
        ready = true;
        clearTimeout(timer);
        resolve(sandbox);
      } else if (message?.type === 'worker-error') {
        failures.get(message.id)?.(String(message.message));
      }
    }

    const sandbox: Sandbox = {
      spawn() {
        const id = nextId++;
        const channel = new MessageChannel();
        send({ type: 'spawn', id, port: channel.port2 }, [channel.port2]);
        const api = Comlink.wrap<SandboxWorkerApi>(channel.port1);
        const failed = new Promise<string>((r) => failures.set(id, r));
        return {
          id, api, failed,
          kill() {
            failures.delete(id);
            send({ type: 'kill', id });
            channel.port1.close();
          },
        };
      },
      destroy() {
        clearTimeout(timer);
        removeEventListener('message', onMessage);
        failures.clear();
        iframe.remove();
      },
    };

    addEventListener('message', onMessage);
    load(iframe);
    container.append(iframe);
  });
}
