/**
 * The incident timeline: what a replay did over time, recorded from a `MetricsSource` (the same
 * read-only surface the metrics use). Positions per token (confirmed, pending, effective,
 * reservations), live risk modes as intervals, shadow sets' divergences from the live decision,
 * absorbed snapshots, discrepancies, fills and alerts. Exact amounts (bigint micros) throughout.
 */
import type { Subscription } from 'rxjs';
import type { Micros } from '../../core/amounts.ts';
import type { FillStatus, Side } from '../../core/events.ts';
import type { RiskMode } from '../../core/risk/decision.ts';
import { diffPositions } from '../metrics/position-diff.ts';
import type { MetricsSource } from '../metrics/source.ts';
import type { PositionView } from '../../core/engine/views.ts';

export interface PositionSample {
  readonly at: number;
  readonly seq: number;
  readonly confirmed: Micros;
  readonly pendingBuys: Micros;
  readonly pendingSells: Micros;
  readonly effective: Micros;
  readonly pendingOrderBuys: Micros;
  readonly conservativeExposure: Micros;
}

export interface ModeSpan {
  readonly from: number;
  /** Undefined while still open at the end. */
  to: number | undefined;
  readonly mode: RiskMode;
  readonly reasons: readonly string[];
}

export interface Marker {
  readonly at: number;
  readonly seq: number;
}
export interface FillMarker extends Marker { readonly side: Side; readonly size: Micros; readonly price: Micros; readonly status: FillStatus; readonly tradeId: string | undefined }
export interface AbsorbedMarker extends Marker { readonly buys: Micros; readonly sells: Micros; readonly confirmed: Micros }
export interface DiscrepancyMarker extends Marker { readonly unexplained: Micros; readonly before: Micros; readonly after: Micros }
export interface DivergenceSpan { readonly set: string; readonly from: number; to: number | undefined; readonly live: RiskMode; readonly shadow: RiskMode }

export interface TokenTimeline {
  readonly tokenId: string;
  readonly samples: PositionSample[];
  readonly modes: ModeSpan[];
  readonly fills: FillMarker[];
  readonly absorbed: AbsorbedMarker[];
  readonly discrepancies: DiscrepancyMarker[];
  readonly divergences: DivergenceSpan[];
  limit: Micros | undefined;
}

export interface Timeline {
  readonly startAt: number | undefined;
  readonly endAt: number | undefined;
  readonly events: number;
  readonly tokens: ReadonlyMap<string, TokenTimeline>;
  readonly overall: readonly ModeSpan[];
  readonly shadowSets: readonly string[];
  /** Cumulative divergence count per shadow set over time. */
  readonly divergenceCounts: ReadonlyMap<string, readonly { at: number; count: number }[]>;
  readonly alerts: readonly { at: number; severity: string; code: string; message: string; tokenId: string | undefined }[];
}

export class TimelineRecorder {
  private readonly subs: Subscription[] = [];
  private readonly tokens = new Map<string, TokenTimeline>();
  private readonly views = new Map<string, PositionView>();
  private readonly overall: ModeSpan[] = [];
  private readonly counts = new Map<string, { at: number; count: number }[]>();
  private readonly alerts: { at: number; severity: string; code: string; message: string; tokenId: string | undefined }[] = [];
  private readonly shadowOpen = new Map<string, DivergenceSpan>();
  private startAt: number | undefined;
  private endAt: number | undefined;
  private events = 0;

  constructor(private readonly source: MetricsSource) {
    this.subs.push(
      source.positions$.subscribe(guard((p) => this.onPosition(p))),
      source.events$.subscribe(guard(({ seq, event: e }) => {
        this.events++;
        this.startAt ??= e.at;
        this.endAt = e.at;
        if (e.type === 'fill') this.token(e.tokenId).fills.push({ at: e.at, seq, side: e.side, size: e.size, price: e.price, status: e.status, tradeId: e.tradeId });
        this.sampleRisk(e.at);
      })),
      source.risk$.subscribe(guard(() => this.sampleRisk(source.now()))),
      source.alerts$.subscribe(guard((a) => {
        this.alerts.push({ at: a.at, severity: a.severity, code: a.code, message: a.message, tokenId: a.tokenId });
        this.sampleRisk(a.at);
      })),
    );
  }

