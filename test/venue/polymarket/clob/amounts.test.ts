import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMicros, parseMicros } from '../../../../core/amounts.ts';
import { PolyquoteError } from '../../../../core/errors.ts';
import {
  ORACLE_AGREEMENT_MAX_SIZE, ROUNDING, TICK_SIZES, isOnTick, orderAmounts, roundingFor, tickSizeOf,
} from '../../../../plugins/venue/polymarket/clob/amounts.ts';
import { oracleOrder } from './oracle.ts';

const m = (s: string) => parseMicros(s, 'test');
const TOKEN = '71321045679252212594626385532706912750332728571942532289631379312455583992563';

describe('tick size rounding configuration', () => {
  it.each([
    ['0.1', 1, 2, 3], ['0.01', 2, 2, 4], ['0.005', 3, 2, 5], ['0.0025', 4, 2, 6], ['0.001', 3, 2, 5], ['0.0001', 4, 2, 6],
  ])('tick %s has price/size/amount decimals %i/%i/%i', (tick, price, size, amount) => {
    expect(roundingFor(m(tick))).toEqual({ price, size, amount });
    expect(tickSizeOf(m(tick))).toBe(tick);
  });

  it('refuses a tick size the venue does not use, naming where', () => {
    expect(() => roundingFor(m('0.02'))).toThrow(/expected one of 0\.1, 0\.01.*got 0\.02 at tick size/);
  });
});

describe('order amounts (table)', () => {
  it.each([
    // description, side, price, size, tick, makerAmount, takerAmount, signed price, signed size
    ['the protocol example BUY 100 @ 0.50', 'BUY', '0.5', '100', '0.01', 50_000_000n, 100_000_000n, '0.5', '100'],
    ['SELL swaps maker and taker', 'SELL', '0.5', '100', '0.01', 100_000_000n, 50_000_000n, '0.5', '100'],
    ['size is rounded down to 2 decimals', 'BUY', '0.5', '10.019999', '0.01', 5_005_000n, 10_010_000n, '0.5', '10.01'],
    ['price is rounded half-up to the price decimals', 'BUY', '0.125', '10', '0.01', 1_300_000n, 10_000_000n, '0.13', '10'],
    ['a price just under the half rounds down', 'BUY', '0.124999', '10', '0.01', 1_200_000n, 10_000_000n, '0.12', '10'],
    ['tick 0.1 keeps 3 amount decimals', 'BUY', '0.3', '1.11', '0.1', 333_000n, 1_110_000n, '0.3', '1.11'],
    ['tick 0.0001 uses 6 amount decimals', 'BUY', '0.0001', '0.01', '0.0001', 1n, 10_000n, '0.0001', '0.01'],
    ['tick 0.0025 does not snap to the grid', 'SELL', '0.0035', '3.33', '0.0025', 3_330_000n, 11_655n, '0.0035', '3.33'],
    ['tick 0.005 rounds 0.0005 up at 3 decimals', 'BUY', '0.0125', '2', '0.005', 26_000n, 2_000_000n, '0.013', '2'],
    ['the top of the range', 'SELL', '0.99', '7.77', '0.01', 7_770_000n, 7_692_300n, '0.99', '7.77'],
  ] as const)('%s', (_d, side, price, size, tick, maker, taker, sp, ss) => {
    const a = orderAmounts(side, m(price), m(size), m(tick));
    expect([a.makerAmount, a.takerAmount, formatMicros(a.price), formatMicros(a.size)]).toEqual([maker, taker, sp, ss]);
  });

  it.each([
    ['below the tick', '0.009', '10', '0.01', 'PRICE_OUT_OF_RANGE', /expected a price in \[0\.01, 0\.99\], got 0\.009 at order\.price/],
    ['above 1 - tick', '0.991', '10', '0.01', 'PRICE_OUT_OF_RANGE', /got 0\.991 at order\.price/],
    ['a size rounding to zero', '0.5', '0.009', '0.01', 'SIZE_INVALID', /at least 0\.01.*got 0\.009 at order\.size/],
    ['a negative size', '0.5', '-1', '0.01', 'SIZE_INVALID', /positive size, got -1 at order\.size/],
    ['a bad tick', '0.5', '1', '0.03', 'TICK_SIZE_INVALID', /got 0\.03 at order\.tickSize/],
  ])('refuses %s', (_d, price, size, tick, code, msg) => {
    let err: unknown;
    try {
      orderAmounts('BUY', m(price), m(size), m(tick));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PolyquoteError);
    expect((err as PolyquoteError).code).toBe(code);
    expect((err as PolyquoteError).message).toMatch(msg);
  });

  it('tells on-tick prices from off-tick ones', () => {
    expect(isOnTick(m('0.0125'), m('0.0025'))).toBe(true);
    expect(isOnTick(m('0.0035'), m('0.0025'))).toBe(false);
  });
});

/** Edge-heavy generator: prices and sizes at rounding halves, just under, just over. */
const edgeCase = fc.record({
  tick: fc.constantFrom(...TICK_SIZES),
  side: fc.constantFrom('BUY' as const, 'SELL' as const),
  priceUnits: fc.integer({ min: 0, max: 1_000_000 }),
  priceNudge: fc.constantFrom(0n, 1n, -1n, 0n),
  halfPrice: fc.boolean(),
  sizeCents: fc.oneof(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: Number(ORACLE_AGREEMENT_MAX_SIZE / 10_000n) })),
  sizeRest: fc.constantFrom(0n, 1n, 4_999n, 5_000n, 9_999n),
});

describe('order amounts agree with the official client', () => {
  it('on a generated table of prices and sizes at the rounding edges (every tick, both sides)', async () => {
    const samples = fc.sample(edgeCase, { numRuns: 600, seed: 20261201 });
    let compared = 0;
    for (const c of samples) {
      const rc = ROUNDING[c.tick];
      const unit = 10n ** BigInt(6 - rc.price);
      const tick = m(c.tick);
      let price = (BigInt(c.priceUnits) * unit) % 1_000_000n + (c.halfPrice ? unit / 2n : 0n) + c.priceNudge;
      if (price < tick) price = tick;
      if (price > 1_000_000n - tick) price = 1_000_000n - tick;
      const size = BigInt(c.sizeCents) * 10_000n + c.sizeRest;
      const ours = orderAmounts(c.side, price, size, tick);
      const theirs = await oracleOrder(0, undefined, { tokenID: TOKEN, price: Number(formatMicros(price)), size: Number(formatMicros(size)), side: c.side }, c.tick, false);
      expect({ c, maker: ours.makerAmount.toString(), taker: ours.takerAmount.toString() }).toEqual({ c, maker: theirs.makerAmount, taker: theirs.takerAmount });
      compared++;
    }
    expect(compared).toBe(600);
  });

  it('stays exact where the official client drifts in floating point (documented divergence above the bound)', async () => {
    // 7,583,623.76 shares @ 0.82467 (tick 0.005 → price 0.825): exact collateral 6,256,489.602.
    const ours = orderAmounts('BUY', m('0.82467'), m('7583623.767747'), m('0.005'));
    expect(ours.makerAmount).toBe(6_256_489_602_000n);
    const theirs = await oracleOrder(0, undefined, { tokenID: TOKEN, price: 0.82467, size: 7583623.767747, side: 'BUY' }, '0.005', false);
    expect(theirs.makerAmount).toBe('6256489601990');
  });
});
