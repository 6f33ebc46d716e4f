/**
 * A bounded delivery queue for one destination (a Telegram chat, a webhook URL). `push` is
 * synchronous and never waits on the network: the engine hands an alert over and moves on.
 *
 * - dedup: an alert identical to one pushed within `dedupWindowMs` is counted, not sent again
 *   (a still-queued original notes the repeat);
 * - grouping: sends wait `groupDelayMs` after the first push so a burst leaves as one message, and
 *   whatever queued up during a rate-limit wait is packed together;
 * - rate limit: at most one send per `minIntervalMs` on this destination, and through an optional
 *   gate shared by every destination of a sink;
 * - retries: a retryable failure puts the batch back at the head (order kept) and waits for the
 *   destination's `retryAfterMs` (a 429) or an exponential backoff; a refusal drops the batch;
 * - bounded: a full queue drops the oldest alert of the lowest severity present, counted;
 * - health: `failAfterAttempts` consecutive failures (or one refusal) make it `failing`; the next
 *   delivery makes it `ok` again. Throttling (429) is flow control, not failure.
 */
import type { Clock, TimerHandle } from '../../core/clock.ts';
import { errorMessage } from '../../core/errors.ts';
import type { AlertSeverity } from '../../core/events.ts';
import type { Logger } from '../../core/logger.ts';
import type { DetailedAlert, SinkDeliveryHealth } from './alert-types.ts';
import { backoffDelayMs, dedupKey, evictionIndex, type BackoffOptions } from './delivery-policy.ts';

export type DeliveryOutcome =
  | { readonly kind: 'sent' }
  /** Try again later; `throttled` for a rate-limit answer, with the wait it asked for. */
  | { readonly kind: 'retry'; readonly error: string; readonly retryAfterMs?: number; readonly throttled?: boolean }
  /** The destination refused these alerts for good. */
  | { readonly kind: 'rejected'; readonly error: string };

export interface QueuedAlert {
  readonly alert: DetailedAlert;
  readonly key: string;
  readonly pushedAt: number;
  repeats: number;
}

/** A minimum spacing shared by several queues (Telegram's overall 30 messages/s). */
export class RateGate {
  private nextAt = 0;
  constructor(readonly minIntervalMs: number) {}
  earliest(): number {
    return this.nextAt;
  }
  mark(now: number): void {
    this.nextAt = Math.max(this.nextAt, now + this.minIntervalMs);
  }
}

export interface DeliveryQueueOptions<P> {
  /** Names the destination in logs and errors; must hold no secret. */
  readonly name: string;
  readonly clock: Clock;
  readonly logger?: Logger;
  /** Packs a prefix of the queue (never empty) into one payload; `count` ≥ 1 items it covers. */
  pack(items: readonly QueuedAlert[]): { count: number; payload: P };
  /** Sends one payload. A rejection of the promise is treated as a retryable failure. */
  deliver(payload: P, items: readonly QueuedAlert[]): Promise<DeliveryOutcome>;
  readonly maxQueue: number;
  readonly minIntervalMs: number;
  readonly dedupWindowMs: number;
  readonly groupDelayMs: number;
  readonly backoff: BackoffOptions;
  readonly failAfterAttempts: number;
  readonly gate?: RateGate;
  readonly onHealthChange?: (h: SinkDeliveryHealth) => void;
}

const zeroDropped = (): Record<AlertSeverity, number> => ({ info: 0, warning: 0, critical: 0 });

export class DeliveryQueue<P> {
  private readonly queue: QueuedAlert[] = [];
  private readonly recent = new Map<string, { at: number; item: QueuedAlert }>();
  private timer: TimerHandle | undefined;
  private timerAt = Infinity;
  private inflight = false;
  private draining = false;
  private lastOutcome: DeliveryOutcome['kind'] | undefined;
  private closed = false;
  private lastSendAt = -Infinity;
  private holdUntil = -Infinity;
  private failures = 0;
  private state: 'ok' | 'failing' = 'ok';
  private lastError: string | undefined;
  private sent = 0;
  private rejected = 0;
  private deduplicated = 0;
  private readonly dropped = zeroDropped();

  constructor(private readonly o: DeliveryQueueOptions<P>) {}

  /** Hands an alert over; returns at once. */
  push(alert: DetailedAlert): void {
    if (this.closed) return;
    const now = this.o.clock.now();
    const key = dedupKey(alert);
    if (this.o.dedupWindowMs > 0) {
      const seen = this.recent.get(key);
      if (seen && now - seen.at < this.o.dedupWindowMs) {
        this.deduplicated++;
        seen.item.repeats++;
        return;
      }
    }
    const item: QueuedAlert = { alert, key, pushedAt: now, repeats: 0 };
    if (this.o.dedupWindowMs > 0) {
      this.recent.set(key, { at: now, item });
      if (this.recent.size > 4 * this.o.maxQueue) this.pruneRecent(now);
    }
    this.queue.push(item);
    this.enforceBound();
    this.schedule(now + this.o.groupDelayMs);
  }

  health(): SinkDeliveryHealth {
    return {
      state: this.state, lastError: this.lastError, consecutiveFailures: this.failures, sent: this.sent,
      queued: this.queue.length, dropped: { ...this.dropped }, deduplicated: this.deduplicated, rejected: this.rejected,
    };
  }

