/** Seed 002 phases 1–2: BUY reservations from submit until a confirmed terminal state. */
import { afterEach, describe, expect, it } from 'vitest';
import type { OrderStatus } from '../../core/events.ts';
import { configYaml, sh, startApp, YES, type Harness } from './harness.ts';

let h: Harness;
afterEach(async () => h?.dispose());

const limitsOnly = configYaml({ policies: '    - { kind: conservative-limits, maxPositionShares: 100 }' });

async function boot() {
  h = await startApp(limitsOnly);
  h.snapshot({ [YES]: 0 });
  return h;
}

describe('order reservations', () => {
  it('reserves the whole size of a BUY at submit and counts it in conservative exposure', async () => {
    await boot();
    h.snapshot({ [YES]: 20 });
    h.submit('o1', 'BUY', 40);
    expect(h.pos()).toMatchObject({ pendingOrderBuys: sh(40), conservativeExposure: sh(60), effective: sh(20) });
  });

  it('shrinks the reservation as the order fills, moving exposure from orders to pending fills', async () => {
    await boot();
    h.submit('o1', 'BUY', 40);
    h.fill({ tradeId: 't1', orderId: 'o1', side: 'BUY', size: 15 });
    expect(h.pos()).toMatchObject({ pendingOrderBuys: sh(25), pendingBuys: sh(15), conservativeExposure: sh(40) });
  });

  it('shrinks the reservation on size_matched, without counting fills and size_matched twice', async () => {
    await boot();
    h.submit('o1', 'BUY', 40);
    h.order('o1', 'LIVE', { sizeMatched: 30 });
    expect(h.pos().pendingOrderBuys).toBe(sh(10));
    h.fill({ tradeId: 't1', orderId: 'o1', side: 'BUY', size: 30 });
    expect(h.pos().pendingOrderBuys).toBe(sh(10));
    expect(h.pos().conservativeExposure).toBe(sh(40));
  });

  it('keeps the reservation when a cancel is only requested', async () => {
    await boot();
    h.submit('o1', 'BUY', 40);
    h.cancel('o1');
    expect(h.pos().pendingOrderBuys).toBe(sh(40));
    expect(h.engine.orders.get('o1')?.cancelRequestedAt).toBe(h.clock.now());
    expect(h.engine.canBuy(YES, sh(61))).toBe(false);
  });

  it.each<{ description: string; status: OrderStatus }>([
    { description: 'a confirmed CANCELED releases only the remaining size', status: 'CANCELED' },
    { description: 'a confirmed EXPIRED releases only the remaining size', status: 'EXPIRED' },
    { description: 'a confirmed REJECTED releases only the remaining size', status: 'REJECTED' },
    { description: 'a confirmed INVALID releases only the remaining size', status: 'INVALID' },
  ])('$description', async ({ status }) => {
    await boot();
    h.submit('o1', 'BUY', 40);
    h.submit('o2', 'BUY', 20);
    h.fill({ tradeId: 't1', orderId: 'o1', side: 'BUY', size: 10 });
    h.cancel('o1');
    h.order('o1', status, { sizeMatched: 10 });
    expect(h.pos().pendingOrderBuys).toBe(sh(20));
    expect(h.engine.orders.get('o1')).toBeUndefined();
    expect(h.logsMatching('order closed').at(-1)).toMatchObject({ orderId: 'o1', status, released: '30' });
    // A late update of the closed order changes nothing.
    h.order('o1', 'LIVE', { sizeMatched: 10 });
    expect(h.pos().pendingOrderBuys).toBe(sh(20));
  });

  it('gives the reservation back when a trade already counted in size_matched fails', async () => {
    await boot();
    h.submit('o1', 'BUY', 40);
    h.fill({ tradeId: 'a', orderId: 'o1', side: 'BUY', size: 10 });
    h.order('o1', 'LIVE', { sizeMatched: 10 });
    expect(h.pos()).toMatchObject({ pendingOrderBuys: sh(30), conservativeExposure: sh(40) });
    h.fill({ tradeId: 'a', orderId: 'o1', side: 'BUY', size: 10, status: 'FAILED' });
    expect(h.pos()).toMatchObject({ pendingOrderBuys: sh(40), conservativeExposure: sh(40) });
    // So the room left is what it really is, and a later fill on o1 cannot push exposure past the limit.
    expect(h.engine.adjustedOrderSize('BUY', YES, sh(100))).toBe(sh(60));
    h.submit('o2', 'BUY', 60);
    h.fill({ tradeId: 'b', orderId: 'o1', side: 'BUY', size: 10 });
    expect(h.pos().conservativeExposure).toBe(sh(100));
  });

  it('releases nothing more when a fully matched order closes', async () => {
    await boot();
    h.submit('o1', 'BUY', 40);
    h.fill({ tradeId: 't1', orderId: 'o1', side: 'BUY', size: 40 });
    h.order('o1', 'MATCHED', { sizeMatched: 40 });
    expect(h.pos()).toMatchObject({ pendingOrderBuys: 0n, conservativeExposure: sh(40) });
  });

  it('never reserves for SELL orders', async () => {
    await boot();
    h.snapshot({ [YES]: 80 });
    h.submit('s1', 'SELL', 50);
    expect(h.pos().pendingOrderBuys).toBe(0n);
    h.fill({ tradeId: 't1', orderId: 's1', side: 'SELL', size: 20 });
    h.order('s1', 'CANCELED', { sizeMatched: 20 });
    expect(h.pos()).toMatchObject({ pendingOrderBuys: 0n, conservativeExposure: sh(80), availableToSell: sh(60) });
  });

  it('blocks a BUY over the limit with a log line carrying the full breakdown', async () => {
    await boot();
    h.snapshot({ [YES]: 50 });
    h.fill({ tradeId: 't1', side: 'BUY', size: 10 });
    h.submit('o1', 'BUY', 30);
    expect(h.engine.canBuy(YES, sh(10))).toBe(true);
    expect(h.engine.canBuy(YES, sh(20))).toBe(false);
    const line = h.logsMatching('BUY blocked').at(-1)!;
    expect(line.msg).toContain('confirmed=50 + pending_fills=10 + pending_orders=30 + new=20 = 110 > limit 100');
    expect(line).toMatchObject({ tokenId: YES, side: 'BUY', size: '20' });
  });

  it.each([
    { description: 'shrinks a BUY to the room left under the limit', side: 'BUY' as const, size: 50, expected: 10 },
    { description: 'leaves a BUY that fits unchanged', side: 'BUY' as const, size: 7, expected: 7 },
    { description: 'shrinks a SELL to what is available to sell', side: 'SELL' as const, size: 80, expected: 55 },
  ])('adjustedOrderSize $description', async ({ side, size, expected }) => {
    await boot();
    h.snapshot({ [YES]: 50 });
    h.fill({ tradeId: 't1', side: 'BUY', size: 10 });
    h.fill({ tradeId: 't2', side: 'SELL', size: 5 });
    h.submit('o1', 'BUY', 30);
    expect(h.engine.adjustedOrderSize(side, YES, sh(size))).toBe(sh(expected));
  });

  it('adjustedOrderSize gives 0 once the limit is reached', async () => {
    await boot();
    h.submit('o1', 'BUY', 100);
    expect(h.engine.adjustedOrderSize('BUY', YES, sh(1))).toBe(0n);
    expect(h.engine.risk.decisionFor(YES).reasons).toContain('LIMIT_REACHED');
  });
});
