/**
 * PolyquoteMetrics: the Prometheus registry of one bot. State gauges are read from the
 * `MetricsSource` at scrape time (so a scrape always shows what the engine holds at that instant);
 * counters follow the bus; the order gateway and the venue call the `record…` methods for what
 * the bus does not carry (documented in ops/metrics/README.md).
 */
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { Subscription } from 'rxjs';
import { microsToNumber, type Micros } from '../../core/amounts.ts';
import type { RiskState } from '../../core/bus.ts';
import type { PositionView } from '../../core/engine/views.ts';
import type { Channel, SequencedEvent, Side } from '../../core/events.ts';
import type { Ledger } from '../../core/ledger/ledger.ts';
import type { RiskDecision, RiskMode } from '../../core/risk/decision.ts';
import { defineMetrics, type MetricSet } from './definitions.ts';
import { BoundedLabel, KNOWN_RISK_REASONS, normaliseReason } from './labels.ts';
import { instrumentLedger } from './ledger-timing.ts';
import { diffPositions } from './position-diff.ts';
import type { MetricsSource } from './source.ts';
import { TradingGauges } from './trading.ts';

export interface MetricsOptions {
  /** Most token label values (configured tokens are far fewer); beyond it tokens fold into "other". */
  readonly maxTokens?: number;
  /** Most distinct reasons (risk and reject) and alert codes. */
  readonly maxReasons?: number;
  /** prom-client's default process metrics, prefixed polyquote_ (default true). */
  readonly defaultMetrics?: boolean;
  /** Count submits, cancels and rejects from the bus (default true; false when the gateway calls record…). */
  readonly ordersFromBus?: boolean;
}

const MODES: readonly RiskMode[] = ['normal', 'degraded', 'halted'];
const LEVEL: Record<RiskMode, number> = { normal: 0, degraded: 1, halted: 2 };
const OVERALL = 'overall';
const n = microsToNumber;

export class PolyquoteMetrics {
  readonly registry = new Registry();
  private readonly m: MetricSet;
  private readonly tokens: BoundedLabel;
  private readonly reasons: BoundedLabel;
  private readonly codes: BoundedLabel;
  private readonly small = new Map<string, BoundedLabel>();
  private readonly views = new Map<string, PositionView>();
  private readonly subs: Subscription[] = [];
  private readonly quotes = new Map<string, { token: string; side: Side; variant: string; at: number }>();
  private lastRisk: RiskState | undefined;
  private lastHealthAttempt: number | undefined;
  private unpatchLedger: (() => void) | undefined;
  private readonly ordersFromBus: boolean;
  private readonly collectors: (() => void)[] = [];

