/**
 * Market-channel parser (protocol doc §2): a frame → `book` and `book_delta` events for the engine,
 * plus the informational messages (best bid/ask, last trade, resolution) as parsed values the venue
 * may use for metrics. Pure and total like the user parser: every problem is counted, nothing thrown.
 *
 * Invariants: book levels are sorted here (bids descending, asks ascending; the venue's order is not
 * reliable), zero-size levels never enter a snapshot, a duplicated price keeps its last size; one
 * `price_change` carrying several tokens becomes one `book_delta` per token, in first-seen order.
 */
import { shortPlainMicros, type Micros } from '../../../../core/amounts.ts';
import type { BookDeltaReceived, BookLevel, BookLevelChange, BookUpdated, InboundEvent, Side } from '../../../../core/events.ts';
import {
  FieldError, isCanonicalTokenId, isObj, optMicros, optPrice, optSide, optString, optTimestampMs, optTokenId, parseSide, problemFrom,
  reqPrice, reqMicros, reqTokenId, show, splitFrame, type FeedProblem, type Obj,
} from './fields.ts';

/** Market messages that carry no engine event: kept as parsed values (metrics, resolution handling). */
export type MarketInfo =
  | { readonly kind: 'best_bid_ask'; readonly at: number; readonly tokenId: string; readonly marketId?: string; readonly bestBid?: Micros; readonly bestAsk?: Micros; readonly spread?: Micros; readonly venueAt?: number }
  | { readonly kind: 'last_trade_price'; readonly at: number; readonly tokenId: string; readonly marketId?: string; readonly price: Micros; readonly size?: Micros; readonly side?: Side; readonly feeRateBps?: string; readonly venueAt?: number }
  | { readonly kind: 'market_resolved'; readonly at: number; readonly marketId?: string; readonly winningTokenId?: string; readonly winningOutcome?: string; readonly venueAt?: number }
  | { readonly kind: 'new_market'; readonly at: number; readonly marketId?: string; readonly tokenIds: readonly string[]; readonly venueAt?: number };

export interface BestQuotes {
  readonly tokenId: string;
  readonly bestBid?: Micros;
  readonly bestAsk?: Micros;
}

export interface MarketFrameResult {
  readonly events: (BookUpdated | BookDeltaReceived)[];
  readonly infos: MarketInfo[];
  /**
   * The venue's best bid/ask after each token's price_change (the last entry of the token that gave
   * them): compare with the book kept from deltas (BookState.agreesWith) to detect a missed delta.
   */
  readonly bestQuotes: BestQuotes[];
  readonly problems: FeedProblem[];
}

const LABEL = 'market frame';

/** Parses one market-channel frame received at `now`. */
export function parseMarketFrame(raw: unknown, now: number): MarketFrameResult {
  const out: MarketFrameResult = { events: [], infos: [], problems: [], bestQuotes: [] };
  const split = splitFrame(raw, LABEL);
  if (split.kind === 'problem') {
    out.problems.push(split.problem);
    return out;
  }
  // A plain loop: a closure per frame shows on a path that runs for every market message.
  const items = split.items;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const where = split.isArray ? `${LABEL}[${i}]` : LABEL;
    let eventType: string | undefined;
    try {
      if (!isObj(item)) throw new FieldError('NOT_AN_OBJECT', `expected an event object, got ${show(item)} at ${where}`, where);
      eventType = typeof item.event_type === 'string' ? item.event_type : undefined;
      parseMarketEvent(item, eventType, now, where, out);
    } catch (err) {
      out.problems.push(problemFrom(err, where, eventType));
    }
  }
  return out;
}

/** The venue's timestamp, or undefined; a bad one is a problem of its own, not the message's. */
function venueAt(o: Obj, where: string, out: MarketFrameResult, eventType: string): number | undefined {
  try {
    return optTimestampMs(o, 'timestamp', where);
  } catch (err) {
    out.problems.push(problemFrom(err, where, eventType, false));
    return undefined;
  }
}

function venueTime(o: Obj, where: string, out: MarketFrameResult, eventType: string): { venueAt?: number } {
  const t = venueAt(o, where, out, eventType);
  return t === undefined ? {} : { venueAt: t };
}

