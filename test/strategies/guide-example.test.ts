/**
 * The worked example of docs/strategies.md, kept here so the guide's code is compiled and run.
 * Between the markers the code is what the guide shows as strategies/join-bid/index.ts, except that
 * the guide imports `../shared/…` where this file imports `../../strategies/shared/…`.
 */
import { describe, expect, it } from 'vitest';
import { harness, M, YES } from './doubles.ts';

// ---- strategies/join-bid/index.ts ----
import { z } from 'zod';
import type { Micros } from '../../core/amounts.ts';
import { definePlugin } from '../../core/plugin.ts';
import type { Strategy, StrategyContext } from '../../core/strategy/strategy.ts';
import { gatePlan, type Allowance } from '../../strategies/shared/budget.ts';
import { micros, replaceFields } from '../../strategies/shared/config.ts';
import { diffOrders, type DesiredQuote, type DiffPolicy } from '../../strategies/shared/diff.ts';
import { floorToTick, isUsableTick } from '../../strategies/shared/grid.ts';
import { PlanningStrategy } from '../../strategies/shared/shell.ts';

/** Pure: a BUY joining the best bid, kept strictly below the best ask. */
export function joinBid(bid: Micros | undefined, ask: Micros | undefined, tick: Micros, size: Micros): DesiredQuote | undefined {
  if (bid === undefined || size <= 0n) return undefined;
  let price = floorToTick(bid, tick);
  if (ask !== undefined && price >= ask) price = floorToTick(ask - 1n, tick);
  if (price < tick || price > 1_000_000n - tick) return undefined;
  return { side: 'BUY', price, size, wanted: size };
}

class JoinBidStrategy extends PlanningStrategy {
  readonly kind = 'join-bid';
  constructor(private readonly tokenIds: readonly string[], private readonly size: Micros, private readonly policy: DiffPolicy) {
    super();
  }
  protected tokens() { return this.tokenIds; }
  protected tracks(tokenId: string) { return this.tokenIds.includes(tokenId); }
  protected prepare(_ctx: StrategyContext) {}
  protected plan(tokenId: string, now: number, available: Allowance) {
    const m = this.ctx.market;
    const info = m.market(tokenId);
    const top = m.top(tokenId);
    const tick = top.tickSize ?? info?.tickSize;
    if (!info || !isUsableTick(tick)) return undefined;
    const d = m.decision(tokenId);
    const allowed = d.mode !== 'halted' && d.allowedSides.includes('BUY');
    const size = allowed ? this.ctx.gateway.sizeFor('BUY', tokenId, this.size) : 0n;
    const buy = joinBid(top.bestBid, top.bestAsk, tick, size);
    const plan = diffOrders(tokenId, { buy, sell: undefined }, m.openOrders(tokenId), tick, now, this.policy);
    return { gated: gatePlan(plan, available, { orders: 2, cancels: 2 }), minSize: info.minOrderSize };
  }
}

export const joinBidStrategy = definePlugin({
  category: 'strategy',
  kind: 'join-bid',
  description: 'One post-only BUY at the best bid per token',
  configSchema: z.strictObject({
    kind: z.literal('join-bid'),
    tokens: z.array(z.string().regex(/^\d{1,78}$/, 'a decimal uint256 token id')).min(1),
    sizeShares: micros('0', '100000', { exclusiveMin: true }),
    ...replaceFields,
  }),
  create(cfg): Strategy {
    return new JoinBidStrategy(cfg.tokens, cfg.sizeShares, {
      toleranceTicks: cfg.toleranceTicks, maxAgeMs: cfg.maxAgeSeconds * 1000, refillBelowPercent: cfg.refillBelowPercent,
    });
  },
});
// ---- end of the example ----

describe('the strategy guide example', () => {
  it('joins the bid, follows it, and withdraws on halt', async () => {
    const t = harness();
    t.market.setTop(YES, '0.48', '0.52');
    const s = joinBidStrategy.create(joinBidStrategy.configSchema.parse({ kind: 'join-bid', tokens: [YES], sizeShares: '10', toleranceTicks: 0 }), undefined as never) as JoinBidStrategy;
    s.start(t.ctx);
    await s.settled();
    expect(t.gateway.placed()).toEqual([{ side: 'BUY', price: '0.48', size: '10' }]);
    t.market.setTop(YES, '0.49', '0.52');
    s.onEvent({ seq: 1, event: { type: 'book', at: t.clock.now(), tokenId: YES, bids: [[M('0.49'), M(1)]], asks: [[M('0.52'), M(1)]] } });
    await s.settled();
    expect(t.gateway.placed().at(-1)).toEqual({ side: 'BUY', price: '0.49', size: '10' });
    t.market.decisions.set(YES, { mode: 'halted', reasons: ['X'], sizeMultiplier: 0, allowedSides: [], extraTicks: 0 });
    s.onTick(t.clock.now());
    await s.settled();
    expect(t.market.openOrders(YES)).toEqual([]);
    expect(joinBid(M('0.5'), M('0.5'), M('0.01'), M(1))?.price).toBe(M('0.49'));
  });
});
