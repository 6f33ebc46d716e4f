/**
 * The active-quoting shell: resolves the configured markets to tokens, and per token reads the
 * market view, computes the quotes (quote.ts), diffs them against the engine's open orders
 * (shared/diff.ts) and gates the plan by the rate budget (shared/budget.ts).
 */
import { mulMicros, type Micros } from '../../core/amounts.ts';
import type { Side } from '../../core/events.ts';
import type { StrategyContext } from '../../core/strategy/strategy.ts';
import type { MarketInfo } from '../../core/venue/venue.ts';
import { gatePlan, type Allowance, type GatedPlan } from '../shared/budget.ts';
import { diffOrders, isCancelling, isLive, type DiffPolicy } from '../shared/diff.ts';
import { isUsableTick } from '../shared/grid.ts';
import { resolveMarkets, type MarketChoice } from '../shared/markets.ts';
import { PlanningStrategy } from '../shared/shell.ts';
import { computeQuotes, type QuoteParams, type Quotes, type SizeFn } from './quote.ts';

export interface ActiveQuotingOptions {
  readonly markets: readonly MarketChoice[];
  readonly quote: QuoteParams;
  readonly diff: DiffPolicy;
  readonly reserve: Allowance;
}

interface TokenState {
  readonly tokenId: string;
  info: MarketInfo;
  readonly sizeFor: SizeFn;
  /** Last quotes computed, for inspection (never used to diff). */
  last: Quotes | undefined;
}

export class ActiveQuotingStrategy extends PlanningStrategy {
  readonly kind = 'active-quoting';
  private readonly byToken = new Map<string, TokenState>();
  private tokenList: string[] = [];
  private unresolved: MarketChoice[] = [];

  constructor(private readonly opts: ActiveQuotingOptions) {
    super();
  }

  /** The last quotes computed for a token (diagnostics). */
  lastQuotes(tokenId: string): Quotes | undefined {
    return this.byToken.get(tokenId)?.last;
  }

  protected tokens(): readonly string[] {
    return this.tokenList;
  }

  protected tracks(tokenId: string): boolean {
    return this.byToken.has(tokenId);
  }

  protected prepare(ctx: StrategyContext): void {
    this.byToken.clear();
    this.tokenList = [];
    this.unresolved = [...this.opts.markets];
    this.resolve(ctx);
  }

  protected override beforeTick(): void {
    if (this.unresolved.length > 0) this.resolve(this.ctx);
  }

  private resolve(ctx: StrategyContext): void {
    const { tokens, unresolved } = resolveMarkets(ctx.market.markets(), this.unresolved);
    for (const { tokenId, info } of tokens) {
      if (this.byToken.has(tokenId)) continue;
      const gateway = ctx.gateway;
      this.byToken.set(tokenId, { tokenId, info, sizeFor: (side: Side, wanted: Micros) => gateway.sizeFor(side, tokenId, wanted), last: undefined });
      this.tokenList.push(tokenId);
    }
    if (unresolved.length > 0 && (unresolved.length !== this.unresolved.length || this.tokenList.length === 0)) {
      ctx.logger.warn({ waiting: unresolved.map((m) => m.marketId) }, 'configured markets not known to the venue yet');
    }
    this.unresolved = unresolved;
  }

  protected plan(tokenId: string, now: number, available: Allowance): { gated: GatedPlan; minSize: Micros } | undefined {
    const st = this.byToken.get(tokenId);
    if (!st) return undefined;
    const m = this.ctx.market;
    // Market metadata changes live (reward minimum size, tick): read it every cycle.
    const info = m.market(tokenId) ?? st.info;
    st.info = info;
    const top = m.top(tokenId);
    const tick = isUsableTick(top.tickSize) ? top.tickSize : info.tickSize;
    if (!isUsableTick(tick)) return undefined;
    const open = m.openOrders(tokenId);
    let restingBuy = 0n;
    let restingBuyCost = 0n;
    let restingSell = 0n;
    let cancellingSells = 0n;
    for (const o of open) {
      if (o.side === 'BUY' && isLive(o)) {
        restingBuy += o.remaining;
        if (o.price !== undefined) restingBuyCost += mulMicros(o.price, o.remaining);
      } else if (o.side === 'SELL' && isLive(o)) restingSell += o.remaining;
      else if (o.side === 'SELL' && isCancelling(o)) cancellingSells += o.remaining;
    }
    const position = m.position(tokenId);
    const collateral = m.collateral();
    const limit = m.limit(tokenId);
    const quotes = computeQuotes(this.opts.quote, {
      bestBid: top.bestBid, bestAsk: top.bestAsk, tick,
      minOrderSize: info.minOrderSize, rewards: info.rewards, decision: m.decision(tokenId),
      effective: position.effective, sellable: position.availableToSell - cancellingSells, restingBuy, restingSell,
      buyBudget: collateral.known ? collateral.available + restingBuyCost : undefined,
      buyRoom: limit === undefined ? undefined : limit - position.conservativeExposure + restingBuy,
    }, st.sizeFor);
    st.last = quotes;
    const plan = diffOrders(tokenId, quotes, open, tick, now, this.opts.diff);
    return { gated: gatePlan(plan, available, this.opts.reserve), minSize: info.minOrderSize };
  }
}
