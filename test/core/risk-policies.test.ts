/** Risk policies through the engine on a virtual clock (seed 003 degrade/hard-halt, seed 002 phase 6). */
import { afterEach, describe, expect, it } from 'vitest';
import { stateLine } from '../../core/engine/report.ts';
import { configYaml, NO, sh, START, startApp, YES, type Harness } from './harness.ts';

let h: Harness;
afterEach(async () => h?.dispose());

const codes = (x: Harness, code: string) => x.alerts.filter((a) => a.code === code);

describe('degrade policy', () => {
  it('activates only after forSeconds of drift, driven by its recheck timer', async () => {
    h = await startApp();
    h.snapshot({ [YES]: 50 });
    h.fill({ tradeId: 'b1', side: 'BUY', size: 30 });
    h.advance(29_999);
    expect(h.engine.risk.decisionFor(YES).mode).toBe('normal');
    expect(codes(h, 'RISK_DEGRADED')).toEqual([]);

    h.advance(1); // no event: the recheck timer alone re-evaluates

    expect(h.engine.risk.decisionFor(YES)).toEqual({ mode: 'degraded', reasons: ['DRIFT'], sizeMultiplier: 0.5, allowedSides: ['SELL'], extraTicks: 1 });
    expect(codes(h, 'RISK_DEGRADED')).toMatchObject([{ tokenId: YES, severity: 'warning', reasons: ['DRIFT'], at: START + 30_000 }]);
    expect(h.engine.canBuy(YES, sh(1))).toBe(false);
    expect(h.engine.adjustedOrderSize('BUY', YES, sh(10))).toBe(0n);
    expect(h.engine.canSell(YES, sh(10))).toBe(true);
  });

  it('never activates when the drift is confirmed before forSeconds', async () => {
    h = await startApp();
    h.snapshot({ [YES]: 50 });
    h.fill({ tradeId: 'b1', side: 'BUY', size: 30 });
    h.advance(20_000);
    h.snapshot({ [YES]: 80 });
    h.advance(60_000);
    expect(h.engine.risk.decisionFor(YES).mode).toBe('normal');
    expect(codes(h, 'RISK_DEGRADED')).toEqual([]);
  });

  it('does not trigger on drift at exactly the threshold', async () => {
    h = await startApp();
    h.snapshot({ [YES]: 50 });
    h.fill({ tradeId: 'b1', side: 'BUY', size: 25 });
    h.advance(60_000);
    expect(h.engine.risk.decisionFor(YES).mode).toBe('normal');
  });

  it('uses a per-market threshold override', async () => {
    h = await startApp(configYaml({ policies: `    - { kind: degrade, thresholdShares: 25, forSeconds: 30, perMarketThresholdShares: { "${NO}": 5 } }` }));
    h.snapshot({ [YES]: 50, [NO]: 50 });
    h.fill({ tradeId: 'y1', side: 'BUY', size: 10, token: YES });
    h.fill({ tradeId: 'n1', side: 'BUY', size: 10, token: NO });
    h.advance(30_000);
    expect(h.engine.risk.decisionFor(NO).mode).toBe('degraded');
    expect(h.engine.risk.decisionFor(YES).mode).toBe('normal');
  });

  it('recovers by itself with a RISK_RECOVERED alert once the snapshot catches up', async () => {
    h = await startApp();
    h.snapshot({ [YES]: 50 });
    h.fill({ tradeId: 'b1', side: 'BUY', size: 30 });
    h.advance(31_000);
    expect(h.engine.risk.decisionFor(YES).mode).toBe('degraded');
    h.snapshot({ [YES]: 80 });
    expect(h.engine.risk.decisionFor(YES)).toMatchObject({ mode: 'normal', allowedSides: ['BUY', 'SELL'], sizeMultiplier: 1, extraTicks: 0 });
    expect(codes(h, 'RISK_RECOVERED')).toMatchObject([{ tokenId: YES, severity: 'info' }]);
  });

  it('tightens overall while snapshots come from a fallback, and recovers when the primary is back', async () => {
    h = await startApp();
    h.snapshot({ [YES]: 50 });
    h.advance(1000);
    h.snapshot({ [YES]: 50 }, { source: 'rest', degraded: true });
    expect(h.engine.risk.global).toMatchObject({ mode: 'degraded', reasons: ['SOURCE_FALLBACK'], sizeMultiplier: 0.5, extraTicks: 1 });
    expect(h.engine.risk.decisionFor(YES).mode).toBe('degraded');
    expect(codes(h, 'SOURCE_FALLBACK')).toHaveLength(1);
    expect(codes(h, 'RISK_DEGRADED')).toMatchObject([{ reasons: ['SOURCE_FALLBACK'] }]);

    h.advance(1000);
    h.snapshot({ [YES]: 50 }, { source: 'rest', degraded: true });
    expect(codes(h, 'SOURCE_FALLBACK')).toHaveLength(1);

    h.advance(1000);
    h.snapshot({ [YES]: 50 });
    expect(h.engine.risk.global.mode).toBe('normal');
    expect(codes(h, 'SOURCE_PRIMARY_RESTORED')).toHaveLength(1);
    expect(codes(h, 'RISK_RECOVERED')).toHaveLength(1);
  });
});

