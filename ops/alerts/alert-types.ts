/**
 * Alert shapes shared by the alert feed, the dispatcher, the formatter and the queued sinks.
 *
 * A `DetailedAlert` is an `AlertRaised` (so it travels on `bus.alerts$` and through
 * `AlertSink.send` unchanged) with optional structured numbers a phone message can show: the
 * position, the trade ids, extra facts. Amounts stay bigint micro-units until formatted.
 */
import type { Micros } from '../../core/amounts.ts';
import type { AlertRaised, AlertSeverity } from '../../core/events.ts';
import type { AlertSink } from '../../core/alerts.ts';

export interface AlertPositionNumbers {
  readonly confirmed: Micros;
  readonly pendingBuys: Micros;
  readonly pendingSells: Micros;
  readonly effective: Micros;
  readonly pendingOrderBuys?: Micros;
}

export interface AlertDetails {
  readonly position?: AlertPositionNumbers;
  readonly tradeIds?: readonly string[];
  /** A human market name for the token, when known. */
  readonly market?: string;
  /** Identity of the underlying event (a fill's key): alerts with different keys are never merged as repeats. */
  readonly eventKey?: string;
  /** Ordered label/value pairs shown as lines ("Volume", "12.5"). */
  readonly facts?: readonly (readonly [label: string, value: string])[];
}

export type DetailedAlert = AlertRaised & { readonly details?: AlertDetails };

export const SEVERITY_RANK: Readonly<Record<AlertSeverity, number>> = { info: 0, warning: 1, critical: 2 };

/** Whether `severity` is at least `min`. */
export function atLeast(severity: AlertSeverity, min: AlertSeverity): boolean {
  return SEVERITY_RANK[severity] >= SEVERITY_RANK[min];
}

/** Health a queued sink reports about its delivery. */
export interface SinkDeliveryHealth {
  readonly state: 'ok' | 'failing';
  readonly lastError: string | undefined;
  readonly consecutiveFailures: number;
  /** Alerts delivered (a grouped message counts each alert it carried). */
  readonly sent: number;
  /** Alerts waiting to go out. */
  readonly queued: number;
  /** Alerts dropped because the queue was full, by severity. */
  readonly dropped: Readonly<Record<AlertSeverity, number>>;
  /** Repeats suppressed within the dedup window. */
  readonly deduplicated: number;
  /** Alerts the destination refused for good (4xx other than 429). */
  readonly rejected: number;
}

/** An alert sink that reports its delivery health (the telegram and webhook sinks). */
export interface ReportingAlertSink extends AlertSink {
  /** Current health, merged over every destination the sink has. */
  health(): SinkDeliveryHealth;
  /** Calls `fn` on every ok ↔ failing transition; returns an unsubscribe function. */
  onHealthChange(fn: (h: SinkDeliveryHealth) => void): () => void;
}

/** Type guard for sinks that report their delivery health. */
export function isReportingSink(s: AlertSink): s is ReportingAlertSink {
  return typeof (s as Partial<ReportingAlertSink>).health === 'function' && typeof (s as Partial<ReportingAlertSink>).onHealthChange === 'function';
}