  /** Stops recording and closes every open span at `endAt` (the clock's time by default). */
  finish(endAt: number = this.source.now()): Timeline {
    for (const s of this.subs) s.unsubscribe();
    this.subs.length = 0;
    this.sampleRisk(endAt);
    this.endAt = Math.max(this.endAt ?? endAt, endAt);
    for (const t of this.tokens.values()) {
      t.limit = this.source.limit(t.tokenId);
      const last = t.samples[t.samples.length - 1];
      if (last && last.at < this.endAt) t.samples.push({ ...last, at: this.endAt });
    }
    return {
      startAt: this.startAt, endAt: this.endAt, events: this.events, tokens: this.tokens, overall: this.overall,
      shadowSets: this.source.shadowSets(), divergenceCounts: this.counts, alerts: this.alerts,
    };
  }

  private token(tokenId: string): TokenTimeline {
    let t = this.tokens.get(tokenId);
    if (!t) this.tokens.set(tokenId, (t = { tokenId, samples: [], modes: [], fills: [], absorbed: [], discrepancies: [], divergences: [], limit: undefined }));
    return t;
  }

  private onPosition(p: PositionView): void {
    const t = this.token(p.tokenId);
    const at = this.source.now();
    const seq = this.source.lastSeq(); // the event being applied (positions are published during it)
    t.samples.push({ at, seq, confirmed: p.confirmed, pendingBuys: p.pendingBuys, pendingSells: p.pendingSells, effective: p.effective, pendingOrderBuys: p.pendingOrderBuys, conservativeExposure: p.conservativeExposure });
    const d = diffPositions(this.views.get(p.tokenId), p);
    this.views.set(p.tokenId, p);
    if (!d) return;
    if (d.absorbedBuys + d.absorbedSells > 0n) t.absorbed.push({ at, seq, buys: d.absorbedBuys, sells: d.absorbedSells, confirmed: p.confirmed });
    if (d.discrepancies > 0) t.discrepancies.push({ at, seq, unexplained: d.unexplained, before: d.confirmedBefore, after: d.confirmedAfter });
  }

  private sampleRisk(at: number): void {
    const s = this.source;
    step(this.overall, at, s.decision());
    const sets = s.shadowSets();
    for (const tokenId of s.tokenIds()) {
      const t = this.token(tokenId);
      const live = s.decision(tokenId);
      step(t.modes, at, live);
      for (const set of sets) {
        const sd = s.shadowDecision(set, tokenId);
        const key = `${set}|${tokenId}`;
        const open = this.shadowOpen.get(key);
        const differs = sd !== undefined && (sd.mode !== live.mode || sd.reasons.join() !== live.reasons.join());
        if (open && (!differs || open.shadow !== sd!.mode || open.live !== live.mode)) {
          open.to = at;
          this.shadowOpen.delete(key);
        }
        if (differs && !this.shadowOpen.has(key)) {
          const span: DivergenceSpan = { set, from: at, to: undefined, live: live.mode, shadow: sd!.mode };
          t.divergences.push(span);
          this.shadowOpen.set(key, span);
        }
      }
    }
    for (const set of sets) {
      const series = this.counts.get(set) ?? [];
      this.counts.set(set, series);
      const count = s.shadowDivergences(set);
      if (series[series.length - 1]?.count !== count) series.push({ at, count });
    }
  }
}

/** Recording never throws into the replay (a throwing bus subscriber would end the process). */
function guard<T>(fn: (v: T) => void): (v: T) => void {
  return (v) => {
    try {
      fn(v);
    } catch {
      // a value the report cannot place is left out of the picture
    }
  };
}

function step(spans: ModeSpan[], at: number, d: { mode: RiskMode; reasons: readonly string[] }): void {
  const last = spans[spans.length - 1];
  if (last && last.to === undefined && last.mode === d.mode && last.reasons.join() === d.reasons.join()) return;
  if (last && last.to === undefined) last.to = at;
  spans.push({ from: at, to: undefined, mode: d.mode, reasons: [...d.reasons] });
}
