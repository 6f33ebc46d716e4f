/**
 * Raw venue frames in a tape (`user_ws`, `market_ws`): parsed by the Polymarket connector's own
 * parsers, with the identity from config (funder; the API key when configured) and our order ids
 * from the engine — the same code path as a live run. A frame that is not an object or an array
 * is a bad line; events inside it that cannot be understood are reported and skipped, as live.
 */
import type { Engine } from '../../core/engine/engine.ts';
import type { InboundEvent } from '../../core/events.ts';
import type { PolyquoteConfig } from '../../core/config/schema.ts';
import { parseMarketFrame, parseUserFrame, type FeedProblem } from '../../plugins/venue/polymarket/feeds/index.ts';
import type { TapeItem } from './tape-lines.ts';

export type FrameKind = 'user_ws' | 'market_ws';

export function isFrameKind(kind: string): kind is FrameKind {
  return kind === 'user_ws' || kind === 'market_ws';
}

/** Checks the line's shape before anything is applied. */
export function frameOf(obj: Record<string, unknown>): unknown {
  const extra = Object.keys(obj).filter((k) => k !== 'at' && k !== 'kind' && k !== 'frame');
  if (extra.length) throw new Error(`unknown field ${JSON.stringify(extra[0])} (a frame line has at, kind and frame)`);
  const f = obj.frame;
  if (f === null || typeof f !== 'object') throw new Error(`expected frame to be the JSON object or array received, got ${f === undefined ? 'nothing' : JSON.stringify(f).slice(0, 60)} at frame`);
  return f;
}

/** The events a frame stands for, and the problems found in it. */
export function frameEvents(kind: FrameKind, frame: unknown, at: number, engine: Engine, config: PolyquoteConfig): { events: InboundEvent[]; problems: FeedProblem[] } {
  if (kind === 'market_ws') {
    const r = parseMarketFrame(frame, at);
    return { events: [...r.events], problems: [...r.problems] };
  }
  const apiKeyEnv = (config.venue as { apiKeyEnv?: string } | undefined)?.apiKeyEnv;
  const r = parseUserFrame(frame, {
    ourOrderIds: (id) => engine.orders.get(id) !== undefined || engine.orders.isClosed(id),
    apiKey: (apiKeyEnv && process.env[apiKeyEnv]) || '',
    funder: config.identity.funder ?? '',
    now: at,
  });
  return { events: [...r.events], problems: [...r.problems] };
}

/**
 * The events a tape item stands for, on the one path replay and ingest share: an event line's own
 * event; a frame line's events as the connector parses them now (each problem in it reported with
 * the line number); nothing for `advance` and `query`.
 */
export function itemEvents(item: TapeItem, engine: Engine, config: PolyquoteConfig, onProblem?: (line: number, message: string) => void): InboundEvent[] {
  if (item.kind === 'event') return [item.event];
  if (item.kind !== 'frame') return [];
  const r = frameEvents(item.channel, item.frame, item.at, engine, config);
  for (const p of r.problems) onProblem?.(item.line, p.message);
  return r.events;
}
