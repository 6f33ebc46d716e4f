import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMicros, type Micros } from '../../core/amounts.ts';
import { NORMAL, type RiskDecision } from '../../core/risk/decision.ts';
import { PluginRegistry } from '../../plugins/registry.ts';
import {
  inventoryUnwindConfigSchema, inventoryUnwindStrategy, planUnwind, unwindFloor, unwindQuote, type UnwindInput, type UnwindParams,
} from '../../strategies/inventory-unwind/index.ts';
import type { InventoryUnwindStrategy } from '../../strategies/inventory-unwind/strategy.ts';
import { harness, M, MARKET_ID, NO, order, position, YES } from './doubles.ts';

const params: UnwindParams = { markupTicks: 2, joinAsk: false, maxOrderSize: undefined };
const input: UnwindInput = {
  averageCost: M('0.4231'), bestBid: M('0.40'), bestAsk: M('0.50'), tick: M('0.01'), minOrderSize: M(5), decision: NORMAL, sellable: M(30), restingSell: 0n,
};
const HALTED: RiskDecision = { mode: 'halted', reasons: ['X'], sizeMultiplier: 0, allowedSides: [], extraTicks: 0 };
const all = (w: Micros) => w;

describe('unwindQuote', () => {
  it.each([
    { description: 'cost rounded up to the grid plus the markup', i: {}, out: ['0.45', '30'] },
    { description: 'markup 0 sells at the cost rounded up', p: { markupTicks: 0 }, i: {}, out: ['0.43', '30'] },
    { description: 'bid above the floor: just above the bid (post-only)', i: { bestBid: M('0.47') }, out: ['0.48', '30'] },
    { description: 'joinAsk rests at the best ask when higher', p: { joinAsk: true }, i: {}, out: ['0.5', '30'] },
    { description: 'joinAsk never below the floor', p: { joinAsk: true }, i: { bestAsk: M('0.44') }, out: ['0.45', '30'] },
    { description: 'risk extra ticks add to the markup', i: { decision: { ...NORMAL, mode: 'degraded' as const, extraTicks: 1, allowedSides: ['SELL' as const] } }, out: ['0.46', '30'] },
    { description: 'capped by the maximum order size', p: { maxOrderSize: M(12) }, i: {}, out: ['0.45', '12'] },
    { description: 'sizes floored to 2 dp', i: { sellable: M('10.129') }, out: ['0.45', '10.12'] },
    { description: 'under the minimum order size: nothing', i: { sellable: M(4) }, out: null },
    { description: 'unknown cost: nothing (cannot prove at or above cost)', i: { averageCost: undefined }, out: null },
    { description: 'floor above 1 − tick: nothing', i: { averageCost: M('0.985') }, out: null },
    { description: 'halted: nothing', i: { decision: HALTED }, out: null },
    { description: 'SELL not allowed: nothing', i: { decision: { ...NORMAL, allowedSides: ['BUY' as const] } }, out: null },
    { description: 'a finer tick re-grids the floor', i: { tick: M('0.001') }, out: ['0.426', '30'] },
    { description: 'our resting SELL counts back when the gateway nets it out', i: { restingSell: M(30) }, size: () => 0n, out: ['0.45', '30'] },
    { description: 'counted back, but never above the multiplied size', i: { restingSell: M(30), decision: { ...NORMAL, sizeMultiplier: 0.5 } }, size: () => 0n, out: ['0.45', '15'] },
    { description: 'no book at all: at the floor', i: { bestBid: undefined, bestAsk: undefined }, out: ['0.45', '30'] },
  ] as { description: string; p?: Partial<UnwindParams>; i: Partial<UnwindInput>; size?: (w: Micros) => Micros; out: string[] | null }[])('$description', ({ p, i, size, out }) => {
    const q = unwindQuote({ ...params, ...p }, { ...input, ...i }, size ?? all);
    expect(q ? [formatMicros(q.price), formatMicros(q.size)] : null).toEqual(out);
    if (q) expect(q.side).toBe('SELL');
  });

  it('takes the size sizeFor allows, and nothing when it allows under the minimum', () => {
    expect(unwindQuote(params, input, () => M(7))?.size).toBe(M(7));
    expect(unwindQuote(params, input, () => M(4))).toBeUndefined();
  });

  it('property: never a BUY, never below cost + markup, on the grid, above the bid', () => {
    fc.assert(fc.property(
      fc.constantFrom(M('0.1'), M('0.01'), M('0.001'), M('0.0001')), fc.bigInt({ min: 0n, max: 1_000_000n }),
      fc.option(fc.bigInt({ min: 0n, max: 1_000_000n }), { nil: undefined }), fc.integer({ min: 0, max: 10 }), fc.bigInt({ min: 0n, max: 100_000_000n }),
      (tick, cost, bid, markup, sellable) => {
        const q = unwindQuote({ ...params, markupTicks: markup }, { ...input, tick, averageCost: cost, bestBid: bid, sellable }, all);
        if (!q) return;
        expect(q.side).toBe('SELL');
        expect(q.price >= cost + BigInt(markup) * tick).toBe(true);
        expect(q.price % tick).toBe(0n);
        expect(q.price <= 1_000_000n - tick).toBe(true);
        if (bid !== undefined) expect(q.price > bid).toBe(true);
        expect(q.size <= sellable).toBe(true);
      },
    ), { numRuns: 1000 });
  });
});

