import { afterEach, describe, expect, it } from 'vitest';
import type { FillStatus } from '../../core/events.ts';
import { sh, startApp, YES, type Harness } from './harness.ts';

let h: Harness;
afterEach(async () => h?.dispose());

describe('fill dedup', () => {
  it('counts a fill re-reported MATCHED → MINED → CONFIRMED once', async () => {
    h = await startApp();
    h.snapshot({ [YES]: 0 });
    h.submit('o1', 'BUY', 40);
    for (const status of ['MATCHED', 'MINED', 'CONFIRMED'] as FillStatus[]) {
      h.fill({ tradeId: 't1', orderId: 'o1', side: 'BUY', size: 25, status });
      h.advance(500);
    }
    const p = h.pos();
    expect(p.pendingFills).toHaveLength(1);
    expect(p.pendingFills[0]).toMatchObject({ key: 't1:o1', status: 'CONFIRMED', size: sh(25) });
    expect(p.effective).toBe(sh(25));
    expect(p.pendingOrderBuys).toBe(sh(15));
    expect(p.conservativeExposure).toBe(sh(40));
    expect(h.engine.pnl.view(YES).qty).toBe(sh(25));
    expect(h.logsMatching('pending fill added')).toHaveLength(1);
    expect(h.logsMatching('pending fill status updated').map((l) => l.status)).toEqual(['MINED', 'CONFIRMED']);
  });

  it('removes a FAILED fill at once, undoes its PnL and gives the order reservation back', async () => {
    h = await startApp();
    h.snapshot({ [YES]: 0 });
    h.submit('o1', 'BUY', 40);
    const before = h.engine.pnl.view(YES);
    h.fill({ tradeId: 't1', orderId: 'o1', side: 'BUY', size: 25, price: '0.52' });
    expect(h.pos().pendingOrderBuys).toBe(sh(15));
    expect(h.engine.pnl.view(YES).qty).toBe(sh(25));

    h.fill({ tradeId: 't1', orderId: 'o1', side: 'BUY', size: 25, price: '0.52', status: 'FAILED' });

    const p = h.pos();
    expect(p.pendingFills).toEqual([]);
    expect(p.effective).toBe(sh(0));
    expect(p.pendingOrderBuys).toBe(sh(40));
    expect(h.engine.pnl.view(YES)).toEqual(before);
    expect(h.logsMatching('pending fill removed: trade FAILED').at(-1)).toMatchObject({ key: 't1:o1', size: '25', side: 'BUY' });
  });

  it('undoes the realized PnL of a FAILED sell exactly', async () => {
    h = await startApp();
    h.snapshot({ [YES]: 100 });
    h.fill({ tradeId: 'b1', side: 'BUY', size: 10, price: '0.5' });
    const before = h.engine.pnl.view(YES);
    h.fill({ tradeId: 's1', side: 'SELL', size: 20, price: '0.6' });
    expect(h.engine.pnl.view(YES).realized).not.toBe(0n);
    h.fill({ tradeId: 's1', side: 'SELL', size: 20, price: '0.6', status: 'FAILED' });
    expect(h.engine.pnl.view(YES)).toEqual(before);
    expect(h.pos().effective).toBe(sh(110));
  });

  it('keeps a RETRYING fill pending', async () => {
    h = await startApp();
    h.snapshot({ [YES]: 0 });
    h.fill({ tradeId: 't1', side: 'BUY', size: 25 });
    h.fill({ tradeId: 't1', side: 'BUY', size: 25, status: 'RETRYING' });
    expect(h.pos().pendingFills.map((f) => [f.key, f.status, f.size])).toEqual([['t1', 'RETRYING', sh(25)]]);
    expect(h.pos().effective).toBe(sh(25));
  });

  it('keys maker fills by (trade id, order id): one trade filling two of our orders stays two', async () => {
    h = await startApp();
    h.snapshot({ [YES]: 0 });
    h.submit('o1', 'BUY', 10);
    h.submit('o2', 'BUY', 20);
    h.fill({ tradeId: 'T', orderId: 'o1', side: 'BUY', size: 10 });
    h.fill({ tradeId: 'T', orderId: 'o2', side: 'BUY', size: 15 });
    h.fill({ tradeId: 'T', orderId: 'o2', side: 'BUY', size: 15, status: 'MINED' });
    expect(h.keys()).toEqual(['T:o1', 'T:o2']);
    expect(h.pos().effective).toBe(sh(25));
    expect(h.pos().pendingOrderBuys).toBe(sh(5));
  });

  it('treats a re-send after the fill was absorbed by a snapshot as a duplicate', async () => {
    h = await startApp();
    h.snapshot({ [YES]: 100 });
    h.fill({ tradeId: 't1', side: 'BUY', size: 20 });
    h.advance(2000);
    h.snapshot({ [YES]: 120 });
    expect(h.keys()).toEqual([]);
    expect(h.pos().effective).toBe(sh(120));

    h.advance(2000);
    h.fill({ tradeId: 't1', side: 'BUY', size: 20, status: 'CONFIRMED' });

    expect(h.keys()).toEqual([]);
    expect(h.pos().effective).toBe(sh(120));
    expect(h.engine.pnl.view(YES).qty).toBe(sh(120));
    expect(h.logsMatching('duplicate ignored').at(-1)).toMatchObject({ key: 't1' });
  });

  it('keeps the partially absorbed remainder when the boundary fill is re-sent', async () => {
    h = await startApp();
    h.snapshot({ [YES]: 0 });
    h.fill({ tradeId: 't1', side: 'BUY', size: 30 });
    h.snapshot({ [YES]: 10 });
    h.fill({ tradeId: 't1', side: 'BUY', size: 30, status: 'MINED' });
    expect(h.pos().pendingFills.map((f) => [f.key, f.size])).toEqual([['t1', sh(20)]]);
    expect(h.pos().effective).toBe(sh(30));
  });

  it('logs the key of every pending fill added, removed, absorbed, aged out or cleared', async () => {
    h = await startApp();
    h.snapshot({ [YES]: 0 });
    h.fill({ tradeId: 'add', side: 'BUY', size: 5 });
    h.fill({ tradeId: 'fail', side: 'BUY', size: 5 });
    h.fill({ tradeId: 'fail', side: 'BUY', size: 5, status: 'FAILED' });
    h.fill({ tradeId: 'old', side: 'SELL', size: 1 });
    h.snapshot({ [YES]: 5 });
    h.fill({ tradeId: 'aged', side: 'BUY', size: 2 });
    h.advance(121_000);
    h.fill({ tradeId: 'forced', side: 'BUY', size: 3 });
    h.gap();
    h.snapshot({ [YES]: 8 });

    expect(h.logsMatching('pending fill added').map((l) => l.key)).toEqual(['add', 'fail', 'old', 'aged', 'forced']);
    expect(h.logsMatching('trade FAILED').map((l) => l.key)).toEqual(['fail']);
    expect(h.logsMatching('absorbed by snapshot').map((l) => l.absorbedKeys)).toEqual([['add']]);
    expect(h.logsMatching('aged out').map((l) => l.keys)).toEqual([['old', 'aged']]);
    expect(h.logsMatching('force reconcile').map((l) => l.clearedKeys)).toEqual([['forced']]);
  });
});
