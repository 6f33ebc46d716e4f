import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { freeToMerge, mergeable, mergeableFor } from '../../strategies/active-quoting/index.ts';
import { harness, M, marketInfo, NO, order, position, YES } from './doubles.ts';

describe('mergeable', () => {
  it.each([
    { description: 'both confirmed: the smaller side', yes: position(YES, { confirmed: M(30) }), no: position(NO, { confirmed: M(20) }), min: M(1), out: M(20) },
    { description: 'nothing of one side: nothing', yes: position(YES, { confirmed: M(30) }), no: position(NO), min: 0n, out: 0n },
    { description: 'pending BUY fills are not on chain yet: not mergeable', yes: position(YES, { confirmed: M(10), pendingBuys: M(40) }), no: position(NO, { confirmed: M(50) }), min: 0n, out: M(10) },
    { description: 'pending SELL fills are already spent', yes: position(YES, { confirmed: M(50), pendingSells: M(15) }), no: position(NO, { confirmed: M(50) }), min: 0n, out: M(35) },
    { description: 'under the minimum merge: nothing', yes: position(YES, { confirmed: M(4) }), no: position(NO, { confirmed: M(40) }), min: M(5), out: 0n },
    { description: 'exactly the minimum merge: merged', yes: position(YES, { confirmed: M(5) }), no: position(NO, { confirmed: M(40) }), min: M(5), out: M(5) },
    { description: 'micro amounts stay exact', yes: position(YES, { confirmed: M('12.345678') }), no: position(NO, { confirmed: M('12.345679') }), min: 0n, out: M('12.345678') },
    { description: 'a negative (impossible) balance merges nothing', yes: position(YES, { confirmed: M(-3) }), no: position(NO, { confirmed: M(40) }), min: 0n, out: 0n },
  ])('$description', ({ yes, no, min, out }) => {
    expect(mergeable(yes, no, min)).toBe(out);
  });

  it('resting SELL orders keep their shares, cancel-requested ones too; BUYs and finished orders do not count', () => {
    const yes = position(YES, { confirmed: M(50) });
    const no = position(NO, { confirmed: M(50) });
    const openYes = [
      order({ orderId: 'a', side: 'SELL', originalSize: M(10), matched: M(4) }),
      order({ orderId: 'b', side: 'SELL', originalSize: M(5), cancelRequestedAt: 5 }),
      order({ orderId: 'c', side: 'BUY', originalSize: M(20) }),
      order({ orderId: 'd', side: 'SELL', originalSize: M(20), status: 'CANCELED' }),
    ];
    expect(freeToMerge(yes, openYes)).toBe(M(39));
    expect(mergeable(yes, no, 0n, { yes: openYes })).toBe(M(39));
    expect(mergeable(yes, no, 0n, { yes: openYes, no: [order({ orderId: 'e', tokenId: NO, side: 'SELL', originalSize: M(45) })] })).toBe(M(5));
  });

  it('reads a market from the market view', () => {
    const { market } = harness([marketInfo()]);
    market.positions.set(YES, position(YES, { confirmed: M(25) }));
    market.positions.set(NO, position(NO, { confirmed: M(60) }));
    market.orders.push(order({ orderId: 'x', tokenId: NO, side: 'SELL', originalSize: M(50) }));
    expect(mergeableFor(market, marketInfo(), M(1))).toBe(M(10));
  });

  it('property: never negative, never more than either side holds confirmed and unsold, 0 or at least the minimum', () => {
    const side = fc.record({ confirmed: fc.bigInt({ min: -10n, max: 10n ** 9n }), pendingBuys: fc.bigInt({ min: 0n, max: 10n ** 9n }), pendingSells: fc.bigInt({ min: 0n, max: 10n ** 9n }), resting: fc.bigInt({ min: 0n, max: 10n ** 9n }) });
    fc.assert(fc.property(side, side, fc.bigInt({ min: 0n, max: 10n ** 8n }), (y, n, min) => {
      const open = (tokenId: string, r: bigint) => (r > 0n ? [order({ orderId: `s-${tokenId}`, tokenId, side: 'SELL', originalSize: r })] : []);
      const out = mergeable(position(YES, y), position(NO, n), min, { yes: open(YES, y.resting), no: open(NO, n.resting) });
      expect(out >= 0n).toBe(true);
      for (const s of [y, n]) expect(out <= s.confirmed - s.pendingSells - s.resting || out === 0n).toBe(true);
      expect(out === 0n || out >= min).toBe(true);
    }), { numRuns: 500 });
  });
});
