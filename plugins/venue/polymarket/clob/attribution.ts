/**
 * Which parts of a trade are ours — pure, shared by REST (/data/trades) and, if the lead chooses,
 * the user feed (the `trade` event has the same shape).
 *
 * Invariants:
 * - A maker fill comes from a `maker_orders` entry that is ours: its order_id is one of our orders,
 *   or (fallback) its owner is our API key or its maker_address our funder (addresses compared
 *   case-insensitively). Its size is the entry's matched_amount at the entry's own price, its token
 *   the entry's asset_id. The top-level size is never booked as ours.
 * - Our side: the entry's side when present; otherwise the opposite of the taker's side when our
 *   token is the taker's, the same side when it is the complement (a mint/merge match).
 * - A taker fill comes from the top level when taker_order_id is ours (or, with trader_side TAKER,
 *   the trade's owner is our key / its maker_address our funder).
 * - Several of our orders in one trade give several reports, keyed by (trade id, order id); the
 *   same order twice in one trade is summed into one report.
 * - Statuses may carry a `TRADE_STATUS_` prefix; MATCHED_NOT_BROADCASTED is MATCHED (provisional).
 */
import { parseNonNegativeMicros } from '../../../../core/amounts.ts';
import { PolyquoteError } from '../../../../core/errors.ts';
import type { FillStatus, Side } from '../../../../core/events.ts';
import type { FillReport } from '../../../../core/venue/venue.ts';
import { parseSide, parseVenueTime } from './reports.ts';
import type { Trade } from './schemas.ts';

/** Who we are, for attribution. */
export interface Identity {
  /** True for our order ids (hashes, compared case-insensitively). */
  readonly isOurOrder: (orderId: string) => boolean;
  readonly apiKey?: string;
  readonly funder?: string;
}

const FILL_STATUSES: ReadonlySet<string> = new Set(['MATCHED', 'MINED', 'CONFIRMED', 'RETRYING', 'FAILED']);

/** Normalises a trade status; `provisional` marks MATCHED_NOT_BROADCASTED. Throws naming `where`. */
export function parseTradeStatus(raw: string, where: string): { status: FillStatus; provisional: boolean } {
  const s = raw.trim().toUpperCase().replace(/^TRADE_STATUS_/, '');
  if (s === 'MATCHED_NOT_BROADCASTED') return { status: 'MATCHED', provisional: true };
  if (FILL_STATUSES.has(s)) return { status: s as FillStatus, provisional: false };
  throw new PolyquoteError('VENUE_ANSWER_INVALID', `expected a trade status, got ${JSON.stringify(raw)} at ${where}`);
}

const opposite = (s: Side): Side => (s === 'BUY' ? 'SELL' : 'BUY');
const sameAddress = (a: string | null | undefined, b: string | undefined) => !!a && !!b && a.toLowerCase() === b.toLowerCase();

/** Our fills in one trade (zero, one or several FillReports). Throws naming `where` on bad values. */
export function attributeTrade(trade: Trade, us: Identity, where = 'trade'): FillReport[] {
  const { status } = parseTradeStatus(trade.status, `${where}.status`);
  const takerSide = parseSide(trade.side, `${where}.side`);
  const venueAt = parseVenueTime(trade.match_time ?? trade.matchtime) ?? parseVenueTime(trade.timestamp) ?? parseVenueTime(trade.last_update);
  const common = {
    tradeId: trade.id,
    ...(trade.market ? { marketId: trade.market } : {}),
    status,
    ...(venueAt !== undefined ? { venueAt } : {}),
  };
  const out = new Map<string, FillReport>();
  const add = (r: FillReport) => {
    const key = r.orderId.toLowerCase();
    const prev = out.get(key);
    out.set(key, prev ? { ...prev, size: prev.size + r.size } : r);
  };

  (trade.maker_orders ?? []).forEach((m, i) => {
    const w = `${where}.maker_orders.${i}`;
    const ours = us.isOurOrder(m.order_id) || (!!us.apiKey && m.owner === us.apiKey) || sameAddress(m.maker_address, us.funder);
    if (!ours) return;
    const side = m.side ? parseSide(m.side, `${w}.side`) : m.asset_id === trade.asset_id ? opposite(takerSide) : takerSide;
    add({
      ...common,
      orderId: m.order_id,
      tokenId: m.asset_id,
      side,
      size: parseNonNegativeMicros(m.matched_amount, `${w}.matched_amount`),
      price: parseNonNegativeMicros(m.price, `${w}.price`),
      role: 'MAKER',
    });
  });

  const takerId = trade.taker_order_id;
  if (takerId) {
    const byRole = trade.trader_side?.toUpperCase() === 'TAKER' &&
      ((!!us.apiKey && (trade.owner === us.apiKey || trade.trade_owner === us.apiKey)) || sameAddress(trade.maker_address, us.funder));
    if (us.isOurOrder(takerId) || byRole) {
      add({
        ...common,
        orderId: takerId,
        tokenId: trade.asset_id,
        side: takerSide,
        size: parseNonNegativeMicros(trade.size, `${where}.size`),
        price: parseNonNegativeMicros(trade.price, `${where}.price`),
        role: 'TAKER',
      });
    }
  }
  return [...out.values()];
}

/** An Identity from a set of order ids (case-insensitive). */
export function identityFromIds(ids: Iterable<string>, extra: { apiKey?: string; funder?: string } = {}): Identity {
  const set = new Set([...ids].map((i) => i.toLowerCase()));
  return { isOurOrder: (id) => set.has(id.toLowerCase()), ...extra };
}
