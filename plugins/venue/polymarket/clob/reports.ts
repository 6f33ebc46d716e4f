/**
 * Pure conversions from CLOB REST answers to the venue contract's reports (order statuses, open
 * orders, market metadata). Amounts are parsed exactly; bad values throw naming the field.
 */
import { parseNonNegativeMicros, type Micros } from '../../../../core/amounts.ts';
import { PolyquoteError } from '../../../../core/errors.ts';
import type { BookUpdated, OrderStatus, Side } from '../../../../core/events.ts';
import type { FillReport, MarketInfo, OrderIntent, OrderStatusReport } from '../../../../core/venue/venue.ts';
import type { OpenOrder, balanceAllowanceSchema, bookSchema } from './schemas.ts';
import type { z } from 'zod';
import type { clobMarketSchema } from './schemas.ts';

const STATUS_PREFIXES: readonly [string, OrderStatus][] = [
  ['LIVE', 'LIVE'], ['DELAYED', 'DELAYED'], ['MATCHED', 'MATCHED'], ['CANCELED', 'CANCELED'], ['CANCELLED', 'CANCELED'],
  ['EXPIRED', 'EXPIRED'], ['INVALID', 'INVALID'], ['UNMATCHED', 'UNMATCHED'], ['REJECTED', 'REJECTED'],
];

/** Venue order status (any case, `ORDER_STATUS_` prefix, reason suffix) → normalised status and reason. */
export function parseOrderStatus(raw: string, where: string): { status: OrderStatus; reason?: string } {
  const text = raw.trim().replace(/^ORDER_STATUS_/i, '');
  const upper = text.toUpperCase();
  for (const [prefix, status] of STATUS_PREFIXES) {
    if (upper === prefix) return { status };
    if (upper.startsWith(prefix) && (upper[prefix.length] === '_' || upper[prefix.length] === ' ')) {
      return { status, reason: text.slice(prefix.length + 1) };
    }
  }
  throw new PolyquoteError('VENUE_ANSWER_INVALID', `expected an order status, got ${JSON.stringify(raw)} at ${where}`);
}

export function parseSide(raw: string, where: string): Side {
  const s = raw.toUpperCase();
  if (s === 'BUY' || s === 'SELL') return s;
  throw new PolyquoteError('VENUE_ANSWER_INVALID', `expected BUY or SELL, got ${JSON.stringify(raw)} at ${where}`);
}

/** Epoch ms from unix seconds, ms, or an ISO string; undefined when absent or unreadable. */
export function parseVenueTime(raw: string | number | null | undefined): number | undefined {
  if (raw === null || raw === undefined || raw === '') return undefined;
  const n = typeof raw === 'number' ? raw : /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(n)) return undefined;
  return n < 1e11 ? Math.round(n * 1000) : Math.round(n);
}

/** An open order (GET /data/orders, /data/order/{id}) as an OrderStatusReport. */
export function orderReport(o: OpenOrder, where: string): OrderStatusReport {
  const { status, reason } = parseOrderStatus(o.status, `${where}.status`);
  const venueAt = parseVenueTime(o.created_at);
  return {
    orderId: o.id,
    ...(o.market ? { marketId: o.market } : {}),
    tokenId: o.asset_id,
    side: parseSide(o.side, `${where}.side`),
    price: parseNonNegativeMicros(o.price, `${where}.price`),
    originalSize: parseNonNegativeMicros(o.original_size, `${where}.original_size`),
    sizeMatched: parseNonNegativeMicros(o.size_matched, `${where}.size_matched`),
    status,
    ...(reason ? { reason } : {}),
    ...(venueAt !== undefined ? { venueAt } : {}),
  };
}

