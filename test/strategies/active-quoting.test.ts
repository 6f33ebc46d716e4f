import { describe, expect, it } from 'vitest';
import type { InboundEvent } from '../../core/events.ts';
import { NORMAL } from '../../core/risk/decision.ts';
import { PluginRegistry } from '../../plugins/registry.ts';
import { activeQuotingConfigSchema, activeQuotingStrategy, ActiveQuotingStrategy } from '../../strategies/active-quoting/index.ts';
import { harness, M, MARKET_ID, marketInfo, NO, order, position, YES } from './doubles.ts';

const BASE = { kind: 'active-quoting', markets: [MARKET_ID], sizeShares: '10', offsetTicks: 1, toleranceTicks: 1, maxAgeSeconds: 60 };

function setup(over: Record<string, unknown> = {}, infos = [marketInfo()]) {
  const h = harness(infos);
  h.market.setTop(YES, '0.48', '0.52');
  h.market.setTop(NO, '0.48', '0.52');
  h.market.positions.set(YES, position(YES, { confirmed: M(100) }));
  const strategy = activeQuotingStrategy.create(activeQuotingConfigSchema.parse({ ...BASE, ...over }), undefined as never) as ActiveQuotingStrategy;
  let seq = 0;
  const event = (e: InboundEvent) => strategy.onEvent({ seq: ++seq, event: e });
  const book = (tokenId: string, bid: string, ask: string, tick?: string) => {
    h.market.setTop(tokenId, bid, ask, tick);
    event({ type: 'book', at: h.clock.now(), tokenId, bids: [[M(bid), M(100)]], asks: [[M(ask), M(100)]] });
  };
  return { ...h, strategy, event, book };
}

