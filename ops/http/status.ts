/**
 * The status page's data: one JSON snapshot of what the engine holds (exact decimal strings, never
 * floats, for sizes and prices), plus a feed that says when it changed. Secrets never get here:
 * free text (errors, alert messages) is scrubbed of every registered secret.
 */
import { Observable, Subject, merge, type Subscription } from 'rxjs';
import { formatMicros, type Micros } from '../../core/amounts.ts';
import type { AlertRaised } from '../../core/events.ts';
import { scrubSecrets } from '../../core/logger.ts';
import type { RiskDecision } from '../../core/risk/decision.ts';
import type { StatusSource } from '../metrics/source.ts';

export interface DecisionJson {
  readonly mode: string;
  readonly reasons: readonly string[];
  readonly sizeMultiplier: number;
  readonly allowedSides: readonly string[];
  readonly extraTicks: number;
}

export interface MarketStatus {
  readonly tokenId: string;
  readonly confirmed: string;
  readonly pendingBuys: string;
  readonly pendingSells: string;
  readonly effective: string;
  readonly pendingOrderBuys: string;
  readonly conservativeExposure: string;
  readonly availableToSell: string;
  readonly limit: string | null;
  /** Conservative exposure as a percentage of the limit, one decimal ("42.5"), or null. */
  readonly utilisationPct: string | null;
  readonly pendingFills: number;
  readonly oldestPendingAgeSeconds: number | null;
  readonly discrepancies: number;
  readonly confirmedAt: string | null;
  readonly risk: DecisionJson;
  readonly quotes: readonly { orderId: string; side: string; price: string | null; size: string; matched: string; status: string }[];
  readonly book: { bestBid: string | null; bestAsk: string | null } | null;
  readonly pnl: { realized: string; unrealized: string; mark: string | null };
}

export interface StatusSnapshot {
  readonly at: string;
  readonly seq: number;
  readonly overall: DecisionJson;
  readonly source: { name: string; lastSuccessAt: string | null; consecutiveFailures: number; servingFallback: boolean; lastLatencyMs: number | null; lastError: string | null };
  readonly ledgerFailed: boolean;
  readonly openGaps: number;
  readonly markets: readonly MarketStatus[];
  readonly shadows: readonly { name: string; overall: DecisionJson; divergences: number; byToken: Record<string, DecisionJson> }[];
  readonly alerts: readonly { at: string; severity: string; code: string; message: string; tokenId: string | null }[];
  /** The venue connection (live runs only): feeds, heartbeat, back-off / post-only windows, rate budget. */
  readonly venue: VenueStatus | null;
  readonly strategies: readonly { name: string; state: string }[];
}

export interface VenueStatus {
  readonly userFeed: string;
  readonly marketFeed: string;
  readonly heartbeatOk: boolean;
  readonly backoffUntil: string | null;
  readonly postOnlyUntil: string | null;
  readonly reconnects: number;
  readonly lastError: string | null;
  readonly rate: { readonly orders: { remaining: number; capacity: number }; readonly cancels: { remaining: number; capacity: number } } | null;
}

