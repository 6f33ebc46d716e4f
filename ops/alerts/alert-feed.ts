/**
 * The alert feed: watches the bus and raises the operator alerts the engine does not raise itself —
 * fills (each, with the effective size after it, or a periodic digest), reconnect storms, feed
 * gaps, discrepancies beyond tolerance, a failing position source, venue heartbeat failures, and a
 * daily summary (fills, volume, PnL, time degraded / halted). Halts, recoveries, degrade, fallback,
 * aged-out fills and ledger trouble already come from the engine.
 *
 * It publishes onto `bus.alerts$` (so every sink gets them through the dispatcher) and never throws
 * into the bus: a failing lookup is logged and the alert goes out without the numbers.
 */
import type { Subscription } from 'rxjs';
import type { Micros } from '../../core/amounts.ts';
import { formatMicros } from '../../core/amounts.ts';
import type { Bus } from '../../core/bus.ts';
import type { Clock, TimerHandle } from '../../core/clock.ts';
import { errorMessage } from '../../core/errors.ts';
import type { Channel, FillReported } from '../../core/events.ts';
import { tradeKey } from '../../core/inventory/fill-key.ts';
import { scrubSecrets, type Logger } from '../../core/logger.ts';
import type { RiskMode } from '../../core/risk/decision.ts';
import type { VenueHealth } from '../../core/venue/venue.ts';
import type { AlertFeedConfig } from './alert-feed-config.ts';
import type { AlertDetails, AlertPositionNumbers, DetailedAlert } from './alert-types.ts';
import { CALM, emptyTally, fillText, formatDuration, ModeClock, nextDailyAt, parseUtcTime, stormCalmed, stormStep, tallyFill, tallyText, type FillTally, type StormState } from './feed-rules.ts';

export interface DaySummaryNumbers {
  readonly realizedPnl?: Micros;
  readonly unrealizedPnl?: Micros;
  /** Anything else worth a line ("Open orders", "3"). */
  readonly facts?: readonly (readonly [string, string])[];
}

export interface AlertFeedDeps {
  readonly bus: Bus;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly config: AlertFeedConfig;
  /** The token's numbers after a change (e.g. `(t) => engine.position(t)`): fills show the effective size. */
  readonly position?: (tokenId: string) => AlertPositionNumbers | undefined;
  /** PnL and extra figures for the daily summary (e.g. summed from `engine.pnl.view(t)`). */
  readonly summary?: () => DaySummaryNumbers;
  /** The venue's health (heartbeats); polled every `heartbeat.checkSeconds` when given. */
  readonly venueHealth?: () => Pick<VenueHealth, 'heartbeatOk' | 'lastError'> | undefined;
  /** Where alerts go; defaults to `bus.publishAlert`. */
  readonly publish?: (a: DetailedAlert) => void;
}

const MAX_SEEN_FILLS = 20_000;

export class AlertFeed {
  private readonly subs: Subscription[] = [];
  private readonly timers: TimerHandle[] = [];
  private readonly seenFills = new Set<string>();
  private readonly storms = new Map<Channel, StormState>();
  private readonly discrepancies = new Map<string, number>();
  private digest: FillTally = emptyTally();
  private day: FillTally = emptyTally();
  private dayStartedAt: number;
  private dayDisconnects = 0;
  private dayGaps = 0;
  private readonly modes: ModeClock;
  private sourceFailing = false;
  private heartbeatFailing = false;
  private started = false;

  constructor(private readonly d: AlertFeedDeps) {
    this.dayStartedAt = d.clock.now();
    this.modes = new ModeClock('normal', d.clock.now());
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const { bus, config: c } = this.d;
    this.subs.push(bus.events$.subscribe(({ seq, event: e }) => this.guard('event', () => {
      if (e.type === 'fill') this.onFill(e, seq);
      else if (e.type === 'connection') this.onConnection(e.channel, e.state, e.at);
      else if (e.type === 'gap') this.onGap(e.channel, e.reason);
    })));
    this.subs.push(bus.riskDecision$.subscribe((r) => this.guard('risk', () => this.onMode(r.global.mode))));
    this.subs.push(bus.sourceHealth$.subscribe((h) => this.guard('source', () => this.onSource(h.source, h.consecutiveFailures, h.lastError))));
    if (c.discrepancies) this.subs.push(bus.positions$.subscribe((p) => this.guard('position', () => this.onPosition(p))));
    if (c.fills.mode === 'digest') this.timers.push(this.d.clock.every(c.fills.digestIntervalSeconds * 1000, () => this.guard('digest', () => this.flushDigest())));
    if (this.d.venueHealth) this.timers.push(this.d.clock.every(c.heartbeat.checkSeconds * 1000, () => this.guard('heartbeat', () => this.checkHeartbeat())));
    if (c.dailySummary.enabled) this.scheduleDaily();
  }

