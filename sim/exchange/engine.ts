/**
 * The matching engine: accepts validated orders, matches them price-time against the mirrored
 * book, keeps orders, trades and reservations, and reports everything as events. It reads no clock
 * and starts no timer: every call carries `nowMs`, so the same seed and the same calls give the
 * same trades. Settlement and the trade lifecycle are driven from outside (`sim/exchange/lifecycle.ts`).
 */
import { MICROS_PER_UNIT, mulMicros, type Micros } from '../../core/amounts.ts';
import { Prng } from '../prng.ts';
import { BalanceBook, COLLATERAL } from './balances.ts';
import { MarketBook, diffLevels, matchKind, normalize, remaining } from './book.ts';
import { exposureRecord, fillCollateral, opFlows, tradeOps, type ExposureRecord } from './exposure.ts';
import type { SettleOp } from './settlement.ts';
import type { BookOrder, LevelChange, MakerFill, OrderEventType, OrderInput, OrderStatus, SimMarket, SimTrade, TradeStatus } from './types.ts';

export type EngineEvent =
  | { readonly type: 'order'; readonly kind: OrderEventType; readonly order: BookOrder; readonly atMs: number }
  | { readonly type: 'trade'; readonly trade: SimTrade; readonly atMs: number }
  | { readonly type: 'book'; readonly conditionId: string; readonly changes: readonly LevelChange[]; readonly atMs: number }
  | { readonly type: 'last_trade'; readonly conditionId: string; readonly tokenId: string; readonly side: 'BUY' | 'SELL'; readonly price: Micros; readonly size: Micros; readonly atMs: number };

export type SubmitResult =
  | { readonly ok: true; readonly orderId: string; readonly status: 'live' | 'matched'; readonly makingAmount: Micros; readonly takingAmount: Micros; readonly tradeIds: readonly string[] }
  | { readonly ok: false; readonly orderId: string; readonly code: string; readonly message: string };

export interface EngineOptions {
  readonly markets: readonly SimMarket[];
  readonly seed: string | number;
  /** Probability a matched trade ends FAILED. */
  readonly failRate: number;
  /** Probability a trade goes through RETRYING (once or twice) before its final state. */
  readonly retryRate: number;
  /** GTD orders must expire at least this far in the future (s). */
  readonly gtdMinLifetimeSeconds: number;
  /** GTD orders are cancelled this long before their expiration (s). */
  readonly gtdEarlySeconds: number;
  readonly balances?: BalanceBook;
}

export class ExchangeEngine {
  readonly balances: BalanceBook;
  private readonly books = new Map<string, MarketBook>();
  private readonly marketByToken = new Map<string, SimMarket>();
  private readonly marketById = new Map<string, SimMarket>();
  private readonly orders = new Map<string, BookOrder>();
  private readonly trades: SimTrade[] = [];
  private readonly tradeById = new Map<string, SimTrade>();
  private readonly listeners: ((e: EngineEvent) => void)[] = [];
  private readonly ids: Prng;
  private readonly fates: Prng;
  private seq = 0;
  /** Matched trades not yet mined or failed, with their ops. */
  private readonly pending = new Map<string, { ops: SettleOp[]; tokens: readonly [string, string] }>();
  /** Sums over `pending` per "owner|asset": what is committed out and what is due in. */
  private readonly pendingOut = new Map<string, bigint>();
  private readonly pendingIn = new Map<string, bigint>();
  /** Live orders only, in arrival order. */
  private readonly live = new Map<string, BookOrder>();
  /** Conservative exposure of the submitter at each accepted order (for limit-breach checks). */
  readonly exposures: ExposureRecord[] = [];

  /** Probability a matched trade ends FAILED (changeable at run time). */
  failRate: number;

  constructor(private readonly opts: EngineOptions) {
    this.failRate = opts.failRate;
    this.balances = opts.balances ?? new BalanceBook();
    this.ids = Prng.for(opts.seed, 'trade-ids');
    this.fates = Prng.for(opts.seed, 'trade-fates');
    for (const m of opts.markets) {
      this.books.set(m.conditionId, new MarketBook(m.tokens[0], m.tokens[1]));
      this.marketById.set(m.conditionId, m);
      for (const t of m.tokens) this.marketByToken.set(t, m);
    }
  }

