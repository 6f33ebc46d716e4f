/**
 * The webhook alert sink: one JSON POST per alert, through a bounded delivery queue (retries with
 * backoff, 429 Retry-After, health). With a secret, each attempt carries
 *   x-polyquote-timestamp: <epoch ms of the attempt>
 *   x-polyquote-signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
 * and every attempt of one alert carries the same `x-polyquote-delivery` id, so a receiver can
 * drop a retry of something it already got. The URL may hold a token: no text here names it.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { Clock } from '../../../core/clock.ts';
import type { AlertRaised, AlertSeverity } from '../../../core/events.ts';
import type { Logger } from '../../../core/logger.ts';
import { atLeast, type DetailedAlert, type ReportingAlertSink, type SinkDeliveryHealth } from '../../../ops/alerts/alert-types.ts';
import { DeliveryQueue, type DeliveryOutcome, type QueuedAlert } from '../../../ops/alerts/delivery-queue.ts';
import { alertToJson } from '../../../ops/alerts/format.ts';
import { networkReason } from '../../../ops/alerts/network-reason.ts';

export const SIGNATURE_HEADER = 'x-polyquote-signature';
export const TIMESTAMP_HEADER = 'x-polyquote-timestamp';
export const DELIVERY_HEADER = 'x-polyquote-delivery';

export interface WebhookSinkOptions {
  readonly url: string;
  /** HMAC key; no signature headers without it. */
  readonly secret?: string;
  readonly minSeverity: AlertSeverity;
  readonly clock: Clock;
  readonly logger?: Logger;
  readonly timeoutMs: number;
  readonly dedupWindowMs: number;
  readonly minIntervalMs: number;
  readonly maxQueue: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly failAfterAttempts: number;
  readonly maxRetryAfterMs?: number;
  /** On dispose, keep sending what is queued for up to this long (real time); 0 drops it at once. */
  readonly flushOnDisposeMs?: number;
}

/** The signature header value for a body signed at `timestamp`. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Retry-After in ms from its seconds or HTTP-date form; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number, max = 3_600_000): number | undefined {
  if (!header) return undefined;
  const s = header.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.min(Number(s) * 1000, max);
  const at = Date.parse(s);
  return Number.isNaN(at) ? undefined : Math.min(Math.max(0, at - now), max);
}

/** Maps an HTTP status to what the queue should do. Pure. */
export function webhookOutcome(status: number, retryAfter: number | undefined): DeliveryOutcome {
  const what = `webhook POST: HTTP ${status}`;
  if (status >= 200 && status < 300) return { kind: 'sent' };
  if (status === 429) return { kind: 'retry', error: what, throttled: true, ...(retryAfter !== undefined && { retryAfterMs: retryAfter }) };
  if (status >= 500 || status === 408) return { kind: 'retry', error: what, ...(retryAfter !== undefined && { retryAfterMs: retryAfter }) };
  return { kind: 'rejected', error: what };
}

interface Payload {
  readonly id: string;
  readonly body: string;
}

export class WebhookSink implements ReportingAlertSink {
  readonly kind = 'webhook';
  private readonly queue: DeliveryQueue<Payload>;
  private readonly ids = new WeakMap<QueuedAlert, string>();
  private readonly listeners = new Set<(h: SinkDeliveryHealth) => void>();

  constructor(private readonly o: WebhookSinkOptions) {
    this.queue = new DeliveryQueue<Payload>({
      name: 'webhook',
      clock: o.clock,
      ...(o.logger && { logger: o.logger }),
      pack: (items) => {
        const item = items[0]!;
        let id = this.ids.get(item);
        if (!id) this.ids.set(item, (id = randomUUID()));
        const body = JSON.stringify({ id, ...alertToJson(item.alert), ...(item.repeats > 0 && { repeats: item.repeats }) });
        return { count: 1, payload: { id, body } };
      },
      deliver: (p) => this.post(p),
      maxQueue: o.maxQueue,
      minIntervalMs: o.minIntervalMs,
      dedupWindowMs: o.dedupWindowMs,
      groupDelayMs: 0,
      backoff: { initialMs: o.initialBackoffMs, maxMs: o.maxBackoffMs, factor: 2 },
      failAfterAttempts: o.failAfterAttempts,
      onHealthChange: (h) => {
        for (const fn of this.listeners) fn(h);
      },
    });
  }

  send(alert: AlertRaised): void {
    if (atLeast(alert.severity, this.o.minSeverity)) this.queue.push(alert as DetailedAlert);
  }

  health(): SinkDeliveryHealth {
    return this.queue.health();
  }

  onHealthChange(fn: (h: SinkDeliveryHealth) => void): () => void {
    this.listeners.add(fn);
    return () => void this.listeners.delete(fn);
  }

  async dispose(): Promise<void> {
    const wait = this.o.flushOnDisposeMs ?? 0;
    if (wait > 0) await this.queue.drain(wait);
    else this.queue.close();
    this.listeners.clear();
  }

  private async post(p: Payload): Promise<DeliveryOutcome> {
    const headers: Record<string, string> = { 'content-type': 'application/json', [DELIVERY_HEADER]: p.id };
    if (this.o.secret) {
      const ts = String(this.o.clock.now());
      headers[TIMESTAMP_HEADER] = ts;
      headers[SIGNATURE_HEADER] = webhookSignature(this.o.secret, ts, p.body);
    }
    try {
      const res = await fetch(this.o.url, { method: 'POST', headers, body: p.body, signal: AbortSignal.timeout(this.o.timeoutMs) });
      await res.arrayBuffer().catch(() => undefined);
      return webhookOutcome(res.status, retryAfterMs(res.headers.get('retry-after'), this.o.clock.now(), this.o.maxRetryAfterMs));
    } catch (err) {
      return { kind: 'retry', error: `webhook POST: ${networkReason(err, this.o.timeoutMs)}` };
    }
  }
}