  stop(): void {
    for (const s of this.subs.splice(0)) s.unsubscribe();
    for (const t of this.timers.splice(0)) t.cancel();
    this.started = false;
  }

  /** Publishes the day's summary now and starts a new day (what the daily timer does). */
  publishDailySummary(): void {
    const now = this.d.clock.now();
    const modes = this.modes.totals(now);
    const s = this.lookup('summary', () => this.d.summary?.());
    const facts: [string, string][] = [
      ['Fills', tallyText(this.day)],
      ['Degraded', formatDuration(modes.degraded)],
      ['Halted', formatDuration(modes.halted)],
      ['Feed disconnects', String(this.dayDisconnects)],
      ['Feed gaps', String(this.dayGaps)],
    ];
    if (s?.realizedPnl !== undefined) facts.push(['Realized PnL', formatMicros(s.realizedPnl)]);
    if (s?.unrealizedPnl !== undefined) facts.push(['Unrealized PnL', formatMicros(s.unrealizedPnl)]);
    for (const f of s?.facts ?? []) facts.push([f[0], f[1]]);
    const from = new Date(this.dayStartedAt).toISOString().slice(0, 16).replace('T', ' ');
    const to = new Date(now).toISOString().slice(0, 16).replace('T', ' ');
    this.emit({ severity: 'info', code: 'DAILY_SUMMARY', message: `summary ${from} → ${to} UTC`, details: { facts } });
    this.day = emptyTally();
    this.dayDisconnects = 0;
    this.dayGaps = 0;
    this.dayStartedAt = now;
    this.modes.reset(now);
  }

  /** Publishes the fill digest now if any fill came in since the last one. */
  flushDigest(): void {
    const t = this.digest;
    if (t.fills === 0 && t.failed === 0) return;
    this.digest = emptyTally();
    const top = [...t.byToken].sort((a, b) => b[1].fills - a[1].fills).slice(0, 8);
    const facts: [string, string][] = top.map(([tok, v]) => {
      const eff = this.lookup('position', () => this.d.position?.(tok))?.effective;
      return [tok.length > 12 ? `${tok.slice(0, 6)}…${tok.slice(-4)}` : tok, `${v.fills} fills, net ${v.net > 0n ? '+' : ''}${formatMicros(v.net)}${eff !== undefined ? `, effective ${formatMicros(eff)}` : ''}`];
    });
    if (t.byToken.size > top.length) facts.push(['Other tokens', String(t.byToken.size - top.length)]);
    this.emit({ severity: 'info', code: 'FILL_DIGEST', message: tallyText(t), details: { facts } });
  }

  private onFill(f: FillReported, seq: number): void {
    const key = f.tradeId ? tradeKey(f.tradeId, f.orderId) : `seq:${seq}`;
    const k = f.status === 'FAILED' ? `${key}#failed` : key;
    if (this.seenFills.has(k)) return;
    this.seenFills.add(k);
    if (this.seenFills.size > MAX_SEEN_FILLS) this.seenFills.delete(this.seenFills.values().next().value!);
    tallyFill(this.day, f);
    const mode = this.d.config.fills.mode;
    if (mode === 'digest') tallyFill(this.digest, f);
    if (mode !== 'each') return;
    const position = this.lookup('position', () => this.d.position?.(f.tokenId));
    const details: AlertDetails = { eventKey: k, ...(position && { position }), ...(f.tradeId && { tradeIds: [f.tradeId] }) };
    const order = f.orderId ? `, order ${f.orderId}` : '';
    if (f.status === 'FAILED') {
      this.emit({ severity: 'warning', code: 'FILL_FAILED', tokenId: f.tokenId, message: `${fillText(f)} failed on chain${order}; the pending fill is undone`, details });
    } else {
      this.emit({ severity: 'info', code: 'FILL', tokenId: f.tokenId, message: `${fillText(f)} ${f.status}${order}`, details });
    }
  }

  private onConnection(channel: Channel, state: 'connected' | 'disconnected', at: number): void {
    const { disconnects, windowSeconds } = this.d.config.reconnectStorm;
    const s = this.storms.get(channel) ?? CALM;
    if (state === 'connected') {
      this.storms.set(channel, stormCalmed(s, at, disconnects, windowSeconds * 1000));
      return;
    }
    this.dayDisconnects++;
    const r = stormStep(s, at, disconnects, windowSeconds * 1000);
    this.storms.set(channel, r.state);
    if (r.raise) {
      this.emit({
        severity: 'warning', code: 'RECONNECT_STORM', reasons: ['RECONNECT_STORM'],
        message: `${channel} feed dropped ${r.count} times within ${formatDuration(windowSeconds * 1000)}`,
      });
    }
  }

