/**
 * Inventory unwind per token: the unwind SELL (plan.ts) against the engine's open orders. The
 * lifecycle (market resolution, cycles, the rate-budget gate, the executor) is shared/shell.ts's
 * `MarketStrategy`.
 */
import type { OrderPlan } from '../shared/diff.ts';
import { MarketStrategy, type MarketStrategyOptions, type TokenView } from '../shared/shell.ts';
import { planUnwind, unwindFloor, unwindQuote, type UnwindInput, type UnwindParams } from './plan.ts';

export interface InventoryUnwindOptions extends MarketStrategyOptions {
  readonly unwind: UnwindParams;
}

/** The order plan of one token: its unwind SELL, diffed (BUYs untouched). */
export function planInventoryUnwind(t: TokenView, p: UnwindParams): OrderPlan {
  const m = t.market;
  const input: UnwindInput = {
    averageCost: m.averageCost(t.tokenId), bestBid: t.top.bestBid, bestAsk: t.top.bestAsk, tick: t.tick,
    minOrderSize: t.info.minOrderSize, decision: m.decision(t.tokenId),
    sellable: m.position(t.tokenId).availableToSell - t.resting.cancellingSell, restingSell: t.resting.sell,
  };
  const desired = unwindQuote(p, input, (wanted) => t.sizeFor('SELL', wanted));
  return planUnwind(t.tokenId, desired, unwindFloor(p, input), t.open, t.tick, t.now, t.policy);
}

export class InventoryUnwindStrategy extends MarketStrategy {
  readonly kind = 'inventory-unwind';

  constructor(private readonly opts: InventoryUnwindOptions) {
    super(opts);
  }

  protected planToken(t: TokenView): OrderPlan {
    return planInventoryUnwind(t, this.opts.unwind);
  }
}
