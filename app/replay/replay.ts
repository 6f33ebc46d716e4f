/**
 * Deterministic replay of a tape (tape-format.md) through the same core, plugins and config as a
 * live run, on a virtual clock. Bad lines are errors naming their line number; with
 * `skipBadLines` they are reported and skipped instead.
 */
import { parseMicros } from '../../core/amounts.ts';
import { App } from '../app.ts';
import { VirtualClock } from '../../core/clock.ts';
import type { PolyquoteConfig } from '../../core/config/schema.ts';
import { TapeError, errorMessage } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { stateLine, type StateLine } from '../../core/engine/report.ts';
import { decodeEventLine, isEventLineKind, parseAt } from '../../core/tape-codec.ts';
import { frameEvents, frameOf, isFrameKind } from './frames.ts';

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
  let lastAt = -Infinity;
  let lineNo = 0;
  let applied = 0;
  let skipped = 0;
  try {
    for await (const raw of opts.lines) {
      lineNo++;
      const text = raw.trim();
      if (text === '') continue;
      try {
        const obj = parseLine(text);
        const at = parseAt(obj.at, 'at');
        if (at < lastAt) throw new Error(`at ${new Date(at).toISOString()} is earlier than the previous line's ${new Date(lastAt).toISOString()}`);
        const kind = String(obj.kind);
        const frame = isFrameKind(kind) ? frameOf(obj) : undefined;
        if (!isEventLineKind(kind) && !isFrameKind(kind) && kind !== 'advance' && kind !== 'query') throw new Error(`unknown kind ${JSON.stringify(obj.kind)}`);
        const event = isEventLineKind(kind) ? decodeEventLine(obj) : undefined;
        const query = kind === 'query' ? parseQuery(obj) : undefined;
        if (kind === 'advance' && Object.keys(obj).some((k) => k !== 'at' && k !== 'kind')) throw new Error('advance takes no fields but at and kind');
        if (!app) {
          clock = new VirtualClock(at);
          app = App.create(opts.config, { clock, ledger: { kind: 'memory' }, withoutSources: true, withoutTrading: true, ...(opts.logger && { logger: opts.logger }) });
          opts.onApp?.(app);
          await app.start();
        }
        lastAt = at;
        clock!.advanceTo(at);
        if (event) app.engine.ingest(event);
        if (frame !== undefined && isFrameKind(kind)) {
          const r = frameEvents(kind, frame, at, app.engine, opts.config);
          for (const e of r.events) app.engine.ingest(e);
          for (const p of r.problems) opts.onFrameProblem?.(lineNo, p.message);
        }
        if (query) {
          const answer: Record<string, boolean> = {};
          if (query.canBuy !== undefined) answer.canBuy = app.engine.canBuy(query.tokenId!, query.canBuy);
          if (query.canSell !== undefined) answer.canSell = app.engine.canSell(query.tokenId!, query.canSell);
          opts.output(stateLine(app.engine, at, { ...(query.tokenId && { tokenId: query.tokenId }), ...(Object.keys(answer).length && { answer }) }));
        }
        applied++;
      } catch (err) {
        const te = err instanceof TapeError ? err : new TapeError(lineNo, errorMessage(err), err);
        if (!opts.skipBadLines) throw te;
        skipped++;
        opts.onSkipped?.(te);
      }
    }
    if (app) opts.output(stateLine(app.engine, clock!.now()));
    return { lines: lineNo, applied, skipped, app };
  } finally {
    await app?.dispose();
  }
}

function parseLine(text: string): Record<string, unknown> {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (err) {
    throw new Error(`expected a JSON object, got invalid JSON (${errorMessage(err)})`);
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new Error('expected a JSON object');
  const o = obj as Record<string, unknown>;
  if (o.at === undefined) throw new Error('expected field "at"');
  if (o.kind === undefined) throw new Error('expected field "kind"');
  return o;
}

function parseQuery(obj: Record<string, unknown>): { tokenId?: string; canBuy?: bigint; canSell?: bigint } {
  for (const k of Object.keys(obj)) if (!['at', 'kind', 'tokenId', 'canBuy', 'canSell'].includes(k)) throw new Error(`unknown field ${JSON.stringify(k)} in query`);
  const tokenId = obj.tokenId;
  if (tokenId !== undefined && (typeof tokenId !== 'string' || !/^\d{1,78}$/.test(tokenId))) throw new Error('expected tokenId to be a decimal uint256 string');
  if ((obj.canBuy !== undefined || obj.canSell !== undefined) && tokenId === undefined) throw new Error('a query with canBuy/canSell needs a tokenId');
  return {
    ...(tokenId !== undefined && { tokenId: tokenId as string }),
    ...(obj.canBuy !== undefined && { canBuy: parseMicros(obj.canBuy, 'canBuy') }),
    ...(obj.canSell !== undefined && { canSell: parseMicros(obj.canSell, 'canSell') }),
  };
}
