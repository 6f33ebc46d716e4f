/**
 * Property: whatever the books, decisions, positions, limits and budgets do, every order the
 * active-quoting strategy sends through the gateway is post-only GTC, of a side the decision allows,
 * on the current grid inside [tick, 1 − tick], not crossing the book, and no larger than what
 * gateway.sizeFor answered for it; and it never rests more than one order per side.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Micros } from '../../core/amounts.ts';
import type { Side } from '../../core/events.ts';
import type { RiskDecision } from '../../core/risk/decision.ts';
import type { OrderIntent } from '../../core/venue/venue.ts';
import { activeQuotingConfigSchema, activeQuotingStrategy, type ActiveQuotingStrategy } from '../../strategies/active-quoting/index.ts';
import { harness, M, MARKET_ID, position, YES } from './doubles.ts';
import { isLive } from '../../strategies/shared/diff.ts';

const TICKS = ['0.1', '0.01', '0.001'];

const step = fc.record({
  tick: fc.constantFrom(...TICKS),
  bid: fc.option(fc.integer({ min: 1, max: 999 }), { nil: undefined }),
  spread: fc.integer({ min: 1, max: 200 }),
  askMissing: fc.boolean(),
  decision: fc.record({
    mode: fc.constantFrom('normal', 'normal', 'degraded', 'halted'),
    reasons: fc.constant([] as string[]),
    sizeMultiplier: fc.constantFrom(1, 0.5, 0.25, 0),
    allowedSides: fc.subarray(['BUY', 'SELL'] as Side[]),
    extraTicks: fc.integer({ min: 0, max: 3 }),
  }) as fc.Arbitrary<RiskDecision>,
  confirmed: fc.integer({ min: 0, max: 200 }),
  limit: fc.option(fc.integer({ min: 0, max: 300 }), { nil: undefined }),
  orders: fc.integer({ min: 0, max: 10 }),
  advanceMs: fc.integer({ min: 0, max: 90_000 }),
  kind: fc.constantFrom('book', 'tick'),
});

describe('active-quoting strategy properties', () => {
  it('only ever sends valid, allowed, post-only, correctly sized orders', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(step, { minLength: 1, maxLength: 12 }),
      fc.record({ anchor: fc.constantFrom('best', 'mid'), offsetTicks: fc.integer({ min: 0, max: 3 }), sizeShares: fc.constantFrom('5', '10', '37.5') }),
      async (steps, cfg) => {
        const t = harness();
        const answered = new Map<Side, Micros>();
        const sizeFor = t.gateway.sizeFor.bind(t.gateway);
        t.gateway.sizeFor = (side, tokenId, wanted) => {
          const a = sizeFor(side, tokenId, wanted);
          answered.set(side, a);
          return a;
        };
        const violations: string[] = [];
        const submit = t.gateway.submit.bind(t.gateway);
        t.gateway.submit = async (intent: OrderIntent) => {
          const top = t.market.top(YES);
          const tick = top.tickSize!;
          const d = t.market.decision(YES);
          if (!intent.postOnly || intent.orderType !== 'GTC') violations.push('not post-only GTC');
          if (d.mode === 'halted' || !d.allowedSides.includes(intent.side)) violations.push(`side ${intent.side} not allowed`);
          if (intent.price % tick !== 0n || intent.price < tick || intent.price > 1_000_000n - tick) violations.push(`price ${intent.price} off grid ${tick}`);
          if (intent.side === 'BUY' && top.bestAsk !== undefined && intent.price >= top.bestAsk) violations.push('BUY crosses');
          if (intent.side === 'SELL' && top.bestBid !== undefined && intent.price <= top.bestBid) violations.push('SELL crosses');
          if (intent.size > (answered.get(intent.side) ?? -1n)) violations.push(`size ${intent.size} above sizeFor ${answered.get(intent.side)}`);
          if (intent.size <= 0n) violations.push('empty size');
          return submit(intent);
        };
        const s = activeQuotingStrategy.create(activeQuotingConfigSchema.parse({ kind: 'active-quoting', markets: [MARKET_ID], ...cfg }), undefined as never) as ActiveQuotingStrategy;
        t.market.setTop(YES, '0.48', '0.52', '0.01');
        s.start(t.ctx);
        await s.settled();
        let seq = 0;
        for (const st of steps) {
          const tick = M(st.tick);
          const bid = st.bid === undefined ? undefined : (BigInt(st.bid) * 1000n / tick) * tick;
          const ask = st.askMissing || bid === undefined ? undefined : bid + BigInt(st.spread) * tick;
          t.market.tops.set(YES, { bestBid: bid, bestAsk: ask !== undefined && ask < 1_000_000n ? ask : undefined, tickSize: tick });
          t.market.decisions.set(YES, st.decision);
          const reserved = t.market.orders.filter((o) => o.side === 'BUY' && isLive(o)).reduce((a, o) => a + o.remaining, 0n);
          t.market.positions.set(YES, position(YES, { confirmed: M(st.confirmed), pendingOrderBuys: reserved }));
          if (st.limit === undefined) t.market.limits.delete(YES);
          else t.market.limits.set(YES, M(st.limit));
          t.gateway.budget = { orders: { remaining: st.orders, capacity: 60 }, cancels: { remaining: 120, capacity: 120 } };
          t.clock.advanceBy(st.advanceMs);
          if (st.kind === 'book') s.onEvent({ seq: ++seq, event: { type: 'book', at: t.clock.now(), tokenId: YES, bids: [], asks: [] } });
          else s.onTick(t.clock.now());
          await s.settled();
          for (const side of ['BUY', 'SELL'] as const) {
            if (t.market.orders.filter((o) => o.side === side && isLive(o)).length > 1) violations.push(`two resting ${side}s`);
          }
          if (st.decision.mode === 'halted' && t.market.orders.some(isLive)) violations.push('orders rest while halted');
        }
        expect(violations).toEqual([]);
      },
    ), { numRuns: 150 });
  });
});