describe('active-quoting strategy through the contract', () => {
  it('quotes both sides post-only GTC on start, with its name as origin', async () => {
    const t = setup();
    await t.strategy.start(t.ctx);
    await t.strategy.settled();
    expect(t.gateway.placed()).toEqual([{ side: 'BUY', price: '0.47', size: '10' }, { side: 'SELL', price: '0.53', size: '10' }]);
    expect(t.gateway.submits.every((s) => s.postOnly && s.orderType === 'GTC' && s.origin === 'test-strategy' && s.tokenId === YES)).toBe(true);
    expect(t.strategy.kind).toBe('active-quoting');
  });

  it('does not churn on book updates within the tolerance', async () => {
    const t = setup();
    t.strategy.start(t.ctx);
    await t.strategy.settled();
    t.book(YES, '0.49', '0.53');
    t.book(YES, '0.47', '0.51');
    t.strategy.onTick(t.clock.now());
    await t.strategy.settled();
    expect(t.gateway.submits.length).toBe(2);
    expect(t.gateway.cancels).toEqual([]);
  });

  it('cancels and replaces a quote that is off by more than the tolerance, cancel first', async () => {
    const t = setup();
    t.strategy.start(t.ctx);
    await t.strategy.settled();
    t.book(YES, '0.40', '0.52');
    await t.strategy.settled();
    expect(t.gateway.cancels).toEqual([['o1']]);
    expect(t.gateway.placed().slice(2)).toEqual([{ side: 'BUY', price: '0.39', size: '10' }]);
    expect(t.market.openOrders(YES).map((o) => o.orderId).sort()).toEqual(['o2', 'o3']);
  });

  it('replaces quotes older than the maximum age on a tick', async () => {
    const t = setup();
    t.strategy.start(t.ctx);
    await t.strategy.settled();
    t.clock.advanceBy(59_000);
    t.strategy.onTick(t.clock.now());
    await t.strategy.settled();
    expect(t.gateway.submits.length).toBe(2);
    t.clock.advanceBy(1_000);
    t.strategy.onTick(t.clock.now());
    await t.strategy.settled();
    expect(t.gateway.cancels.flat().sort()).toEqual(['o1', 'o2']);
    expect(t.gateway.submits.length).toBe(4);
  });

  it('on halt quotes nothing and cancels its resting orders', async () => {
    const t = setup();
    t.strategy.start(t.ctx);
    await t.strategy.settled();
    t.market.decisions.set(YES, { mode: 'halted', reasons: ['SOURCE_DOWN'], sizeMultiplier: 0, allowedSides: [], extraTicks: 0 });
    t.strategy.onTick(t.clock.now());
    await t.strategy.settled();
    expect(t.gateway.cancels.flat().sort()).toEqual(['o1', 'o2']);
    expect(t.gateway.submits.length).toBe(2);
    expect(t.market.openOrders(YES)).toEqual([]);
    expect(t.strategy.lastQuotes(YES)?.reason).toBe('halted');
  });

  it('in degrade keeps only the reducing side, wider and smaller', async () => {
    const t = setup();
    t.strategy.start(t.ctx);
    await t.strategy.settled();
    t.market.decisions.set(YES, { mode: 'degraded', reasons: ['DRIFT'], sizeMultiplier: 0.5, allowedSides: ['SELL'], extraTicks: 1 });
    t.strategy.onTick(t.clock.now());
    await t.strategy.settled();
    expect(t.gateway.cancels.flat().sort()).toEqual(['o1', 'o2']);
    expect(t.gateway.placed().slice(2)).toEqual([{ side: 'SELL', price: '0.54', size: '5' }]);
  });

  it('sells only what is available, buys only within the limit', async () => {
    const t = setup();
    t.market.positions.set(YES, position(YES, { confirmed: M(7), pendingSells: M(1) }));
    t.market.limits.set(YES, M(13));
    t.strategy.start(t.ctx);
    await t.strategy.settled();
    expect(t.gateway.placed()).toEqual([{ side: 'BUY', price: '0.47', size: '6' }, { side: 'SELL', price: '0.53', size: '6' }]);
  });

  it('keeps a resting BUY that uses up the limit itself (no oscillation)', async () => {
    const t = setup();
    t.market.positions.set(YES, position(YES));
    t.market.limits.set(YES, M(10));
    t.strategy.start(t.ctx);
    await t.strategy.settled();
    expect(t.gateway.placed()).toEqual([{ side: 'BUY', price: '0.47', size: '10' }]);
    // The engine now reserves the order's size: sizeFor answers 0 for a further BUY.
    t.market.positions.set(YES, position(YES, { pendingOrderBuys: M(10) }));
    for (let i = 0; i < 3; i++) {
      t.strategy.onTick(t.clock.now());
      await t.strategy.settled();
    }
    expect(t.gateway.cancels).toEqual([]);
    expect(t.gateway.submits.length).toBe(1);
  });

  it('replaces its resting orders by smaller ones when the risk multiplier drops (prices unchanged)', async () => {
    const t = setup();
    t.strategy.start(t.ctx);
    await t.strategy.settled();
    expect(t.gateway.placed()).toEqual([{ side: 'BUY', price: '0.47', size: '10' }, { side: 'SELL', price: '0.53', size: '10' }]);
    t.market.decisions.set(YES, { mode: 'degraded', reasons: ['DRIFT'], sizeMultiplier: 0.5, allowedSides: ['BUY', 'SELL'], extraTicks: 0 });
    t.strategy.onTick(t.clock.now());
    await t.strategy.settled();
    expect(t.gateway.cancels.flat().sort()).toEqual(['o1', 'o2']);
    expect(t.gateway.placed().slice(2)).toEqual([{ side: 'BUY', price: '0.47', size: '5' }, { side: 'SELL', price: '0.53', size: '5' }]);
    // The smaller orders now fit: no churn on the following ticks.
    for (let i = 0; i < 3; i++) {
      t.strategy.onTick(t.clock.now());
      await t.strategy.settled();
    }
    expect(t.gateway.submits.length).toBe(4);
  });

  it.each([
    { semantics: 'available-to-sell gross of resting SELLs', net: false },
    { semantics: 'SELL sizing net of resting SELLs (as the engine does)', net: true },
  ])('replaces its resting SELL by a smaller one when available-to-sell shrinks below it after a fill ($semantics)', async ({ net }) => {
    const t = setup();
    t.gateway.sellsCountResting = net;
    t.market.positions.set(YES, position(YES, { confirmed: M(10) }));
    t.strategy.start(t.ctx);
    await t.strategy.settled();
    expect(t.gateway.placed()[1]).toEqual({ side: 'SELL', price: '0.53', size: '10' });
    // Another order of ours on the token filled: 4 of the 10 shares are spent, the resting SELL still offers 10.
    t.market.positions.set(YES, position(YES, { confirmed: M(10), pendingSells: M(4) }));
    t.event({ type: 'fill', at: t.clock.now(), tokenId: YES, orderId: 'elsewhere', tradeId: 't1', side: 'SELL', price: M('0.6'), size: M(4), status: 'MATCHED' });
    await t.strategy.settled();
    expect(t.gateway.cancels).toEqual([['o2']]);
    expect(t.gateway.placed().slice(2)).toEqual([{ side: 'SELL', price: '0.53', size: '6' }]);
  });

  it('replaces its resting BUY by a smaller one when conservative exposure grows past the limit', async () => {
    const t = setup();
    t.market.positions.set(YES, position(YES));
    t.market.limits.set(YES, M(15));
    t.strategy.start(t.ctx);
    await t.strategy.settled();
    expect(t.gateway.placed()).toEqual([{ side: 'BUY', price: '0.47', size: '10' }]);
    // 8 shares arrive from elsewhere while the BUY (reserved, 10) rests: exposure 18 > 15. A fresh
    // BUY would get 15 − 8 = 7; the resting 10 must not stay.
    t.market.positions.set(YES, position(YES, { confirmed: M(8), pendingOrderBuys: M(10) }));
    // A confirmed cancel releases the reservation, as the engine does.
    const cancel = t.gateway.cancel.bind(t.gateway);
    t.gateway.cancel = async (ids) => {
      const out = await cancel(ids);
      t.market.positions.set(YES, position(YES, { confirmed: M(8) }));
      return out;
    };
    t.strategy.onTick(t.clock.now());
    await t.strategy.settled();
    expect(t.gateway.cancels).toEqual([['o1']]);
    expect(t.gateway.placed().filter((p) => p.side === 'BUY').slice(1)).toEqual([{ side: 'BUY', price: '0.47', size: '7' }]);
    // The new BUY (reserved) uses up the limit itself: it is kept.
    t.market.positions.set(YES, position(YES, { confirmed: M(8), pendingOrderBuys: M(7) }));
    for (let i = 0; i < 3; i++) {
      t.strategy.onTick(t.clock.now());
      await t.strategy.settled();
    }
    expect(t.gateway.cancels).toEqual([['o1']]);
  });

  it('buys only what the collateral pays for, counting back what its own BUY reserves', async () => {
    const t = setup();
    t.market.collateralView = { confirmed: M(3), pendingDelta: 0n, reserved: 0n, available: M(3), known: true };
    t.strategy.start(t.ctx);
    await t.strategy.settled();
    expect(t.gateway.placed()[0]).toEqual({ side: 'BUY', price: '0.47', size: '6.38' });
    t.market.collateralView = { confirmed: M(3), pendingDelta: 0n, reserved: M('2.9986'), available: M('0.0014'), known: true };
    t.strategy.onTick(t.clock.now());
    await t.strategy.settled();
    expect(t.gateway.cancels).toEqual([]);
  });

  it('places nothing more once stopped, even from a cycle in flight', async () => {
    const t = setup();
    t.strategy.start(t.ctx);
    await t.strategy.settled();
    t.book(YES, '0.40', '0.52');
    await t.strategy.stop();
    expect(t.gateway.cancels).toEqual([['o1']]);
    expect(t.gateway.submits.length).toBe(2);
  });

  it('keeps its resting SELL when the engine sizes SELLs net of resting orders (no churn)', async () => {
    const t = setup();
    t.gateway.sellsCountResting = true;
    t.market.positions.set(YES, position(YES, { confirmed: M(10) }));
    t.strategy.start(t.ctx);
    await t.strategy.settled();
    expect(t.gateway.placed()).toEqual([{ side: 'BUY', price: '0.47', size: '10' }, { side: 'SELL', price: '0.53', size: '10' }]);
    expect(t.gateway.sizeFor('SELL', YES, M(10))).toBe(0n);
    for (let i = 0; i < 3; i++) {
      t.strategy.onTick(t.clock.now());
      await t.strategy.settled();
    }
    expect(t.gateway.cancels).toEqual([]);
  });

  it('re-grids on a tick-size change', async () => {
    const t = setup();
    t.strategy.start(t.ctx);
    await t.strategy.settled();
    t.book(YES, '0.4', '0.6', '0.1');
    await t.strategy.settled();
    expect(t.gateway.cancels.flat().sort()).toEqual(['o1', 'o2']);
    expect(t.gateway.placed().slice(2)).toEqual([{ side: 'BUY', price: '0.3', size: '10' }, { side: 'SELL', price: '0.7', size: '10' }]);
  });

  it('sends nothing new without rate budget, but still withdraws on halt from the reserve', async () => {
    const t = setup({ budgetReserve: { orders: 5, cancels: 5 } });
    t.gateway.budget = { orders: { remaining: 5, capacity: 60 }, cancels: { remaining: 120, capacity: 120 } };
    t.strategy.start(t.ctx);
    await t.strategy.settled();
    expect(t.gateway.submits).toEqual([]);
    t.gateway.budget = { orders: { remaining: 60, capacity: 60 }, cancels: { remaining: 120, capacity: 120 } };
    t.strategy.onTick(t.clock.now());
    await t.strategy.settled();
    expect(t.gateway.submits.length).toBe(2);
    t.gateway.budget = { orders: { remaining: 0, capacity: 60 }, cancels: { remaining: 2, capacity: 120 } };
    t.market.decisions.set(YES, { mode: 'halted', reasons: ['X'], sizeMultiplier: 0, allowedSides: [], extraTicks: 0 });
    t.strategy.onTick(t.clock.now());
    await t.strategy.settled();
    expect(t.gateway.cancels.flat().sort()).toEqual(['o1', 'o2']);
  });

  it('does not place a replacement when the venue did not confirm the cancel', async () => {
    const t = setup();
    t.strategy.start(t.ctx);
    await t.strategy.settled();
    t.gateway.uncancellable.add('o1');
    t.book(YES, '0.40', '0.52');
    await t.strategy.settled();
    expect(t.gateway.cancels).toEqual([['o1']]);
    expect(t.gateway.submits.length).toBe(2);
  });

  it('counts neither a cancel-requested order nor cancels it twice', async () => {
    const t = setup();
    t.market.orders.push(order({ orderId: 'old', side: 'BUY', price: M('0.47'), cancelRequestedAt: 1, submittedAt: t.clock.now() }));
    t.strategy.start(t.ctx);
    await t.strategy.settled();
    expect(t.gateway.cancels).toEqual([]);
    expect(t.gateway.placed().map((p) => p.side)).toEqual(['BUY', 'SELL']);
  });

  it('survives refused submits (logged, retried on the next tick)', async () => {
    const t = setup();
    t.gateway.refuse = { code: 'COLLATERAL', reason: 'not enough pUSD' };
    t.strategy.start(t.ctx);
    await t.strategy.settled();
    expect(t.gateway.submits.length).toBe(2);
    t.gateway.refuse = undefined;
    t.strategy.onTick(t.clock.now());
    await t.strategy.settled();
    expect(t.market.openOrders(YES).length).toBe(2);
  });

  it('waits for a market the venue does not know yet, then quotes it', async () => {
    const t = setup({}, []);
    t.strategy.start(t.ctx);
    await t.strategy.settled();
    expect(t.gateway.submits).toEqual([]);
    for (const tok of marketInfo().tokens) t.market.infos.set(tok, marketInfo());
    t.strategy.onTick(t.clock.now());
    await t.strategy.settled();
    expect(t.gateway.submits.length).toBe(2);
  });

  it("quotes both outcome tokens with outcome 'both' and ignores other tokens' events", async () => {
    const t = setup({ markets: [{ marketId: MARKET_ID.toUpperCase().replace('0X', '0x'), outcome: 'both' }] });
    t.market.positions.set(NO, position(NO, { confirmed: M(50) }));
    t.strategy.start(t.ctx);
    await t.strategy.settled();
    expect(t.gateway.submits.map((s) => s.tokenId)).toEqual([YES, YES, NO, NO]);
    t.book('12345', '0.1', '0.9');
    await t.strategy.settled();
    expect(t.gateway.submits.length).toBe(4);
  });

  it('re-plans once more after an event that arrived while a cycle was in flight', async () => {
    const t = setup();
    t.strategy.start(t.ctx);
    t.book(YES, '0.30', '0.52');
    await t.strategy.settled();
    expect(t.gateway.placed().at(-1)).toEqual({ side: 'BUY', price: '0.29', size: '10' });
    expect(t.market.openOrders(YES).length).toBe(2);
  });

  it('a failure while planning reaches the runner: at once, or on its next call when it came after an await', async () => {
    const t = setup();
    t.strategy.start(t.ctx);
    await t.strategy.settled();
    const top = t.market.top.bind(t.market);
    t.market.top = () => {
      throw new Error('view broken');
    };
    expect(() => t.strategy.onTick(t.clock.now())).toThrow('view broken');
    t.market.top = top;
    t.book(YES, '0.30', '0.52');
    t.market.top = () => {
      throw new Error('view broken later');
    };
    t.event({ type: 'book', at: t.clock.now(), tokenId: YES, bids: [], asks: [] });
    await t.strategy.settled();
    expect(() => t.strategy.onTick(t.clock.now())).toThrow('view broken later');
  });

  it('stops quoting after stop()', async () => {
    const t = setup();
    t.strategy.start(t.ctx);
    await t.strategy.settled();
    await t.strategy.stop();
    t.book(YES, '0.30', '0.52');
    t.strategy.onTick(t.clock.now());
    await t.strategy.settled();
    expect(t.gateway.submits.length).toBe(2);
    expect(t.market.decision(YES)).toBe(NORMAL);
  });
});

