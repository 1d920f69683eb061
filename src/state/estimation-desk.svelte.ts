// Which estimation session this page has open, if any: at most one at a time, always in the
// active economy. The Estimate view asks for the session its address names (`#/estimate/<id>`
// or `#/estimate/task/<task id>`); a session of an economy that is no longer active is closed.
import type { Economies } from './economies.svelte';
import type { ActiveEconomy } from './active-economy.svelte';
import { EstimationSession, sessionIdForTask } from '../net/estimation-session';

export { sessionIdForTask };
import type { EstimationSecrets } from '../net/estimation-secrets';
import { toHex } from '../core';
import { LiveEstimation, estimationLedgerOf } from './estimation.svelte';

export interface EstimationDeskDeps {
  economies: Economies;
  secrets: EstimationSecrets;
  randomBytes: (n: number) => Uint8Array;
}

/** What an address under #/estimate names. */
export type EstimateRoute = { kind: 'lobby' } | { kind: 'session'; sessionId: string } | { kind: 'task'; taskId: string };

export function parseEstimateRoute(hash: string): EstimateRoute {
  const parts = hash.replace(/^#\/?/, '').split('/');
  if (parts[0] !== 'estimate') return { kind: 'lobby' };
  if (parts[1] === 'task' && /^[0-9a-f]{64}$/.test(parts[2] ?? '')) return { kind: 'task', taskId: parts[2]! };
  if (/^[0-9a-f]{32}$/.test(parts[1] ?? '')) return { kind: 'session', sessionId: parts[1]! };
  return { kind: 'lobby' };
}

/** The session id a pasted link or id names, or null. */
export function sessionIdFromText(text: string): string | null {
  const trimmed = text.trim();
  if (/^[0-9a-f]{32}$/.test(trimmed)) return trimmed;
  const at = trimmed.indexOf('#/estimate/');
  if (at < 0) return null;
  const route = parseEstimateRoute(trimmed.slice(at));
  return route.kind === 'session' ? route.sessionId : route.kind === 'task' ? sessionIdForTask(route.taskId) : null;
}

export class EstimationDesk {
  readonly #deps: EstimationDeskDeps;
  #live = $state.raw<LiveEstimation | null>(null);
  #busy = $state<string | null>(null);
  #problem = $state<string | null>(null);
  /** The id being opened (so a repeated request while opening does nothing). */
  #wanted: string | null = null;

  constructor(deps: EstimationDeskDeps) {
    this.#deps = deps;
  }

  get live(): LiveEstimation | null {
    return this.#live;
  }
  get busy(): string | null {
    return this.#busy;
  }
  get problem(): string | null {
    return this.#problem;
  }

  /** A fresh session id (16 random bytes, hex). */
  newSessionId(): string {
    return toHex(this.#deps.randomBytes(16));
  }

  /** Opens `sessionId` in the active economy, closing any other; nothing if it is open already. */
  async open(sessionId: string): Promise<void> {
    const economy = this.#deps.economies.active;
    if (!economy) return this.close();
    if (this.#live && this.#live.sessionId === sessionId && this.#live.economy === economy) return;
    if (this.#wanted === `${economy.id}:${sessionId}`) return;
    this.close();
    this.#wanted = `${economy.id}:${sessionId}`;
    this.#busy = 'Opening the session…';
    this.#problem = null;
    try {
      const live = await this.#openIn(economy, sessionId);
      if (this.#wanted !== `${economy.id}:${sessionId}` || this.#deps.economies.active !== economy) {
        live.close();
        return;
      }
      this.#live = live;
    } catch (error) {
      this.#problem = `Could not open the session: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      if (this.#wanted === `${economy.id}:${sessionId}`) this.#busy = null;
    }
  }

  close(): void {
    this.#wanted = null;
    this.#busy = null;
    this.#live?.close();
    this.#live = null;
  }

  async #openIn(economy: ActiveEconomy, sessionId: string): Promise<LiveEstimation> {
    const context = economy.session.estimationContext();
    const session = await EstimationSession.open({
      economyId: economy.id, sessionId, secret: context.secret, signer: context.signer, crypto: context.crypto,
      network: context.network, secrets: this.#deps.secrets, ledger: estimationLedgerOf(economy),
      persistDocument: context.persistDocument, name: context.name, colour: context.colour,
      role: 'voter', randomBytes: this.#deps.randomBytes,
    });
    return new LiveEstimation(session, economy);
  }
}