function venueStatus(s: StatusSource): VenueStatus | null {
  const h = s.venueHealth?.();
  if (!h) return null;
  const b = s.rateBudget?.();
  return {
    userFeed: h.userFeed, marketFeed: h.marketFeed, heartbeatOk: h.heartbeatOk, backoffUntil: iso(h.backoffUntil), postOnlyUntil: iso(h.postOnlyUntil),
    reconnects: h.reconnects, lastError: h.lastError === undefined ? null : scrubSecrets(h.lastError),
    rate: b ? { orders: { remaining: b.orders.remaining, capacity: b.orders.capacity }, cancels: { remaining: b.cancels.remaining, capacity: b.cancels.capacity } } : null,
  };
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
const dec = (d: RiskDecision): DecisionJson => ({ mode: d.mode, reasons: [...d.reasons], sizeMultiplier: d.sizeMultiplier, allowedSides: [...d.allowedSides], extraTicks: d.extraTicks });
const opt = (v: Micros | undefined) => (v === undefined ? null : formatMicros(v));

/** Exposure / limit in percent with one decimal, computed exactly in bigint. */
export function utilisationPct(exposure: Micros, limit: Micros): string | null {
  if (limit <= 0n) return null;
  const tenths = (exposure * 1000n) / limit;
  const neg = tenths < 0n;
  const a = neg ? -tenths : tenths;
  return `${neg ? '-' : ''}${a / 10n}.${a % 10n}`;
}

/** Builds the snapshot from the source; `alerts` newest first. */
export function buildStatus(s: StatusSource, alerts: readonly AlertRaised[]): StatusSnapshot {
  const now = s.now();
  const quotes = s.quotes();
  const markets = [...s.tokenIds()].sort().map((t): MarketStatus => {
    const p = s.position(t);
    const limit = s.limit(t);
    const pnl = s.pnl(t);
    const book = s.book(t);
    const oldest = p.pendingFills.reduce((a, f) => Math.min(a, f.firstSeenAt), Infinity);
    return {
      tokenId: t, confirmed: formatMicros(p.confirmed), pendingBuys: formatMicros(p.pendingBuys), pendingSells: formatMicros(p.pendingSells),
      effective: formatMicros(p.effective), pendingOrderBuys: formatMicros(p.pendingOrderBuys), conservativeExposure: formatMicros(p.conservativeExposure),
      availableToSell: formatMicros(p.availableToSell), limit: opt(limit), utilisationPct: limit === undefined ? null : utilisationPct(p.conservativeExposure, limit),
      pendingFills: p.pendingFills.length, oldestPendingAgeSeconds: Number.isFinite(oldest) ? Math.max(0, Math.round((now - oldest) / 100) / 10) : null,
      discrepancies: p.discrepancies, confirmedAt: iso(p.confirmedAt), risk: dec(s.decision(t)),
      quotes: quotes.filter((q) => q.tokenId === t).map((q) => ({
        orderId: q.orderId, side: q.side, price: opt(q.price), size: formatMicros(q.originalSize), matched: formatMicros(q.matched), status: q.status,
      })),
      book: book ? { bestBid: opt(book.bestBid), bestAsk: opt(book.bestAsk) } : null,
      pnl: { realized: formatMicros(pnl.realized), unrealized: formatMicros(pnl.unrealized), mark: opt(pnl.mark) },
    };
  });
  const h = s.sourceHealth();
  return {
    at: new Date(now).toISOString(), seq: s.lastSeq(), overall: dec(s.decision()),
    source: {
      name: scrubSecrets(h.source), lastSuccessAt: iso(h.lastSuccessAt), consecutiveFailures: h.consecutiveFailures, servingFallback: h.servingFallback,
      lastLatencyMs: h.lastLatencyMs ?? null, lastError: h.lastError === undefined ? null : scrubSecrets(h.lastError),
    },
    ledgerFailed: s.ledgerFailed(), openGaps: s.openGaps(), markets,
    shadows: s.shadowSets().map((name) => ({
      name, overall: dec(s.shadowDecision(name) ?? s.decision()), divergences: s.shadowDivergences(name),
      byToken: Object.fromEntries(markets.map((mk) => [mk.tokenId, dec(s.shadowDecision(name, mk.tokenId) ?? s.decision(mk.tokenId))])),
    })),
    alerts: alerts.map((a) => ({ at: new Date(a.at).toISOString(), severity: a.severity, code: a.code, message: scrubSecrets(a.message), tokenId: a.tokenId ?? null })),
    venue: venueStatus(s),
    strategies: (s.strategyStates?.() ?? []).map((x) => ({ name: x.name, state: x.state })),
  };
}

/** Keeps the recent alerts and tells listeners when the status may have changed. */
export class StatusFeed {
  private readonly recent: AlertRaised[] = [];
  private readonly sub: Subscription;
  private readonly changed = new Subject<void>();
  readonly changes$: Observable<void>;

  constructor(private readonly source: StatusSource, private readonly maxAlerts = 50) {
    this.sub = source.alerts$.subscribe((a) => {
      this.recent.unshift(a);
      if (this.recent.length > this.maxAlerts) this.recent.length = this.maxAlerts;
    });
    this.changes$ = merge(source.events$, source.alerts$, source.risk$, source.sourceHealth$, this.changed) as unknown as Observable<void>;
  }

  snapshot(): StatusSnapshot {
    return buildStatus(this.source, this.recent);
  }

  /** Something outside the streams changed (a quote recorded …). */
  touch(): void {
    this.changed.next();
  }

  dispose(): void {
    this.sub.unsubscribe();
    this.changed.complete();
  }
}
