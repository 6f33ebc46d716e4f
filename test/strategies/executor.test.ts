import { describe, expect, it } from 'vitest';
import { createMemoryLogger } from '../../core/logger.ts';
import type { StrategyContext } from '../../core/strategy/strategy.ts';
import type { OrderPlan } from '../../strategies/shared/diff.ts';
import { PlanExecutor } from '../../strategies/shared/executor.ts';
import { harness, M, order, position, YES } from './doubles.ts';

const none = (side: 'BUY' | 'SELL') => ({ side, action: 'none' as const, keep: undefined, cancel: [], place: undefined });
const replaceBuy = (cancel: string[]): OrderPlan => ({
  tokenId: YES,
  buy: { side: 'BUY', action: cancel.length ? 'replace' : 'new', keep: undefined, cancel, place: { side: 'BUY', price: M('0.47'), size: M(10), wanted: M(10) } },
  sell: none('SELL'),
});

describe('PlanExecutor', () => {
  it('cancels first, then submits post-only GTC with the strategy name as origin', async () => {
    const t = harness();
    t.market.orders.push(order({ orderId: 'old', side: 'BUY' }));
    const r = await new PlanExecutor(t.ctx).run(replaceBuy(['old']), M(5));
    expect(r).toEqual({ cancelled: 1, submitted: 1, refused: 0, skipped: 0 });
    expect(t.gateway.cancels).toEqual([['old']]);
    expect(t.gateway.submits).toEqual([{ tokenId: YES, side: 'BUY', price: M('0.47'), size: M(10), orderType: 'GTC', postOnly: true, origin: 'test-strategy' }]);
  });

  it('re-sizes with sizeFor at send time, from the pre-multiplier request', async () => {
    const t = harness();
    t.market.decisions.set(YES, { mode: 'degraded', reasons: [], sizeMultiplier: 0.7, allowedSides: ['BUY', 'SELL'], extraTicks: 0 });
    await new PlanExecutor(t.ctx).run(replaceBuy([]), M(5));
    expect(t.gateway.submits[0]!.size).toBe(M(7));
    t.market.limits.set(YES, M(3));
    const r = await new PlanExecutor(t.ctx).run(replaceBuy([]), M(5));
    expect(r.skipped).toBe(1);
    expect(t.gateway.submits.length).toBe(1);
  });

  it('does not place a replacement when the cancel failed or was not confirmed', async () => {
    const t = harness();
    t.gateway.uncancellable.add('old');
    expect(await new PlanExecutor(t.ctx).run(replaceBuy(['old']), M(5))).toMatchObject({ cancelled: 0, submitted: 0, skipped: 1 });
    t.gateway.cancel = async () => {
      throw new Error('venue unreachable');
    };
    const mem = createMemoryLogger();
    const ctx: StrategyContext = { ...t.ctx, logger: mem.logger };
    expect(await new PlanExecutor(ctx).run(replaceBuy(['other']), M(5))).toMatchObject({ cancelled: 0, submitted: 0, skipped: 1 });
    expect(t.gateway.submits).toEqual([]);
    expect(mem.lines().some((l) => l.msg === 'cancel failed' && String(l.err).includes('venue unreachable'))).toBe(true);
  });

  it('counts refusals and thrown submits without throwing itself', async () => {
    const t = harness();
    t.gateway.refuse = { code: 'LIMIT', reason: 'over the limit' };
    expect(await new PlanExecutor(t.ctx).run(replaceBuy([]), M(5))).toMatchObject({ refused: 1, submitted: 0 });
    t.gateway.submit = async () => {
      throw new Error('boom');
    };
    expect(await new PlanExecutor(t.ctx).run(replaceBuy([]), M(5))).toMatchObject({ refused: 1, submitted: 0 });
  });

  it('counts its requests in flight against the rate budget until they settle', async () => {
    const t = harness();
    t.gateway.budget = { orders: { remaining: 10, capacity: 60 }, cancels: { remaining: 10, capacity: 120 } };
    const ex = new PlanExecutor(t.ctx);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const cancel = t.gateway.cancel.bind(t.gateway);
    t.gateway.cancel = async (ids) => {
      await gate;
      return cancel(ids);
    };
    const running = ex.run({ ...replaceBuy(['a', 'b']), sell: { side: 'SELL', action: 'new', keep: undefined, cancel: [], place: { side: 'SELL', price: M('0.6'), size: M(5) } } }, M(5));
    expect(ex.allowance()).toEqual({ orders: 8, cancels: 8 });
    release();
    await running;
    expect(ex.allowance()).toEqual({ orders: 10, cancels: 10 });
  });

  it('places nothing once the strategy says it is stopping', async () => {
    const t = harness();
    t.market.positions.set(YES, position(YES, { confirmed: M(10) }));
    const r = await new PlanExecutor(t.ctx, () => true).run(replaceBuy([]), M(5));
    expect(r).toMatchObject({ submitted: 0, skipped: 1 });
  });
});