  /**
   * At shutdown: sends what is queued right away, in real time (whatever the clock), one payload per
   * `minIntervalMs`, until the queue is empty, a send fails, or `timeoutMs` passed. Then `close()`.
   */
  async drain(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    this.timer?.cancel();
    this.timer = undefined;
    this.timerAt = Infinity;
    this.draining = true;
    this.lastOutcome = undefined;
    while (!this.closed && (this.queue.length > 0 || this.inflight) && Date.now() < deadline) {
      if (!this.inflight) {
        if (this.lastOutcome !== undefined && this.lastOutcome !== 'sent') break;
        this.fire(true);
      }
      await new Promise((r) => setTimeout(r, this.inflight ? 5 : Math.max(5, this.o.minIntervalMs)));
    }
    this.draining = false;
    return this.close();
  }

  /** Stops timers; alerts still queued are counted as dropped and returned. */
  close(): number {
    this.closed = true;
    this.timer?.cancel();
    this.timer = undefined;
    const left = this.queue.splice(0);
    for (const i of left) this.dropped[i.alert.severity]++;
    if (left.length) this.o.logger?.warn({ destination: this.o.name, dropped: left.length }, 'alert queue closed with alerts not delivered');
    return left.length;
  }

  private pruneRecent(now: number): void {
    for (const [k, v] of this.recent) if (now - v.at >= this.o.dedupWindowMs) this.recent.delete(k);
    // Hard cap: a flood of distinct alerts inside one window must not grow memory without bound.
    const cap = 4 * this.o.maxQueue;
    for (const k of this.recent.keys()) {
      if (this.recent.size <= cap) break;
      this.recent.delete(k);
    }
  }

  private enforceBound(): void {
    while (this.queue.length > this.o.maxQueue) {
      const last = this.queue[this.queue.length - 1]!;
      const idx = evictionIndex(this.queue.slice(0, -1).map((q) => q.alert.severity), last.alert.severity);
      const [gone] = this.queue.splice(idx, 1);
      this.dropped[gone!.alert.severity]++;
      // A dropped alert must not swallow its repeats: the next one may get through.
      if (this.recent.get(gone!.key)?.item === gone) this.recent.delete(gone!.key);
      this.o.logger?.warn({ destination: this.o.name, code: gone!.alert.code, severity: gone!.alert.severity }, 'alert queue full: dropped an alert');
    }
  }

  private schedule(notBefore: number): void {
    if (this.closed || this.draining || this.inflight || this.queue.length === 0) return;
    const at = Math.max(notBefore, this.lastSendAt + this.o.minIntervalMs, this.holdUntil, this.o.gate?.earliest() ?? -Infinity);
    if (this.timer && this.timerAt <= at) return;
    this.timer?.cancel();
    this.timerAt = at;
    this.timer = this.o.clock.scheduleAt(at, () => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.fire();
    });
  }

  private fire(force = false): void {
    if (this.closed || this.inflight || this.queue.length === 0) return;
    const now = this.o.clock.now();
    const due = Math.max(this.lastSendAt + this.o.minIntervalMs, this.holdUntil, this.o.gate?.earliest() ?? -Infinity);
    if (!force && due > now) return this.schedule(due);
    const { count, payload } = this.o.pack(this.queue);
    const batch = this.queue.splice(0, Math.max(1, Math.min(count, this.queue.length)));
    this.inflight = true;
    this.lastSendAt = now;
    this.o.gate?.mark(now);
    let outcome: Promise<DeliveryOutcome>;
    try {
      outcome = this.o.deliver(payload, batch);
    } catch (err) {
      outcome = Promise.reject(err);
    }
    outcome
      .catch((err: unknown): DeliveryOutcome => ({ kind: 'retry', error: errorMessage(err) }))
      .then((r) => this.settle(batch, r))
      .catch((err: unknown) => this.o.logger?.error({ destination: this.o.name, err: errorMessage(err) }, 'alert queue bookkeeping failed'));
  }

  private settle(batch: QueuedAlert[], r: DeliveryOutcome): void {
    this.inflight = false;
    this.lastOutcome = r.kind;
    const now = this.o.clock.now();
    if (r.kind === 'sent') {
      this.sent += batch.length;
      this.failures = 0;
      this.setState('ok', this.lastError);
    } else if (r.kind === 'rejected') {
      this.rejected += batch.length;
      this.failures++;
      this.o.logger?.error({ destination: this.o.name, alerts: batch.map((b) => b.alert.code), err: r.error }, 'alert delivery refused');
      this.setState('failing', r.error);
    } else if (r.throttled) {
      this.queue.unshift(...batch);
      this.holdUntil = now + (r.retryAfterMs ?? backoffDelayMs(1, this.o.backoff));
      this.o.logger?.warn({ destination: this.o.name, retryAfterMs: this.holdUntil - now }, 'alert delivery throttled');
    } else {
      this.queue.unshift(...batch);
      this.failures++;
      this.holdUntil = now + Math.max(r.retryAfterMs ?? 0, backoffDelayMs(this.failures, this.o.backoff));
      this.o.logger?.warn({ destination: this.o.name, failures: this.failures, retryInMs: this.holdUntil - now, err: r.error }, 'alert delivery failed, will retry');
      if (this.failures >= this.o.failAfterAttempts) this.setState('failing', r.error);
      else this.lastError = r.error;
    }
    if (this.closed) return void this.close();
    this.enforceBound();
    if (!this.draining) this.schedule(now);
  }

  private setState(state: 'ok' | 'failing', error: string | undefined): void {
    this.lastError = error;
    if (state === this.state) return;
    this.state = state;
    this.o.onHealthChange?.(this.health());
  }
}
