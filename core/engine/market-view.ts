/** The read-only market view strategies get: answers from the engine's current state, never its managers. */
import type { Micros } from '../amounts.ts';
import type { BookUpdated } from '../events.ts';
import type { RiskDecision } from '../risk/decision.ts';
import type { CollateralView, MarketView, OpenOrderView, TopOfBook } from '../strategy/strategy.ts';
import type { MarketInfo } from '../venue/venue.ts';
import type { Engine } from './engine.ts';
import type { PositionView } from './views.ts';

export class EngineMarketView implements MarketView {
  private byToken = new Map<string, MarketInfo>();
  private marketsSeen: readonly MarketInfo[] = [];

  constructor(
    private readonly engine: Engine,
    private readonly marketInfo: () => readonly MarketInfo[],
    private readonly limitFor: ((tokenId: string) => Micros) | undefined,
  ) {}

  position(tokenId: string): PositionView {
    return this.engine.position(tokenId);
  }

  book(tokenId: string): BookUpdated | undefined {
    return this.engine.book(tokenId);
  }

  top(tokenId: string): TopOfBook {
    const b = this.engine.sortedBook(tokenId);
    return { bestBid: b?.bids[0]?.[0], bestAsk: b?.asks[0]?.[0], tickSize: b?.tickSize ?? this.market(tokenId)?.tickSize };
  }

  decision(tokenId: string): RiskDecision {
    return this.engine.risk.decisionFor(tokenId);
  }

  openOrders(tokenId: string): readonly OpenOrderView[] {
    return this.engine.orders.openOrdersOf(tokenId).map((o) => ({
      orderId: o.orderId, tokenId: o.tokenId, side: o.side, price: o.price, originalSize: o.originalSize, matched: o.matched,
      remaining: o.originalSize > o.matched ? o.originalSize - o.matched : 0n, status: o.status, submittedAt: o.submittedAt, cancelRequestedAt: o.cancelRequestedAt,
    }));
  }

  collateral(): CollateralView {
    return this.engine.collateral();
  }

  market(tokenId: string): MarketInfo | undefined {
    this.refreshMarkets();
    return this.byToken.get(tokenId);
  }

  markets(): readonly MarketInfo[] {
    return this.marketInfo();
  }

  limit(tokenId: string): Micros | undefined {
    return this.limitFor?.(tokenId);
  }

  averageCost(tokenId: string): Micros | undefined {
    const v = this.engine.pnl.view(tokenId);
    return v.qty > 0n ? v.avgCost : undefined;
  }

  private refreshMarkets(): void {
    const ms = this.marketInfo();
    if (ms === this.marketsSeen) return;
    this.marketsSeen = ms;
    this.byToken = new Map(ms.flatMap((m) => m.tokens.map((t) => [t, m] as const)));
  }
}
