import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Micros } from '../../core/amounts.ts';
import type { Side } from '../../core/events.ts';
import type { RiskDecision } from '../../core/risk/decision.ts';
import { computeQuotes, type QuoteInput, type QuoteParams } from '../../strategies/active-quoting/quote.ts';

const TICKS = [100_000n, 10_000n, 5_000n, 2_500n, 1_000n, 100n];
const micros = (lo: bigint, hi: bigint) => fc.bigInt({ min: lo, max: hi });

const scenario = fc.record({
  tick: fc.constantFrom(...TICKS),
  // Book prices are drawn on a fine grid, so they are sometimes off the quoting grid (a re-grid).
  bid: fc.option(micros(0n, 1_000_000n), { nil: undefined }),
  ask: fc.option(micros(0n, 1_000_000n), { nil: undefined }),
  minOrderSize: micros(0n, 20_000_000n),
  rewards: fc.option(fc.record({ maxSpread: micros(0n, 200_000n), minSize: micros(0n, 200_000_000n) }), { nil: undefined }),
  decision: fc.record({
    mode: fc.constantFrom('normal', 'degraded', 'halted'),
    reasons: fc.constant([] as string[]),
    sizeMultiplier: fc.double({ min: 0, max: 1, noNaN: true }),
    allowedSides: fc.subarray(['BUY', 'SELL'] as Side[]),
    extraTicks: fc.integer({ min: 0, max: 10 }),
  }) as fc.Arbitrary<RiskDecision>,
  effective: micros(-1_000_000_000n, 1_000_000_000n),
  sellable: micros(-10_000_000n, 1_000_000_000n),
  restingBuy: fc.oneof(fc.constant(0n), micros(0n, 100_000_000n)),
  restingSell: fc.oneof(fc.constant(0n), micros(0n, 100_000_000n)),
  params: fc.record({
    anchor: fc.constantFrom('best', 'mid'),
    offsetTicks: fc.integer({ min: 0, max: 20 }),
    size: micros(10_000n, 500_000_000n),
    useRewards: fc.boolean(),
    skew: fc.option(fc.record({ target: micros(-100_000_000n, 100_000_000n), sharesPerTick: micros(1n, 50_000_000n), maxTicks: fc.integer({ min: 1, max: 10 }) }), { nil: undefined }),
  }) as fc.Arbitrary<QuoteParams>,
  caps: fc.record({ BUY: micros(0n, 600_000_000n), SELL: micros(0n, 600_000_000n) }),
});

describe('computeQuotes properties', () => {
  it('quotes are on the grid, inside [tick, 1 − tick], never crossing, of allowed sides, sized within sizeFor', () => {
    fc.assert(fc.property(scenario, (s) => {
      const input: QuoteInput = {
        bestBid: s.bid, bestAsk: s.ask, tick: s.tick, minOrderSize: s.minOrderSize, rewards: s.rewards,
        decision: s.decision, effective: s.effective, sellable: s.sellable, restingBuy: s.restingBuy, restingSell: s.restingSell,
      };
      const answered: Record<Side, Micros> = { BUY: -1n, SELL: -1n };
      const q = computeQuotes(s.params, input, (side, wanted) => {
        // An arbitrary allowance, never above what was asked, as the gateway would answer.
        const a = s.caps[side] < wanted ? s.caps[side] : wanted;
        answered[side] = a;
        return a;
      });
      const sides = s.decision.mode === 'halted' ? [] : s.decision.allowedSides;
      for (const quote of [q.buy, q.sell]) {
        if (!quote) continue;
        expect(sides).toContain(quote.side);
        expect(quote.price % s.tick).toBe(0n);
        expect(quote.price >= s.tick && quote.price <= 1_000_000n - s.tick).toBe(true);
        expect(quote.size > 0n && quote.size >= s.minOrderSize).toBe(true);
        expect(answered[quote.side]).toBeGreaterThanOrEqual(0n);
        const allowance = answered[quote.side] + (quote.side === 'BUY' ? s.restingBuy : s.restingSell);
        expect(quote.size <= allowance).toBe(true);
        if (quote.side === 'SELL') expect(quote.size <= s.sellable).toBe(true);
      }
      if (q.buy) {
        expect(q.buy.side).toBe('BUY');
        if (s.ask !== undefined) expect(q.buy.price < s.ask).toBe(true);
      }
      if (q.sell) {
        expect(q.sell.side).toBe('SELL');
        if (s.bid !== undefined) expect(q.sell.price > s.bid).toBe(true);
      }
      if (q.buy && q.sell) expect(q.buy.price < q.sell.price).toBe(true);
      if (s.bid !== undefined && s.ask !== undefined && s.bid >= s.ask) expect([q.buy, q.sell]).toEqual([undefined, undefined]);
    }), { numRuns: 3000 });
  });

  it('a quote is never larger than a fresh order would get once our resting orders of its side are released', () => {
    // An engine-like gateway: the multiplier, then the room (BUY: the limit less the exposure, which
    // includes our resting BUYs; SELL: available-to-sell net of our resting SELLs), 2 dp, the minimum.
    const engine = (s: { decision: RiskDecision; minOrderSize: Micros }, wanted: Micros, room: Micros): Micros => {
      let v = (wanted * BigInt(Math.round(s.decision.sizeMultiplier * 1_000_000))) / 1_000_000n;
      if (room < v) v = room;
      v -= v % 10_000n;
      return v > 0n && v >= s.minOrderSize ? v : 0n;
    };
    fc.assert(fc.property(scenario, micros(-100_000_000n, 600_000_000n), (s, buyRoom) => {
      const sellable = s.sellable > 0n ? s.sellable : 0n;
      const restingSell = s.restingSell < sellable ? s.restingSell : sellable;
      const input: QuoteInput = {
        bestBid: s.bid, bestAsk: s.ask, tick: s.tick, minOrderSize: s.minOrderSize, rewards: s.rewards,
        decision: s.decision, effective: s.effective, sellable, restingBuy: s.restingBuy, restingSell, buyRoom,
      };
      const allowed = (side: Side) => s.decision.mode !== 'halted' && s.decision.allowedSides.includes(side);
      const q = computeQuotes(s.params, input, (side, wanted) => {
        if (!allowed(side)) return 0n;
        return engine(s, wanted, side === 'BUY' ? buyRoom - s.restingBuy : sellable - restingSell);
      });
      if (q.buy) expect(q.buy.size <= engine(s, q.buy.wanted, buyRoom)).toBe(true);
      if (q.sell) expect(q.sell.size <= engine(s, q.sell.wanted, sellable)).toBe(true);
    }), { numRuns: 3000 });
  });

  it('with no resting orders a size is never above what sizeFor answered', () => {
    fc.assert(fc.property(scenario, (s) => {
      const answered: Record<Side, Micros> = { BUY: -1n, SELL: -1n };
      const q = computeQuotes(s.params, {
        bestBid: s.bid, bestAsk: s.ask, tick: s.tick, minOrderSize: s.minOrderSize, rewards: s.rewards,
        decision: s.decision, effective: s.effective, sellable: s.sellable, restingBuy: 0n, restingSell: 0n,
      }, (side, wanted) => (answered[side] = s.caps[side] < wanted ? s.caps[side] : wanted));
      for (const quote of [q.buy, q.sell]) if (quote) expect(quote.size <= answered[quote.side]).toBe(true);
    }), { numRuns: 2000 });
  });
});