describe('planUnwind', () => {
  const policy = { toleranceTicks: 1, maxAgeMs: 60_000, refillBelowPercent: 50 };
  const q = { side: 'SELL' as const, price: M('0.45'), size: M(30) };
  const sell = (id: string, price: string, over = {}) => order({ orderId: id, side: 'SELL', price: M(price), originalSize: M(30), submittedAt: 0, ...over });
  it.each([
    { description: 'keeps one resting SELL', open: [sell('a', '0.45')], action: 'keep', cancel: [] },
    { description: 'keeps one a tick above the floor', open: [sell('a', '0.46')], action: 'keep', cancel: [] },
    { description: 'never keeps one under the floor, even within tolerance', open: [sell('a', '0.44')], action: 'replace', cancel: ['a'] },
    { description: 'one order per token: extras cancelled', open: [sell('a', '0.45'), sell('b', '0.46')], action: 'keep', cancel: ['b'] },
    { description: 'BUY orders are not its business', open: [order({ orderId: 'x', side: 'BUY' })], action: 'new', cancel: [] },
  ])('$description', ({ open, action, cancel }) => {
    const plan = planUnwind(YES, q, M('0.45'), open, M('0.01'), 1000, policy);
    expect(plan.sell.action).toBe(action);
    expect(plan.sell.cancel).toEqual(cancel);
    expect(plan.buy).toMatchObject({ action: 'none', cancel: [], place: undefined });
  });

  it('withdraws SELLs when nothing may be sold', () => {
    expect(planUnwind(YES, undefined, undefined, [sell('a', '0.45')], M('0.01'), 1000, policy).sell).toMatchObject({ action: 'withdraw', cancel: ['a'] });
  });

  it('floor math: cost rounded up to the tick, plus markup and extra ticks', () => {
    expect(unwindFloor({ ...params, markupTicks: 1 }, { ...input, averageCost: M('0.42'), decision: { ...NORMAL, extraTicks: 2 } })).toBe(M('0.45'));
    expect(unwindFloor(params, { ...input, tick: 0n })).toBeUndefined();
  });
});

