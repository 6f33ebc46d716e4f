/**
 * User-channel parser (protocol doc §1): a frame (text, or the value a tape carries) → the inbound
 * `fill` and `order` events that concern us, plus every problem found. Pure and total: it never
 * throws; each bad event is dropped with a problem naming what and where, the rest of the frame goes on.
 *
 * Attribution invariants (peers got these wrong, doc §7):
 * - As MAKER our fills are our own `maker_orders` entries: size = matched_amount at the entry's price,
 *   token = the entry's asset_id. The top-level size and price are the taker's and never ours.
 * - Our side is the entry's `side` when given; otherwise opposite to the taker on the same token and
 *   the same as the taker on the complement token (a mint/merge match).
 * - Several of our orders in one trade → one fill each, keyed (trade id, order id).
 */
import type { FillReported, InboundEvent, OrderUpdated } from '../../../../core/events.ts';
import {
  canonicalOrderId, FieldError, isObj, oppositeSide, optMicros, optPrice, optSide, optString, optTimestampMs, optTokenId, parseSide,
  problemFrom, reqMicros, reqPrice, reqString, reqTokenId, sameAddress, show, splitFrame, type FeedProblem, type Obj,
} from './fields.ts';
import { normalizeOrderStatus, normalizeTradeStatus } from './statuses.ts';

/** Who we are, for attribution. `now` is our receive time (the events' `at`). */
export interface UserFrameContext {
  readonly ourOrderIds: (orderId: string) => boolean;
  readonly apiKey: string;
  readonly funder: string;
  readonly now: number;
  /** How problems name the frame ("user frame" unless told: REST callers pass "GET /data/trades"). */
  readonly label?: string;
}

/** Extra facts of an order update, for gap evidence (trades the order says it has). */
export interface OrderUpdateDetail {
  readonly orderId: string;
  readonly updateType?: string;
  readonly associateTrades: readonly string[];
}

export interface UserFrameResult {
  readonly events: InboundEvent[];
  readonly problems: FeedProblem[];
  /** One per emitted order event, same order: the trade ids the venue associated with the order. */
  readonly orderDetails: OrderUpdateDetail[];
  /** Trade ids seen in this frame (ours or not), with their normalised status. */
  readonly tradeIds: string[];
}

const LABEL = 'user frame';

/** Parses one user-channel frame. */
export function parseUserFrame(raw: unknown, ctx: UserFrameContext): UserFrameResult {
  const out: UserFrameResult = { events: [], problems: [], orderDetails: [], tradeIds: [] };
  const label = ctx.label ?? LABEL;
  const split = splitFrame(raw, label);
  if (split.kind === 'problem') {
    out.problems.push(split.problem);
    return out;
  }
  for (let i = 0; i < split.items.length; i++) {
    const item = split.items[i];
    const where = split.isArray ? `${label}[${i}]` : label;
    let eventType: string | undefined;
    try {
      if (!isObj(item)) throw new FieldError('NOT_AN_OBJECT', `expected an event object, got ${show(item)} at ${where}`, where);
      eventType = userEventType(item, where);
      if (eventType === 'trade') parseTrade(item, ctx, where, out);
      else parseOrder(item, ctx, where, out);
    } catch (err) {
      out.problems.push(problemFrom(err, where, eventType));
    }
  }
  return out;
}

/** `event_type` when given; else inferred from `type` (TRADE, PLACEMENT, UPDATE, CANCELLATION), as REST-shaped payloads carry only that. */
function userEventType(o: Obj, where: string): 'trade' | 'order' {
  const et = o.event_type;
  if (et !== undefined) {
    if (et === 'trade' || et === 'order') return et;
    throw new FieldError('UNKNOWN_EVENT', `expected event_type trade or order, got ${show(et)} at ${where}.event_type`, `${where}.event_type`);
  }
  const t = typeof o.type === 'string' ? o.type.toUpperCase() : o.type;
  if (t === 'TRADE') return 'trade';
  if (t === 'PLACEMENT' || t === 'UPDATE' || t === 'CANCELLATION') return 'order';
  throw new FieldError('UNKNOWN_EVENT', `expected a user event (event_type or type TRADE/PLACEMENT/UPDATE/CANCELLATION), got ${show(o.type ?? o)} at ${where}`, where);
}

