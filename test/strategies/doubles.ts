/**
 * Test doubles of the strategy contract: a market view and an order gateway as plain objects over
 * mutable state, behaving like the engine would (sizeFor applies the multiplier, limits, 2-dp and
 * minimum-size rounding; a confirmed cancel removes the order; a submit adds a LIVE order).
 */
import { formatMicros, type Micros } from '../../core/amounts.ts';
import { VirtualClock } from '../../core/clock.ts';
import type { PositionView } from '../../core/engine/views.ts';
import type { BookUpdated, Side } from '../../core/events.ts';
import { createLogger } from '../../core/logger.ts';
import { NORMAL, type RiskDecision } from '../../core/risk/decision.ts';
import type { CollateralView, MarketView, OpenOrderView, OrderGateway, StrategyContext, SubmitResult, TopOfBook } from '../../core/strategy/strategy.ts';
import type { CancelOutcome, MarketInfo, OrderIntent, RateBudget } from '../../core/venue/venue.ts';

export const M = (n: number | string): Micros => {
  const [w, f = ''] = String(n).split('.');
  const neg = w!.startsWith('-');
  const v = BigInt(w!.replace('-', '')) * 1_000_000n + BigInt(f.padEnd(6, '0') || '0');
  return neg ? -v : v;
};

export const YES = (2n ** 200n + 11n).toString();
export const NO = (2n ** 200n + 12n).toString();
export const MARKET_ID = `0x${'ab'.repeat(32)}`;

export function marketInfo(over: Partial<MarketInfo> = {}): MarketInfo {
  return { marketId: MARKET_ID, tokens: [YES, NO], tickSize: M('0.01'), minOrderSize: M(5), negRisk: false, ...over };
}

export function position(tokenId: string, over: Partial<PositionView> = {}): PositionView {
  const confirmed = over.confirmed ?? 0n;
  const pendingBuys = over.pendingBuys ?? 0n;
  const pendingSells = over.pendingSells ?? 0n;
  const pendingOrderBuys = over.pendingOrderBuys ?? 0n;
  return {
    tokenId, confirmed, confirmedAt: 0, confirmedBlock: undefined, pendingBuys, pendingSells,
    effective: confirmed + pendingBuys - pendingSells, pendingOrderBuys,
    conservativeExposure: confirmed + pendingBuys + pendingOrderBuys,
    availableToSell: confirmed + pendingBuys - pendingSells, pendingFills: [], discrepancies: 0, ...over,
  };
}

export function order(over: Partial<OpenOrderView> & Pick<OpenOrderView, 'orderId' | 'side'>): OpenOrderView {
  const originalSize = over.originalSize ?? M(10);
  const matched = over.matched ?? 0n;
  return {
    tokenId: YES, price: M('0.5'), originalSize, matched, remaining: originalSize - matched, status: 'LIVE',
    submittedAt: 0, cancelRequestedAt: undefined, ...over,
  };
}

export class FakeMarket implements MarketView {
  infos = new Map<string, MarketInfo>();
  tops = new Map<string, TopOfBook>();
  decisions = new Map<string, RiskDecision>();
  positions = new Map<string, PositionView>();
  orders: OpenOrderView[] = [];
  limits = new Map<string, Micros>();
  costs = new Map<string, Micros>();
  collateralView: CollateralView = { confirmed: M(10_000), pendingDelta: 0n, reserved: 0n, available: M(10_000), known: true };

  constructor(infos: readonly MarketInfo[] = [marketInfo()]) {
    for (const i of infos) for (const t of i.tokens) this.infos.set(t, i);
  }

  setTop(tokenId: string, bestBid: number | string | undefined, bestAsk: number | string | undefined, tickSize?: number | string): void {
    this.tops.set(tokenId, {
      bestBid: bestBid === undefined ? undefined : M(bestBid), bestAsk: bestAsk === undefined ? undefined : M(bestAsk),
      tickSize: tickSize === undefined ? undefined : M(tickSize),
    });
  }