  on(listener: (e: EngineEvent) => void): () => void {
    this.listeners.push(listener);
    return () => void this.listeners.splice(this.listeners.indexOf(listener), 1);
  }

  markets(): readonly SimMarket[] {
    return this.opts.markets;
  }

  marketOfToken(tokenId: string): SimMarket | undefined {
    return this.marketByToken.get(tokenId);
  }

  market(conditionId: string): SimMarket | undefined {
    return this.marketById.get(conditionId.toLowerCase());
  }

  book(conditionId: string): MarketBook | undefined {
    return this.books.get(conditionId);
  }

  /** Validates, matches and books one order. */
  submit(input: OrderInput, nowMs: number): SubmitResult {
    const reject = (code: string, message: string): SubmitResult => ({ ok: false, orderId: input.id, code, message });
    const market = this.marketByToken.get(input.tokenId);
    if (!market) return reject('MARKET_NOT_READY', `no market for token ${input.tokenId}`);
    if (this.orders.has(input.id)) return reject('INVALID_ORDER_DUPLICATED', 'order already exists');
    const limit = input.orderType === 'GTC' || input.orderType === 'GTD';
    const tick = market.tickSize;
    if (input.price < tick || input.price > MICROS_PER_UNIT - tick || (limit && input.price % tick !== 0n)) {
      return reject('INVALID_ORDER_MIN_TICK_SIZE', `price ${input.price} micros breaks tick ${tick} (range [tick, 1-tick])`);
    }
    if (input.size <= 0n || (limit && input.size < market.minOrderSize)) return reject('INVALID_ORDER_MIN_SIZE', `size ${input.size} below minimum ${market.minOrderSize} micros`);
    if (input.postOnly && !limit) return reject('INVALID_POST_ONLY_ORDER_TYPE', 'postOnly is only allowed with GTC and GTD');
    if (input.orderType === 'GTD' ? input.expiration * 1000 < nowMs + this.opts.gtdMinLifetimeSeconds * 1000 : input.expiration !== 0) {
      return reject('INVALID_ORDER_EXPIRATION', `invalid expiration ${input.expiration} for ${input.orderType}`);
    }
    const asset = input.side === 'BUY' ? COLLATERAL : input.tokenId;
    const need = input.side === 'BUY' ? mulMicros(input.price, input.size) : input.size;
    if (this.available(input.maker, asset) < need) return reject('INVALID_ORDER_NOT_ENOUGH_BALANCE', `not enough balance / allowance: needs ${need} of ${asset}`);
    const book = this.books.get(market.conditionId)!;
    const norm = normalize(input, market.tokens[0]);
    const crossing = book.crossing(norm.bid, norm.yesPrice);
    if (input.postOnly && crossing.length > 0) return reject('INVALID_POST_ONLY_ORDER', 'invalid post-only order: order crosses book');
    const fillable = crossing.reduce((s, e) => s + remaining(e.order), 0n);
    if (input.orderType === 'FOK' && fillable < input.size) return reject('FOK_ORDER_NOT_FILLED_ERROR', "order couldn't be fully filled. FOK orders are fully filled or killed.");
    if (input.orderType === 'FAK' && fillable === 0n) return reject('FAK_ORDER_NOT_FILLED_ERROR', 'no orders found to match with FAK order. FAK orders are partially filled or killed if no match is found.');

    const before = book.levelMap();
    const order: BookOrder = { ...input, conditionId: market.conditionId, outcome: outcomeOf(market, input.tokenId), createdAtMs: nowMs, seq: ++this.seq, matched: 0n, status: 'LIVE', associateTrades: [] };
    this.orders.set(order.id, order);
    const fills: MakerFill[] = [];
    const makersHit: BookOrder[] = [];
    let taken = 0n;
    let takerCash = 0n;
    let lastPrice = 0n;
    for (const e of crossing) {
      if (taken >= order.size) break;
      const shares = minB(order.size - taken, remaining(e.order));
      const maker = e.order;
      maker.matched += shares;
      if (remaining(maker) === 0n) {
        maker.status = 'MATCHED';
        book.remove(maker.id);
        this.live.delete(maker.id);
      }
      lastPrice = order.tokenId === market.tokens[0] ? e.yesPrice : MICROS_PER_UNIT - e.yesPrice;
      const fill: MakerFill = { orderId: maker.id, owner: maker.owner, maker: maker.maker, tokenId: maker.tokenId, outcome: maker.outcome, side: maker.side, price: maker.price, shares, kind: matchKind(order, maker) };
      takerCash += fillCollateral(fill)[1];
      taken += shares;
      fills.push(fill);
      makersHit.push(maker);
    }
    order.matched = taken;
    const tradeIds: string[] = [];
    if (fills.length > 0) {
      const fails = this.fates.chance(this.failRate);
      const retries = this.fates.chance(this.opts.retryRate) ? 1 + this.fates.int(2) : 0;
      const trade: SimTrade = {
        id: this.ids.uuid(), conditionId: market.conditionId, takerOrderId: order.id, takerOwner: order.owner, taker: order.maker,
        tokenId: order.tokenId, outcome: order.outcome, side: order.side, size: taken, price: (takerCash * MICROS_PER_UNIT) / taken,
        takerCollateral: takerCash, makers: fills, matchTimeMs: nowMs, status: 'MATCHED', lastUpdateMs: nowMs, transactionHash: '', fate: { fails, retries },
      };
      this.trades.push(trade);
      this.tradeById.set(trade.id, trade);
      this.addPending(trade.id, { ops: this.opsOf(trade), tokens: market.tokens });
      tradeIds.push(trade.id);
      order.associateTrades.push(trade.id);
      for (const m of makersHit) if (!m.associateTrades.includes(trade.id)) m.associateTrades.push(trade.id);
      for (const m of dedupe(makersHit)) this.emit({ type: 'order', kind: 'UPDATE', order: m, atMs: nowMs });
      this.emit({ type: 'trade', trade, atMs: nowMs });
      this.emit({ type: 'last_trade', conditionId: market.conditionId, tokenId: order.tokenId, side: order.side, price: lastPrice, size: taken, atMs: nowMs });
    }
    // The taker's own order: MATCHED when filled, PLACEMENT when (the rest of) it rests, and the
    // unfilled rest of a FAK cancelled.
    if (remaining(order) === 0n) {
      order.status = 'MATCHED';
      this.emit({ type: 'order', kind: 'UPDATE', order, atMs: nowMs });
    } else if (limit) {
      book.add(order);
      this.emit({ type: 'order', kind: 'PLACEMENT', order, atMs: nowMs });
    } else {
      order.status = 'CANCELED';
      this.emit({ type: 'order', kind: 'CANCELLATION', order, atMs: nowMs });
    }
    this.emitBook(market.conditionId, before, nowMs);
    if (order.status === 'LIVE') this.live.set(order.id, order);
    if (this.exposures.length >= MAX_EXPOSURES) this.exposures.splice(0, MAX_EXPOSURES / 10);
    this.exposures.push(exposureRecord(order, nowMs, this.balances.get(order.maker, order.tokenId), this.pendingIn.get(`${order.maker}|${order.tokenId}`) ?? 0n, this.live.values()));
    const making = order.side === 'BUY' ? takerCash : taken;
    const takingAmt = order.side === 'BUY' ? taken : takerCash;
    return { ok: true, orderId: order.id, status: fills.length > 0 ? 'matched' : 'live', makingAmount: making, takingAmount: takingAmt, tradeIds };
  }

