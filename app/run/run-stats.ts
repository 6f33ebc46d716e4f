/**
 * What a run did, counted from the bus as it happens: orders sent and cancelled, fills and volume,
 * limit breaches (a submit that found conservative exposure over the limit), drift incidents,
 * halts, and time spent normal / degraded / halted. Feeds the terminal view and the summary.
 */
import { formatMicros, microsToNumber, mulMicros, type Micros } from '../../core/amounts.ts';
import type { Subscription } from 'rxjs';
import type { Bus } from '../../core/bus.ts';
import type { Clock } from '../../core/clock.ts';
import type { Engine } from '../../core/engine/engine.ts';
import type { AlertRaised } from '../../core/events.ts';
import type { RiskMode } from '../../core/risk/decision.ts';
import { VariantStats, type VariantSummary } from './variant-stats.ts';

export interface RunSummary {
  readonly startedAt: string;
  readonly endedAt: string;
  readonly durationSeconds: number;
  readonly ordersSubmitted: number;
  readonly ordersRejected: number;
  readonly ordersCanceled: number;
  readonly fills: number;
  readonly failedFills: number;
  readonly volume: string;
  readonly limitBreaches: number;
  readonly driftIncidents: number;
  readonly halts: number;
  readonly secondsNormal: number;
  readonly secondsDegraded: number;
  readonly secondsHalted: number;
  readonly realizedPnl: string;
  readonly unrealizedPnl: string;
  readonly tokens: Record<string, { confirmed: string; effective: string; pendingFills: number; pendingOrderBuys: string; conservativeExposure: string; limit: string | null; mode: RiskMode; reasons: string[]; variant?: string }>;
  /** With A/B risk variants: each variant's orders, fills, drift, decisions, time per mode and PnL. */
  readonly variants?: Record<string, VariantSummary>;
}

export class RunStats {
  ordersSubmitted = 0;
  ordersRejected = 0;
  ordersCanceled = 0;
  fills = 0;
  failedFills = 0;
  volume: Micros = 0n;
  limitBreaches = 0;
  halts = 0;
  readonly recentAlerts: AlertRaised[] = [];
  private readonly startedAt: number;
  private mode: RiskMode = 'normal';
  private modeSince: number;
  private readonly timeIn: Record<RiskMode, number> = { normal: 0, degraded: 0, halted: 0 };
  private readonly subs: Subscription[] = [];
  private readonly variantStats: VariantStats | undefined;

  constructor(
    private readonly bus: Bus,
    private readonly engine: Engine,
    private readonly clock: Clock,
    private readonly limitFor: ((tokenId: string) => Micros) | undefined,
  ) {
    this.startedAt = clock.now();
    this.modeSince = this.startedAt;
    const vs = engine.risk.variants.enabled ? new VariantStats(engine, engine.risk.variants.names, this.startedAt) : undefined;
    this.variantStats = vs;
    this.subs.push(
      bus.events$.subscribe(({ event: e }) => {
        vs?.onEvent(e);
        if (e.type === 'submit') {
          this.ordersSubmitted++;
          const limit = this.limitFor?.(e.tokenId);
          if (e.side === 'BUY' && limit !== undefined && engine.position(e.tokenId).conservativeExposure > limit) this.limitBreaches++;
        } else if (e.type === 'order') {
          if (e.status === 'CANCELED') this.ordersCanceled++;
          if (e.status === 'REJECTED') this.ordersRejected++;
        } else if (e.type === 'fill') {
          if (e.status === 'FAILED') this.failedFills++;
          else if (e.status === 'MATCHED') {
            this.fills++;
            this.volume += mulMicros(e.size, e.price);
          }
        }
      }),
      bus.riskDecision$.subscribe((r) => {
        const worst = [r.global, ...r.byToken.values()].reduce<RiskMode>((m, d) => (rank(d.mode) > rank(m) ? d.mode : m), 'normal');
        this.setMode(worst);
        vs?.onRisk(r, this.clock.now());
      }),
      bus.alerts$.subscribe((a) => {
        this.recentAlerts.push(a);
        if (this.recentAlerts.length > 50) this.recentAlerts.shift();
      }),
    );
  }

  get currentMode(): RiskMode {
    return this.mode;
  }

  summary(): RunSummary {
    const now = this.clock.now();
    this.setMode(this.mode);
    const tokens: RunSummary['tokens'] = {};
    let realized = 0n;
    let unrealized = 0n;
    let drift = 0;
    for (const t of this.engine.tokenIds()) {
      const p = this.engine.position(t);
      const d = this.engine.risk.decisionFor(t);
      const pnl = this.engine.pnl.view(t);
      realized += pnl.realized;
      unrealized += pnl.unrealized;
      drift += p.discrepancies;
      const limit = this.limitFor?.(t);
      tokens[t] = {
        confirmed: formatMicros(p.confirmed), effective: formatMicros(p.effective), pendingFills: p.pendingFills.length,
        pendingOrderBuys: formatMicros(p.pendingOrderBuys), conservativeExposure: formatMicros(p.conservativeExposure),
        limit: limit === undefined ? null : formatMicros(limit), mode: d.mode, reasons: [...d.reasons],
      };
      const variant = this.engine.risk.variantOf(t);
      if (variant !== undefined) tokens[t] = { ...tokens[t]!, variant };
    }
    return {
      startedAt: new Date(this.startedAt).toISOString(), endedAt: new Date(now).toISOString(), durationSeconds: Math.round((now - this.startedAt) / 100) / 10,
      ordersSubmitted: this.ordersSubmitted, ordersRejected: this.ordersRejected, ordersCanceled: this.ordersCanceled,
      fills: this.fills, failedFills: this.failedFills, volume: formatMicros(this.volume), limitBreaches: this.limitBreaches,
      driftIncidents: drift, halts: this.halts,
      secondsNormal: sec(this.timeIn.normal), secondsDegraded: sec(this.timeIn.degraded), secondsHalted: sec(this.timeIn.halted),
      realizedPnl: formatMicros(realized), unrealizedPnl: formatMicros(unrealized), tokens,
      ...(this.variantStats && { variants: this.variantStats.summary(now) }),
    };
  }

  dispose(): void {
    for (const s of this.subs) s.unsubscribe();
  }

  private setMode(m: RiskMode): void {
    const now = this.clock.now();
    this.timeIn[this.mode] += now - this.modeSince;
    this.modeSince = now;
    if (m === 'halted' && this.mode !== 'halted') this.halts++;
    this.mode = m;
  }
}

const rank = (m: RiskMode) => (m === 'halted' ? 2 : m === 'degraded' ? 1 : 0);
const sec = (ms: number) => Math.round(ms / 100) / 10;

/** For the terminal: a number a person reads. */
export const shares = (m: Micros) => microsToNumber(m).toFixed(2);
