/**
 * One tape line at a time, with the rules every command that reads a tape shares (replay, ingest):
 * a JSON object with `at` and `kind`, a known kind, times that never go backwards, and the event
 * decoder's field checks. Each error is a TapeError naming its line number.
 */
import { parseMicros } from '../../core/amounts.ts';
import { TapeError, errorMessage } from '../../core/errors.ts';
import type { InboundEvent } from '../../core/events.ts';
import { decodeEventLine, isEventLineKind, isTokenId, parseAt } from '../../core/tape-codec.ts';
import { encodeEventJson } from '../../core/tape-json.ts';
import { frameOf, isFrameKind, type FrameKind } from './frames.ts';

/** Longest line accepted (a book of a few thousand levels fits many times over). */
export const MAX_LINE_CHARS = 1_000_000;

export type TapeItem =
  | { kind: 'event'; line: number; at: number; event: InboundEvent }
  | { kind: 'advance'; line: number; at: number }
  | { kind: 'query'; line: number; at: number; tokenId?: string; canBuy?: bigint; canSell?: bigint }
  /** A raw venue frame (user_ws / market_ws): parsed by the connector once the engine is there. */
  | { kind: 'frame'; line: number; at: number; channel: FrameKind; frame: unknown };

export class TapeReader {
  private lineNo = 0;
  private lastAt = -Infinity;

  get line(): number {
    return this.lineNo;
  }

  /** The next raw line: its item, `undefined` for a blank line; throws TapeError for a bad one (the next line still reads). */
  next(raw: string): TapeItem | undefined {
    const line = ++this.lineNo;
    if (raw.length > MAX_LINE_CHARS) throw new TapeError(line, `expected a line of at most ${MAX_LINE_CHARS} characters, got ${raw.length}`);
    const text = raw.trim();
    if (text === '') return undefined;
    try {
      const item = this.parse(text, line);
      this.lastAt = item.at;
      return item;
    } catch (err) {
      throw err instanceof TapeError ? err : new TapeError(line, errorMessage(err), err);
    }
  }

  private parse(text: string, line: number): TapeItem {
    const obj = parseLine(text);
    const at = parseAt(obj.at, 'at');
    if (at < this.lastAt) throw new Error(`at ${new Date(at).toISOString()} is earlier than the previous line's ${new Date(this.lastAt).toISOString()}`);
    const kind = String(obj.kind);
    if (isFrameKind(kind)) return { kind: 'frame', line, at, channel: kind, frame: frameOf(obj) };
    if (isEventLineKind(kind)) {
      const event = decodeEventLine(obj);
      checkStorable(event);
      return { kind: 'event', line, at, event };
    }
    if (kind === 'advance') {
      if (Object.keys(obj).some((k) => k !== 'at' && k !== 'kind')) throw new Error('advance takes no fields but at and kind');
      return { kind: 'advance', line, at };
    }
    if (kind === 'query') return { kind: 'query', line, at, ...parseQuery(obj) };
    throw new Error(`unknown kind ${describeKind(obj.kind)}`);
  }
}

/** An event the ledger stores must decode again to itself, with recovery's own decoder. */
export function checkStorable(event: InboundEvent): void {
  // The engine's own encoder (byte for byte JSON.stringify of the line object), decoded as recovery would.
  const text = encodeEventJson(event);
  const again = decodeEventLine(JSON.parse(text) as Record<string, unknown>);
  if (encodeEventJson(again) !== text) throw new Error('the event does not survive its ledger round trip');
}

function describeKind(kind: unknown): string {
  const s = JSON.stringify(kind) ?? String(kind);
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
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
  for (const k of Object.keys(obj)) if (!['at', 'kind', 'tokenId', 'canBuy', 'canSell'].includes(k)) throw new Error(`unknown field ${describeKind(k)} in query`);
  const tokenId = obj.tokenId;
  if (tokenId !== undefined && !isTokenId(tokenId)) throw new Error('expected tokenId to be a canonical decimal uint256 string at tokenId');
  if ((obj.canBuy !== undefined || obj.canSell !== undefined) && tokenId === undefined) throw new Error('a query with canBuy/canSell needs a tokenId');
  const size = (v: unknown, f: string) => {
    const m = parseMicros(v, f);
    if (m < 0n) throw new Error(`expected a non-negative size, got ${JSON.stringify(v)} at ${f}`);
    return m;
  };
  return {
    ...(tokenId !== undefined && { tokenId: tokenId as string }),
    ...(obj.canBuy !== undefined && { canBuy: size(obj.canBuy, 'canBuy') }),
    ...(obj.canSell !== undefined && { canSell: size(obj.canSell, 'canSell') }),
  };
}