function parseMarketEvent(o: Obj, eventType: string | undefined, now: number, where: string, out: MarketFrameResult): void {
  switch (eventType) {
    case 'book':
      out.events.push(parseBookSnapshot(o, now, where, venueAt(o, where, out, 'book')));
      return;
    case 'price_change':
      for (const d of parsePriceChange(o, now, where, venueAt(o, where, out, 'price_change'), out)) out.events.push(d);
      return;
    case 'tick_size_change': {
      const tickSize = reqPrice(o, 'new_tick_size', where);
      if (tickSize === 0n) throw new FieldError('INVALID_FIELD', `expected a positive new_tick_size, got ${show(o.new_tick_size)} at ${where}.new_tick_size`, `${where}.new_tick_size`);
      out.events.push({ type: 'book_delta', at: now, tokenId: reqTokenId(o, 'asset_id', where), changes: [], tickSize, ...venueTime(o, where, out, eventType) });
      return;
    }
    case 'best_bid_ask': {
      const marketId = optString(o, 'market', where);
      const bestBid = optPrice(o, 'best_bid', where);
      const bestAsk = optPrice(o, 'best_ask', where);
      const spread = optPrice(o, 'spread', where);
      out.infos.push({
        kind: 'best_bid_ask', at: now, tokenId: reqTokenId(o, 'asset_id', where),
        ...(marketId ? { marketId } : {}), ...(bestBid !== undefined ? { bestBid } : {}), ...(bestAsk !== undefined ? { bestAsk } : {}),
        ...(spread !== undefined ? { spread } : {}), ...venueTime(o, where, out, eventType),
      });
      return;
    }
    case 'last_trade_price': {
      const marketId = optString(o, 'market', where);
      const size = optMicros(o, 'size', where);
      const side = optSide(o, 'side', where);
      const fee = o.fee_rate_bps;
      out.infos.push({
        kind: 'last_trade_price', at: now, tokenId: reqTokenId(o, 'asset_id', where), price: reqPrice(o, 'price', where),
        ...(marketId ? { marketId } : {}), ...(size !== undefined ? { size } : {}), ...(side ? { side } : {}),
        ...(typeof fee === 'string' || typeof fee === 'number' ? { feeRateBps: String(fee) } : {}), ...venueTime(o, where, out, eventType),
      });
      return;
    }
    case 'market_resolved': {
      const marketId = optString(o, 'market', where);
      const winningTokenId = optTokenId(o, 'winning_asset_id', where);
      const winningOutcome = optString(o, 'winning_outcome', where);
      out.infos.push({
        kind: 'market_resolved', at: now, ...(marketId ? { marketId } : {}), ...(winningTokenId ? { winningTokenId } : {}),
        ...(winningOutcome ? { winningOutcome } : {}), ...venueTime(o, where, out, eventType),
      });
      return;
    }
    case 'new_market': {
      const marketId = optString(o, 'market', where);
      const ids = Array.isArray(o.assets_ids) ? o.assets_ids : [];
      const tokenIds = ids.map((t, i) => optTokenId({ t }, 't', `${where}.assets_ids[${i}]`)).filter((t): t is string => t !== undefined);
      out.infos.push({ kind: 'new_market', at: now, ...(marketId ? { marketId } : {}), tokenIds, ...venueTime(o, where, out, eventType) });
      return;
    }
    default:
      throw new FieldError(
        'UNKNOWN_EVENT',
        `expected a market event_type (book, price_change, tick_size_change, best_bid_ask, last_trade_price, market_resolved, new_market), got ${show(o.event_type)} at ${where}.event_type`,
        `${where}.event_type`,
      );
  }
}

function parseLevels(v: unknown, side: 'bids' | 'asks', where: string): BookLevel[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new FieldError('INVALID_FIELD', `expected an array ${side}, got ${show(v)} at ${where}.${side}`, `${where}.${side}`);
  const desc = side === 'bids';
  const levels: BookLevel[] = [];
  // Whether the prices come strictly best first (or strictly worst first): then there is no duplicate
  // to resolve and no sort to do. Zero sizes are left out either way.
  let bestFirst = true;
  let worstFirst = true;
  let zeros = false;
  let prev: Micros | undefined;
  for (let i = 0; i < v.length; i++) {
    const l: unknown = v[i];
    let price: Micros | undefined;
    let size: Micros | undefined;
    if (isObj(l)) {
      price = shortPlainMicros(l.price);
      size = shortPlainMicros(l.size);
    }
    if (price === undefined || price > 1_000_000n || size === undefined) {
      // Any other spelling, or a bad level: the general readers, which name the level on error.
      const lw = `${where}.${side}[${i}]`;
      if (!isObj(l)) throw new FieldError('INVALID_FIELD', `expected a level {price, size}, got ${show(l)} at ${lw}`, lw);
      price = reqPrice(l, 'price', lw);
      size = reqMicros(l, 'size', lw);
    }
    if (prev !== undefined) {
      if (price > prev) desc ? (bestFirst = false) : (worstFirst = false);
      else if (price < prev) desc ? (worstFirst = false) : (bestFirst = false);
      else bestFirst = worstFirst = false;
    }
    prev = price;
    if (size === 0n) zeros = true;
    levels.push([price, size]);
  }
  if (bestFirst || worstFirst) {
    const kept = zeros ? levels.filter((l) => l[1] > 0n) : levels;
    return bestFirst ? kept : kept.reverse();
  }
  // Duplicated prices (the last size wins) or no order at all.
  const bySize = new Map<Micros, Micros>();
  for (const [price, size] of levels) bySize.set(price, size);
  const sorted: BookLevel[] = [];
  for (const [price, size] of bySize) if (size > 0n) sorted.push([price, size]);
  return sorted.sort(desc ? (a, b) => (a[0] > b[0] ? -1 : 1) : (a, b) => (a[0] < b[0] ? -1 : 1));
}