describe('hard halt', () => {
  it('halts when no authoritative snapshot arrived for sourceUnavailableSeconds, by timer, and recovers on a snapshot', async () => {
    h = await startApp();
    h.advance(299_999);
    expect(h.engine.risk.global.mode).toBe('normal');
    h.advance(1);
    expect(h.engine.risk.global).toMatchObject({ mode: 'halted', reasons: ['SOURCE_UNAVAILABLE'], allowedSides: [] });
    const halted = codes(h, 'RISK_HALTED');
    expect(halted).toHaveLength(1);
    expect(halted[0]).toMatchObject({ severity: 'critical', reasons: ['SOURCE_UNAVAILABLE'] });
    expect(halted[0]!.message).toContain('SOURCE_UNAVAILABLE');
    expect(h.engine.canBuy(YES, sh(1))).toBe(false);

    h.snapshot({ [YES]: 10 });
    expect(h.engine.risk.global.mode).toBe('normal');
    expect(codes(h, 'RISK_RECOVERED')).toHaveLength(1);
    expect(h.engine.canSell(YES, sh(1))).toBe(true);
  });

  it('restarts the unavailability window at each authoritative snapshot, but not at fallback ones', async () => {
    h = await startApp();
    h.advance(100_000);
    h.snapshot({ [YES]: 10 });
    h.advance(100_000);
    h.snapshot({ [YES]: 10 }, { source: 'rest', degraded: true });
    h.advance(199_999);
    expect(h.engine.risk.global.reasons).not.toContain('SOURCE_UNAVAILABLE');
    h.advance(1);
    expect(h.engine.risk.global).toMatchObject({ mode: 'halted' });
    expect(h.engine.risk.global.reasons).toEqual(['SOURCE_FALLBACK', 'SOURCE_UNAVAILABLE']);
  });

  it('halts a token whose confirmed balance is negative', async () => {
    h = await startApp();
    h.snapshot({ [YES]: -5 });
    expect(h.engine.risk.decisionFor(YES)).toMatchObject({ mode: 'halted', reasons: expect.arrayContaining(['IMPOSSIBLE_BALANCE']) });
    expect(h.engine.risk.decisionFor(NO).mode).toBe('normal');
  });
});

