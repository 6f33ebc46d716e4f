/** Capital recycling as the inventory sees it: a merge is expected, not drift, and absorbs no pending fill. */
import { describe, expect, it } from 'vitest';
import { decodeEventLine, encodeEventLine } from '../../core/tape-codec.ts';
import { NO, YES, sh, startTrading } from './trading-harness.ts';

describe('merge events', () => {
  async function holding() {
    const t = await startTrading({ limit: 10_000 });
    t.snapshot({ [YES]: 500, [NO]: 300 });
    // A pending SELL fill on YES the chain has not settled yet.
    t.engine.ingest({ type: 'fill', at: t.clock.now(), tradeId: 's1', tokenId: YES, side: 'SELL', size: sh(40), price: sh(0.6), status: 'MATCHED' });
    return t;
  }

  it('a snapshot showing the merge lowers confirmed without absorbing pending SELLs or counting a discrepancy', async () => {
    const t = await holding();
    t.engine.ingest({ type: 'merge', at: t.clock.now(), marketId: '0xabc', tokens: [YES, NO], amount: sh(200), status: 'sent' });
    // While the merge is on its way, the merged shares are not available to sell.
    expect(t.gateway.sizeFor('SELL', YES, sh(1000))).toBe(sh(260));
    t.snapshot({ [YES]: 300, [NO]: 100 });
    const yes = t.engine.position(YES);
    expect(yes.confirmed).toBe(sh(300));
    expect(yes.pendingSells).toBe(sh(40));
    expect(yes.discrepancies).toBe(0);
    expect(t.engine.position(NO)).toMatchObject({ confirmed: sh(100), discrepancies: 0 });
    expect(t.engine.pendingMerge(YES)).toBe(0n);
  });

  it('without the merge event the same fall absorbs the pending SELL and counts drift', async () => {
    const t = await holding();
    t.snapshot({ [YES]: 300, [NO]: 100 });
    expect(t.engine.position(YES).pendingSells).toBe(0n);
    expect(t.engine.position(YES).discrepancies).toBeGreaterThan(0);
  });

  it('a failed merge drops the expectation; the line round-trips through the tape', async () => {
    const t = await holding();
    const sent = { type: 'merge', at: t.clock.now(), marketId: '0xabc', tokens: [YES, NO], amount: sh(200), status: 'sent' } as const;
    t.engine.ingest(sent);
    t.engine.ingest({ ...sent, status: 'failed' });
    expect(t.engine.pendingMerge(YES)).toBe(0n);
    expect(decodeEventLine(JSON.parse(JSON.stringify(encodeEventLine({ ...sent, txHash: '0x01' }))))).toEqual({ ...sent, txHash: '0x01' });
  });

  it('an expectation no snapshot meets within the pending-fill TTL is dropped with an alert, so a later fall is not taken for it; it survives a checkpoint', async () => {
    const t = await holding();
    t.engine.ingest({ type: 'merge', at: t.clock.now(), marketId: '0xabc', tokens: [YES, NO], amount: sh(200), status: 'sent' });
    // A checkpoint and restore keep the expectation and when it was sent.
    const state = JSON.parse(JSON.stringify(t.engine.exportState()));
    t.engine.importState(state);
    expect(t.engine.pendingMerge(YES)).toBe(sh(200));
    // Inside the TTL (120 s by default) an unchanged snapshot keeps it.
    t.clock.advanceBy(60_000);
    t.snapshot({ [YES]: 500, [NO]: 300 });
    expect(t.engine.pendingMerge(YES)).toBe(sh(200));
    expect(t.alerts.filter((a) => a.code === 'MERGE_NOT_SEEN')).toHaveLength(0);
    // Past it: the merge never went out (say the bot died before sending it). A SELL filled since
    // settles: its fall must absorb that fill, not be taken for the merge. (The first SELL fill
    // ages out unconfirmed at 120 s on its own.)
    t.engine.ingest({ type: 'fill', at: t.clock.now(), tradeId: 's2', tokenId: YES, side: 'SELL', size: sh(40), price: sh(0.6), status: 'MATCHED' });
    t.clock.advanceBy(61_000);
    t.snapshot({ [YES]: 460, [NO]: 300 });
    expect(t.engine.pendingMerge(YES)).toBe(0n);
    expect(t.engine.pendingMerge(NO)).toBe(0n);
    const yes = t.engine.position(YES);
    expect(yes.confirmed).toBe(sh(460));
    expect(yes.pendingSells).toBe(0n);
    expect(yes.discrepancies).toBe(0);
    const alerts = t.alerts.filter((a) => a.code === 'MERGE_NOT_SEEN');
    expect(alerts.map((a) => a.tokenId).sort()).toEqual([YES, NO].sort());
  });

  it('reads checkpoints written before merges kept their time (counted from the checkpoint)', async () => {
    const t = await holding();
    const state = JSON.parse(JSON.stringify(t.engine.exportState()));
    state.parts.merges = [[YES, '200000000']];
    t.engine.importState(state);
    expect(t.engine.pendingMerge(YES)).toBe(sh(200));
    state.parts.merges = [[YES, 'lots']];
    expect(() => t.engine.importState(state)).toThrow(/checkpoint state does not decode.*merges/);
  });
});