describe('inventory-unwind strategy through the contract', () => {
  function setup(over: Record<string, unknown> = {}) {
    const h = harness();
    h.market.setTop(YES, '0.40', '0.50');
    h.market.setTop(NO, '0.50', '0.60');
    h.market.positions.set(YES, position(YES, { confirmed: M(30) }));
    h.market.costs.set(YES, M('0.4231'));
    const cfg = inventoryUnwindConfigSchema.parse({ kind: 'inventory-unwind', markets: [MARKET_ID], markupTicks: 2, ...over });
    const strategy = inventoryUnwindStrategy.create(cfg, undefined as never) as InventoryUnwindStrategy;
    return { ...h, strategy };
  }

  it('rests one SELL at cost + markup for held tokens only and never buys', async () => {
    const t = setup();
    t.strategy.start(t.ctx);
    await t.strategy.settled();
    for (let i = 0; i < 3; i++) {
      t.clock.advanceBy(1000);
      t.strategy.onTick(t.clock.now());
      await t.strategy.settled();
    }
    expect(t.gateway.placed()).toEqual([{ side: 'SELL', price: '0.45', size: '30' }]);
    expect(t.gateway.submits[0]).toMatchObject({ tokenId: YES, postOnly: true, orderType: 'GTC', origin: 'test-strategy' });
    expect(t.gateway.submits.some((s) => s.side === 'BUY')).toBe(false);
  });

  it('leaves our BUY orders alone, cancels its SELL on halt', async () => {
    const t = setup();
    t.market.orders.push(order({ orderId: 'buy-1', side: 'BUY', submittedAt: t.clock.now() }));
    t.strategy.start(t.ctx);
    await t.strategy.settled();
    t.market.decisions.set(YES, { mode: 'halted', reasons: ['X'], sizeMultiplier: 0, allowedSides: [], extraTicks: 0 });
    t.strategy.onTick(t.clock.now());
    await t.strategy.settled();
    expect(t.gateway.cancels).toEqual([['o1']]);
    expect(t.market.openOrders(YES).map((o) => o.orderId)).toEqual(['buy-1']);
  });

  it('re-prices when the average cost rises above its resting SELL', async () => {
    const t = setup();
    t.strategy.start(t.ctx);
    await t.strategy.settled();
    t.market.costs.set(YES, M('0.44'));
    t.strategy.onEvent({ seq: 1, event: { type: 'fill', at: t.clock.now(), tokenId: YES, side: 'BUY', size: M(1), price: M('0.6'), status: 'MATCHED' } });
    await t.strategy.settled();
    expect(t.gateway.cancels).toEqual([['o1']]);
    expect(t.gateway.placed().at(-1)).toEqual({ side: 'SELL', price: '0.46', size: '30' });
  });

  it.each([false, true])('replaces its resting SELL by a smaller one when the risk multiplier drops (SELL sizing net of resting: %s)', async (net) => {
    const t = setup();
    t.gateway.sellsCountResting = net;
    t.strategy.start(t.ctx);
    await t.strategy.settled();
    t.market.decisions.set(YES, { mode: 'degraded', reasons: ['DRIFT'], sizeMultiplier: 0.5, allowedSides: ['SELL'], extraTicks: 0 });
    t.strategy.onTick(t.clock.now());
    await t.strategy.settled();
    expect(t.gateway.cancels).toEqual([['o1']]);
    expect(t.gateway.placed()).toEqual([{ side: 'SELL', price: '0.45', size: '30' }, { side: 'SELL', price: '0.45', size: '15' }]);
    t.strategy.onTick(t.clock.now());
    await t.strategy.settled();
    expect(t.gateway.submits.length).toBe(2);
  });

  it.each([false, true])('replaces its resting SELL by a smaller one when available-to-sell shrinks below it after a fill (net: %s)', async (net) => {
    const t = setup();
    t.gateway.sellsCountResting = net;
    t.strategy.start(t.ctx);
    await t.strategy.settled();
    t.market.positions.set(YES, position(YES, { confirmed: M(30), pendingSells: M(12) }));
    t.strategy.onEvent({ seq: 1, event: { type: 'fill', at: t.clock.now(), tokenId: YES, orderId: 'elsewhere', side: 'SELL', size: M(12), price: M('0.6'), status: 'MATCHED' } });
    await t.strategy.settled();
    expect(t.gateway.cancels).toEqual([['o1']]);
    expect(t.gateway.placed().at(-1)).toEqual({ side: 'SELL', price: '0.45', size: '18' });
  });

  it('is registered, and rejects a bad config naming the field', () => {
    expect(new PluginRegistry().find('strategy', 'inventory-unwind')).toBe(inventoryUnwindStrategy);
    const r = inventoryUnwindConfigSchema.safeParse({ kind: 'inventory-unwind', markets: [MARKET_ID], markupTicks: -1 });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(['markupTicks']);
    expect(inventoryUnwindConfigSchema.parse({ kind: 'inventory-unwind', markets: [MARKET_ID], maxOrderShares: '2.5' }).maxOrderShares).toBe(2_500_000n);
  });
});
