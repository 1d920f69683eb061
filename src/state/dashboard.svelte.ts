// The economy dashboard's data: the orchestrator of the open economy kept up to date from the
// ledger's flows (IncrementalOrchestrator), the series its charts draw, the forecast and its
// requests, which epochs a late entry revised, and the audit. Read live through createSubscriber.
import { createSubscriber } from 'svelte/reactivity';
import {
  backlogOf, epochEnd, epochSeries, forecastBacklog, IncrementalOrchestrator,
  replenishmentRequests, revisedEpochs, type AuditReport, type Backlog, type BacklogForecast, type Currency, type OrchestratorResult,
  type ReplenishmentRequest,
} from '../core';
import type { ActiveEconomy } from './active-economy.svelte';

export interface DashboardSnapshot {
  readonly epochMs: number;
  readonly result: OrchestratorResult;
  /** Epochs whose result changed after they were first shown (a late entry), this session. */
  readonly revised: ReadonlySet<number>;
  /** Contiguous epochs (gaps as 0) for the charts; x in seconds. */
  readonly x: number[];
  readonly gross: Record<Currency, number[]>;
  readonly clean: Record<Currency, number[]>;
  readonly supply: Record<Currency, number[]>;
  /** My holdings at the end of each epoch: my payments and receipts so far + my mints of complete epochs. */
  readonly mine: Record<Currency, number[]>;
  readonly forecast: Record<Currency, BacklogForecast>;
  /** What waits now: queued compute units and tasks (forecast-inputs.ts). */
  readonly backlog: Backlog;
  readonly requests: ReplenishmentRequest[];
  readonly myMinted: { MH: number; CH: number };
  /** The part of myMinted of epochs complete by the clock that no entry has credited yet. */
  readonly myDue: { MH: number; CH: number };
}

export type AuditState = { kind: 'idle' } | { kind: 'running' } | { kind: 'done'; report: AuditReport; at: number } | { kind: 'failed'; error: string };

export class EconomyDashboard {
  #economy: ActiveEconomy;
  #subscribe: () => void;
  #orchestrator: IncrementalOrchestrator | undefined;
  #shown: OrchestratorResult | undefined;
  // Plain (not $state): written while a snapshot is derived, read only through the snapshot.
  #revised = new Set<number>();
  #audit = $state<AuditState>({ kind: 'idle' });

  constructor(economy: ActiveEconomy) {
    this.#economy = economy;
    this.#subscribe = createSubscriber((update) => economy.session.subscribe(update));
  }

  get audit(): AuditState {
    return this.#audit;
  }

  /** Everything the dashboard shows at clock `now` (a view re-asks as time passes). */
  snapshot(now: number): DashboardSnapshot {
    this.#subscribe();
    const ledger = this.#economy.session.ledger;
    const epochMs = ledger.epochMs;
    if (!this.#orchestrator || this.#orchestrator.epochMs !== epochMs) this.#orchestrator = new IncrementalOrchestrator(epochMs);
    const result = this.#orchestrator.update(ledger.flows, now);
    if (this.#shown && this.#shown.throughEpoch === result.throughEpoch) for (const e of revisedEpochs(this.#shown, result)) this.#revised.add(e);
    this.#shown = result;
    const me = this.#economy.me;
    const mh = epochSeries(result, 'MH', (m) => m.gross);
    const x = mh.epochs.map((e) => Math.floor(epochEnd(e, epochMs) / 1000));
    const series = (c: Currency, pick: (m: OrchestratorResult['epochs'][number]['MH']) => number) => epochSeries(result, c, pick).values;
    const cumulative = (values: number[]) => values.reduce<number[]>((acc, v) => [...acc, (acc[acc.length - 1] ?? 0) + v], []);
    const myMintPerEpoch = (c: Currency) => series(c, (m) => m.mints.find(([a]) => a === me)?.[1] ?? 0);
    const history = ledger.historyOf(me);
    // Mint items (credited by the replay) are left out here: the epoch's mints are added from the
    // orchestrator, which also has the epochs complete by the clock but not credited yet.
    const balanceAt = (c: Currency, end: number) => history.reduce((s, i) => (i.kind !== 'mint' && i.currency === c && i.time < end ? s + (i.delta ?? 0) : s), 0);
    const mine = (c: Currency) => {
      const minted = cumulative(myMintPerEpoch(c));
      return mh.epochs.map((e, i) => balanceAt(c, epochEnd(e, epochMs)) + (minted[i] ?? 0));
    };
    // Demand: what waits now (queued compute units, estimated unclaimed tasks, downloads still
    // predicted for recent releases); supply: the paid
    // flow per epoch, forecast for the epoch in progress, less what it already paid
    // (forecast-inputs.ts). Donors' capacity is not in the ledger (the network sees it), so
    // none is passed here.
    const backlog = backlogOf(ledger.jobs, (id) => ledger.unitsOf(id), ledger.tasks.values(), now, { records: ledger.releases.values(), epochMs });
    const forecast = {
      MH: forecastBacklog('MH', series('MH', (m) => m.gross), result.open.gross.MH, backlog.MH),
      CH: forecastBacklog('CH', series('CH', (m) => m.gross), result.open.gross.CH, backlog.CH),
    };
    const myMinted = result.minted.get(me) ?? { MH: 0, CH: 0 };
    return {
      epochMs,
      result,
      revised: new Set(this.#revised),
      x,
      gross: { MH: series('MH', (m) => m.gross), CH: series('CH', (m) => m.gross) },
      clean: { MH: series('MH', (m) => m.flow), CH: series('CH', (m) => m.flow) },
      supply: { MH: cumulative(series('MH', (m) => m.minted)), CH: cumulative(series('CH', (m) => m.minted)) },
      mine: { MH: mine('MH'), CH: mine('CH') },
      forecast,
      backlog,
      requests: replenishmentRequests([forecast.MH, forecast.CH], backlog.needs),
      myMinted: { MH: myMinted.MH, CH: myMinted.CH },
      myDue: { MH: Math.max(0, myMinted.MH - ledger.mintedTo(me).MH), CH: Math.max(0, myMinted.CH - ledger.mintedTo(me).CH) },
    };
  }

  /** Re-verifies every entry, replays them into a fresh ledger and recomputes the orchestrator. */
  async runAudit(now: number): Promise<void> {
    if (this.#audit.kind === 'running') return;
    this.#audit = { kind: 'running' };
    try {
      const session = this.#economy.session;
      const epochMs = session.ledger.epochMs;
      // The instance the dashboard draws from (its incremental path is what is checked); the
      // entries, their re-verification and the fresh replay are the ledger worker's.
      const shown = (this.#orchestrator?.epochMs === epochMs ? this.#orchestrator : new IncrementalOrchestrator(epochMs)).update(session.ledger.flows, now);
      const report = await session.audit(now, shown);
      this.#audit = { kind: 'done', report, at: now };
    } catch (e) {
      this.#audit = { kind: 'failed', error: e instanceof Error ? e.message : String(e) };
    }
  }
}
