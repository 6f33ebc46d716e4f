/**
 * REST answers as reports for reconciliation: an order of `GET /data/orders` / `GET /data/order/{id}`
 * → OrderStatusReport, a trade of `GET /data/trades` (the same object as on the user channel) →
 * our FillReports, attributed by exactly the rules of the user-channel parser.
 */
import { FeedError } from '../../../../core/errors.ts';
import type { OrderStatusReport, FillReport } from '../../../../core/venue/venue.ts';
import {
  canonicalOrderId, FieldError, isObj, optString, optTimestampMs, problemFrom, reqMicros, reqPrice, reqString, reqTokenId, parseSide, show, type FeedProblem,
} from './fields.ts';
import { normalizeOrderStatus } from './statuses.ts';
import { parseUserFrame } from './user-channel.ts';

/** One REST order → a report; throws a FeedError naming the bad field. */
export function parseOrderReport(value: unknown, where = 'order'): OrderStatusReport {
  try {
    if (!isObj(value)) throw new FieldError('NOT_AN_OBJECT', `expected an order object, got ${show(value)} at ${where}`, where);
    let norm;
    try {
      norm = normalizeOrderStatus(value.status);
    } catch (err) {
      throw new FieldError('UNKNOWN_STATUS', `${(err as Error).message} at ${where}.status`, `${where}.status`);
    }
    const marketId = optString(value, 'market', where);
    // REST gives created_at in seconds and no event timestamp; venueAt is the last update when present.
    const venueAt = optTimestampMs(value, 'timestamp', where) ?? optTimestampMs(value, 'last_update', where);
    return {
      orderId: canonicalOrderId(reqString(value, 'id', where)), tokenId: reqTokenId(value, 'asset_id', where), side: parseSide(value.side, `${where}.side`),
      price: reqPrice(value, 'price', where), originalSize: reqMicros(value, 'original_size', where), sizeMatched: reqMicros(value, 'size_matched', where),
      status: norm.status, ...(norm.reason !== undefined ? { reason: norm.reason } : {}), ...(marketId ? { marketId } : {}),
      ...(venueAt !== undefined ? { venueAt } : {}),
    };
  } catch (err) {
    const p = problemFrom(err, where, 'order');
    throw new FeedError(p.message, { cause: err, details: { where: p.where, code: p.code } });
  }
}

export interface TradeIdentity {
  readonly ourOrderIds: (orderId: string) => boolean;
  readonly apiKey: string;
  readonly funder: string;
}

/** One REST trade (or an array of them) → our fills in it as FillReports, plus every problem. Never throws. */
export function parseTradeReports(value: unknown, who: TradeIdentity, where = 'GET /data/trades'): { reports: FillReport[]; problems: FeedProblem[] } {
  const items = Array.isArray(value) ? value : [value];
  const tagged = items.map((t) => (isObj(t) ? { ...t, event_type: 'trade' } : t));
  const r = parseUserFrame(Array.isArray(value) ? tagged : tagged[0], { ...who, now: 0, label: where });
  const reports: FillReport[] = [];
  const problems = [...r.problems];
  // Fills come out in item order; the item of each is found by trade id.
  const byTrade = new Map<string, Record<string, unknown>>();
  for (const t of tagged) if (isObj(t) && typeof t.id === 'string') byTrade.set(t.id, t);
  for (const e of r.events) {
    if (e.type !== 'fill' || !e.tradeId) continue;
    const t = byTrade.get(e.tradeId);
    if (!e.orderId) {
      problems.push({ code: 'INVALID_FIELD', message: `expected a taker_order_id for our taker fill, got nothing at ${where} (trade ${e.tradeId})`, where, eventType: 'trade', dropped: true });
      continue;
    }
    const side = typeof t?.trader_side === 'string' ? t.trader_side.toUpperCase() : undefined;
    const role: 'MAKER' | 'TAKER' = side === 'MAKER' || side === 'TAKER' ? side : typeof t?.taker_order_id === 'string' && e.orderId === canonicalOrderId(t.taker_order_id) ? 'TAKER' : 'MAKER';
    reports.push({
      tradeId: e.tradeId, orderId: e.orderId, tokenId: e.tokenId, side: e.side, size: e.size, price: e.price, status: e.status, role,
      ...(typeof t?.market === 'string' && t.market ? { marketId: t.market } : {}), ...(e.venueAt !== undefined ? { venueAt: e.venueAt } : {}),
    });
  }
  return { reports, problems };
}