  private onGap(channel: Channel, reason: string | undefined): void {
    this.dayGaps++;
    if (!this.d.config.feedGaps) return;
    this.emit({ severity: 'warning', code: 'FEED_GAP', reasons: ['FEED_GAP'], message: `${channel} feed gap${reason ? `: ${reason}` : ''}; fills may be missing until a snapshot reconciles` });
  }

  private onMode(mode: RiskMode): void {
    this.modes.change(mode, this.d.clock.now());
  }

  private onSource(source: string, failures: number, lastError: string | undefined): void {
    const limit = this.d.config.sourceFailures.consecutiveFailures;
    if (!this.sourceFailing && failures >= limit) {
      this.sourceFailing = true;
      this.emit({ severity: 'warning', code: 'SOURCE_FAILING', reasons: ['SOURCE_FAILING'], message: `position source ${source}: ${failures} snapshots failed in a row${lastError ? `, last: ${scrubSecrets(lastError).slice(0, 200)}` : ''}` });
    } else if (this.sourceFailing && failures === 0) {
      this.sourceFailing = false;
      this.emit({ severity: 'info', code: 'SOURCE_RECOVERED', message: `position source ${source} answering again` });
    }
  }

  private onPosition(p: { tokenId: string; discrepancies: number; pendingFills: readonly { tradeId: string | undefined; key: string }[] } & AlertPositionNumbers): void {
    const before = this.discrepancies.get(p.tokenId) ?? 0;
    if (p.discrepancies === before) return;
    this.discrepancies.set(p.tokenId, p.discrepancies);
    if (p.discrepancies < before) return;
    const tradeIds = p.pendingFills.map((f) => f.tradeId ?? f.key);
    this.emit({
      severity: 'warning', code: 'DISCREPANCY', tokenId: p.tokenId, reasons: ['DISCREPANCY'],
      message: `balance moved more than (or against) the pending fills on ${p.tokenId}: ${p.discrepancies} discrepanc${p.discrepancies === 1 ? 'y' : 'ies'} so far${tradeIds.length ? ', still pending shown below' : ''}`,
      details: {
        position: { confirmed: p.confirmed, pendingBuys: p.pendingBuys, pendingSells: p.pendingSells, effective: p.effective, ...(p.pendingOrderBuys !== undefined && { pendingOrderBuys: p.pendingOrderBuys }) },
        ...(tradeIds.length && { tradeIds }),
      },
    });
  }

  private checkHeartbeat(): void {
    const h = this.lookup('venue health', () => this.d.venueHealth?.());
    if (!h) return;
    if (!h.heartbeatOk && !this.heartbeatFailing) {
      this.heartbeatFailing = true;
      this.emit({ severity: 'critical', code: 'HEARTBEAT_FAILED', reasons: ['HEARTBEAT_FAILED'], message: `venue heartbeats failing: the venue cancels our orders and refuses submits${h.lastError ? ` (${scrubSecrets(h.lastError).slice(0, 200)})` : ''}` });
    } else if (h.heartbeatOk && this.heartbeatFailing) {
      this.heartbeatFailing = false;
      this.emit({ severity: 'info', code: 'HEARTBEAT_RESTORED', message: 'venue heartbeats succeed again' });
    }
  }

  private scheduleDaily(): void {
    const minute = parseUtcTime(this.d.config.dailySummary.atUtc, 'alertFeed.dailySummary.atUtc');
    const at = nextDailyAt(this.d.clock.now(), minute);
    this.timers.push(this.d.clock.scheduleAt(at, () => {
      this.guard('daily summary', () => this.publishDailySummary());
      if (this.started) this.scheduleDaily();
    }));
  }

  private emit(a: Omit<DetailedAlert, 'type' | 'at'>): void {
    const alert: DetailedAlert = { type: 'alert', at: this.d.clock.now(), ...a };
    (this.d.publish ?? ((x: DetailedAlert) => this.d.bus.publishAlert(x)))(alert);
  }

  private lookup<T>(what: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (err) {
      this.d.logger.warn({ err: scrubSecrets(errorMessage(err)) }, `alert feed: ${what} lookup failed`);
      return undefined;
    }
  }

  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.d.logger.error({ err: scrubSecrets(errorMessage(err)) }, `alert feed: ${what} handling failed`);
    }
  }
}
