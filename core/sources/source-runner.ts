/**
 * Drives one PositionSource on the injected clock and turns its answers into inbound events.
 *
 * - Polls every `source.pollIntervalMs` (plus once at start). Fetches never overlap: a poll tick that
 *   finds a fetch in flight is skipped.
 * - Every fetch gets an AbortSignal aborted after `source.timeoutMs` (on the clock); the runner also
 *   stops waiting at that moment, so a source that ignores its signal still cannot hang the runner.
 * - `requestSnapshot(reason)` (feed reconnect or gap) fetches at once; if a fetch is already in flight
 *   it may have read state from before the gap, so one follow-up fetch is queued after it and every
 *   request made meanwhile shares that follow-up.
 * - A source with `watch` has its pushed reports sunk the same way as polled ones.
 * Nothing the source does can throw out of the runner: failures become `source_error` events.
 */
import type { Clock, TimerHandle } from '../clock.ts';
import { SourceError, errorMessage } from '../errors.ts';
import type { InboundEvent } from '../events.ts';
import type { Logger } from '../logger.ts';
import type { BalanceReport, PositionSource, SourceHealth } from './position-source.ts';

export interface SourceRunnerParams {
  readonly source: PositionSource;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Token ids to fetch, read at each fetch. */
  readonly tokenIds: () => readonly string[];
  readonly sink: (e: InboundEvent) => void;
}

interface FollowUp {
  readonly reasons: string[];
  readonly done: Promise<void>;
  resolve(): void;
}

/** Polls a position source on the clock and sinks `balance` / `source_error` events. */
export class SourceRunner {
  private readonly p: SourceRunnerParams;
  private timer: TimerHandle | undefined;
  private unwatch: (() => void) | undefined;
  private inFlight: Promise<void> | undefined;
  private controller: AbortController | undefined;
  private followUp: FollowUp | undefined;
  private started = false;
  private stopped = false;
  private lastSuccessAt: number | undefined;
  private lastAttemptAt: number | undefined;
  private consecutiveFailures = 0;
  private lastLatencyMs: number | undefined;
  private lastError: string | undefined;
  private servingFallback = false;

  constructor(params: SourceRunnerParams) {
    this.p = params;
  }

  /** Starts polling (first fetch at once) and the source's watch, if it has one. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    const { source, clock } = this.p;
    this.timer = clock.every(source.pollIntervalMs, () => {
      if (this.inFlight) {
        this.p.logger.debug({ source: source.name }, `position source ${source.name}: previous fetch still running, poll skipped`);
        return;
      }
      void this.run('poll');
    });
    void this.run('start');
    if (source.watch) {
      this.unwatch = source.watch(
        this.p.tokenIds,
        (r) => this.emitReport(r),
        (e) => this.emitError(e, 'watch'),
      );
    }
  }

  /** Fetches now (after the in-flight fetch, if any); resolves once that snapshot has been sunk or failed. */
  requestSnapshot(reason: string): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.p.logger.info({ source: this.p.source.name, reason }, `position source ${this.p.source.name}: snapshot requested (${reason})`);
    if (!this.inFlight) return this.run(reason);
    if (!this.followUp) {
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      this.followUp = { reasons: [], done, resolve };
    }
    this.followUp.reasons.push(reason);
    return this.followUp.done;
  }

  /** Cancels the poll timer, aborts the in-flight fetch and unsubscribes the watch. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.timer?.cancel();
    this.unwatch?.();
    this.controller?.abort(new SourceError(this.p.source.name, 'SOURCE_STOPPED', 'the source runner stopped'));
    const pending = this.inFlight;
    this.followUp?.resolve();
    this.followUp = undefined;
    await pending;
  }

  /** Health of the source as seen through its polled fetches. */
  health(): SourceHealth {
    return {
      source: this.p.source.name,
      lastSuccessAt: this.lastSuccessAt,
      lastAttemptAt: this.lastAttemptAt,
      consecutiveFailures: this.consecutiveFailures,
      lastLatencyMs: this.lastLatencyMs,
      lastError: this.lastError,
      servingFallback: this.servingFallback,
    };
  }

  private run(reason: string): Promise<void> {
    const current = this.fetchOnce(reason).finally(() => {
      this.inFlight = undefined;
      const next = this.followUp;
      this.followUp = undefined;
      if (next && !this.stopped) void this.run(next.reasons.join(', ')).then(next.resolve);
      else next?.resolve();
    });
    this.inFlight = current;
    return current;
  }

  private async fetchOnce(reason: string): Promise<void> {
    const { source, clock } = this.p;
    const controller = new AbortController();
    this.controller = controller;
    const startedAt = clock.now();
    this.lastAttemptAt = startedAt;
    const deadline = clock.scheduleAt(startedAt + source.timeoutMs, () =>
      controller.abort(new SourceError(source.name, 'SOURCE_TIMEOUT', `expected an answer within ${source.timeoutMs} ms, got none (${reason} fetch)`)),
    );
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    });
    const t0 = performance.now();
    try {
      const fetching = Promise.resolve().then(() => source.fetchBalances(this.p.tokenIds(), controller.signal));
      const report = await Promise.race([fetching, aborted]);
      if (this.stopped) return;
      this.lastLatencyMs = Math.round((performance.now() - t0) * 10) / 10;
      this.lastSuccessAt = clock.now();
      this.consecutiveFailures = 0;
      this.lastError = undefined;
      this.servingFallback = report.degraded;
      this.p.logger.debug(
        { source: report.sourceName, block: report.block?.toString(), tokens: report.balances.size, latencyMs: report.latencyMs, roundTrips: report.roundTrips },
        `position source ${report.sourceName}: snapshot (${reason})`,
      );
      this.emitReport(report);
    } catch (err) {
      if (this.stopped) return;
      this.consecutiveFailures++;
      this.emitError(err, reason);
    } finally {
      deadline.cancel();
      if (this.controller === controller) this.controller = undefined;
    }
  }

  private emitReport(r: BalanceReport): void {
    if (this.stopped) return;
    this.sink({
      type: 'balance',
      at: this.p.clock.now(),
      source: r.source,
      balances: r.balances,
      ...(r.block !== undefined ? { block: r.block } : {}),
      ...(r.collateral !== undefined ? { collateral: r.collateral } : {}),
      degraded: r.degraded,
    });
  }

  private emitError(err: unknown, reason: string): void {
    if (this.stopped) return;
    const name = this.p.source.name;
    const message = errorMessage(err);
    this.lastError = message;
    this.p.logger.warn(
      { source: name, code: err instanceof SourceError ? err.code : undefined, retryable: err instanceof SourceError ? err.retryable : undefined, consecutiveFailures: this.consecutiveFailures, reason },
      `position source ${name} failed (${reason}): ${message}`,
    );
    this.sink({ type: 'source_error', at: this.p.clock.now(), source: name, error: message });
  }

  private sink(e: InboundEvent): void {
    try {
      this.p.sink(e);
    } catch (err) {
      this.p.logger.error({ source: this.p.source.name, err: errorMessage(err) }, `position source ${this.p.source.name}: the event sink threw`);
    }
  }
}
