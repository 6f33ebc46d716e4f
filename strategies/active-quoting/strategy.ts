/**
 * Active quoting per token: read the market view, compute the quotes (quote.ts) and diff them
 * against the engine's open orders (shared/diff.ts). The lifecycle (market resolution, cycles, the
 * rate-budget gate, the executor) is shared/shell.ts's `MarketStrategy`.
 */
import type { OrderPlan } from '../shared/diff.ts';
import { diffOrders } from '../shared/diff.ts';
import { MarketStrategy, type MarketStrategyOptions, type TokenView } from '../shared/shell.ts';
import { computeQuotes, type QuoteParams, type Quotes } from './quote.ts';

export interface ActiveQuotingOptions extends MarketStrategyOptions {
  readonly quote: QuoteParams;
}

/** The quotes and the order plan of one token. */
export function planActiveQuoting(t: TokenView, p: QuoteParams): { plan: OrderPlan; quotes: Quotes } {
  const m = t.market;
  const position = m.position(t.tokenId);
  const collateral = m.collateral();
  const limit = m.limit(t.tokenId);
  const r = t.resting;
  const quotes = computeQuotes(p, {
    bestBid: t.top.bestBid, bestAsk: t.top.bestAsk, tick: t.tick,
    minOrderSize: t.info.minOrderSize, rewards: t.info.rewards, decision: m.decision(t.tokenId),
    effective: position.effective, sellable: position.availableToSell - r.cancellingSell, restingBuy: r.buy, restingSell: r.sell,
    buyBudget: collateral.known ? collateral.available + r.buyCost : undefined,
    buyRoom: limit === undefined ? undefined : limit - position.conservativeExposure + r.buy,
  }, t.sizeFor);
  return { plan: diffOrders(t.tokenId, quotes, t.open, t.tick, t.now, t.policy), quotes };
}

export class ActiveQuotingStrategy extends MarketStrategy {
  readonly kind = 'active-quoting';
  /** Last quotes computed per token, for inspection (never used to diff). */
  private readonly last = new Map<string, Quotes>();

  constructor(private readonly opts: ActiveQuotingOptions) {
    super(opts);
  }

  /** The last quotes computed for a token (diagnostics). */
  lastQuotes(tokenId: string): Quotes | undefined {
    return this.last.get(tokenId);
  }

  protected planToken(t: TokenView): OrderPlan {
    const { plan, quotes } = planActiveQuoting(t, this.opts.quote);
    this.last.set(t.tokenId, quotes);
    return plan;
  }
}