  constructor(private readonly source: MetricsSource, opts: MetricsOptions = {}) {
    this.tokens = new BoundedLabel('token', opts.maxTokens ?? 200, [OVERALL]);
    this.reasons = new BoundedLabel('reason', opts.maxReasons ?? 40, KNOWN_RISK_REASONS);
    this.codes = new BoundedLabel('code', opts.maxReasons ?? 40);
    this.ordersFromBus = opts.ordersFromBus ?? true;
    this.m = defineMetrics(this.registry, () => this.collectState());
    this.trading = new TradingGauges(this.registry);
    if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'polyquote_' });
    this.subs.push(
      source.events$.subscribe(this.guard((e) => this.onEvent(e))),
      source.positions$.subscribe(this.guard((p) => this.onPosition(p))),
      source.alerts$.subscribe(this.guard((a) => this.m.alerts.inc({ severity: a.severity, code: this.codes.value(normaliseReason(a.code)) }))),
      source.risk$.subscribe(this.guard((r) => this.onRisk(r))),
      source.sourceHealth$.subscribe(this.guard((h) => {
        if (h.lastAttemptAt === this.lastHealthAttempt) return;
        this.lastHealthAttempt = h.lastAttemptAt;
        if (h.consecutiveFailures === 0 && h.lastLatencyMs !== undefined) this.m.sourceLatency.observe(h.lastLatencyMs / 1000);
      })),
    );
  }

  /** Venue, strategy and component gauges (ops/metrics/trading.ts), refreshed by a collector. */
  readonly trading: TradingGauges;

  /** Runs `fn` at the start of every scrape, before the state gauges are read (contained: a throw is counted). */
  addCollector(fn: () => void): () => void {
    this.collectors.push(fn);
    return () => void this.collectors.splice(this.collectors.indexOf(fn) >>> 0, 1);
  }

  /** The Prometheus text exposition. */
  async scrape(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Times appends and commits of this ledger instance and counts the gaps it records. */
  instrumentLedger(ledger: Ledger): void {
    this.unpatchLedger?.();
    this.unpatchLedger = instrumentLedger(ledger, {
      append: (s) => this.m.ledgerAppend.observe(s),
      commit: (s) => this.m.ledgerCommit.observe(s),
      gap: (channel) => this.m.gaps.inc({ channel: this.label('channel', channel, 4) }),
    });
  }

  // ---- For the parts the bus does not carry (order gateway, venue connector). ----

  /** An order left for the venue (only when `ordersFromBus` is false: the bus counts `submit` events). */
  recordOrderSubmitted(tokenId: string, side: Side, variant = 'live'): void {
    this.m.submitted.inc({ token: this.tokens.value(tokenId), side, variant: this.label('variant', variant, 8) });
  }
  recordOrderCancelled(tokenId: string, variant = 'live'): void {
    this.m.cancelled.inc({ token: this.tokens.value(tokenId), variant: this.label('variant', variant, 8) });
  }
  /** A rejection: by the venue's answer to a post, or locally (admission, risk). Always counted. */
  recordOrderRejected(tokenId: string, reason: string, variant = 'live'): void {
    this.m.rejected.inc({ token: this.tokens.value(tokenId), reason: this.reasons.value(normaliseReason(reason)), variant: this.label('variant', variant, 8) });
  }
  /** Requests left in a rate-limit bucket (e.g. "post_order", "cancel", "book"). */
  recordRateLimit(bucket: string, remaining: number): void {
    this.m.rateLimit.set({ bucket: this.label('bucket', bucket, 16) }, remaining);
  }
  /** The strategy (re)placed its quote on a side at `at` (epoch ms, the bot's clock). */
  recordQuote(tokenId: string, side: Side, at: number, variant = 'live'): void {
    const token = this.tokens.value(tokenId);
    const v = this.label('variant', variant, 8);
    this.quotes.set(`${token}|${side}|${v}`, { token, side, variant: v, at });
  }
  /** The quote on a side was pulled: its age series goes away. */
  clearQuote(tokenId: string, side: Side, variant = 'live'): void {
    this.quotes.delete(`${this.tokens.value(tokenId)}|${side}|${this.label('variant', variant, 8)}`);
  }
  recordLedgerAppend(seconds: number): void {
    this.m.ledgerAppend.observe(seconds);
  }
  recordLedgerCommit(seconds: number): void {
    this.m.ledgerCommit.observe(seconds);
  }

  dispose(): void {
    for (const s of this.subs) s.unsubscribe();
    this.subs.length = 0;
    this.unpatchLedger?.();
    this.unpatchLedger = undefined;
    this.registry.clear();
  }

  /** Errors in metric bookkeeping (counted, never thrown: a throwing bus subscriber would take the process down). */
  errors = 0;

  /** A bus handler that can never throw into the engine's publish path. */
  private guard<T>(fn: (v: T) => void): (v: T) => void {
    return (v) => {
      try {
        fn(v);
      } catch {
        this.errors++;
      }
    };
  }

  private label(name: string, value: string, cap: number): string {
    let l = this.small.get(name);
    if (!l) this.small.set(name, (l = new BoundedLabel(name, cap)));
    return l.value(value);
  }

  private onEvent({ event: e }: SequencedEvent): void {
    this.m.events.inc({ type: e.type });
    switch (e.type) {
      case 'fill':
        this.m.fills.inc({ token: this.tokens.value(e.tokenId), side: e.side, status: e.status });
        return;
      case 'balance':
        this.m.snapshots.inc({ source: e.source, degraded: String(e.degraded === true) });
        if (e.collateral !== undefined) this.m.collateral.set(n(e.collateral));
        return;
      case 'source_error':
        this.m.sourceFailures.inc({ source: this.label('source', e.source, 8) });
        return;
      case 'connection':
        return this.onConnection(e.channel, e.state === 'connected');
      case 'gap':
        if (!this.unpatchLedger) this.m.gaps.inc({ channel: e.channel });
        return;
      case 'submit':
        if (this.ordersFromBus) this.m.submitted.inc({ token: this.tokens.value(e.tokenId), side: e.side, variant: 'live' });
        return;
      case 'cancel': {
        const q = this.source.quotes().find((o) => o.orderId === e.orderId);
        if (this.ordersFromBus) this.m.cancelled.inc({ token: this.tokens.value(q?.tokenId ?? 'unknown'), variant: 'live' });
        return;
      }
      case 'order':
        this.m.orderUpdates.inc({ status: e.status });
        if (this.ordersFromBus && (e.status === 'REJECTED' || e.status === 'INVALID')) {
          this.m.rejected.inc({ token: this.tokens.value(e.tokenId ?? 'unknown'), reason: this.reasons.value(normaliseReason(e.reason ?? e.status)), variant: 'live' });
        }
        return;
      default:
        return;
    }
  }

  private readonly connected = new Map<Channel, boolean>();
  private onConnection(channel: Channel, up: boolean): void {
    const was = this.connected.get(channel);
    this.connected.set(channel, up);
    this.m.feedConnected.set({ channel }, up ? 1 : 0);
    if (!up && was !== false) this.m.disconnects.inc({ channel });
    if (up && was === false) this.m.reconnects.inc({ channel });
  }

  private onPosition(p: PositionView): void {
    const d = diffPositions(this.views.get(p.tokenId), p);
    this.views.set(p.tokenId, p);
    if (!d) return;
    const token = this.tokens.value(p.tokenId);
    this.m.reconciliations.inc({ token, outcome: d.outcome });
    if (d.absorbedBuys > 0n) this.m.absorbed.inc({ token, side: 'BUY' }, n(d.absorbedBuys));
    if (d.absorbedSells > 0n) this.m.absorbed.inc({ token, side: 'SELL' }, n(d.absorbedSells));
    if (d.discrepancies > 0) {
      this.m.discrepancies.inc({ token }, d.discrepancies);
      this.m.unexplained.inc({ token }, n(d.unexplained < 0n ? -d.unexplained : d.unexplained));
    }
  }

  private onRisk(r: RiskState): void {
    const before = this.lastRisk;
    this.lastRisk = r;
    const step = (scope: string, prev: RiskDecision | undefined, next: RiskDecision) => {
      if ((prev?.mode ?? 'normal') === next.mode) return;
      const token = this.tokens.value(scope);
      this.m.transitions.inc({ token, mode: next.mode });
      if (next.mode === 'halted') this.m.halts.inc({ token });
    };
    step(OVERALL, before?.global, r.global);
    for (const [t, d] of r.byToken) step(t, before?.byToken.get(t), d);
  }

  /** Refreshes every state gauge from the source (runs once per scrape). */
  private collectState(): void {
    const s = this.source;
    const m = this.m;
    for (const c of this.collectors) this.guard(c)(undefined);
    const now = s.now();
    m.lastSeq.set(s.lastSeq());
    for (const g of [m.confirmed, m.pendingBuys, m.pendingSells, m.effective, m.pendingOrderBuys, m.exposure, m.availableToSell, m.limit, m.utilisation,
      m.drift, m.confirmedAge, m.pendingFills, m.pendingOldestAge, m.riskMode, m.riskLevel, m.riskReason, m.sizeMultiplier, m.extraTicks,
      m.realized, m.unrealized, m.mark, m.openOrders, m.quoteAge]) g.reset();
    const sets = ['live', ...s.shadowSets()];
    const decide = (set: string, t?: string) => (set === 'live' ? s.decision(t) : s.shadowDecision(set, t));
    const risk = (scope: string, t?: string) => {
      for (const set of sets) {
        const d = decide(set, t);
        if (!d) continue;
        for (const mode of MODES) m.riskMode.set({ set, token: scope, mode }, d.mode === mode ? 1 : 0);
        m.riskLevel.set({ set, token: scope }, LEVEL[d.mode]);
        for (const r of d.reasons) m.riskReason.set({ set, token: scope, reason: this.reasons.value(normaliseReason(r)) }, 1);
        if (set === 'live') {
          m.sizeMultiplier.set({ token: scope }, d.sizeMultiplier);
          m.extraTicks.set({ token: scope }, d.extraTicks);
        }
      }
    };
    risk(OVERALL);
    for (const t of s.tokenIds()) {
      const token = this.tokens.value(t);
      if (token !== t) continue; // beyond the cap: counted in metrics_label_overflow_total, no series
      // One token that cannot be read must not blank the whole scrape.
      this.guard(() => this.collectToken(t, token, now, risk))(undefined);
    }
    this.guard(() => {
      for (const q of s.quotes()) m.openOrders.inc({ token: this.tokens.value(q.tokenId), side: q.side });
    })(undefined);
    for (const q of this.quotes.values()) m.quoteAge.set({ token: q.token, side: q.side, variant: q.variant }, Math.max(0, now - q.at) / 1000);
    m.divergences.reset();
    for (const name of s.shadowSets()) m.divergences.inc({ set: name }, s.shadowDivergences(name));
    const h = s.sourceHealth();
    m.sourceFailing.set(h.consecutiveFailures);
    m.sourceFallback.set(h.servingFallback ? 1 : 0);
    m.sourceAge.set(h.lastSuccessAt === undefined ? -1 : Math.max(0, now - h.lastSuccessAt) / 1000);
    m.gapsOpen.set(s.openGaps());
    m.ledgerFailed.set(s.ledgerFailed() ? 1 : 0);
    m.labelOverflow.reset();
    for (const l of [this.tokens, this.reasons, this.codes, ...this.small.values(), ...this.trading.labels]) m.labelOverflow.inc({ label: l.name }, l.overflowed);
    m.errors.reset();
    m.errors.inc(this.errors);
  }

  private collectToken(t: string, token: string, now: number, risk: (scope: string, t?: string) => void): void {
    const s = this.source;
    const m = this.m;
    const p = s.position(t);
    const set = (g: typeof m.confirmed, v: Micros) => g.set({ token }, n(v));
    set(m.confirmed, p.confirmed);
    set(m.pendingBuys, p.pendingBuys);
    set(m.pendingSells, p.pendingSells);
    set(m.effective, p.effective);
    set(m.pendingOrderBuys, p.pendingOrderBuys);
    set(m.exposure, p.conservativeExposure);
    set(m.availableToSell, p.availableToSell);
    set(m.drift, p.effective - p.confirmed);
    const limit = s.limit(t);
    if (limit !== undefined) {
      set(m.limit, limit);
      if (limit > 0n) m.utilisation.set({ token }, n(p.conservativeExposure) / n(limit));
    }
    if (p.confirmedAt !== undefined) m.confirmedAge.set({ token }, Math.max(0, now - p.confirmedAt) / 1000);
    m.pendingFills.set({ token }, p.pendingFills.length);
    const oldest = p.pendingFills.reduce((a, f) => Math.min(a, f.firstSeenAt), Infinity);
    m.pendingOldestAge.set({ token }, Number.isFinite(oldest) ? Math.max(0, now - oldest) / 1000 : 0);
    const pnl = s.pnl(t);
    set(m.realized, pnl.realized);
    set(m.unrealized, pnl.unrealized);
    if (pnl.mark !== undefined) set(m.mark, pnl.mark);
    risk(token, t);
  }
}
