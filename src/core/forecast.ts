// Forecast and replenishment requests (docs/ORCHESTRATOR.md "Forecast").
//
// Method: Holt's linear exponential smoothing (level + trend), one step ahead, per currency, of
// demand and of supply per epoch, in integer arithmetic so every peer prints the same forecast:
//   level_t = α·y_t + (1 − α)·(level_{t−1} + trend_{t−1})
//   trend_t = β·(level_t − level_{t−1}) + (1 − β)·trend_{t−1}
//   forecast_{t+1} = level_t + trend_t   (clamped at 0: no negative demand)
// with α, β in per-mille (defaults 500‰ and 300‰), every product in BigInt and each division
// rounded down (floor, also for negative trends). Start: level_0 = y_0, trend_0 = y_1 − y_0
// (0 for a single point). Error on the past: the one-step-ahead forecasts of epochs 2.. against
// what happened: MAE (milli) and MAPE (per-mille, over epochs whose actual value was > 0).
// Requests are data (currency, amount, sentence); the UI shows them as banners where people act.
// The inputs from the replayed state (queued units, estimated tasks) are in forecast-inputs.ts.

import { formatAmount, type Currency } from './amounts';

export interface HoltParams {
  /** Level smoothing, per-mille (0..1000). */
  readonly alpha: number;
  /** Trend smoothing, per-mille. */
  readonly beta: number;
}

export const DEFAULT_HOLT: HoltParams = { alpha: 500, beta: 300 };

export interface HoltResult {
  /** forecasts[t] = the forecast made after epoch t−1 for epoch t (t ≥ 2; undefined before). */
  readonly forecasts: readonly (number | undefined)[];
  /** Forecast for the epoch after the series. */
  readonly next: number;
  readonly level: number;
  readonly trend: number;
  /** Mean absolute error of forecasts[2..] (milli), undefined without any. */
  readonly mae: number | undefined;
  /** Mean absolute percentage error, per-mille, over epochs with an actual > 0. */
  readonly mape: number | undefined;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

export function holt(series: readonly number[], params: HoltParams = DEFAULT_HOLT): HoltResult {
  const forecasts: (number | undefined)[] = series.map(() => undefined);
  if (series.length === 0) return { forecasts, next: 0, level: 0, trend: 0, mae: undefined, mape: undefined };
  const A = BigInt(params.alpha);
  const B = BigInt(params.beta);
  const K = 1000n;
  let level = BigInt(series[0]!);
  let trend = series.length > 1 ? BigInt(series[1]!) - level : 0n;
  let absSum = 0n;
  let absCount = 0n;
  let pctSum = 0n;
  let pctCount = 0n;
  for (let t = 1; t < series.length; t++) {
    const y = BigInt(series[t]!);
    if (t >= 2) {
      const f = level + trend > 0n ? level + trend : 0n;
      forecasts[t] = Number(f);
      const err = f > y ? f - y : y - f;
      absSum += err;
      absCount++;
      if (y > 0n) {
        pctSum += floorDiv(err * K, y);
        pctCount++;
      }
    }
    const previous = level;
    level = floorDiv(A * y + (K - A) * (level + trend), K);
    trend = floorDiv(B * (level - previous) + (K - B) * trend, K);
  }
  const next = level + trend > 0n ? Number(level + trend) : 0;
  return {
    forecasts,
    next,
    level: Number(level),
    trend: Number(trend),
    mae: absCount > 0n ? Number(absSum / absCount) : undefined,
    mape: pctCount > 0n ? Number(pctSum / pctCount) : undefined,
  };
}

export interface CurrencyForecast {
  readonly currency: Currency;
  readonly demand: HoltResult;
  readonly supply: HoltResult;
  /** Predicted demand − predicted supply for the next epoch, when positive (else 0), milli. */
  readonly shortfall: number;
}

/**
 * Demand and supply per epoch (milli, one value per epoch, oldest first, gaps as 0) → the next
 * epoch's forecast. Demand: what consumers paid for plus what waits (queued units, open tasks,
 * expected downloads); supply: what suppliers delivered or offered (donor capacity seen, pledged
 * hours). The caller builds both series; this only smooths and compares them.
 */
export function forecastCurrency(currency: Currency, demand: readonly number[], supply: readonly number[], params: HoltParams = DEFAULT_HOLT): CurrencyForecast {
  const d = holt(demand, params);
  const s = holt(supply, params);
  return { currency, demand: d, supply: s, shortfall: Math.max(0, d.next - s.next) };
}

export interface ReplenishmentRequest {
  readonly currency: Currency;
  /** Milli-units needed. */
  readonly amount: number;
  /** What it is for: the economy's next epoch, or one task. */
  readonly subject: { readonly kind: 'epoch' } | { readonly kind: 'task'; readonly id: string; readonly title: string };
  readonly text: string;
}

const UNIT: Record<Currency, [string, string]> = { MH: ['man-hour', 'man-hours'], CH: ['cpu-hour', 'cpu-hours'] };

/** "about 3 cpu-hours": whole hours from 1 h (half up), one decimal below. */
export function aboutHours(milli: number, currency: Currency): string {
  const [one, many] = UNIT[currency];
  if (milli >= 1_000) {
    const hours = Math.floor((milli + 500) / 1_000);
    return `about ${hours} ${hours === 1 ? one : many}`;
  }
  const tenths = Math.max(1, Math.floor((milli + 50) / 100));
  return `about ${formatAmount(tenths * 100)} ${many}`;
}

/** An open task still short of hours (tasks branch: estimate − pledged or claimed). */
export interface OpenNeed {
  readonly id: string;
  readonly title: string;
  readonly currency: Currency;
  readonly missing: number;
}

/**
 * Requests from the forecasts (a shortfall per currency) and open needs, largest first; ties by
 * currency then task id, so every peer lists them in the same order.
 */
export function replenishmentRequests(forecasts: readonly CurrencyForecast[], needs: readonly OpenNeed[] = []): ReplenishmentRequest[] {
  const out: ReplenishmentRequest[] = [];
  for (const f of forecasts) {
    if (f.shortfall <= 0) continue;
    const how = f.currency === 'CH' ? ' — donate this tab' : ' — take a task';
    out.push({ currency: f.currency, amount: f.shortfall, subject: { kind: 'epoch' }, text: `${aboutHours(f.shortfall, f.currency)} more are needed this epoch${how}` });
  }
  for (const n of needs) {
    if (n.missing <= 0) continue;
    const hours = aboutHours(n.missing, n.currency).replace(/^about /, '');
    out.push({ currency: n.currency, amount: n.missing, subject: { kind: 'task', id: n.id, title: n.title }, text: `task “${n.title}” needs ${hours}` });
  }
  const key = (r: ReplenishmentRequest) => `${r.currency}${r.subject.kind === 'task' ? r.subject.id : ''}`;
  return out.sort((a, b) => b.amount - a.amount || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
