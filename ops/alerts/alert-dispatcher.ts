/**
 * Hands every alert on `bus.alerts$` to every sink, containing each one: a sink that throws,
 * rejects, or reports persistent delivery failure becomes a health state and ONE
 * `ALERT_SINK_FAILED` alert on the other sinks (`ALERT_SINK_RECOVERED` when it works again); it
 * never breaks the alert stream and the publisher never waits on it (sinks are called
 * synchronously and their promises are not awaited; the queued sinks return at once).
 *
 * Alerts about a token that carry no numbers get the token's position attached (an injected
 * lookup), so phone messages show confirmed / pending / effective.
 */
import type { Subscription } from 'rxjs';
import type { AlertSink } from '../../core/alerts.ts';
import type { Bus } from '../../core/bus.ts';
import type { Clock } from '../../core/clock.ts';
import { errorMessage } from '../../core/errors.ts';
import type { AlertRaised, AlertSeverity } from '../../core/events.ts';
import { scrubSecrets, type Logger } from '../../core/logger.ts';
import { isReportingSink, SEVERITY_RANK, type AlertPositionNumbers, type DetailedAlert, type SinkDeliveryHealth } from './alert-types.ts';

export interface AlertDispatcherOptions {
  /** The token's current numbers, for alerts that carry none (e.g. `(t) => engine.position(t)`). */
  readonly position?: (tokenId: string) => AlertPositionNumbers | undefined;
  /** A human market name for a token, when known. */
  readonly market?: (tokenId: string) => string | undefined;
}

/** One sink's health as the dispatcher sees it. */
export interface SinkHealth {
  /** `kind`, or `kind#index` when several sinks share a kind. */
  readonly name: string;
  readonly kind: string;
  readonly state: 'ok' | 'failing';
  readonly lastError: string | undefined;
  /** When it last changed state (epoch ms). */
  readonly since: number;
  /** Calls to `send` that threw or rejected. */
  readonly sendFailures: number;
  /** Delivery figures of queued sinks (zero for the others). */
  readonly sent: number;
  readonly queued: number;
  readonly dropped: number;
  readonly droppedBySeverity: Readonly<Record<AlertSeverity, number>>;
  readonly deduplicated: number;
  readonly rejected: number;
}

interface Entry {
  readonly sink: AlertSink;
  readonly name: string;
  sendFailing: boolean;
  reportedFailing: boolean;
  failing: boolean;
  lastError: string | undefined;
  since: number;
  sendFailures: number;
  unsubscribe?: () => void;
}

export class AlertDispatcher {
  private readonly entries: Entry[];
  private sub: Subscription | undefined;
  private readonly listeners = new Set<(h: SinkHealth) => void>();
  private stopped = false;
  /** Sink-failed/recovered notices raised while an alert is being handed out go after it. */
  private readonly notices: { from: Entry; alert: AlertRaised }[] = [];
  private dispatching = false;

  constructor(
    private readonly bus: Bus,
    sinks: readonly AlertSink[],
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: AlertDispatcherOptions = {},
  ) {
    const counts = new Map<string, number>();
    for (const s of sinks) counts.set(s.kind, (counts.get(s.kind) ?? 0) + 1);
    const seen = new Map<string, number>();
    this.entries = sinks.map((sink) => {
      const i = seen.get(sink.kind) ?? 0;
      seen.set(sink.kind, i + 1);
      const name = (counts.get(sink.kind) ?? 0) > 1 ? `${sink.kind}#${i}` : sink.kind;
      return { sink, name, sendFailing: false, reportedFailing: false, failing: false, lastError: undefined, since: clock.now(), sendFailures: 0 };
    });
  }

  /** Subscribes to `bus.alerts$` and to the sinks' own health reports. Idempotent. */
  start(): void {
    if (this.sub || this.stopped) return;
    for (const e of this.entries) {
      if (!isReportingSink(e.sink)) continue;
      const sink = e.sink;
      e.unsubscribe = sink.onHealthChange((h) => {
        e.reportedFailing = h.state === 'failing';
        this.update(e, h.lastError);
      });
    }
    this.sub = this.bus.alerts$.subscribe((a) => this.dispatch(a));
  }

  /** Sends one alert to every sink (what `start()` does for each alert on the bus). */
  dispatch(alert: AlertRaised): void {
    const a = this.enrich(alert);
    const outer = !this.dispatching;
    this.dispatching = true;
    try {
      for (const e of this.entries) this.deliver(e, a);
    } finally {
      if (outer) this.dispatching = false;
    }
    if (outer) this.drainNotices();
  }

