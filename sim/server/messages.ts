/**
 * Wire shapes of everything the simulator says, field for field as the real service (protocol
 * doc §1–3 and the fixtures): REST orders and trades, user-channel order and trade events, market
 * book, price_change, last_trade_price and best_bid_ask. Amounts leave as decimal strings.
 */
import { createHash } from 'node:crypto';
import { formatMicros, type Micros } from '../../core/amounts.ts';
import type { BookOrder, LevelChange, SimMarket, SimTrade, TokenBook } from '../exchange/types.ts';

const fmt = formatMicros;
const sec = (ms: number): string => Math.floor(ms / 1000).toString();

/** An order as GET /data/orders and /data/order/{id} answer it. */
export function restOrder(o: BookOrder): Record<string, unknown> {
  return {
    id: o.id, status: o.status, owner: o.owner, maker_address: o.maker, market: o.conditionId, asset_id: o.tokenId, side: o.side,
    original_size: fmt(o.size), size_matched: fmt(o.matched), price: fmt(o.price), outcome: o.outcome,
    expiration: String(o.expiration), order_type: o.orderType, associate_trades: [...o.associateTrades], created_at: Math.floor(o.createdAtMs / 1000),
  };
}

/** A user-channel `order` event. */
export function wsOrder(o: BookOrder, type: 'PLACEMENT' | 'UPDATE' | 'CANCELLATION', atMs: number): Record<string, unknown> {
  return {
    event_type: 'order', type, id: o.id, owner: o.owner, order_owner: o.owner, market: o.conditionId, asset_id: o.tokenId, side: o.side,
    original_size: fmt(o.size), size_matched: fmt(o.matched), price: fmt(o.price), associate_trades: o.associateTrades.length ? [...o.associateTrades] : null,
    outcome: o.outcome, created_at: String(o.createdAtMs), expiration: String(o.expiration), order_type: o.orderType,
    status: o.status, maker_address: o.maker, timestamp: String(atMs),
  };
}

/** A trade as seen by one recipient (`MAKER` or `TAKER`); the same body serves /data/trades. */
export function tradeBody(t: SimTrade, traderSide: 'MAKER' | 'TAKER', statusPrefix: boolean, atMs: number): Record<string, unknown> {
  return {
    type: 'TRADE', id: t.id, taker_order_id: t.takerOrderId, market: t.conditionId, asset_id: t.tokenId, side: t.side,
    size: fmt(t.size), price: fmt(t.price), fee_rate_bps: '0', status: statusPrefix ? `TRADE_STATUS_${t.status}` : t.status,
    match_time: sec(t.matchTimeMs), last_update: sec(t.lastUpdateMs), outcome: t.outcome, bucket_index: 0,
    owner: t.takerOwner, trade_owner: t.takerOwner, maker_address: t.taker, transaction_hash: t.transactionHash, trader_side: traderSide,
    maker_orders: t.makers.map((f) => ({
      order_id: f.orderId, owner: f.owner, maker_address: f.maker, matched_amount: fmt(f.shares), price: fmt(f.price),
      fee_rate_bps: '0', asset_id: f.tokenId, outcome: f.outcome, side: f.side,
    })),
    timestamp: String(atMs),
  };
}

export function wsTrade(t: SimTrade, traderSide: 'MAKER' | 'TAKER', statusPrefix: boolean, atMs: number): Record<string, unknown> {
  return { event_type: 'trade', ...tradeBody(t, traderSide, statusPrefix, atMs) };
}

const levels = (ls: TokenBook['bids']) => ls.map((l) => ({ price: fmt(l.price), size: fmt(l.size) }));

/** A book hash: SHA-1 of the levels, as an opaque 40-hex string. */
export function bookHash(b: TokenBook, atMs: number): string {
  return createHash('sha1').update(JSON.stringify([b.tokenId, levels(b.bids), levels(b.asks), atMs])).digest('hex');
}

