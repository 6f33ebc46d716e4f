/**
 * The worked example of docs/strategies.md, kept here so the guide's code is compiled and run.
 * Between the markers the code is what the guide shows as strategies/join-bid/index.ts, except that
 * the guide imports `../shared/…` where this file imports `../../strategies/shared/…`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PlannedStrategy } from '../../strategies/shared/shell.ts';
import { harness, M, MARKET_ID, position, YES } from './doubles.ts';

// ---- strategies/join-bid/index.ts ----
import type { Micros } from '../../core/amounts.ts';
import { micros } from '../../strategies/shared/config.ts';
import { definePlanningStrategy } from '../../strategies/shared/define.ts';
import { diffOrders, type DesiredQuote } from '../../strategies/shared/diff.ts';
import { floorToTick } from '../../strategies/shared/grid.ts';
import { quoteSize } from '../../strategies/shared/shell.ts';

/** Pure: the price joining the best bid, kept strictly below the best ask (undefined: none valid). */
export function joinBidPrice(bid: Micros | undefined, ask: Micros | undefined, tick: Micros): Micros | undefined {
  if (bid === undefined) return undefined;
  let price = floorToTick(bid, tick);
  if (ask !== undefined && price >= ask) price = floorToTick(ask - 1n, tick);
  return price >= tick && price <= 1_000_000n - tick ? price : undefined;
}

export const joinBidStrategy = definePlanningStrategy({
  kind: 'join-bid',
  description: 'One post-only BUY at the best bid per token',
  fields: { sizeShares: micros('0', '100000', { exclusiveMin: true }) },
  plan(t, cfg) {
    const price = joinBidPrice(t.top.bestBid, t.top.bestAsk, t.tick);
    const size = quoteSize(t, 'BUY', cfg.sizeShares);
    const buy: DesiredQuote | undefined = price === undefined || size === 0n ? undefined : { side: 'BUY', price, size, wanted: cfg.sizeShares };
    return diffOrders(t.tokenId, { buy, sell: undefined }, t.open, t.tick, t.now, t.policy);
  },
});
// ---- end of the example ----

describe('the strategy guide example', () => {
  function setup() {
    const t = harness();
    t.market.setTop(YES, '0.48', '0.52');
    const cfg = joinBidStrategy.configSchema.parse({ kind: 'join-bid', markets: [MARKET_ID], sizeShares: '10', toleranceTicks: 0 });
    const s = joinBidStrategy.create(cfg, undefined as never) as PlannedStrategy;
    return { ...t, s };
  }

  it('joins the bid, follows it, and withdraws on halt', async () => {
    const t = setup();
    expect(t.s.kind).toBe('join-bid');
    t.s.start(t.ctx);
    await t.s.settled();
    expect(t.gateway.placed()).toEqual([{ side: 'BUY', price: '0.48', size: '10' }]);
    t.market.setTop(YES, '0.49', '0.52');
    t.s.onEvent({ seq: 1, event: { type: 'book', at: t.clock.now(), tokenId: YES, bids: [[M('0.49'), M(1)]], asks: [[M('0.52'), M(1)]] } });
    await t.s.settled();
    expect(t.gateway.placed().at(-1)).toEqual({ side: 'BUY', price: '0.49', size: '10' });
    t.market.decisions.set(YES, { mode: 'halted', reasons: ['X'], sizeMultiplier: 0, allowedSides: [], extraTicks: 0 });
    t.s.onTick(t.clock.now());
    await t.s.settled();
    expect(t.market.openOrders(YES)).toEqual([]);
    expect(joinBidPrice(M('0.5'), M('0.5'), M('0.01'))).toBe(M('0.49'));
  });

  it('keeps a BUY that uses up the limit itself, and shrinks it when the multiplier drops', async () => {
    const t = setup();
    t.market.limits.set(YES, M(10));
    t.s.start(t.ctx);
    await t.s.settled();
    t.market.positions.set(YES, position(YES, { pendingOrderBuys: M(10) }));
    for (let i = 0; i < 3; i++) {
      t.s.onTick(t.clock.now());
      await t.s.settled();
    }
    expect(t.gateway.cancels).toEqual([]);
    const cancel = t.gateway.cancel.bind(t.gateway);
    t.gateway.cancel = async (ids) => {
      const out = await cancel(ids);
      t.market.positions.set(YES, position(YES));
      return out;
    };
    t.market.decisions.set(YES, { mode: 'degraded', reasons: ['X'], sizeMultiplier: 0.5, allowedSides: ['BUY', 'SELL'], extraTicks: 0 });
    t.s.onTick(t.clock.now());
    await t.s.settled();
    expect(t.gateway.cancels).toEqual([['o1']]);
    expect(t.gateway.placed()).toEqual([{ side: 'BUY', price: '0.48', size: '10' }, { side: 'BUY', price: '0.48', size: '5' }]);
  });

  it('is the code docs/strategies.md shows', () => {
    const self = readFileSync(new URL(import.meta.url), 'utf8');
    const start = '// ---- strategies/join-bid/index.ts ----\n';
    const code = self.slice(self.indexOf(start) + start.length, self.indexOf('// ---- end of the example ----')).replaceAll('../../strategies/shared/', '../shared/');
    const guide = readFileSync(new URL('../../docs/strategies.md', import.meta.url), 'utf8');
    const block = /## Worked example: `join-bid`[\s\S]*?```ts\n([\s\S]*?)```/.exec(guide)?.[1];
    expect(block).toBe(code);
  });

  it('is configured with the shared fields', () => {
    const cfg = joinBidStrategy.configSchema.parse({ kind: 'join-bid', markets: [MARKET_ID], sizeShares: '2.5' });
    expect(cfg).toMatchObject({ sizeShares: 2_500_000n, markets: [{ marketId: MARKET_ID, outcome: 'yes' }], toleranceTicks: 1, maxAgeSeconds: 120, budgetReserve: { orders: 5, cancels: 5 } });
    expect(joinBidStrategy.configSchema.safeParse({ kind: 'join-bid', markets: [MARKET_ID], sizeShares: '1', extra: 1 }).success).toBe(false);
  });
});
