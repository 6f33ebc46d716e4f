/**
 * Deterministic replay of a tape (tape-format.md) through the same core, plugins and config as a
 * live run, on a virtual clock. Bad lines are errors naming their line number; with
 * `skipBadLines` they are reported and skipped instead.
 */
import { App } from '../app.ts';
import { VirtualClock } from '../../core/clock.ts';
import type { PolyquoteConfig } from '../../core/config/schema.ts';
import { TapeError, errorMessage } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { stateLine, type StateLine } from '../../core/engine/report.ts';
import { TapeReader } from './tape-lines.ts';
import { itemEvents } from './frames.ts';

export interface ReplayOptions {
  readonly config: PolyquoteConfig;
  readonly lines: AsyncIterable<string> | Iterable<string>;
  readonly skipBadLines?: boolean;
  readonly logger?: Logger;
  /** Receives each output line (queries, then the final state). */
  readonly output: (line: StateLine) => void;
  /** Receives each skipped line's error. */
  readonly onSkipped?: (err: TapeError) => void;
  /** Called with the app once built (tests and the demo observe the bus through it). */
  readonly onApp?: (app: App) => void;
  /** A venue frame held an event that could not be understood (skipped, as live). */
  readonly onFrameProblem?: (line: number, message: string) => void;
}

export interface ReplaySummary {
  readonly lines: number;
  readonly applied: number;
  readonly skipped: number;
  readonly app: App | undefined;
}

/** Replays a tape; throws TapeError on the first bad line unless skipBadLines. */
export async function replayTape(opts: ReplayOptions): Promise<ReplaySummary> {
  let app: App | undefined;
  let clock: VirtualClock | undefined;
  const reader = new TapeReader();
  let applied = 0;
  let skipped = 0;
  try {
    for await (const raw of opts.lines) {
      try {
        const item = reader.next(raw);
        if (!item) continue;
        if (!app) {
          clock = new VirtualClock(item.at);
          app = App.create(opts.config, { clock, ledger: { kind: 'memory' }, withoutSources: true, withoutTrading: true, ...(opts.logger && { logger: opts.logger }) });
          opts.onApp?.(app);
          await app.start();
        }
        clock!.advanceTo(item.at);
        for (const e of itemEvents(item, app.engine, opts.config, opts.onFrameProblem)) app.engine.ingest(e);
        if (item.kind === 'query') {
          const answer: Record<string, boolean> = {};
          if (item.canBuy !== undefined) answer.canBuy = app.engine.canBuy(item.tokenId!, item.canBuy);
          if (item.canSell !== undefined) answer.canSell = app.engine.canSell(item.tokenId!, item.canSell);
          opts.output(stateLine(app.engine, item.at, { ...(item.tokenId && { tokenId: item.tokenId }), ...(Object.keys(answer).length && { answer }) }));
        }
        applied++;
      } catch (err) {
        const te = err instanceof TapeError ? err : new TapeError(reader.line, errorMessage(err), err);
        if (!opts.skipBadLines) throw te;
        skipped++;
        opts.onSkipped?.(te);
      }
    }
    if (app) opts.output(stateLine(app.engine, clock!.now()));
    return { lines: reader.line, applied, skipped, app };
  } finally {
    await app?.dispose();
  }
}