/** GET /book. Levels are sent worst-to-best like the real service (bids ascending, asks descending). */
export function restBook(m: SimMarket, b: TokenBook, lastTrade: Micros | undefined, atMs: number): Record<string, unknown> {
  return {
    market: m.conditionId, asset_id: b.tokenId, timestamp: String(atMs), hash: bookHash(b, atMs),
    bids: levels([...b.bids].reverse()), asks: levels([...b.asks].reverse()),
    min_order_size: fmt(m.minOrderSize), tick_size: fmt(m.tickSize), neg_risk: m.negRisk, last_trade_price: lastTrade === undefined ? '' : fmt(lastTrade),
  };
}

export function wsBook(m: SimMarket, b: TokenBook, lastTrade: Micros | undefined, atMs: number): Record<string, unknown> {
  return {
    event_type: 'book', asset_id: b.tokenId, market: m.conditionId, bids: levels([...b.bids].reverse()), asks: levels([...b.asks].reverse()),
    timestamp: String(atMs), hash: bookHash(b, atMs), tick_size: fmt(m.tickSize), last_trade_price: lastTrade === undefined ? '' : fmt(lastTrade),
  };
}

/** One price_change message for a market; `books` gives each token's book after the change. */
export function wsPriceChange(m: SimMarket, changes: readonly LevelChange[], books: ReadonlyMap<string, TokenBook>, atMs: number): Record<string, unknown> {
  return {
    event_type: 'price_change', market: m.conditionId, timestamp: String(atMs),
    price_changes: changes.map((c) => {
      const b = books.get(c.tokenId)!;
      return {
        asset_id: c.tokenId, price: fmt(c.price), size: fmt(c.size), side: c.side, hash: bookHash(b, atMs),
        best_bid: b.bids[0] ? fmt(b.bids[0].price) : '0', best_ask: b.asks[0] ? fmt(b.asks[0].price) : '1',
      };
    }),
  };
}

export function wsLastTrade(m: SimMarket, tokenId: string, side: string, price: Micros, size: Micros, atMs: number): Record<string, unknown> {
  return { event_type: 'last_trade_price', asset_id: tokenId, market: m.conditionId, price: fmt(price), size: fmt(size), side, fee_rate_bps: '0', timestamp: String(atMs) };
}

export function wsBestBidAsk(m: SimMarket, b: TokenBook, atMs: number): Record<string, unknown> {
  const bid = b.bids[0]?.price ?? 0n;
  const ask = b.asks[0]?.price ?? 1_000_000n;
  return { event_type: 'best_bid_ask', market: m.conditionId, asset_id: b.tokenId, best_bid: fmt(bid), best_ask: fmt(ask), spread: fmt(ask - bid), timestamp: String(atMs) };
}

/** GET /clob-markets/{conditionId}: the compact market info the V2 client reads. */
export function clobMarket(m: SimMarket): Record<string, unknown> {
  return {
    c: m.conditionId, t: m.tokens.map((t, i) => ({ t, o: i === 0 ? 'Yes' : 'No' })), mts: Number(fmt(m.tickSize)), nr: m.negRisk,
    fd: { r: 0, e: 0 }, mos: Number(fmt(m.minOrderSize)), q: m.question,
    rewards: { max_spread: Number(fmt(m.rewardsMaxSpread)), min_size: Number(fmt(m.rewardsMinSize)), rates: [{ rewards_daily_rate: Number(fmt(m.rewardsDailyRate)) }] },
    rewards_max_spread: Number(fmt(m.rewardsMaxSpread)), rewards_min_size: Number(fmt(m.rewardsMinSize)),
  };
}

/** GET /markets/{conditionId} (the long form), with the reward parameters where the real API has them. */
export function longMarket(m: SimMarket): Record<string, unknown> {
  return {
    condition_id: m.conditionId, question: m.question, active: true, closed: false, accepting_orders: true, enable_order_book: true,
    minimum_order_size: Number(fmt(m.minOrderSize)), minimum_tick_size: Number(fmt(m.tickSize)), neg_risk: m.negRisk,
    tokens: m.tokens.map((t, i) => ({ token_id: t, outcome: i === 0 ? 'Yes' : 'No' })),
    rewards: { max_spread: Number(fmt(m.rewardsMaxSpread)), min_size: Number(fmt(m.rewardsMinSize)), rates: [{ rewards_daily_rate: Number(fmt(m.rewardsDailyRate)) }] },
  };
}
