/** The inventory-unwind shell: per token, the unwind SELL (plan.ts), diffed and gated. */
import type { Micros } from '../../core/amounts.ts';
import type { StrategyContext } from '../../core/strategy/strategy.ts';
import type { MarketInfo } from '../../core/venue/venue.ts';
import { gatePlan, type Allowance, type GatedPlan } from '../shared/budget.ts';
import { isCancelling, isLive, type DiffPolicy } from '../shared/diff.ts';
import { isUsableTick } from '../shared/grid.ts';
import { resolveMarkets, type MarketChoice } from '../shared/markets.ts';
import { PlanningStrategy } from '../shared/shell.ts';
import { planUnwind, unwindFloor, unwindQuote, type UnwindInput, type UnwindParams } from './plan.ts';

export interface InventoryUnwindOptions {
  readonly markets: readonly MarketChoice[];
  readonly unwind: UnwindParams;
  readonly diff: DiffPolicy;
  readonly reserve: Allowance;
}

export class InventoryUnwindStrategy extends PlanningStrategy {
  readonly kind = 'inventory-unwind';
  private readonly infos = new Map<string, MarketInfo>();
  private tokenList: string[] = [];
  private unresolved: MarketChoice[] = [];

  constructor(private readonly opts: InventoryUnwindOptions) {
    super();
  }

  protected tokens(): readonly string[] {
    return this.tokenList;
  }

  protected tracks(tokenId: string): boolean {
    return this.infos.has(tokenId);
  }

  protected prepare(ctx: StrategyContext): void {
    this.infos.clear();
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
      if (this.infos.has(tokenId)) continue;
      this.infos.set(tokenId, info);
      this.tokenList.push(tokenId);
    }
    if (unresolved.length > 0 && unresolved.length !== this.unresolved.length) ctx.logger.warn({ waiting: unresolved.map((m) => m.marketId) }, 'configured markets not known to the venue yet');
    this.unresolved = unresolved;
  }

  protected plan(tokenId: string, now: number, available: Allowance): { gated: GatedPlan; minSize: Micros } | undefined {
    const m = this.ctx.market;
    const info = m.market(tokenId) ?? this.infos.get(tokenId);
    if (!info) return undefined;
    const top = m.top(tokenId);
    const tick = isUsableTick(top.tickSize) ? top.tickSize : info.tickSize;
    if (!isUsableTick(tick)) return undefined;
    const open = m.openOrders(tokenId);
    let cancelling = 0n;
    let resting = 0n;
    for (const o of open) {
      if (o.side !== 'SELL') continue;
      if (isLive(o)) resting += o.remaining;
      else if (isCancelling(o)) cancelling += o.remaining;
    }
    const input: UnwindInput = {
      averageCost: m.averageCost(tokenId), bestBid: top.bestBid, bestAsk: top.bestAsk, tick,
      minOrderSize: info.minOrderSize, decision: m.decision(tokenId), sellable: m.position(tokenId).availableToSell - cancelling, restingSell: resting,
    };
    const gateway = this.ctx.gateway;
    const desired = unwindQuote(this.opts.unwind, input, (wanted) => gateway.sizeFor('SELL', tokenId, wanted));
    const plan = planUnwind(tokenId, desired, unwindFloor(this.opts.unwind, input), open, tick, now, this.opts.diff);
    return { gated: gatePlan(plan, available, this.opts.reserve), minSize: info.minOrderSize };
  }
}
