import { afterEach, describe, expect, it } from 'vitest';
import { sh, startApp, YES, type Harness } from './harness.ts';

let h: Harness;
afterEach(async () => h?.dispose());

async function withPending() {
  h = await startApp();
  h.snapshot({ [YES]: 100 }, { block: 10 });
  h.fill({ tradeId: 'b1', side: 'BUY', size: 20 });
  h.fill({ tradeId: 's1', side: 'SELL', size: 5 });
  expect(h.pos().effective).toBe(sh(115));
  return h;
}

describe('force reconcile', () => {
  it.each([
    { description: 'after a user-feed reconnect', open: (x: Harness) => (x.connection('disconnected'), x.advance(3000), x.connection('connected')) },
    { description: 'after a gap event', open: (x: Harness) => x.gap() },
  ])('trusts the next snapshot, clears pending and logs the discrepancy first $description', async ({ open }) => {
    await withPending();
    open(h);
    expect(h.snapshotRequests.length).toBeGreaterThanOrEqual(1);

    h.snapshot({ [YES]: 108 }, { block: 11 });

    const p = h.pos();
    expect(p.confirmed).toBe(sh(108));
    expect(p.pendingFills).toEqual([]);
    expect(p.effective).toBe(sh(108));
    expect(p.discrepancies).toBe(1);
    const line = h.logsMatching('force reconcile').at(-1)!;
    expect(line).toMatchObject({ level: 'warn', tokenId: YES, effective: '115', snapshot: '108', discrepancy: '7', clearedKeys: ['b1', 's1'] });
    expect(h.engine.pnl.view(YES).qty).toBe(sh(108));
  });

  it('reconciles the snapshot after the forced one normally again', async () => {
    await withPending();
    h.gap();
    h.snapshot({ [YES]: 115 }, { block: 11 });
    h.fill({ tradeId: 'b2', side: 'BUY', size: 10 });
    h.snapshot({ [YES]: 115 }, { block: 12 });
    expect(h.keys()).toEqual(['b2']);
    expect(h.logsMatching('force reconcile')).toHaveLength(1);
  });

  it('does not force anything on a connect that followed no disconnect', async () => {
    await withPending();
    h.connection('connected');
    h.snapshot({ [YES]: 100 }, { block: 11 });
    expect(h.keys()).toEqual(['b1', 's1']);
    expect(h.snapshotRequests).toEqual([]);
  });

  it('ignores a snapshot from an older block', async () => {
    await withPending();
    h.snapshot({ [YES]: 120 }, { block: 9 });
    const p = h.pos();
    expect(p.confirmed).toBe(sh(100));
    expect(p.confirmedBlock).toBe(10n);
    expect(h.keys()).toEqual(['b1', 's1']);
    expect(h.logsMatching('older block ignored').at(-1)).toMatchObject({ tokenId: YES, block: '9', lastBlock: '10' });
  });

  it('keeps waiting for a fresh snapshot when the one after a gap comes from an older block', async () => {
    await withPending();
    h.gap();
    h.snapshot({ [YES]: 90 }, { block: 9 });
    expect(h.keys()).toEqual(['b1', 's1']);
    expect(h.pos().confirmed).toBe(sh(100));

    h.snapshot({ [YES]: 108 }, { block: 11 });
    expect(h.pos().confirmed).toBe(sh(108));
    expect(h.keys()).toEqual([]);
    expect(h.logsMatching('force reconcile')).toHaveLength(1);
  });

  it('treats size_matched running ahead of our trades past the grace period as a gap', async () => {
    await withPending();
    h.submit('o1', 'BUY', 40);
    h.order('o1', 'LIVE', { sizeMatched: 10 });
    h.advance(4_999);
    expect(h.snapshotRequests).toEqual([]);
    h.advance(1);
    expect(h.snapshotRequests).toHaveLength(1);
    expect(h.snapshotRequests[0]).toContain('size_matched');
    h.snapshot({ [YES]: 125 }, { block: 11 });
    expect(h.keys()).toEqual([]);
    expect(h.logsMatching('force reconcile')).toHaveLength(1);
  });

  it('does not open a gap when the trades behind size_matched arrive within the grace period', async () => {
    await withPending();
    h.submit('o1', 'BUY', 40);
    h.order('o1', 'LIVE', { sizeMatched: 10 });
    h.advance(2_000);
    h.fill({ tradeId: 'f1', orderId: 'o1', side: 'BUY', size: 10 });
    h.advance(10_000);
    expect(h.snapshotRequests).toEqual([]);
    h.snapshot({ [YES]: 100 }, { block: 11 });
    expect(h.keys()).toEqual(['b1', 's1', 'f1:o1']);
  });
});