describe('feed-gap halt', () => {
  const yaml = configYaml({ policies: '    - { kind: feed-gap-halt, reconcileAttempts: 3, recoveryIntervalSeconds: 30 }' });

  it('halts after N failed reconcile attempts, asks for recovery snapshots periodically, recovers on the forced snapshot', async () => {
    h = await startApp(yaml);
    h.snapshot({ [YES]: 100 });
    h.sourceError('not during a gap'); // failures with no gap open do not count
    h.fill({ tradeId: 'b1', side: 'BUY', size: 5 });
    h.advance(1000);
    h.gap();
    expect(h.snapshotRequests).toHaveLength(1);
    h.sourceError();
    h.sourceError();
    expect(h.engine.risk.global.mode).toBe('normal');
    h.sourceError();
    expect(h.engine.risk.global).toMatchObject({ mode: 'halted', reasons: ['WS_GAP_UNRESOLVED'] });
    expect(codes(h, 'RISK_HALTED')).toMatchObject([{ reasons: ['WS_GAP_UNRESOLVED'] }]);
    const afterHalt = h.snapshotRequests.length;
    expect(afterHalt).toBeGreaterThan(1);

    h.advance(30_000); // gap opened at +1 s: the next recovery attempt falls at +31 s
    expect(h.snapshotRequests.length).toBe(afterHalt + 1);
    h.advance(30_000);
    expect(h.snapshotRequests.length).toBe(afterHalt + 2);
    expect(h.engine.risk.global.mode).toBe('halted');

    h.snapshot({ [YES]: 103 });
    expect(h.engine.risk.global.mode).toBe('normal');
    expect(h.keys()).toEqual([]);
    expect(h.pos().confirmed).toBe(sh(103));
    expect(codes(h, 'RISK_RECOVERED')).toHaveLength(1);
    h.advance(120_000);
    expect(h.snapshotRequests.length).toBe(afterHalt + 2);
  });
});

describe('shadow policy sets', () => {
  const yaml = configYaml({
    policies: '    - { kind: conservative-limits, maxPositionShares: 100 }',
    shadow: [
      '    - name: strict',
      '      policies:',
      '        - { kind: conservative-limits, maxPositionShares: 50 }',
      '        - { kind: degrade, thresholdShares: 5, forSeconds: 0, sizeMultiplier: 0.25, extraTicks: 2 }',
    ].join('\n'),
  });

  it('are evaluated on the same inputs, reported in the shadow field, counted when they diverge, and never acted on', async () => {
    h = await startApp(yaml);
    h.snapshot({ [YES]: 0 });
    expect(h.engine.risk.divergenceCount('strict')).toBe(0);
    h.fill({ tradeId: 'b1', side: 'BUY', size: 60 });

    expect(h.engine.risk.decisionFor(YES).mode).toBe('normal');
    expect(h.engine.risk.shadowDecision('strict', YES)).toEqual({
      mode: 'degraded', reasons: ['DRIFT', 'LIMIT_REACHED'], sizeMultiplier: 0.25, allowedSides: ['SELL'], extraTicks: 2,
    });
    const diverged = h.engine.risk.divergenceCount('strict');
    expect(diverged).toBeGreaterThan(0);
    expect(h.engine.canBuy(YES, sh(40))).toBe(true);
    expect(h.engine.adjustedOrderSize('BUY', YES, sh(40))).toBe(sh(40));
    expect(codes(h, 'RISK_DEGRADED')).toEqual([]);

    const line = stateLine(h.engine, h.clock.now());
    expect(line.risk).toMatchObject({ mode: 'normal', byToken: { [YES]: { mode: 'normal' } } });
    expect(line.shadow).toMatchObject({ strict: { mode: 'normal', divergences: diverged, byToken: { [YES]: { mode: 'degraded', allowedSides: ['SELL'] } } } });

    h.fill({ tradeId: 'b2', side: 'BUY', size: 1 });
    expect(h.engine.risk.divergenceCount('strict')).toBeGreaterThan(diverged);
  });

  it('do not count a divergence when they decide like the live set', async () => {
    h = await startApp(yaml);
    h.snapshot({ [YES]: 0 });
    h.fill({ tradeId: 'b1', side: 'BUY', size: 3 });
    expect(h.engine.risk.divergenceCount('strict')).toBe(0);
  });
});
