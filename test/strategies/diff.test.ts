import { describe, expect, it } from 'vitest';
import type { OpenOrderView } from '../../core/strategy/strategy.ts';
import { allowance, gatePlan } from '../../strategies/shared/budget.ts';
import { diffOrders, diffSide, isIdle, type DesiredQuote, type DiffPolicy, type OrderPlan } from '../../strategies/shared/diff.ts';
import { M, order, YES } from './doubles.ts';

const NOW = 1_000_000;
const TICK = M('0.01');
const policy: DiffPolicy = { toleranceTicks: 1, maxAgeMs: 60_000, refillBelowPercent: 50 };
const buy = (price: string, size: number | string = 10): DesiredQuote => ({ side: 'BUY', price: M(price), size: M(size) });
const live = (id: string, price: string, over: Partial<OpenOrderView> = {}) =>
  order({ orderId: id, side: 'BUY', price: M(price), submittedAt: NOW - 1000, ...over });

type Row = {
  description: string;
  desired: DesiredQuote | undefined;
  open: OpenOrderView[];
  tick?: bigint;
  action: string;
  keep?: string;
  cancel: string[];
  place: boolean;
};

const rows: Row[] = [
  { description: 'nothing open, nothing wanted', desired: undefined, open: [], action: 'none', cancel: [], place: false },
  { description: 'nothing open: place', desired: buy('0.47'), open: [], action: 'new', cancel: [], place: true },
  { description: 'same price: keep', desired: buy('0.47'), open: [live('a', '0.47')], action: 'keep', keep: 'a', cancel: [], place: false },
  { description: 'within tolerance: keep (no churn on a one-tick move)', desired: buy('0.48'), open: [live('a', '0.47')], action: 'keep', keep: 'a', cancel: [], place: false },
  { description: 'off by more than the tolerance: cancel and replace', desired: buy('0.49'), open: [live('a', '0.47')], action: 'replace', cancel: ['a'], place: true },
  { description: 'too old: replace', desired: buy('0.47'), open: [live('a', '0.47', { submittedAt: NOW - 60_000 })], action: 'replace', cancel: ['a'], place: true },
  { description: 'nothing wanted: withdraw', desired: undefined, open: [live('a', '0.47')], action: 'withdraw', cancel: ['a'], place: false },
  { description: 'extra orders: keep the closest, cancel the rest', desired: buy('0.47'), open: [live('a', '0.48'), live('b', '0.47'), live('c', '0.40')], action: 'keep', keep: 'b', cancel: ['a', 'c'], place: false },
  { description: 'partially filled, enough left: keep', desired: buy('0.47'), open: [live('a', '0.47', { matched: M(4) })], action: 'keep', keep: 'a', cancel: [], place: false },
  { description: 'partially filled below the refill share: replace', desired: buy('0.47'), open: [live('a', '0.47', { matched: M(6) })], action: 'replace', cancel: ['a'], place: true },
  { description: 'resting order of exactly the desired size: keep', desired: buy('0.47', 10), open: [live('a', '0.47')], action: 'keep', keep: 'a', cancel: [], place: false },
  { description: 'resting order one size step larger than now allowed: replace (no tolerance above the allowance)', desired: buy('0.47', 9.99), open: [live('a', '0.47')], action: 'replace', cancel: ['a'], place: true },
  { description: 'resting order larger than allowed but within the price tolerance: replace all the same', desired: buy('0.48', 6), open: [live('a', '0.47')], action: 'replace', cancel: ['a'], place: true },
  { description: 'smaller than desired, at the refill share: keep', desired: buy('0.47', 20), open: [live('a', '0.47')], action: 'keep', keep: 'a', cancel: [], place: false },
  { description: 'smaller than desired, under the refill share: replace', desired: buy('0.47', 20.01), open: [live('a', '0.47')], action: 'replace', cancel: ['a'], place: true },
  { description: 'the remaining size is compared, not the original: a drained order larger at first may stay', desired: buy('0.47', 7), open: [live('a', '0.47', { originalSize: M(12), matched: M(5) })], action: 'keep', keep: 'a', cancel: [], place: false },
  { description: 'the closest order is chosen among the fitting ones only: an oversized closer order goes', desired: buy('0.47', 8), open: [live('a', '0.47'), live('b', '0.48', { originalSize: M(8) })], action: 'keep', keep: 'b', cancel: ['a'], place: false },
  { description: 'resting order larger than now allowed (risk shrank the size): replace', desired: buy('0.47', 5), open: [live('a', '0.47')], action: 'replace', cancel: ['a'], place: true },
  { description: 'cancel-requested orders are neither counted nor cancelled again', desired: buy('0.47'), open: [live('a', '0.47', { cancelRequestedAt: NOW - 10 })], action: 'new', cancel: [], place: true },
  { description: 'terminal orders are ignored', desired: undefined, open: [live('a', '0.47', { status: 'MATCHED' }), live('b', '0.47', { status: 'CANCELED' })], action: 'none', cancel: [], place: false },
  { description: 'fully matched (nothing remaining) is ignored', desired: buy('0.47'), open: [live('a', '0.47', { matched: M(10) })], action: 'new', cancel: [], place: true },
  { description: 'orders of the other side are not touched', desired: undefined, open: [live('a', '0.53', { side: 'SELL' })], action: 'none', cancel: [], place: false },
  { description: 'off the new grid after a tick-size change: replace', desired: buy('0.4'), tick: M('0.1'), open: [live('a', '0.47')], action: 'replace', cancel: ['a'], place: true },
  { description: 'DELAYED orders count as resting', desired: buy('0.47'), open: [live('a', '0.47', { status: 'DELAYED' })], action: 'keep', keep: 'a', cancel: [], place: false },
  { description: 'an order without a known price cannot stand for a quote', desired: buy('0.47'), open: [live('a', '0.47', { price: undefined })], action: 'replace', cancel: ['a'], place: true },
];