/** GET /clob-markets/{conditionId} → MarketInfo (fails when it does not list two tokens). */
export function marketInfo(conditionId: string, m: z.infer<typeof clobMarketSchema>, where: string): MarketInfo {
  const tokens = m.t.filter((t): t is NonNullable<typeof t> => t !== null).map((t) => t.t);
  if (tokens.length !== 2) {
    throw new PolyquoteError('VENUE_ANSWER_INVALID', `expected 2 outcome tokens, got ${tokens.length} at ${where}.t`);
  }
  const micros = (v: string | undefined, field: string): Micros | undefined => (v === undefined ? undefined : parseNonNegativeMicros(v, `${where}.${field}`));
  // `ma` is in cents; MarketInfo keeps it as a price distance (3.5 cents → 0.035).
  const maxSpreadCents = micros(m.r?.ma, 'r.ma');
  const maxSpread = maxSpreadCents === undefined ? undefined : maxSpreadCents / 100n;
  const minSize = micros(m.r?.mi, 'r.mi');
  return {
    marketId: conditionId,
    tokens: [tokens[0]!, tokens[1]!],
    tickSize: parseNonNegativeMicros(m.mts, `${where}.mts`),
    minOrderSize: micros(m.mos, 'mos') ?? 5_000_000n,
    negRisk: m.nr ?? false,
    ...(maxSpread !== undefined && minSize !== undefined ? { rewards: { maxSpread, minSize } } : {}),
    ...(m.fd ? { fees: { rate: m.fd.r ?? 0, exponent: m.fd.e ?? 0 } } : {}),
  };
}

/**
 * An order no longer on the book, reconstructed from our fills of it (an unknown POST outcome
 * resolved after the order filled): MATCHED when the fills (FAILED ones excluded) cover the size we
 * sent, otherwise CANCELED (the rest left the book unfilled — FAK, or cancelled), reason says so.
 */
export function reportFromFills(orderId: string, marketId: string, fills: readonly FillReport[], intent?: OrderIntent): OrderStatusReport | undefined {
  const first = fills[0];
  if (!first) return undefined;
  const matched = fills.filter((f) => f.status !== 'FAILED').reduce((a, f) => a + f.size, 0n);
  const original = intent?.size ?? matched;
  return {
    orderId, marketId, tokenId: first.tokenId, side: first.side, price: intent?.price ?? first.price,
    originalSize: original, sizeMatched: matched, status: matched >= original ? 'MATCHED' : 'CANCELED',
    reason: 'not live; reconstructed from trades', ...(first.venueAt !== undefined ? { venueAt: first.venueAt } : {}),
  };
}

/** GET /balance-allowance → balance and allowances in 6-decimal base units. */
export function balanceReport(r: z.infer<typeof balanceAllowanceSchema>): { balance: bigint; allowances: Record<string, bigint> } {
  const where = 'GET /balance-allowance';
  const allowances: Record<string, bigint> = {};
  for (const [k, v] of Object.entries(r.allowances ?? {})) {
    if (!/^\d+$/.test(v)) throw new PolyquoteError('VENUE_ANSWER_INVALID', `${where}: expected an integer, got ${JSON.stringify(v)} at field allowances.${k}`);
    allowances[k] = BigInt(v);
  }
  if (!/^\d+$/.test(r.balance)) throw new PolyquoteError('VENUE_ANSWER_INVALID', `${where}: expected base units, got ${JSON.stringify(r.balance)} at field balance`);
  return { balance: BigInt(r.balance), allowances };
}

/** GET /book → a BookUpdated event (levels exact, bids best first, asks best first; `at` = receipt time). */
export function bookEvent(b: z.infer<typeof bookSchema>, at: number, where = 'GET /book'): BookUpdated {
  const levels = (side: 'bids' | 'asks') =>
    b[side].map((l, i) => [parseNonNegativeMicros(l.price, `${where} ${side}.${i}.price`), parseNonNegativeMicros(l.size, `${where} ${side}.${i}.size`)] as const)
      .filter(([, size]) => size > 0n)
      .sort((x, y) => (side === 'bids' ? (y[0] > x[0] ? 1 : y[0] < x[0] ? -1 : 0) : x[0] > y[0] ? 1 : x[0] < y[0] ? -1 : 0));
  const venueAt = parseVenueTime(b.timestamp);
  return {
    type: 'book', at, tokenId: b.asset_id, bids: levels('bids'), asks: levels('asks'),
    ...(b.tick_size !== undefined ? { tickSize: parseNonNegativeMicros(b.tick_size, `${where} tick_size`) } : {}),
    ...(venueAt !== undefined ? { venueAt } : {}),
  };
}