function tradeStatus(o: Obj, where: string) {
  try {
    return normalizeTradeStatus(o.status);
  } catch (err) {
    throw new FieldError('UNKNOWN_STATUS', `${(err as Error).message} at ${where}.status`, `${where}.status`);
  }
}

/** The trade's venue time: `timestamp` (ms), else `match_time`/`matchtime`, else `last_update`. A bad one is a kept-event problem. */
function tradeTime(o: Obj, where: string, eventType: string, out: UserFrameResult): number | undefined {
  for (const key of ['timestamp', 'match_time', 'matchtime', 'last_update']) {
    try {
      const t = optTimestampMs(o, key, where);
      if (t !== undefined) return t;
    } catch (err) {
      out.problems.push(problemFrom(err, where, eventType, false));
    }
  }
  return undefined;
}

/** Ids reach `ourOrderIds` canonical (lower-case hex), and as received when that differs. */
function isOurOrder(ctx: UserFrameContext, id: string, raw: string): boolean {
  return ctx.ourOrderIds(id) || (raw !== id && ctx.ourOrderIds(raw));
}

function parseTrade(o: Obj, ctx: UserFrameContext, where: string, out: UserFrameResult): void {
  const tradeId = reqString(o, 'id', where);
  const { status } = tradeStatus(o, where);
  out.tradeIds.push(tradeId);
  const venueAt = tradeTime(o, where, 'trade', out);
  const role = o.trader_side === undefined || o.trader_side === null ? undefined : String(o.trader_side).toUpperCase();
  if (role !== undefined && role !== 'MAKER' && role !== 'TAKER') {
    throw new FieldError('INVALID_FIELD', `expected trader_side MAKER or TAKER, got ${show(o.trader_side)} at ${where}.trader_side`, `${where}.trader_side`);
  }
  // Plain loops and no closures: this runs for every trade on the feed.
  const before = out.events.length;
  if (role !== 'TAKER') {
    const makers = o.maker_orders ?? [];
    if (!Array.isArray(makers)) throw new FieldError('INVALID_FIELD', `expected an array maker_orders, got ${show(makers)} at ${where}.maker_orders`, `${where}.maker_orders`);
    for (let i = 0; i < makers.length; i++) {
      const m: unknown = makers[i];
      try {
        const fill = ourMakerFill(m, o, ctx, where, i, tradeId, status, venueAt);
        if (fill) out.events.push(fill);
      } catch (err) {
        // One bad entry of ours drops that fill only; the trade's other fills still count.
        out.problems.push(problemFrom(err, `${where}.maker_orders[${i}]`, 'trade'));
      }
    }
  }
  if (role !== 'MAKER') {
    const rawId = optString(o, 'taker_order_id', where);
    const orderId = rawId === undefined ? undefined : canonicalOrderId(rawId);
    const ours = (orderId !== undefined && isOurOrder(ctx, orderId, rawId!)) || (ctx.apiKey !== '' && o.owner === ctx.apiKey)
      || (ctx.apiKey !== '' && o.trade_owner === ctx.apiKey) || sameAddress(o.maker_address, ctx.funder);
    if (ours) {
      const fill: FillReported = {
        type: 'fill', at: ctx.now, tradeId, status, ...(venueAt !== undefined ? { venueAt } : {}), ...(orderId ? { orderId } : {}),
        tokenId: reqTokenId(o, 'asset_id', where), side: parseSide(o.side, `${where}.side`), size: reqMicros(o, 'size', where), price: reqPrice(o, 'price', where),
      };
      out.events.push(fill);
    }
  }
  if (out.events.length === before) {
    out.problems.push({
      code: 'UNATTRIBUTED',
      message: `expected a trade with a fill of ours (trader_side ${role ?? 'absent'}), found none in trade ${show(tradeId)} at ${where}`,
      where, eventType: 'trade', dropped: true,
    });
  }
}