  /** Cancels one order of `owner`; returns undefined when done, else the reason it was not. */
  cancel(owner: string | undefined, orderId: string, nowMs: number, status: OrderStatus = 'CANCELED'): string | undefined {
    const o = this.orders.get(orderId.toLowerCase());
    if (!o || (owner !== undefined && o.owner !== owner)) return 'order not found';
    if (o.status !== 'LIVE') return 'already canceled or matched';
    const book = this.books.get(o.conditionId)!;
    const before = book.levelMap();
    book.remove(o.id);
    this.live.delete(o.id);
    o.status = status;
    this.emit({ type: 'order', kind: 'CANCELLATION', order: o, atMs: nowMs });
    this.emitBook(o.conditionId, before, nowMs);
    return undefined;
  }

  /** Cancels every live order matching the filter; returns the ids cancelled. */
  cancelWhere(pred: (o: BookOrder) => boolean, nowMs: number, status: OrderStatus = 'CANCELED'): string[] {
    const ids = this.openOrders().filter(pred).map((o) => o.id);
    for (const id of ids) this.cancel(undefined, id, nowMs, status);
    return ids;
  }

  /** GTD expiry (early by the configured margin). */
  expire(nowMs: number): string[] {
    const early = this.opts.gtdEarlySeconds * 1000;
    return this.cancelWhere((o) => o.orderType === 'GTD' && o.expiration * 1000 - early <= nowMs, nowMs);
  }

