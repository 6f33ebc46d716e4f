/**
 * Tries its sources in order and answers with the first that succeeds. An answer from any source but
 * the first is marked `degraded: true` — that flag is the contract the engine derives its fallback
 * alert and conservative quoting from. Locally it logs one warning when an episode of serving the
 * fallback starts and one info line when the primary answers again (`servingFallback` tells which).
 *
 * Return policy: by default the primary is tried first on every fetch, so the first fetch after it
 * recovers is already served by it (cost while it is down: one primary timeout per fetch). With
 * `primaryRetryMs` > 0, a failed primary is skipped until that much clock time has passed.
 */
import type { Clock } from '../../../core/clock.ts';
import { SourceError, errorMessage } from '../../../core/errors.ts';
import type { Logger } from '../../../core/logger.ts';
import type { BalanceReport, PositionSource } from '../../../core/sources/position-source.ts';
import { abortError, elapsedMs, withAbort } from '../support.ts';

export interface FallbackSourceOptions {
  readonly name?: string;
  /** Primary first; at least one. */
  readonly sources: readonly PositionSource[];
  readonly clock: Clock;
  readonly logger?: Logger;
  /** Default: the primary's poll interval. */
  readonly pollIntervalMs?: number;
  /** Default: the sum of the sources' timeouts, so every source gets its chance within one fetch. */
  readonly timeoutMs?: number;
  /** 0 (default) = try the primary on every fetch. */
  readonly primaryRetryMs?: number;
}

/** A position source that serves from the first of its sources that answers. */
export class FallbackSource implements PositionSource {
  readonly name: string;
  readonly pollIntervalMs: number;
  readonly timeoutMs: number;
  readonly watch?: PositionSource['watch'];
  private readonly sources: readonly PositionSource[];
  private readonly opts: FallbackSourceOptions;
  private serving = false;
  private skipPrimaryUntil: number | undefined;

  constructor(opts: FallbackSourceOptions) {
    if (opts.sources.length === 0) throw new RangeError('a fallback source needs at least one source');
    this.opts = opts;
    this.sources = opts.sources;
    this.name = opts.name ?? 'fallback';
    const primary = opts.sources[0]!;
    this.pollIntervalMs = opts.pollIntervalMs ?? primary.pollIntervalMs;
    this.timeoutMs = opts.timeoutMs ?? opts.sources.reduce((sum, s) => sum + s.timeoutMs, 0);
    if (primary.watch) {
      const primaryWatch = primary.watch.bind(primary);
      // Pushed reports come from the primary itself, so they are never degraded.
      this.watch = (tokenIds, onReport, onError) =>
        primaryWatch(tokenIds, (r) => onReport({ ...r, sourceName: `${this.name}>${r.sourceName}` }), onError);
    }
  }

  /** True while answers come from a source other than the first. */
  get servingFallback(): boolean {
    return this.serving;
  }

  /** Answers from the first source that succeeds; rejects listing every failure when none does. */
  async fetchBalances(tokenIds: readonly string[], signal?: AbortSignal): Promise<BalanceReport> {
    const t0 = performance.now();
    const failures: string[] = [];
    for (const [i, source] of this.sources.entries()) {
      if (signal?.aborted) throw abortError(this.name, signal);
      if (i === 0 && this.skipPrimaryUntil !== undefined && this.opts.clock.now() < this.skipPrimaryUntil) {
        failures.push(`${source.name}: skipped until ${new Date(this.skipPrimaryUntil).toISOString()} after failing`);
        continue;
      }
      const deadline = AbortSignal.timeout(source.timeoutMs);
      const sub = signal ? AbortSignal.any([signal, deadline]) : deadline;
      try {
        const report = await withAbort(source.name, source.fetchBalances(tokenIds, sub), sub);
        this.onAnswer(i, source, failures);
        return {
          ...report,
          sourceName: `${this.name}>${report.sourceName}`,
          degraded: report.degraded || i > 0,
          // Each failed attempt before it cost at least one request.
          roundTrips: report.roundTrips + failures.filter((f) => !f.includes(': skipped until ')).length,
          latencyMs: elapsedMs(t0),
        };
      } catch (err) {
        if (signal?.aborted) throw abortError(this.name, signal);
        const message = deadline.aborted ? `${source.name}: no answer within ${source.timeoutMs} ms` : errorMessage(err);
        failures.push(message.startsWith(`${source.name}:`) ? message : `${source.name}: ${message}`);
        if (i === 0 && (this.opts.primaryRetryMs ?? 0) > 0) this.skipPrimaryUntil = this.opts.clock.now() + this.opts.primaryRetryMs!;
        this.opts.logger?.debug({ source: source.name, err: message }, `${this.name}: ${source.name} failed, trying the next source`);
      }
    }
    throw new SourceError(this.name, 'ALL_SOURCES_FAILED', `expected one of ${this.sources.length} sources to answer, got failures: ${failures.join('; ')}`);
  }

  async dispose(): Promise<void> {
    await Promise.allSettled(this.sources.map((s) => s.dispose()));
  }

  private onAnswer(index: number, source: PositionSource, failures: readonly string[]): void {
    const primary = this.sources[0]!;
    if (index === 0) {
      this.skipPrimaryUntil = undefined;
      if (this.serving) {
        this.serving = false;
        this.opts.logger?.info({ source: primary.name }, `${this.name}: primary ${primary.name} answers again; no longer serving a fallback`);
      }
      return;
    }
    if (!this.serving) {
      this.serving = true;
      this.opts.logger?.warn(
        { source: source.name, primary: primary.name, failures },
        `${this.name}: serving positions from fallback ${source.name} (degraded) because ${failures.join('; ')}`,
      );
    }
  }
}
