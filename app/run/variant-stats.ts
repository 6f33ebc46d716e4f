/**
 * Per-variant run statistics for A/B risk policies: each variant's orders, fills, drift, decision
 * changes, time normal / degraded / halted (the worst mode among its tokens) and PnL, beside the
 * run's totals. Tokens without a variant (market not known yet) are counted in no variant.
 */
import { formatMicros, mulMicros, type Micros } from '../../core/amounts.ts';
import type { RiskState } from '../../core/bus.ts';
import type { Engine } from '../../core/engine/engine.ts';
import type { InboundEvent } from '../../core/events.ts';
import type { RiskDecision, RiskMode } from '../../core/risk/decision.ts';

export interface VariantSummary {
  readonly tokens: string[];
  readonly ordersSubmitted: number;
  readonly fills: number;
  readonly failedFills: number;
  readonly volume: string;
  /** Changes of the acted-on decision of any of the variant's tokens. */
  readonly decisionChanges: number;
  readonly driftIncidents: number;
  readonly secondsNormal: number;
  readonly secondsDegraded: number;
  readonly secondsHalted: number;
  readonly realizedPnl: string;
  readonly unrealizedPnl: string;
}

interface Acc {
  ordersSubmitted: number;
  fills: number;
  failedFills: number;
  volume: Micros;
  decisionChanges: number;
  mode: RiskMode;
  since: number;
  timeIn: Record<RiskMode, number>;
}

const RANK: Record<RiskMode, number> = { normal: 0, degraded: 1, halted: 2 };

/** The worst mode among the decisions of the tokens of each variant. Pure. */
export function worstByVariant(byToken: ReadonlyMap<string, RiskDecision>, variantOf: (t: string) => string | undefined): Map<string, RiskMode> {
  const out = new Map<string, RiskMode>();
  for (const [t, d] of byToken) {
    const v = variantOf(t);
    if (v === undefined) continue;
    const m = out.get(v) ?? 'normal';
    out.set(v, RANK[d.mode] > RANK[m] ? d.mode : m);
  }
  return out;
}

export class VariantStats {
  private readonly acc = new Map<string, Acc>();
  private readonly lastDecision = new Map<string, string>();

  constructor(private readonly engine: Engine, private readonly names: readonly string[], now: number) {
    for (const n of names) this.acc.set(n, { ordersSubmitted: 0, fills: 0, failedFills: 0, volume: 0n, decisionChanges: 0, mode: 'normal', since: now, timeIn: { normal: 0, degraded: 0, halted: 0 } });
  }

  private of(tokenId: string): Acc | undefined {
    const v = this.engine.risk.variantOf(tokenId);
    return v === undefined ? undefined : this.acc.get(v);
  }

  onEvent(e: InboundEvent): void {
    if (e.type === 'submit') {
      const a = this.of(e.tokenId);
      if (a) a.ordersSubmitted++;
    } else if (e.type === 'fill') {
      const a = this.of(e.tokenId);
      if (!a) return;
      if (e.status === 'FAILED') a.failedFills++;
      else if (e.status === 'MATCHED') {
        a.fills++;
        a.volume += mulMicros(e.size, e.price);
      }
    }
  }

  onRisk(r: RiskState, now: number): void {
    for (const [t, d] of r.byToken) {
      const key = `${d.mode}|${d.reasons.join()}|${d.sizeMultiplier}|${d.allowedSides.join()}|${d.extraTicks}`;
      if (this.lastDecision.get(t) === key) continue;
      const first = !this.lastDecision.has(t);
      this.lastDecision.set(t, key);
      const a = this.of(t);
      if (a && !(first && d.mode === 'normal')) a.decisionChanges++;
    }
    const worst = worstByVariant(r.byToken, (t) => this.engine.risk.variantOf(t));
    for (const [n, a] of this.acc) this.setMode(a, worst.get(n) ?? 'normal', now);
  }

  summary(now: number): Record<string, VariantSummary> {
    const out: Record<string, VariantSummary> = {};
    for (const [n, a] of this.acc) {
      this.setMode(a, a.mode, now);
      const tokens = this.engine.tokenIds().filter((t) => this.engine.risk.variantOf(t) === n).sort();
      let realized = 0n;
      let unrealized = 0n;
      let drift = 0;
      for (const t of tokens) {
        const pnl = this.engine.pnl.view(t);
        realized += pnl.realized;
        unrealized += pnl.unrealized;
        drift += this.engine.position(t).discrepancies;
      }
      out[n] = {
        tokens, ordersSubmitted: a.ordersSubmitted, fills: a.fills, failedFills: a.failedFills, volume: formatMicros(a.volume),
        decisionChanges: a.decisionChanges, driftIncidents: drift,
        secondsNormal: sec(a.timeIn.normal), secondsDegraded: sec(a.timeIn.degraded), secondsHalted: sec(a.timeIn.halted),
        realizedPnl: formatMicros(realized), unrealizedPnl: formatMicros(unrealized),
      };
    }
    return out;
  }

  private setMode(a: Acc, m: RiskMode, now: number): void {
    a.timeIn[a.mode] += now - a.since;
    a.since = now;
    a.mode = m;
  }
}

const sec = (ms: number) => Math.round(ms / 100) / 10;