  position(tokenId: string): PositionView {
    return this.positions.get(tokenId) ?? position(tokenId);
  }
  book(tokenId: string): BookUpdated | undefined {
    const t = this.tops.get(tokenId);
    if (!t) return undefined;
    return { type: 'book', at: 0, tokenId, bids: t.bestBid ? [[t.bestBid, M(100)]] : [], asks: t.bestAsk ? [[t.bestAsk, M(100)]] : [], tickSize: t.tickSize };
  }
  top(tokenId: string): TopOfBook {
    return this.tops.get(tokenId) ?? { bestBid: undefined, bestAsk: undefined, tickSize: undefined };
  }
  decision(tokenId: string): RiskDecision {
    return this.decisions.get(tokenId) ?? NORMAL;
  }
  openOrders(tokenId: string): readonly OpenOrderView[] {
    return this.orders.filter((o) => o.tokenId === tokenId);
  }
  collateral(): CollateralView {
    return this.collateralView;
  }
  market(tokenId: string): MarketInfo | undefined {
    return this.infos.get(tokenId);
  }
  markets(): readonly MarketInfo[] {
    return [...new Set(this.infos.values())];
  }
  limit(tokenId: string): Micros | undefined {
    return this.limits.get(tokenId);
  }
  averageCost(tokenId: string): Micros | undefined {
    return this.costs.get(tokenId);
  }
}

/** sizeFor as the engine would compute it from a market view. */
export function engineSizeFor(market: MarketView, side: Side, tokenId: string, wanted: Micros, sellReserved = 0n): Micros {
  const d = market.decision(tokenId);
  if (d.mode === 'halted' || !d.allowedSides.includes(side) || wanted <= 0n) return 0n;
  let size = (wanted * BigInt(Math.round(d.sizeMultiplier * 1_000_000))) / 1_000_000n;
  const p = market.position(tokenId);
  if (side === 'BUY') {
    const limit = market.limit(tokenId);
    if (limit !== undefined) {
      const room = limit - p.conservativeExposure;
      if (room < size) size = room;
    }
  } else if (p.availableToSell - sellReserved < size) size = p.availableToSell - sellReserved;
  size -= size % 10_000n;
  const min = market.market(tokenId)?.minOrderSize ?? 0n;
  return size > 0n && size >= min ? size : 0n;
}

export class FakeGateway implements OrderGateway {
  submits: OrderIntent[] = [];
  cancels: string[][] = [];
  budget: RateBudget = { orders: { remaining: 100, capacity: 100 }, cancels: { remaining: 100, capacity: 100 } };
  /** Order ids the venue refuses to cancel (already filled …). */
  uncancellable = new Set<string>();
  refuse: { code: string; reason: string } | undefined;
  /** An engine whose SELL sizing also subtracts our resting SELL orders. */
  sellsCountResting = false;
  private next = 1;

  constructor(private readonly market: FakeMarket, private readonly clock: VirtualClock) {}

  async submit(intent: OrderIntent): Promise<SubmitResult> {
    this.submits.push(intent);
    if (this.refuse) return { kind: 'refused', ...this.refuse };
    const orderId = `o${this.next++}`;
    this.market.orders.push({
      orderId, tokenId: intent.tokenId, side: intent.side, price: intent.price, originalSize: intent.size, matched: 0n,
      remaining: intent.size, status: 'LIVE', submittedAt: this.clock.now(), cancelRequestedAt: undefined,
    });
    return { kind: 'submitted', orderId, status: 'LIVE' };
  }

  async cancel(orderIds: readonly string[]): Promise<CancelOutcome> {
    this.cancels.push([...orderIds]);
    const canceled = orderIds.filter((id) => !this.uncancellable.has(id));
    this.market.orders = this.market.orders.filter((o) => !canceled.includes(o.orderId));
    const notCanceled = Object.fromEntries(orderIds.filter((id) => this.uncancellable.has(id)).map((id) => [id, 'matched']));
    return { canceled, notCanceled };
  }

  async cancelAll(): Promise<CancelOutcome> {
    const ids = this.market.orders.map((o) => o.orderId);
    return this.cancel(ids);
  }

  sizeFor(side: Side, tokenId: string, wanted: Micros): Micros {
    const resting = side === 'SELL' && this.sellsCountResting
      ? this.market.openOrders(tokenId).filter((o) => o.side === 'SELL').reduce((a, o) => a + o.remaining, 0n)
      : 0n;
    return engineSizeFor(this.market, side, tokenId, wanted, resting);
  }

  rateBudget(): RateBudget {
    return this.budget;
  }

  placed(): { side: Side; price: string; size: string }[] {
    return this.submits.map((s) => ({ side: s.side, price: fmt(s.price), size: fmt(s.size) }));
  }
}

const fmt = formatMicros;

export function harness(infos?: readonly MarketInfo[]) {
  const clock = new VirtualClock(1_000_000);
  const market = new FakeMarket(infos);
  const gateway = new FakeGateway(market, clock);
  const logger = createLogger({ level: 'silent' });
  const ctx: StrategyContext = { clock, logger, gateway, market, name: 'test-strategy' };
  return { clock, market, gateway, ctx };
}