/**
 * A full book snapshot (WS `book`, or REST `GET /book`, which has the same shape without event_type)
 * → a `book` event with sorted levels. Throws a FieldError naming the bad field.
 */
export function parseBookSnapshot(o: Obj, now: number, where: string, venueAt?: number): BookUpdated {
  const tokenId = reqTokenId(o, 'asset_id', where);
  const tickSize = optPrice(o, 'tick_size', where);
  return {
    type: 'book', at: now, tokenId, bids: parseLevels(o.bids ?? o.buys, 'bids', where), asks: parseLevels(o.asks ?? o.sells, 'asks', where),
    ...(tickSize !== undefined && tickSize > 0n ? { tickSize } : {}), ...(venueAt !== undefined ? { venueAt } : {}),
  };
}

function parseChange(c: unknown, where: string): BookLevelChange {
  if (!isObj(c)) throw new FieldError('INVALID_FIELD', `expected a change {price, side, size}, got ${show(c)} at ${where}`, where);
  return { side: parseSide(c.side, `${where}.side`), price: reqPrice(c, 'price', where), size: reqMicros(c, 'size', where) };
}

/** A change in the feed's usual spelling, read without building its place; undefined leaves it to the general readers. */
function plainChange(c: Obj): BookLevelChange | undefined {
  const side = c.side;
  if (side !== 'BUY' && side !== 'SELL') return undefined;
  const price = shortPlainMicros(c.price);
  const size = shortPlainMicros(c.size);
  if (price === undefined || price > 1_000_000n || size === undefined) return undefined;
  return { side, price, size };
}

const changeWhere = (where: string, i: number) => `${where}.price_changes[${i}]`;

/** An optional best price in the usual spelling, else the general reader. */
function bestPrice(c: Obj, key: 'best_bid' | 'best_ask', where: string, i: number): Micros | undefined {
  const v = c[key];
  if (v === undefined || v === null || v === '') return undefined;
  const p = shortPlainMicros(v);
  return p !== undefined && p <= 1_000_000n ? p : optPrice(c, key, changeWhere(where, i));
}

/** Both price_change forms → one book_delta per token. A bad change drops the whole message: half a delta would corrupt the book silently. */
function parsePriceChange(o: Obj, now: number, where: string, venueAt: number | undefined, out: MarketFrameResult): BookDeltaReceived[] {
  if (Array.isArray(o.price_changes)) {
    // Plain loops, no closures, and each change's place built only for an error: this runs for every delta on the feed.
    const list: unknown[] = o.price_changes;
    const deltas: { -readonly [K in keyof BookDeltaReceived]: BookDeltaReceived[K] }[] = [];
    const quotes: BestQuotes[] = [];
    for (let i = 0; i < list.length; i++) {
      const c = list[i];
      if (!isObj(c)) throw new FieldError('INVALID_FIELD', `expected a price change object, got ${show(c)} at ${changeWhere(where, i)}`, changeWhere(where, i));
      const rawToken = c.asset_id;
      const tokenId = isCanonicalTokenId(rawToken) ? rawToken : reqTokenId(c, 'asset_id', changeWhere(where, i));
      const change = plainChange(c) ?? parseChange(c, changeWhere(where, i));
      let delta: (typeof deltas)[number] | undefined;
      for (const d of deltas) if (d.tokenId === tokenId) delta = d;
      if (!delta) {
        delta = { type: 'book_delta', at: now, tokenId, changes: [] };
        if (venueAt !== undefined) delta.venueAt = venueAt;
        deltas.push(delta);
      }
      (delta.changes as BookLevelChange[]).push(change);
      const bestBid = bestPrice(c, 'best_bid', where, i);
      const bestAsk = bestPrice(c, 'best_ask', where, i);
      if (bestBid !== undefined || bestAsk !== undefined) {
        // The token's last entry with quotes gives them; tokens keep the place they were first quoted in.
        const q: BestQuotes = { tokenId, ...(bestBid !== undefined ? { bestBid } : {}), ...(bestAsk !== undefined ? { bestAsk } : {}) };
        let at = -1;
        for (let k = 0; k < quotes.length; k++) if (quotes[k]!.tokenId === tokenId) at = k;
        if (at < 0) quotes.push(q);
        else quotes[at] = q;
      }
    }
    for (const q of quotes) out.bestQuotes.push(q);
    return deltas;
  }
  const time = venueAt !== undefined ? { venueAt } : {};
  if (Array.isArray(o.changes)) {
    const tokenId = reqTokenId(o, 'asset_id', where);
    const changes = o.changes.map((c, i) => parseChange(c, `${where}.changes[${i}]`));
    return [{ type: 'book_delta', at: now, tokenId, changes, ...time }];
  }
  throw new FieldError('INVALID_FIELD', `expected an array price_changes (or legacy changes), got ${show(o.price_changes ?? o.changes)} at ${where}.price_changes`, `${where}.price_changes`);
}
