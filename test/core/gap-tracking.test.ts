/** Gaps in the user feed are recorded in the ledger with how and when they were resolved (seed 002 phase 5). */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startApp, YES, type Harness } from './harness.ts';

let h: Harness;
afterEach(() => h.dispose());

describe('gap tracking', () => {
  it('records a reported gap and resolves it with the seq and time of the snapshot that reconciled it', async () => {
    h = await startApp();
    h.snapshot({ [YES]: 10 });
    const resolve = vi.spyOn(h.app.ledger, 'resolveGaps');
    const gapSeq = h.gap();
    expect(h.app.ledger.openGaps()).toMatchObject([{ channel: 'user', reason: 'test gap', detectedSeq: gapSeq, resolvedAt: null }]);
    expect(resolve).not.toHaveBeenCalled();
    h.advance(500);
    const snapSeq = h.snapshot({ [YES]: 12 });
    expect(resolve).toHaveBeenCalledExactlyOnceWith({ resolvedAt: h.clock.now(), resolvedBySeq: snapSeq, resolution: 'force reconcile by chain snapshot' });
    expect(h.app.ledger.openGaps()).toEqual([]);
  });

  it('treats an order update for an order we never sent as a gap, and asks for a snapshot', async () => {
    h = await startApp();
    h.order('0xunknown', 'CANCELED');
    expect(h.app.ledger.openGaps()).toMatchObject([{ channel: 'user', reason: 'order update for unknown order 0xunknown' }]);
    expect(h.snapshotRequests).toEqual(['order update for unknown order 0xunknown']);
  });

  it('treats size_matched running ahead of our trades past the grace period as a gap', async () => {
    h = await startApp();
    h.submit('o1', 'BUY', 20);
    h.order('o1', 'LIVE', { sizeMatched: 8 });
    h.advance(4_000);
    expect(h.app.ledger.openGaps()).toEqual([]);
    h.advance(1_500);
    expect(h.app.ledger.openGaps()).toMatchObject([{ channel: 'user', reason: expect.stringContaining('size_matched 8 without matching trades (0)') }]);
  });

  it('opens no gap when the trade behind size_matched FAILED (the venue keeps counting it)', async () => {
    h = await startApp();
    h.submit('o1', 'SELL', 20);
    h.order('o1', 'LIVE', { sizeMatched: 2.26 });
    h.fill({ tradeId: 't1', orderId: 'o1', side: 'SELL', size: 2.26 });
    h.advance(1_000);
    h.fill({ tradeId: 't1', orderId: 'o1', side: 'SELL', size: 2.26, status: 'FAILED' });
    h.advance(6_000);
    expect(h.app.ledger.openGaps()).toEqual([]);
  });

  it('opens no gap when the matching trade arrives within the grace period', async () => {
    h = await startApp();
    h.submit('o1', 'BUY', 20);
    h.order('o1', 'LIVE', { sizeMatched: 8 });
    h.advance(1_000);
    h.fill({ tradeId: 't1', orderId: 'o1', side: 'BUY', size: 8 });
    h.advance(10_000);
    expect(h.app.ledger.openGaps()).toEqual([]);
  });
});