  private drainNotices(): void {
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let n = this.notices.shift(); n; n = this.notices.shift()) {
        if (this.stopped) continue;
        for (const other of this.entries) if (other !== n.from) this.deliver(other, n.alert);
      }
    } finally {
      this.dispatching = false;
    }
  }

  /** Health per sink, in configuration order. */
  health(): SinkHealth[] {
    return this.entries.map((e) => {
      const sink = e.sink;
      const d: SinkDeliveryHealth | undefined = isReportingSink(sink) ? safe(() => sink.health()) : undefined;
      const dropped = d?.dropped ?? { info: 0, warning: 0, critical: 0 };
      return {
        name: e.name, kind: e.sink.kind, state: e.failing ? 'failing' : 'ok', lastError: e.lastError, since: e.since, sendFailures: e.sendFailures,
        sent: d?.sent ?? 0, queued: d?.queued ?? 0, dropped: dropped.info + dropped.warning + dropped.critical, droppedBySeverity: { ...dropped },
        deduplicated: d?.deduplicated ?? 0, rejected: d?.rejected ?? 0,
      };
    });
  }

  /** Calls `fn` with a sink's health on each ok ↔ failing transition (metrics hook here). */
  onHealthChange(fn: (h: SinkHealth) => void): () => void {
    this.listeners.add(fn);
    return () => void this.listeners.delete(fn);
  }

  /** Stops listening; sinks stay alive. */
  stop(): void {
    this.sub?.unsubscribe();
    this.sub = undefined;
    for (const e of this.entries) e.unsubscribe?.();
  }

  /** Stops listening and disposes every sink, each failure contained and logged. */
  async dispose(): Promise<void> {
    this.stop();
    this.stopped = true;
    for (const e of this.entries) {
      try {
        await e.sink.dispose?.();
      } catch (err) {
        this.logger.error({ sink: e.name, err: scrubSecrets(errorMessage(err)) }, 'alert sink dispose failed');
      }
    }
  }

  private enrich(raw: AlertRaised): DetailedAlert {
    // An error text quoted into a message may carry a registered secret: pages never show it.
    const message = scrubSecrets(typeof raw.message === 'string' ? raw.message : String(raw.message));
    const severity = raw.severity in SEVERITY_RANK ? raw.severity : 'warning';
    const a: AlertRaised = message === raw.message && severity === raw.severity ? raw : { ...raw, message, severity };
    const d = a as DetailedAlert;
    const tokenId = a.tokenId;
    if (tokenId === undefined || (!this.options.position && !this.options.market)) return d;
    const position = d.details?.position ?? safe(() => this.options.position?.(tokenId));
    const market = d.details?.market ?? safe(() => this.options.market?.(tokenId));
    if (position === d.details?.position && market === d.details?.market) return d;
    return {
      ...d,
      details: {
        ...d.details,
        ...(position && { position: { confirmed: position.confirmed, pendingBuys: position.pendingBuys, pendingSells: position.pendingSells, effective: position.effective, ...(position.pendingOrderBuys !== undefined && { pendingOrderBuys: position.pendingOrderBuys }) } }),
        ...(market && { market }),
      },
    };
  }

  private deliver(e: Entry, a: AlertRaised): void {
    let result: unknown;
    try {
      result = e.sink.send(a);
    } catch (err) {
      this.sendFailed(e, err, a);
      return;
    }
    if (result && typeof (result as Promise<void>).then === 'function') {
      (result as Promise<void>).then(() => this.sendWorked(e), (err: unknown) => this.sendFailed(e, err, a));
    } else {
      this.sendWorked(e);
    }
  }

  private sendWorked(e: Entry): void {
    if (!e.sendFailing) return;
    e.sendFailing = false;
    this.update(e, e.lastError);
  }

  private sendFailed(e: Entry, err: unknown, a: AlertRaised): void {
    e.sendFailures++;
    e.sendFailing = true;
    const text = scrubSecrets(errorMessage(err)).slice(0, 300);
    this.logger.error({ sink: e.name, alert: a.code, err: text }, 'alert sink failed');
    this.update(e, text);
  }

  private update(e: Entry, lastError: string | undefined): void {
    if (lastError !== undefined) e.lastError = scrubSecrets(lastError);
    const failing = e.sendFailing || e.reportedFailing;
    if (failing === e.failing) return;
    e.failing = failing;
    e.since = this.clock.now();
    this.logger[failing ? 'error' : 'info']({ sink: e.name, err: e.lastError }, failing ? 'alert sink is failing' : 'alert sink recovered');
    const alert: AlertRaised = failing
      ? { type: 'alert', at: e.since, severity: 'warning', code: 'ALERT_SINK_FAILED', message: `alert sink ${e.name} is failing: ${e.lastError ?? 'unknown error'}`, reasons: ['ALERT_SINK_FAILED'] }
      : { type: 'alert', at: e.since, severity: 'info', code: 'ALERT_SINK_RECOVERED', message: `alert sink ${e.name} delivers again` };
    this.notices.push({ from: e, alert });
    this.drainNotices();
    const h = this.health().find((x) => x.name === e.name)!;
    for (const fn of this.listeners) safe(() => fn(h));
  }
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
