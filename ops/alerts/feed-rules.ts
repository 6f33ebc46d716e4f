/**
 * Pure pieces of the alert feed, table-tested: the reconnect-storm detector, the daily schedule,
 * time-in-mode accounting, and the fill tallies behind digests and the daily summary.
 */
import { formatMicros, mulMicros, type Micros } from '../../core/amounts.ts';
import type { FillReported } from '../../core/events.ts';
import type { RiskMode } from '../../core/risk/decision.ts';

export interface StormState {
  /** Times of recent disconnects, oldest first, all within the window. */
  readonly times: readonly number[];
  readonly inStorm: boolean;
}

export const CALM: StormState = { times: [], inStorm: false };

/**
 * Records a disconnect at `at`. A storm starts (`raise`) when `threshold` disconnects fall within
 * `windowMs`, and is over once fewer than `threshold` remain in the window; one alert per storm.
 */
export function stormStep(s: StormState, at: number, threshold: number, windowMs: number): { state: StormState; raise: boolean; count: number } {
  const times = [...s.times.filter((t) => at - t < windowMs), at];
  const stormy = times.length >= threshold;
  return { state: { times, inStorm: stormy }, raise: stormy && !s.inStorm, count: times.length };
}

/** Whether a storm has calmed by `now` (fewer than `threshold` disconnects within the window). */
export function stormCalmed(s: StormState, now: number, threshold: number, windowMs: number): StormState {
  const times = s.times.filter((t) => now - t < windowMs);
  return { times, inStorm: s.inStorm && times.length >= threshold };
}

/** Parses "HH:MM" (UTC) into minutes after midnight; throws naming `where` on bad input. */
export function parseUtcTime(text: string, where: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!m) throw new RangeError(`expected a UTC time "HH:MM", got ${JSON.stringify(text)} at ${where}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** The first time strictly after `now` that is `minuteOfDay` minutes past a UTC midnight. */
export function nextDailyAt(now: number, minuteOfDay: number): number {
  const day = 86_400_000;
  const midnight = Math.floor(now / day) * day;
  const today = midnight + minuteOfDay * 60_000;
  return today > now ? today : today + day;
}

/** "2h 05m", "12m 30s", "45s", "0s". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}

/** Time spent in each risk mode since a reset; the current mode runs until `now`. */
export class ModeClock {
  private readonly spent: Record<RiskMode, number> = { normal: 0, degraded: 0, halted: 0 };
  constructor(private mode: RiskMode, private since: number) {}

  change(mode: RiskMode, at: number): void {
    this.spent[this.mode] += Math.max(0, at - this.since);
    this.mode = mode;
    this.since = at;
  }

  totals(now: number): Record<RiskMode, number> {
    return { ...this.spent, [this.mode]: this.spent[this.mode] + Math.max(0, now - this.since) };
  }

  reset(now: number): void {
    this.spent.normal = this.spent.degraded = this.spent.halted = 0;
    this.since = now;
  }
}

export interface FillTally {
  fills: number;
  failed: number;
  buyShares: Micros;
  sellShares: Micros;
  /** Σ price × size over counted fills (pUSD). */
  notional: Micros;
  readonly byToken: Map<string, { fills: number; net: Micros }>;
}

export const emptyTally = (): FillTally => ({ fills: 0, failed: 0, buyShares: 0n, sellShares: 0n, notional: 0n, byToken: new Map() });

/** Counts a fill (or a failed one) in a tally. */
export function tallyFill(t: FillTally, f: FillReported): void {
  if (f.status === 'FAILED') {
    t.failed++;
    return;
  }
  t.fills++;
  if (f.side === 'BUY') t.buyShares += f.size;
  else t.sellShares += f.size;
  t.notional += mulMicros(f.price, f.size);
  const tok = t.byToken.get(f.tokenId) ?? { fills: 0, net: 0n };
  tok.fills++;
  tok.net += f.side === 'BUY' ? f.size : -f.size;
  t.byToken.set(f.tokenId, tok);
}

/** "12 fills: BUY 120 / SELL 80 shares, notional 45.6 (1 failed)". */
export function tallyText(t: FillTally): string {
  const failed = t.failed ? ` (${t.failed} failed on chain)` : '';
  return `${t.fills} fill${t.fills === 1 ? '' : 's'}: BUY ${formatMicros(t.buyShares)} / SELL ${formatMicros(t.sellShares)} shares, notional ${formatMicros(t.notional)}${failed}`;
}

/** "BUY 10 @ 0.45 (notional 4.5)". */
export function fillText(f: FillReported): string {
  return `${f.side} ${formatMicros(f.size)} @ ${formatMicros(f.price)} (notional ${formatMicros(mulMicros(f.price, f.size))})`;
}