  openOrders(): BookOrder[] {
    return [...this.live.values()];
  }

  order(id: string): BookOrder | undefined {
    return this.orders.get(id.toLowerCase());
  }

  allTrades(): readonly SimTrade[] {
    return this.trades;
  }

  trade(id: string): SimTrade | undefined {
    return this.tradeById.get(id);
  }

  /** Settlement ops of one trade (one per maker fill). */
  opsOf(trade: SimTrade): SettleOp[] {
    return tradeOps(trade, this.marketById.get(trade.conditionId)!);
  }

  /** Moves a trade to a new status; MINED applies its ops to the settled balances. */
  setTradeStatus(id: string, status: TradeStatus, nowMs: number, transactionHash?: string): void {
    const t = this.tradeById.get(id);
    if (!t) return;
    if (status === 'MINED' && this.pending.has(id)) this.balances.apply(this.opsOf(t), nowMs, (c) => this.marketById.get(c)!.tokens);
    if (status === 'MINED' || status === 'FAILED') this.removePending(id);
    t.status = status;
    t.lastUpdateMs = nowMs;
    if (transactionHash !== undefined) t.transactionHash = transactionHash;
    this.emit({ type: 'trade', trade: t, atMs: nowMs });
  }

  /** Settled balance minus open-order reservations minus matched-but-unsettled outflows. */
  available(owner: string, asset: string): bigint {
    const o = owner.toLowerCase();
    let reserved = 0n;
    for (const ord of this.live.values()) {
      if (ord.maker !== o) continue;
      if (asset === COLLATERAL && ord.side === 'BUY') reserved += mulMicros(ord.price, remaining(ord));
      if (asset === ord.tokenId && ord.side === 'SELL') reserved += remaining(ord);
    }
    return this.balances.get(o, asset) - reserved - (this.pendingOut.get(`${o}|${asset}`) ?? 0n);
  }

  private addPending(id: string, p: { ops: SettleOp[]; tokens: readonly [string, string] }): void {
    this.pending.set(id, p);
    this.foldPending(p, 1n);
  }

  private removePending(id: string): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    this.foldPending(p, -1n);
  }

  private foldPending(p: { ops: SettleOp[]; tokens: readonly [string, string] }, sign: bigint): void {
    for (const op of p.ops) {
      for (const [who, asset, d] of opFlows(op, p.tokens)) {
        const k = `${who.toLowerCase()}|${asset}`;
        const m = d < 0n ? this.pendingOut : this.pendingIn;
        m.set(k, (m.get(k) ?? 0n) + sign * (d < 0n ? -d : d));
      }
    }
  }

  private emitBook(conditionId: string, before: ReturnType<MarketBook['levelMap']>, atMs: number): void {
    const changes = diffLevels(before, this.books.get(conditionId)!.levelMap());
    if (changes.length > 0) this.emit({ type: 'book', conditionId, changes, atMs });
  }

  private emit(e: EngineEvent): void {
    for (const l of [...this.listeners]) l(e);
  }
}

export function outcomeOf(market: SimMarket, tokenId: string): 'Yes' | 'No' {
  return tokenId === market.tokens[0] ? 'Yes' : 'No';
}

/** Exposure records kept (the oldest tenth is dropped when full). */
const MAX_EXPOSURES = 200_000;
const minB = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const dedupe = <T>(xs: readonly T[]): T[] => [...new Set(xs)];
