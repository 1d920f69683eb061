// The two protocols of the sandbox, declared once for both sides (STYLE.md habit 5).
//
// 1. App page ⇄ sandbox page (window.postMessage; the sandbox's origin is "null", so the app
//    recognises it by `event.source === iframe.contentWindow`, never by origin):
//      sandbox → app  { type: 'hourmesh-sandbox-ready' }                   once, when it can spawn
//      app → sandbox  { type: 'spawn', id: number, port: MessagePort }     port in the transfer list
//      app → sandbox  { type: 'kill', id: number }                         terminate that worker
//      sandbox → app  { type: 'worker-error', id: number, message: string } a worker failed to start
//    The sandbox page accepts messages only from its parent window.
// 2. App page ⇄ kernel worker: comlink over the MessagePort of 'spawn' (the sandbox page hands the
//    port to the worker it creates and takes no further part), exposing SandboxWorkerApi.
import type { RunOutcome } from './kernel-runner';

export const SANDBOX_READY = 'hourmesh-sandbox-ready';

export type SandboxCommand = { type: 'spawn'; id: number; port: MessagePort } | { type: 'kill'; id: number };
export type SandboxEvent = { type: typeof SANDBOX_READY } | { type: 'worker-error'; id: number; message: string };

export interface SandboxWorkerApi {
  /**
   * Runs one unit. `module` is sent the first time a worker sees `key` (the worker compiles and
   * keeps it) and null after; an unknown key with null is refused.
   */
  run(key: string, module: Uint8Array | null, input: Uint8Array): RunOutcome;
}
