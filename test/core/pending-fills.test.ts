/** Seed 000's required tests, through the engine's real interface. */
import { afterEach, describe, expect, it } from 'vitest';
import type { PositionView } from '../../core/engine/views.ts';
import { configYaml, NO, sh, START, startApp, YES, type Harness } from './harness.ts';

let h: Harness;
afterEach(async () => h?.dispose());

describe('seed 000: dual tracking of confirmed and pending', () => {
  it('partial confirmation removes oldest fills first: API absorbs 50 of 80 pending, boundary fill keeps its trade id', async () => {
    h = await startApp();
    h.snapshot({ [YES]: 0 });
    h.fill({ tradeId: 't-old', side: 'BUY', size: 30 });
    h.advance(1000);
    h.fill({ tradeId: 't-mid', side: 'BUY', size: 30 });
    h.advance(1000);
    h.fill({ tradeId: 't-new', side: 'BUY', size: 20 });
    expect(h.pos().effective).toBe(sh(80));

    h.snapshot({ [YES]: 50 });

    const p = h.pos();
    expect(p.confirmed).toBe(sh(50));
    expect(p.pendingFills.map((f) => [f.tradeId, f.size])).toEqual([['t-mid', sh(10)], ['t-new', sh(20)]]);
    expect(p.effective).toBe(sh(80));
    const line = h.logsMatching('pending fills absorbed by snapshot').at(-1)!;
    expect(line).toMatchObject({ absorbedKeys: ['t-old'], reducedKey: 't-mid', absorbed: '50' });
  });

  it('age-out logs trade ids and net delta and raises PENDING_AGED_OUT', async () => {
    h = await startApp();
    h.snapshot({ [YES]: 100 });
    h.advance(1000);
    h.fill({ tradeId: 'ta', side: 'BUY', size: 10 });
    h.fill({ tradeId: 'tb', side: 'SELL', size: 4 });
    h.advance(59_000);
    h.fill({ tradeId: 'tc', side: 'BUY', size: 3 });
    h.snapshot({ [YES]: 100 }); // the source keeps answering: no hard halt in the way

    h.advance(60_999); // 1 ms before ta/tb reach the 120 s TTL
    expect(h.keys()).toEqual(['ta', 'tb', 'tc']);
    expect(h.alerts.filter((a) => a.code === 'PENDING_AGED_OUT')).toEqual([]);

    h.advance(1); // no further event: the age-out timer fires by itself
    expect(h.keys()).toEqual(['tc']);
    expect(h.pos().effective).toBe(sh(103));
    const aged = h.logsMatching('pending fills aged out');
    expect(aged).toHaveLength(1);
    expect(aged[0]).toMatchObject({ level: 'warn', tokenId: YES, tradeIds: ['ta', 'tb'], netDelta: '6', confirmed: '100' });
    const alert = h.alerts.filter((a) => a.code === 'PENDING_AGED_OUT');
    expect(alert).toHaveLength(1);
    expect(alert[0]).toMatchObject({ tokenId: YES, severity: 'warning', at: START + 121_000 });
    expect(alert[0]!.message).toContain('ta, tb');
    expect(alert[0]!.message).toContain('net delta 6');
    expect(h.engine.pnl.view(YES).qty).toBe(sh(103));

    h.advance(60_000);
    expect(h.keys()).toEqual([]);
    expect(h.logsMatching('pending fills aged out').at(-1)).toMatchObject({ tradeIds: ['tc'], netDelta: '3' });
  });

  it('missing trade id uses a synthesized key, and two id-less fills in the same millisecond stay two', async () => {
    h = await startApp();
    h.snapshot({ [YES]: 0 });
    h.fill({ orderId: 'o1', side: 'BUY', size: 10 });
    h.fill({ orderId: 'o1', side: 'BUY', size: 10 });
    h.fill({ side: 'BUY', size: 10 });

    const keys = h.keys();
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(3);
    for (const k of keys) expect(k).toMatch(/^synth:/);
    expect(h.pos().pendingFills.every((f) => f.tradeId === undefined)).toBe(true);
    expect(h.pos().effective).toBe(sh(30));
    const added = h.logsMatching('pending fill added');
    expect(added.map((l) => l.key)).toEqual(keys);
    expect(added.every((l) => l.synthesized === true)).toBe(true);
  });

  describe('consumers use effective size, not confirmed', () => {
    it('degrade drift is measured on effective − confirmed', async () => {
      h = await startApp(configYaml({ policies: '    - { kind: degrade, thresholdShares: 25, forSeconds: 0 }' }));
      h.snapshot({ [YES]: 100 });
      h.fill({ tradeId: 's1', side: 'SELL', size: 30 });
      expect(h.engine.risk.decisionFor(YES)).toMatchObject({ mode: 'degraded', reasons: ['DRIFT'] });
    });

    it('hard halt sees an impossible balance when effective goes negative while confirmed is positive', async () => {
      h = await startApp();
      h.snapshot({ [NO]: 10 });
      h.fill({ tradeId: 's1', token: NO, side: 'SELL', size: 20 });
      expect(h.pos(NO).confirmed).toBe(sh(10));
      expect(h.engine.risk.decisionFor(NO)).toMatchObject({ mode: 'halted', allowedSides: [] });
      expect(h.engine.risk.decisionFor(NO).reasons).toContain('IMPOSSIBLE_BALANCE');
      expect(h.alerts.find((a) => a.code === 'RISK_HALTED' && a.tokenId === NO)?.reasons).toContain('IMPOSSIBLE_BALANCE');
    });

    it('PnL quantity, positions$ and canSell follow effective / availableToSell', async () => {
      h = await startApp();
      const views: PositionView[] = [];
      h.app.bus.positions$.subscribe((v) => views.push(v));
      h.snapshot({ [YES]: 100 });
      h.fill({ tradeId: 's1', side: 'SELL', size: 30, price: '0.6' });

      expect(h.engine.pnl.view(YES).qty).toBe(sh(70));
      expect(views.at(-1)).toMatchObject({ tokenId: YES, confirmed: sh(100), effective: sh(70), availableToSell: sh(70) });
      expect(h.engine.canSell(YES, sh(70))).toBe(true);
      expect(h.engine.canSell(YES, sh('70.000001'))).toBe(false);
      expect(h.logsMatching('SELL blocked').at(-1)!.msg).toContain('available_to_sell 70');
    });

    it('canBuy counts pending fill buys on top of confirmed', async () => {
      h = await startApp();
      h.snapshot({ [YES]: 60 });
      h.fill({ tradeId: 'b1', side: 'BUY', size: 30 });
      expect(h.engine.canBuy(YES, sh(10))).toBe(true);
      expect(h.engine.canBuy(YES, sh('10.000001'))).toBe(false);
    });
  });
});

