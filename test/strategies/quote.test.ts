import { describe, expect, it } from 'vitest';
import { formatMicros, type Micros } from '../../core/amounts.ts';
import type { Side } from '../../core/events.ts';
import { NORMAL, type RiskDecision } from '../../core/risk/decision.ts';
import { computeQuotes, scaledSize, skewTicks, type QuoteInput, type QuoteParams, type SizeFn } from '../../strategies/active-quoting/quote.ts';
import { M } from './doubles.ts';

const params: QuoteParams = { anchor: 'best', offsetTicks: 1, size: M(10), useRewards: true, skew: undefined };
const input: QuoteInput = {
  bestBid: M('0.48'), bestAsk: M('0.52'), tick: M('0.01'), minOrderSize: M(5), rewards: undefined,
  decision: NORMAL, effective: 0n, sellable: M(100), restingBuy: 0n, restingSell: 0n,
};
const DEGRADED: RiskDecision = { mode: 'degraded', reasons: ['DRIFT'], sizeMultiplier: 0.5, allowedSides: ['SELL'], extraTicks: 1 };
const HALTED: RiskDecision = { mode: 'halted', reasons: ['SOURCE_DOWN'], sizeMultiplier: 0, allowedSides: [], extraTicks: 0 };

/** sizeFor the way the engine computes it: multiplier, an optional cap, 2 dp, minimum size. */
function sizer(decision: RiskDecision, min: Micros, cap: Partial<Record<Side, Micros>> = {}): SizeFn {
  return (side, wanted) => {
    if (!decision.allowedSides.includes(side)) return 0n;
    let s = scaledSize(wanted, decision.sizeMultiplier);
    const c = cap[side];
    if (c !== undefined && c < s) s = c;
    s -= s % 10_000n;
    return s >= min ? s : 0n;
  };
}

type Row = {
  description: string;
  p?: Partial<QuoteParams>;
  i?: Partial<QuoteInput>;
  cap?: Partial<Record<Side, Micros>>;
  buy: [string, string] | null;
  sell: [string, string] | null;
  reason?: string;
};