describe('diffSide', () => {
  it.each(rows)('$description', (row) => {
    const plan = diffSide('BUY', row.desired, row.open, row.tick ?? TICK, NOW, policy);
    expect(plan.action).toBe(row.action);
    expect(plan.cancel).toEqual(row.cancel);
    expect(plan.keep).toBe(row.keep);
    expect(plan.place).toBe(row.place ? row.desired : undefined);
  });

  it('tolerance 0 replaces on any price difference', () => {
    expect(diffSide('BUY', buy('0.48'), [live('a', '0.47')], TICK, NOW, { ...policy, toleranceTicks: 0 }).action).toBe('replace');
  });

  it('diffs both sides of a token independently', () => {
    const plan = diffOrders(YES, { buy: buy('0.47'), sell: { side: 'SELL', price: M('0.53'), size: M(10) } },
      [live('a', '0.47'), live('s', '0.60', { side: 'SELL' })], TICK, NOW, policy);
    expect(plan.buy.action).toBe('keep');
    expect(plan.sell).toMatchObject({ action: 'replace', cancel: ['s'] });
    expect(isIdle(plan)).toBe(false);
    expect(isIdle(diffOrders(YES, { buy: buy('0.47'), sell: undefined }, [live('a', '0.47')], TICK, NOW, policy))).toBe(true);
  });
});

describe('gatePlan', () => {
  const plan = (buyAction: 'withdraw' | 'new' | 'replace' | 'keep', sellAction: 'withdraw' | 'new' | 'replace' | 'keep'): OrderPlan => {
    const side = (s: 'BUY' | 'SELL', a: string) => ({
      side: s, action: a as never, keep: a === 'keep' ? `${s}-k` : undefined,
      cancel: a === 'new' ? [] : [`${s}-1`, `${s}-2`].slice(0, a === 'keep' ? 1 : 2),
      place: a === 'new' || a === 'replace' ? { side: s, price: M('0.5'), size: M(10) } : undefined,
    });
    return { tokenId: YES, buy: side('BUY', buyAction), sell: side('SELL', sellAction) };
  };
  const reserve = { orders: 2, cancels: 2 };

  it.each([
    { description: 'plenty of budget: everything goes', p: plan('replace', 'new'), avail: { orders: 10, cancels: 10 }, buy: 'replace', sell: 'new', cost: { orders: 2, cancels: 2 }, deferred: 0 },
    { description: 'withdrawals may use the reserve', p: plan('withdraw', 'withdraw'), avail: { orders: 0, cancels: 4 }, buy: 'withdraw', sell: 'withdraw', cost: { orders: 0, cancels: 4 }, deferred: 0 },
    { description: 'withdrawals beyond the whole budget wait', p: plan('withdraw', 'withdraw'), avail: { orders: 0, cancels: 3 }, buy: 'withdraw', sell: 'deferred', cost: { orders: 0, cancels: 2 }, deferred: 1 },
    { description: 'extra-order cancels of a kept side go first', p: plan('keep', 'replace'), avail: { orders: 3, cancels: 3 }, buy: 'keep', sell: 'deferred', cost: { orders: 0, cancels: 1 }, deferred: 1 },
    { description: 'new quotes stay out of the reserve', p: plan('new', 'new'), avail: { orders: 3, cancels: 10 }, buy: 'new', sell: 'deferred', cost: { orders: 1, cancels: 0 }, deferred: 1 },
    { description: 'a replacement without cancel budget is deferred whole: the old order keeps resting', p: plan('replace', 'new'), avail: { orders: 10, cancels: 3 }, buy: 'deferred', sell: 'new', cost: { orders: 1, cancels: 0 }, deferred: 1 },
    { description: 'a replacement without order budget is deferred whole', p: plan('replace', 'withdraw'), avail: { orders: 2, cancels: 10 }, buy: 'deferred', sell: 'withdraw', cost: { orders: 0, cancels: 2 }, deferred: 1 },
    { description: 'new quotes before replacements', p: plan('replace', 'new'), avail: { orders: 3, cancels: 10 }, buy: 'deferred', sell: 'new', cost: { orders: 1, cancels: 0 }, deferred: 1 },
  ])('$description', ({ p, avail, buy: b, sell, cost, deferred }) => {
    const g = gatePlan(p, avail, reserve);
    expect(g.plan.buy.action).toBe(b);
    expect(g.plan.sell.action).toBe(sell);
    expect(g.cost).toEqual(cost);
    expect(g.deferred).toBe(deferred);
    for (const s of [g.plan.buy, g.plan.sell]) {
      if (s.action === 'deferred') expect({ cancel: s.cancel, place: s.place }).toEqual({ cancel: [], place: undefined });
    }
  });

  it('a deferred kept side keeps its order and drops only the extra cancels', () => {
    const g = gatePlan(plan('keep', 'keep'), { orders: 0, cancels: 1 }, reserve);
    expect(g.plan.buy).toMatchObject({ action: 'keep', cancel: ['BUY-1'] });
    expect(g.plan.sell).toMatchObject({ action: 'keep', keep: 'SELL-k', cancel: [] });
  });

  it('allowance subtracts requests in flight and never goes negative', () => {
    const budget = { orders: { remaining: 10, capacity: 60 }, cancels: { remaining: 2, capacity: 120 } };
    expect(allowance(budget, { orders: 3, cancels: 5 })).toEqual({ orders: 7, cancels: 0 });
    expect(allowance({ ...budget, orders: { remaining: -4, capacity: 60 } }, { orders: 0, cancels: 0 }).orders).toBe(0);
  });
});
