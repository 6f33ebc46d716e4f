/** The reconciliation shell over the venue contract: missed fills are a gap, so nothing counts twice. */
import { describe, expect, it } from 'vitest';
import { VenueReconciler } from '../../core/venue/venue-reconciler.ts';
import { MARKET, YES, sh, startTrading } from './trading-harness.ts';

describe('venue reconciliation', () => {
  it('a fill the feed missed, already in the chain balance, is not counted twice', async () => {
    const t = await startTrading();
    const requests: string[] = [];
    t.app.bus.snapshotRequests$.subscribe((r) => requests.push(r));
    // The chain already shows the 10 shares bought while we were away.
    t.snapshot({ [YES]: 110 });
    t.venue.trades = [{ tradeId: 'away-1', orderId: '0xo1', marketId: MARKET.marketId, tokenId: YES, side: 'BUY', size: sh(10), price: sh(0.5), status: 'CONFIRMED', role: 'MAKER' }];
    const rec = new VenueReconciler(t.engine, t.venue, t.app.bus, t.clock, t.app.logger, { everyMs: 0 });
    const run = await rec.run('user feed connected');
    expect(run?.events).toBe(1);
    expect(t.app.ledger.openGaps()).toMatchObject([{ channel: 'user', reason: expect.stringContaining('1 fill(s) the feed missed') }]);
    expect(requests.some((r) => r.includes('missed'))).toBe(true);
    // The fresh snapshot after the gap is a force reconcile: effective is the chain's 110, not 120.
    t.snapshot({ [YES]: 110 });
    expect(t.engine.position(YES)).toMatchObject({ confirmed: sh(110), effective: sh(110), pendingBuys: 0n });
    // Seen now: the next run finds nothing new.
    expect((await rec.run('periodic'))?.events).toBe(0);
  });

  it('an order open here and unknown to the venue is looked up and closed; one open there is adopted', async () => {
    const t = await startTrading();
    t.engine.submitOrder({ type: 'submit', at: t.clock.now(), orderId: 'gone', tokenId: YES, side: 'BUY', price: sh(0.4), size: sh(5) });
    t.engine.ingest({ type: 'order', at: t.clock.now(), orderId: 'gone', status: 'LIVE' });
    t.venue.lookupTable.set('there', { orderId: 'there', tokenId: YES, side: 'BUY', price: sh(0.3), originalSize: sh(7), sizeMatched: 0n, status: 'LIVE' });
    const rec = new VenueReconciler(t.engine, t.venue, t.app.bus, t.clock, t.app.logger, { everyMs: 0 });
    await rec.run('start-up');
    expect(t.engine.orders.get('gone')).toBeUndefined();
    expect(t.engine.orders.get('there')?.status).toBe('LIVE');
    expect(t.engine.position(YES).pendingOrderBuys).toBe(sh(7));
  });
});