const rows: Row[] = [
  { description: 'normal: one tick behind the best bid and ask', buy: ['0.47', '10'], sell: ['0.53', '10'] },
  { description: 'offset 0 joins the best prices', p: { offsetTicks: 0 }, buy: ['0.48', '10'], sell: ['0.52', '10'] },
  { description: 'mid anchor, one tick each side', p: { anchor: 'mid' }, buy: ['0.49', '10'], sell: ['0.51', '10'] },
  { description: 'mid anchor off the grid rounds BUY down and SELL up', p: { anchor: 'mid' }, i: { bestAsk: M('0.51') }, buy: ['0.48', '10'], sell: ['0.51', '10'] },
  { description: 'mid anchor without offset keeps our BUY below our SELL', p: { anchor: 'mid', offsetTicks: 0 }, buy: ['0.49', '10'], sell: ['0.5', '10'] },
  { description: 'degraded: only the allowed side, extra ticks, smaller size', i: { decision: DEGRADED }, buy: null, sell: ['0.54', '5'] },
  { description: 'degraded BUY-only decision', i: { decision: { ...DEGRADED, allowedSides: ['BUY'], extraTicks: 2 } }, buy: ['0.45', '5'], sell: null },
  { description: 'halted: nothing', i: { decision: HALTED }, buy: null, sell: null, reason: 'halted' },
  { description: 'no side allowed: nothing', i: { decision: { ...NORMAL, allowedSides: [] } }, buy: null, sell: null, reason: 'halted' },
  { description: 'multiplier pushes the size under the minimum: side skipped', i: { decision: { ...NORMAL, sizeMultiplier: 0.3 } }, buy: null, sell: null },
  { description: 'reward band pulls wide quotes in (strictly inside max spread)', i: { bestBid: M('0.4'), bestAsk: M('0.6'), rewards: { maxSpread: M('0.03'), minSize: 0n } }, buy: ['0.48', '10'], sell: ['0.52', '10'] },
  { description: 'reward band leaves quotes already inside alone', i: { rewards: { maxSpread: M('0.05'), minSize: 0n } }, buy: ['0.47', '10'], sell: ['0.53', '10'] },
  { description: 'risk extra ticks widen beyond the reward band', i: { bestBid: M('0.4'), bestAsk: M('0.6'), rewards: { maxSpread: M('0.03'), minSize: 0n }, decision: { ...NORMAL, extraTicks: 2 } }, buy: ['0.46', '10'], sell: ['0.54', '10'] },
  { description: 'rewards off: no band', p: { useRewards: false }, i: { bestBid: M('0.4'), bestAsk: M('0.6'), rewards: { maxSpread: M('0.03'), minSize: M(50) } }, buy: ['0.39', '10'], sell: ['0.61', '10'] },
  { description: 'reward minimum size raises the size', i: { rewards: { maxSpread: M('0.05'), minSize: M(20) } }, buy: ['0.47', '20'], sell: ['0.53', '20'] },
  { description: 'market minimum size raises the size', i: { minOrderSize: M(15) }, buy: ['0.47', '15'], sell: ['0.53', '15'] },
  { description: 'tick 0.001 after a tick-size change: quotes on the finer grid', i: { tick: M('0.001'), bestBid: M('0.481'), bestAsk: M('0.489') }, buy: ['0.48', '10'], sell: ['0.49', '10'] },
  { description: 'tick 0.1: quotes on the coarser grid', i: { tick: M('0.1'), bestBid: M('0.4'), bestAsk: M('0.6') }, buy: ['0.3', '10'], sell: ['0.7', '10'] },
  { description: 'stale off-grid book after a re-grid: rounded passively', i: { tick: M('0.05'), bestBid: M('0.48'), bestAsk: M('0.52') }, buy: ['0.4', '10'], sell: ['0.6', '10'] },
  { description: 'crossed book: nothing', i: { bestBid: M('0.52'), bestAsk: M('0.5') }, buy: null, sell: null, reason: 'crossed-book' },
  { description: 'locked book: nothing', i: { bestBid: M('0.5'), bestAsk: M('0.5') }, buy: null, sell: null, reason: 'crossed-book' },
  { description: 'empty book: nothing', i: { bestBid: undefined, bestAsk: undefined }, buy: null, sell: null, reason: 'empty-book' },
  { description: 'no usable tick: nothing', i: { tick: 0n }, buy: null, sell: null, reason: 'no-tick' },
  { description: 'bids only: BUY behind the bid, no SELL anchor', i: { bestAsk: undefined }, buy: ['0.47', '10'], sell: null },
  { description: 'asks only with a mid anchor: nothing priced', p: { anchor: 'mid' }, i: { bestBid: undefined }, buy: null, sell: null },
  { description: 'near 0: BUY clamped up to one tick, still below the ask', i: { bestBid: M('0.01'), bestAsk: M('0.03') }, buy: ['0.01', '10'], sell: ['0.04', '10'] },
  { description: 'near 1: SELL clamped down to 1 − tick, still above the bid', i: { bestBid: M('0.98'), bestAsk: M('0.99') }, buy: ['0.97', '10'], sell: ['0.99', '10'] },
  { description: 'a BUY that cannot stay below the ask is skipped', i: { bestBid: M('0.005'), bestAsk: M('0.01') }, buy: null, sell: ['0.02', '10'] },
  { description: 'skew long: both prices down, capped at maxTicks', p: { skew: { target: 0n, sharesPerTick: M(10), maxTicks: 2 } }, i: { effective: M(30) }, buy: ['0.45', '10'], sell: ['0.51', '10'] },
  { description: 'skew short: both prices up', p: { skew: { target: M(50), sharesPerTick: M(10), maxTicks: 3 } }, i: { effective: M(25) }, buy: ['0.49', '10'], sell: ['0.55', '10'] },
  { description: 'skew under one step: no shift', p: { skew: { target: 0n, sharesPerTick: M(10), maxTicks: 3 } }, i: { effective: M('9.99') }, buy: ['0.47', '10'], sell: ['0.53', '10'] },
  { description: 'skew never pushes a SELL onto the bid', p: { offsetTicks: 0, skew: { target: 0n, sharesPerTick: M(10), maxTicks: 2 } }, i: { bestAsk: M('0.5'), effective: M(40) }, buy: ['0.46', '10'], sell: ['0.49', '10'] },
  { description: 'skew never pushes a BUY onto the ask', p: { offsetTicks: 0, skew: { target: 0n, sharesPerTick: M(10), maxTicks: 5 } }, i: { bestAsk: M('0.5'), effective: M(-50) }, buy: ['0.49', '10'], sell: ['0.55', '10'] },
  { description: 'SELL sized by what is sellable', i: { sellable: M('7.555') }, buy: ['0.47', '10'], sell: ['0.53', '7.55'] },
  { description: 'nothing sellable under the minimum: no SELL', i: { sellable: M(3) }, buy: ['0.47', '10'], sell: null },
  { description: 'BUY capped by the collateral it may spend', i: { buyBudget: M('2.35') }, buy: ['0.47', '5'], sell: ['0.53', '10'] },
  { description: 'not enough collateral for the minimum size: no BUY', i: { buyBudget: M(2) }, buy: null, sell: ['0.53', '10'] },
  { description: 'no collateral at all: no BUY', i: { buyBudget: M(-1) }, buy: null, sell: ['0.53', '10'] },
  { description: 'BUY capped by the limit', cap: { BUY: M(6) }, buy: ['0.47', '6'], sell: ['0.53', '10'] },
  { description: 'limit used up by our own resting BUY: that reservation counts back', cap: { BUY: 0n }, i: { restingBuy: M(10) }, buy: ['0.47', '10'], sell: ['0.53', '10'] },
  { description: 'a sizeFor that counts our resting SELL: it counts back', cap: { SELL: 0n }, i: { restingSell: M(10) }, buy: ['0.47', '10'], sell: ['0.53', '10'] },
  { description: 'resting SELL counts back but never above the multiplied size', cap: { SELL: 0n }, i: { restingSell: M(10), decision: { ...NORMAL, sizeMultiplier: 0.5 } }, buy: ['0.47', '5'], sell: ['0.53', '5'] },
  { description: 'resting SELL counts back but never above what is sellable', i: { restingSell: M(10), sellable: M(8) }, buy: ['0.47', '10'], sell: ['0.53', '8'] },
  { description: 'resting BUY counts back but never above the multiplied size', cap: { BUY: M(6) }, i: { restingBuy: M(10), decision: { ...NORMAL, sizeMultiplier: 0.8 } }, buy: ['0.47', '8'], sell: ['0.53', '8'] },
  { description: 'exposure past the limit: the resting BUY counts back only up to the room left once it is released', cap: { BUY: 0n }, i: { restingBuy: M(10), buyRoom: M(7) }, buy: ['0.47', '7'], sell: ['0.53', '10'] },
  { description: 'no room at all once the resting BUY is released: no BUY', cap: { BUY: 0n }, i: { restingBuy: M(10), buyRoom: M(-3) }, buy: null, sell: ['0.53', '10'] },
  { description: 'room beyond the size: no effect', i: { buyRoom: M(50) }, buy: ['0.47', '10'], sell: ['0.53', '10'] },
];