/** One `maker_orders` entry: our fill (size matched_amount at the entry's price), or undefined when the entry is not ours. */
function ourMakerFill(m: unknown, trade: Obj, ctx: UserFrameContext, where: string, i: number, tradeId: string, status: FillReported['status'], venueAt: number | undefined): FillReported | undefined {
  const mw = `${where}.maker_orders[${i}]`;
  if (!isObj(m)) throw new FieldError('INVALID_FIELD', `expected a maker order object, got ${show(m)} at ${mw}`, mw);
  const rawId = reqString(m, 'order_id', mw);
  const orderId = canonicalOrderId(rawId);
  const ours = isOurOrder(ctx, orderId, rawId) || (ctx.apiKey !== '' && m.owner === ctx.apiKey) || sameAddress(m.maker_address, ctx.funder);
  if (!ours) return undefined;
  const tokenId = reqTokenId(m, 'asset_id', mw);
  const given = optSide(m, 'side', mw);
  // No side on the entry: opposite to the taker on the same token, the same as the taker on the complement.
  let side = given;
  if (side === undefined) {
    const takerSide = parseSide(trade.side, `${where}.side`);
    side = tokenId === reqTokenId(trade, 'asset_id', where) ? oppositeSide(takerSide) : takerSide;
  }
  const size = reqMicros(m, 'matched_amount', mw);
  const price = reqPrice(m, 'price', mw);
  if (venueAt !== undefined) return { type: 'fill', at: ctx.now, tradeId, status, venueAt, orderId, tokenId, side, size, price };
  return { type: 'fill', at: ctx.now, tradeId, status, orderId, tokenId, side, size, price };
}

function parseOrder(o: Obj, ctx: UserFrameContext, where: string, out: UserFrameResult): void {
  const orderId = canonicalOrderId(reqString(o, 'id', where));
  let norm;
  try {
    norm = normalizeOrderStatus(o.status);
  } catch (err) {
    throw new FieldError('UNKNOWN_STATUS', `${(err as Error).message} at ${where}.status`, `${where}.status`);
  }
  const updateType = typeof o.type === 'string' ? o.type.toUpperCase() : undefined;
  let { status } = norm;
  // A CANCELLATION still saying LIVE is the cancel itself (the status lags the type).
  if (updateType === 'CANCELLATION' && (status === 'LIVE' || status === 'DELAYED')) status = 'CANCELED';
  let venueAt: number | undefined;
  try {
    venueAt = optTimestampMs(o, 'timestamp', where);
  } catch (err) {
    out.problems.push(problemFrom(err, where, 'order', false));
  }
  const tokenId = optTokenId(o, 'asset_id', where);
  const side = optSide(o, 'side', where);
  const originalSize = optMicros(o, 'original_size', where);
  const sizeMatched = optMicros(o, 'size_matched', where);
  const price = optPrice(o, 'price', where);
  const trades = o.associate_trades;
  const associateTrades: string[] = [];
  if (Array.isArray(trades)) for (const t of trades) if (typeof t === 'string' && t !== '') associateTrades.push(t);
  // Built by assignment, not spreads: every order update on the feed passes here.
  const event: { -readonly [K in keyof OrderUpdated]: OrderUpdated[K] } = { type: 'order', at: ctx.now, orderId, status };
  if (tokenId !== undefined) event.tokenId = tokenId;
  if (side !== undefined) event.side = side;
  if (originalSize !== undefined) event.originalSize = originalSize;
  if (sizeMatched !== undefined) event.sizeMatched = sizeMatched;
  if (price !== undefined) event.price = price;
  if (norm.reason !== undefined) event.reason = norm.reason;
  if (venueAt !== undefined) event.venueAt = venueAt;
  out.events.push(event);
  out.orderDetails.push({ orderId, ...(updateType ? { updateType } : {}), associateTrades });
}