describe('snapshot log lines follow the log level; the discrepancy count does not', () => {
  it.each([
    { level: 'info', absorbedLines: 1, discrepancyLines: 1 },
    { level: 'warn', absorbedLines: 0, discrepancyLines: 1 },
    { level: 'silent', absorbedLines: 0, discrepancyLines: 0 },
  ])('at level $level: $absorbedLines absorbed line(s), $discrepancyLines discrepancy line(s), 1 discrepancy counted', async ({ level, absorbedLines, discrepancyLines }) => {
    h = await startApp(configYaml(), { logLevel: level });
    h.snapshot({ [YES]: 0 });
    h.fill({ tradeId: 'b1', side: 'BUY', size: 30 });
    h.snapshot({ [YES]: 30 }); // absorbs b1
    h.snapshot({ [YES]: 45 }); // 15 more than anything pending: a discrepancy

    expect(h.pos().discrepancies).toBe(1);
    const absorbed = h.logsMatching('pending fills absorbed by snapshot');
    expect(absorbed).toHaveLength(absorbedLines);
    if (absorbedLines) expect(absorbed[0]).toMatchObject({ level: 'info', tokenId: YES, oldConfirmed: '0', newConfirmed: '30', absorbed: '30', absorbedKeys: ['b1'] });
    const discrepancy = h.logsMatching('reconcile discrepancy');
    expect(discrepancy).toHaveLength(discrepancyLines);
    if (discrepancyLines) expect(discrepancy[0]).toMatchObject({ level: 'warn', tokenId: YES, oldConfirmed: '30', newConfirmed: '45', unexplained: '15' });
  });
});
