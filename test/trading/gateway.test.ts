/** The order gateway through the real engine, against a venue double implementing the contract. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OrderIntent } from '../../core/venue/venue.ts';
import { MARKET, NO, YES, sh, startTrading } from './trading-harness.ts';

const buy = (size: number, price = 0.5, tokenId = YES): OrderIntent => ({ tokenId, side: 'BUY', price: sh(price), size: sh(size), orderType: 'GTC', postOnly: true });
const sell = (size: number, price = 0.5, tokenId = YES): OrderIntent => ({ ...buy(size, price, tokenId), side: 'SELL' });

describe('order gateway', () => {
  it('ledgers the submit and reserves before the request leaves', async () => {
    const t = await startTrading();
    let seenAtPlace: { reserved: bigint; ledgered: string[] } | undefined;
    t.venue.placeScript = (o) => {
      seenAtPlace = { reserved: t.engine.position(YES).pendingOrderBuys, ledgered: t.app.ledger.query({}).map((r) => r.type) };
      return { kind: 'accepted', orderId: o.orderId, status: 'LIVE' };
    };
    const r = await t.settle(t.gateway.submit(buy(10)));
    expect(r).toMatchObject({ kind: 'submitted', status: 'LIVE' });
    expect(seenAtPlace).toEqual({ reserved: sh(10), ledgered: ['submit'] });
    expect(t.app.ledger.query({}).map((x) => x.type)).toEqual(['submit', 'order']);
    expect(t.engine.orders.get((r as { orderId: string }).orderId)?.status).toBe('LIVE');
  });

  it('ledgers a venue rejection as the terminal REJECTED update and releases the reservation', async () => {
    const t = await startTrading();
    t.venue.placeScript = (o) => ({ kind: 'rejected', orderId: o.orderId, code: 'INVALID_ORDER_MIN_SIZE', reason: 'size below minimum', retryable: false });
    const r = await t.settle(t.gateway.submit(buy(10)));
    expect(r).toMatchObject({ kind: 'rejected', code: 'INVALID_ORDER_MIN_SIZE' });
    const recs = t.app.ledger.query({});
    expect(recs.map((x) => x.type)).toEqual(['submit', 'order']);
    expect(recs[1]!.payload).toMatchObject({ status: 'REJECTED', reason: 'INVALID_ORDER_MIN_SIZE' });
    expect(t.engine.position(YES).pendingOrderBuys).toBe(0n);
    expect(t.gateway.stats.rejected.get('INVALID_ORDER_MIN_SIZE')).toBe(1);
  });

  it('resolves an unknown outcome by looking the order up, never by posting again', async () => {
    const t = await startTrading();
    t.venue.placeScript = (o) => {
      // The venue booked it, then the answer was lost.
      t.venue.lookupTable.set(o.orderId, { orderId: o.orderId, tokenId: YES, side: 'BUY', price: sh(0.5), originalSize: sh(10), sizeMatched: sh(4), status: 'LIVE' });
      return 'throw';
    };
    const r = await t.settle(t.gateway.submit(buy(10)));
    expect(r).toMatchObject({ kind: 'submitted', status: 'LIVE' });
    expect(t.venue.placed).toHaveLength(1);
    expect(t.venue.lookups.length).toBeGreaterThanOrEqual(1);
    expect(t.engine.position(YES).pendingOrderBuys).toBe(sh(6));
    expect(t.gateway.stats.unknownResolved).toBe(1);
  });

  it('keeps the reservation while lookups fail, then releases an order the venue never saw as REJECTED', async () => {
    const t = await startTrading();
    t.venue.placeScript = () => 'throw';
    const p = t.gateway.submit(buy(10));
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(t.engine.position(YES).pendingOrderBuys).toBe(sh(10));
    const r = await t.settle(p);
    expect(r).toMatchObject({ kind: 'rejected', code: 'UNKNOWN_OUTCOME_NOT_FOUND' });
    expect(t.venue.placed).toHaveLength(1);
    expect(t.venue.lookups).toHaveLength(3);
    expect(t.engine.position(YES).pendingOrderBuys).toBe(0n);
    expect(t.alerts.map((a) => a.code)).toContain('ORDER_OUTCOME_UNKNOWN');
  });

  it('stops looking up once the feed has settled the order', async () => {
    const t = await startTrading();
    t.venue.placeScript = (o) => {
      queueMicrotask(() => t.venue.emit({ type: 'order', at: t.clock.now(), orderId: o.orderId, tokenId: YES, side: 'BUY', status: 'LIVE', originalSize: sh(10) }));
      return 'throw';
    };
    const r = await t.settle(t.gateway.submit(buy(10)));
    await new Promise((res) => setTimeout(res, 5));
    expect(r.kind).toBe('submitted');
    expect(t.venue.placed).toHaveLength(1);
  });

  it('records an order the venue made us re-sign under its new id, releasing the old one', async () => {
    const t = await startTrading();
    t.venue.placeScript = (o) => ({ kind: 'accepted', orderId: `${o.orderId}-v3`, status: 'LIVE' });
    const r = await t.settle(t.gateway.submit(buy(10)));
    const old = t.venue.placed[0]!.orderId;
    expect(r).toMatchObject({ kind: 'submitted', orderId: `${old}-v3` });
    expect(t.engine.orders.get(old)).toBeUndefined();
    expect(t.engine.orders.get(`${old}-v3`)?.status).toBe('LIVE');
    expect(t.engine.position(YES).pendingOrderBuys).toBe(sh(10));
  });

  it('refuses an order whose token decision changed while it was being signed (sized under the old multiplier)', async () => {
    const t = await startTrading({ policies: '    - { kind: conservative-limits, maxPositionShares: 1000 }\n    - { kind: degrade, thresholdShares: 5, forSeconds: 0 }' });
    t.snapshot({ [YES]: 100 });
    const sell = { tokenId: YES, side: 'SELL' as const, price: sh(0.6), size: sh(20), orderType: 'GTC' as const, postOnly: true };
    expect(t.engine.risk.decisionFor(YES).mode).toBe('normal');
    const sign = t.venue.prepare.bind(t.venue);
    t.venue.prepare = async (intent) => {
      // While signing, a fill makes the token drift: degraded, sizes halved (SELL still allowed).
      t.engine.ingest({ type: 'fill', at: t.clock.now(), tradeId: 'd1', tokenId: YES, side: 'BUY', size: sh(10), price: sh(0.5), status: 'MATCHED' });
      return sign(intent);
    };
    expect(await t.gateway.submit(sell)).toMatchObject({ kind: 'refused', code: 'RISK_CHANGED' });
    expect(t.engine.risk.decisionFor(YES)).toMatchObject({ mode: 'degraded', sizeMultiplier: 0.5 });
    expect(t.venue.placed).toHaveLength(0);
    expect(t.app.ledger.query({ types: ['submit'] })).toHaveLength(0);
    // Planned again under the decision in force, it goes out.
    t.venue.prepare = sign;
    expect(await t.gateway.submit({ ...sell, size: t.gateway.sizeFor('SELL', YES, sh(20)) })).toMatchObject({ kind: 'submitted' });
    expect(t.venue.placed.map((p) => p.intent.size)).toEqual([sh(10)]);
  });

  it('refuses before signing when heartbeats fail, in a post-only window, or out of rate budget', async () => {
    const t = await startTrading();
    t.venue.healthState = { ...t.venue.healthState, heartbeatOk: false };
    expect(await t.gateway.submit(buy(1))).toMatchObject({ kind: 'refused', code: 'HEARTBEAT_FAILED' });
    t.venue.healthState = { ...t.venue.healthState, heartbeatOk: true, postOnlyUntil: t.clock.now() + 60_000 };
    expect(await t.gateway.submit({ ...buy(1), postOnly: false })).toMatchObject({ kind: 'refused', code: 'POST_ONLY_WINDOW' });
    t.venue.healthState = { ...t.venue.healthState, postOnlyUntil: undefined };
    t.venue.budget = { ...t.venue.budget, orders: { remaining: 0, capacity: 100 } };
    expect(await t.gateway.submit(buy(1))).toMatchObject({ kind: 'refused', code: 'RATE_LIMITED' });
    expect(t.venue.prepared).toHaveLength(0);
    expect(t.app.ledger.query({})).toHaveLength(0);
  });

  it('refuses a BUY over the limit or the collateral, and a SELL of shares it does not hold', async () => {
    const t = await startTrading({ limit: 100 });
    t.snapshot({ [YES]: 90 }, 20);
    expect(await t.settle(t.gateway.submit(buy(20, 0.5)))).toMatchObject({ kind: 'refused', code: 'LIMIT_EXCEEDED' });
    expect(await t.settle(t.gateway.submit(buy(10, 0.5)))).toMatchObject({ kind: 'submitted' });
    // 10 × 0.5 = 5 of 20 reserved; 15 left: a BUY of 10 at 0.9 on the other token costs 9, at 0.99 × 20 costs 19.8.
    expect(t.engine.collateral()).toMatchObject({ confirmed: sh(20), reserved: sh(5), available: sh(15) });
    expect(await t.settle(t.gateway.submit(buy(20, 0.99, NO)))).toMatchObject({ kind: 'refused', code: 'INSUFFICIENT_COLLATERAL' });
    expect(await t.settle(t.gateway.submit(sell(91)))).toMatchObject({ kind: 'refused', code: 'NOTHING_TO_SELL' });
    expect(await t.settle(t.gateway.submit(sell(60)))).toMatchObject({ kind: 'submitted' });
    // The resting SELL of 60 promises those shares: another 40 is all that is left.
    expect(await t.settle(t.gateway.submit(sell(31)))).toMatchObject({ kind: 'refused', code: 'NOTHING_TO_SELL' });
  });

  it('ledgers cancel requests and releases nothing until the venue confirms', async () => {
    const t = await startTrading();
    const r = (await t.settle(t.gateway.submit(buy(10)))) as { orderId: string };
    t.venue.cancelScript = () => 'throw';
    await t.settle(t.gateway.cancel([r.orderId]));
    expect(t.engine.position(YES).pendingOrderBuys).toBe(sh(10));
    expect(t.engine.orders.get(r.orderId)?.cancelRequestedAt).toBeDefined();
    t.venue.cancelScript = (ids) => ({ canceled: [...ids], notCanceled: {} });
    const out = await t.settle(t.gateway.cancel([r.orderId]));
    expect(out.canceled).toEqual([r.orderId]);
    expect(t.engine.position(YES).pendingOrderBuys).toBe(0n);
    expect(t.app.ledger.query({}).map((x) => x.type)).toEqual(['submit', 'order', 'cancel', 'cancel', 'order']);
  });

  it('forgets the origin of orders the feed closed, and still cancels a strategy\'s open ones by origin', async () => {
    const t = await startTrading({ limit: 1_000_000 });
    const ids: string[] = [];
    // 3000 quotes of strategies "a" and "b", each closed by the feed (cancelled, filled) but the last 5.
    for (let i = 0; i < 3000; i++) {
      const r = (await t.settle(t.gateway.submit({ ...buy(1, 0.5), origin: i % 2 ? 'a' : 'b' }))) as { orderId: string };
      ids.push(r.orderId);
      if (i >= 2995) continue;
      t.venue.emit({ type: 'order', at: t.clock.now(), orderId: r.orderId, tokenId: YES, side: 'BUY', status: i % 3 ? 'CANCELED' : 'MATCHED', sizeMatched: i % 3 ? 0n : sh(1) });
    }
    expect(t.engine.orders.openOrders()).toHaveLength(5);
    expect(t.gateway.trackedOrigins).toBeLessThanOrEqual(2048);
    t.venue.cancelScript = (orderIds) => ({ canceled: [...orderIds], notCanceled: {} });
    const out = await t.settle(t.gateway.cancelAll('a'));
    expect([...out.canceled].sort()).toEqual([ids[2995], ids[2997], ids[2999]].sort());
    expect(t.engine.orders.openOrders().map((o) => o.orderId).sort()).toEqual([ids[2996], ids[2998]].sort());
  });

  it('sizes exactly: multiplier, room, collateral, grid and minimum', async () => {
    const t = await startTrading({ limit: 100 });
    t.snapshot({ [YES]: 80 }, 1000);
    expect(t.gateway.sizeFor('BUY', YES, sh(50))).toBe(sh(20));
    expect(t.gateway.sizeFor('BUY', YES, sh('3.999'))).toBe(0n); // below the market minimum of 5
    expect(t.gateway.sizeFor('SELL', YES, sh('12.345'))).toBe(sh('12.34'));
    t.snapshot({ [YES]: 0 }, 3);
    expect(t.gateway.sizeFor('BUY', YES, sh(50), sh('0.5'))).toBe(sh(6)); // 3 of collateral buys 6 at 0.5
    expect(MARKET.minOrderSize).toBe(sh(5));
  });

  it('never lets interleaved submits pass against the same room (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ size: fc.integer({ min: 1, max: 60 }), delay: fc.integer({ min: 0, max: 3 }), reject: fc.boolean() }), { minLength: 2, maxLength: 12 }),
        async (orders) => {
          const t = await startTrading({ limit: 100 });
          let worst = 0n;
          t.app.bus.events$.subscribe(() => {
            const e = t.engine.position(YES).conservativeExposure;
            if (e > worst) worst = e;
          });
          let n = 0;
          t.venue.placeScript = async (o) => {
            const spec = orders[n++ % orders.length]!;
            for (let i = 0; i < spec.delay; i++) await Promise.resolve();
            return spec.reject ? { kind: 'rejected', orderId: o.orderId, code: 'INVALID_ORDER_NOT_ENOUGH_BALANCE', reason: 'x', retryable: false } : { kind: 'accepted', orderId: o.orderId, status: 'LIVE' };
          };
          const results = await t.settle(Promise.all(orders.map((o) => t.gateway.submit(buy(o.size)))));
          const admitted = results.filter((r) => r.kind !== 'refused').length;
          expect(worst <= sh(100)).toBe(true);
          expect(t.engine.position(YES).pendingOrderBuys <= sh(100)).toBe(true);
          expect(t.app.ledger.query({ types: ['submit'] })).toHaveLength(admitted);
          await t.app.dispose();
        },
      ),
      { numRuns: 40, seed: 8 },
    );
  });
});