describe('computeQuotes', () => {
  it.each(rows)('$description', (row) => {
    const p = { ...params, ...row.p };
    const i = { ...input, ...row.i };
    const q = computeQuotes(p, i, sizer(i.decision, i.minOrderSize, row.cap));
    const show = (x: { price: Micros; size: Micros } | undefined) => (x ? [formatMicros(x.price), formatMicros(x.size)] : null);
    expect({ buy: show(q.buy), sell: show(q.sell) }).toEqual({ buy: row.buy, sell: row.sell });
    if (row.reason) expect(q.reason).toBe(row.reason);
    if (q.buy) expect(q.buy.side).toBe('BUY');
    if (q.sell) expect(q.sell.side).toBe('SELL');
  });

  it('asks sizeFor once per allowed side, with the wanted size', () => {
    const asked: [Side, Micros][] = [];
    computeQuotes(params, { ...input, decision: DEGRADED }, (side, wanted) => {
      asked.push([side, wanted]);
      return wanted / 2n;
    });
    expect(asked).toEqual([['SELL', M(10)]]);
  });
});

describe('skewTicks and scaledSize', () => {
  it.each([
    { description: 'no skew configured', effective: M(100), skew: undefined, ticks: 0n },
    { description: 'long by three steps', effective: M(30), skew: { target: 0n, sharesPerTick: M(10), maxTicks: 5 }, ticks: 3n },
    { description: 'short truncates toward zero', effective: M(-29), skew: { target: 0n, sharesPerTick: M(10), maxTicks: 5 }, ticks: -2n },
    { description: 'capped', effective: M(1000), skew: { target: 0n, sharesPerTick: M(10), maxTicks: 5 }, ticks: 5n },
    { description: 'relative to the target', effective: M(100), skew: { target: M(80), sharesPerTick: M(10), maxTicks: 5 }, ticks: 2n },
  ])('$description', ({ effective, skew, ticks }) => {
    expect(skewTicks(skew, effective)).toBe(ticks);
  });

  it.each([
    [M(10), 1, M(10)], [M(10), 0.5, M(5)], [M('10.01'), 0.5, M('5')], [M(10), 0, 0n], [M(10), Number.NaN, 0n], [M(33), 1 / 3, M('10.99')],
  ])('scales %s by %s to %s (the multiplier at 6-decimal precision), rounded down to 2 dp', (base, mult, out) => {
    expect(scaledSize(base, mult)).toBe(out);
  });
});