describe('active-quoting config', () => {
  it('is registered and parses exact decimals to micro-units', () => {
    const def = new PluginRegistry().find('strategy', 'active-quoting');
    expect(def).toBe(activeQuotingStrategy);
    const cfg = activeQuotingConfigSchema.parse({ ...BASE, sizeShares: '12.34', skew: { sharesPerTick: 25, maxTicks: 2 } });
    expect(cfg.sizeShares).toBe(12_340_000n);
    expect(cfg.skew).toEqual({ targetShares: 0n, sharesPerTick: 25_000_000n, maxTicks: 2 });
    expect(cfg.markets).toEqual([{ marketId: MARKET_ID, outcome: 'yes' }]);
    expect(cfg.anchor).toBe('best');
  });

  it.each([
    { description: 'more than 6 decimals', over: { sizeShares: '1.0000001' }, path: 'sizeShares', message: /at most 6 decimals/ },
    { description: 'a zero size', over: { sizeShares: 0 }, path: 'sizeShares', message: /above 0/ },
    { description: 'a size over the bound', over: { sizeShares: '2000000' }, path: 'sizeShares', message: /at most 1000000/ },
    { description: 'a non-numeric size', over: { sizeShares: 'ten' }, path: 'sizeShares', message: /decimal amount/ },
    { description: 'a bad market id', over: { markets: ['0x12'] }, path: 'markets.0', message: /condition id/ },
    { description: 'no markets', over: { markets: [] }, path: 'markets', message: /.+/ },
    { description: 'a fractional offset', over: { offsetTicks: 1.5 }, path: 'offsetTicks', message: /.+/ },
    { description: 'an unknown key', over: { sizee: 1 }, path: '', message: /sizee/ },
  ])('rejects $description naming the field', ({ over, path, message }) => {
    const r = activeQuotingConfigSchema.safeParse({ ...BASE, ...over });
    expect(r.success).toBe(false);
    const issue = r.error!.issues.find((i) => i.path.join('.') === path || (path === '' && i.path.length === 0));
    expect(issue, JSON.stringify(r.error!.issues)).toBeDefined();
    expect(issue!.message + JSON.stringify(issue)).toMatch(message);
  });
});
