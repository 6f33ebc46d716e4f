import { describe, expect, it } from 'vitest';
import { compareFills, divergent, expectedEffective, orderFigures, ourFills, repeatedOrderIds, statusEffective, unrecordedOrders, type ExposureView, type SimTradeView } from '../../chaos/figures.ts';
import { chaosPlan } from '../../chaos/plan.ts';
import { haltReasonsIn } from '../../chaos/scenario.ts';

const ME = '0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const me = ME.toLowerCase();
const OTHER = '0x90f79bf6eb2c4f870365e785982e1f101e93b906';
const T1 = '111';
const T2 = '222';

function trade(over: Partial<SimTradeView>): SimTradeView {
  return { id: 't1', status: 'CONFIRMED', takerOrderId: '0xtaker', taker: OTHER, tokenId: T1, side: 'BUY', size: '10', matchTimeMs: 1, makers: [], ...over };
}

describe('ourFills', () => {
  it('takes our maker fills and the trades we took, nothing else', () => {
    const trades = [
      trade({ id: 'a', makers: [{ orderId: '0xm1', maker: me, tokenId: T1, side: 'SELL', shares: '4' }, { orderId: '0xm2', maker: OTHER, tokenId: T1, side: 'SELL', shares: '6' }] }),
      trade({ id: 'b', taker: ME, takerOrderId: '0xt', side: 'SELL', tokenId: T2, size: '3.5', status: 'TRADE_STATUS_MINED' }),
      trade({ id: 'c', makers: [{ orderId: '0xm3', maker: OTHER, tokenId: T1, side: 'SELL', shares: '1' }] }),
    ];
    const f = ourFills(trades, ME);
    expect(f.map((x) => [x.key, x.tokenId, x.side, x.size, x.status])).toEqual([
      ['a|0xm1', T1, 'SELL', 4_000_000n, 'CONFIRMED'],
      ['b|0xt', T2, 'SELL', 3_500_000n, 'MINED'],
    ]);
  });
});

describe('compareFills', () => {
  const sim = ourFills([
    trade({ id: 'a', makers: [{ orderId: '0xm1', maker: me, tokenId: T1, side: 'SELL', shares: '4' }] }),
    trade({ id: 'b', makers: [{ orderId: '0xm2', maker: me, tokenId: T1, side: 'BUY', shares: '2' }] }),
  ], ME);
  const cases: { name: string; ledger: Parameters<typeof compareFills>[1]; lost: string[]; counterfeit: string[]; conflicting: string[] }[] = [
    { name: 'all recorded, statuses repeated', ledger: [
      { tradeId: 'a', orderId: '0xm1', tokenId: T1, side: 'SELL', size: '4', status: 'MATCHED' },
      { tradeId: 'a', orderId: '0xm1', tokenId: T1, side: 'SELL', size: 4, status: 'CONFIRMED' },
      { tradeId: 'b', orderId: '0xm2', tokenId: T1, side: 'BUY', size: '2.000' },
    ], lost: [], counterfeit: [], conflicting: [] },
    { name: 'one missing', ledger: [{ tradeId: 'a', orderId: '0xm1', tokenId: T1, side: 'SELL', size: '4' }], lost: ['b|0xm2'], counterfeit: [], conflicting: [] },
    { name: 'a fill that is not ours', ledger: [
      { tradeId: 'a', orderId: '0xm1', tokenId: T1, side: 'SELL', size: '4' }, { tradeId: 'b', orderId: '0xm2', tokenId: T1, side: 'BUY', size: '2' },
      { tradeId: 'z', orderId: '0xm9', tokenId: T1, side: 'BUY', size: '2' },
    ], lost: [], counterfeit: ['z|0xm9'], conflicting: [] },
    { name: 'the same fill with two sizes', ledger: [
      { tradeId: 'a', orderId: '0xm1', tokenId: T1, side: 'SELL', size: '4' }, { tradeId: 'a', orderId: '0xm1', tokenId: T1, side: 'SELL', size: '8' },
      { tradeId: 'b', orderId: '0xm2', tokenId: T1, side: 'BUY', size: '2' },
    ], lost: [], counterfeit: [], conflicting: ['a|0xm1'] },
    { name: 'wrong side', ledger: [{ tradeId: 'a', orderId: '0xm1', tokenId: T1, side: 'BUY', size: '4' }, { tradeId: 'b', orderId: '0xm2', tokenId: T1, side: 'BUY', size: '2' }], lost: [], counterfeit: ['a|0xm1'], conflicting: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = compareFills(sim, c.ledger);
      expect({ lost: r.lost, counterfeit: r.counterfeit, conflicting: r.conflicting }).toEqual({ lost: c.lost, counterfeit: c.counterfeit, conflicting: c.conflicting });
    });
  }
});

describe('orderFigures', () => {
  const e = (over: Partial<ExposureView>): ExposureView => ({ atMs: 1, orderId: '0x1', maker: me, tokenId: T1, side: 'BUY', pendingOrderBuys: '20000000', conservativeExposure: '1020000000', ...over });
  it('counts breaches and second live BUYs of ours only', () => {
    const r = orderFigures([
      e({}),
      e({ orderId: '0x2', conservativeExposure: '1100000001' }),
      e({ orderId: '0x3', pendingOrderBuys: '40000000' }),
      e({ orderId: '0x4', maker: OTHER, conservativeExposure: '9999000000', pendingOrderBuys: '900000000' }),
      e({ orderId: '0x5', side: 'SELL', conservativeExposure: '1200000000', pendingOrderBuys: '40000000' }),
    ], ME, 1_100_000_000n, 20_000_000n);
    expect(r.ourOrders).toBe(4);
    expect(r.limitBreaches.map((b) => [b.orderId, b.exposure, b.limit])).toEqual([['0x2', '1100.000001', '1100']]);
    expect(r.duplicateOrders.map((d) => d.orderId)).toEqual(['0x3']);
  });
  it('finds accepted orders of ours the ledger never recorded', () => {
    expect(unrecordedOrders([e({ orderId: '0xAB' }), e({ orderId: '0xcd' }), e({ orderId: '0xef', maker: OTHER })], ME, new Set(['0xab']))).toEqual(['0xcd']);
  });
  it('finds an order id accepted twice', () => {
    expect(repeatedOrderIds([e({}), e({ orderId: '0x2' }), e({}), e({ orderId: '0x2', maker: OTHER })], ME)).toEqual(['0x1']);
  });
});

describe('convergence check', () => {
  const chain = new Map([[T1, 1_000_000_000n], ['94914577198486890440042795412221476159469077540959495691638774793761383777003', 980_000_000n]]);
  const fills = ourFills([
    trade({ id: 'a', status: 'MATCHED', makers: [{ orderId: '0xm1', maker: me, tokenId: T1, side: 'BUY', shares: '20' }] }),
    trade({ id: 'b', status: 'FAILED', makers: [{ orderId: '0xm2', maker: me, tokenId: T1, side: 'BUY', shares: '5' }] }),
    trade({ id: 'c', status: 'CONFIRMED', makers: [{ orderId: '0xm3', maker: me, tokenId: T1, side: 'SELL', shares: '7' }] }),
  ], ME);
  const want = expectedEffective(chain, fills);
  it('adds unsettled fills only', () => expect(want.get(T1)).toBe(1_020_000_000n));
  it('reads status lines and compares within the tolerance', () => {
    const shown = statusEffective({ tokens: { [T1]: '1000/1020 normal', '94914…77003': '980/980.005 degraded' } });
    expect(shown).toEqual({ [T1]: '1020', '94914…77003': '980.005' });
    expect(divergent(want, shown, 10_000n)).toEqual([]);
    expect(divergent(want, shown, 1_000n)).toEqual(['94914577198486890440042795412221476159469077540959495691638774793761383777003']);
    expect(divergent(want, { [T1]: '1000' }, 10_000n)).toEqual([T1]);
    expect(divergent(want, { [T1]: '1020', '99999…00000': '5' }, 10_000n)).toEqual(['99999…00000']);
  });
});

describe('chaosPlan', () => {
  it('is a function of its seed', () => {
    const o = { kills: 3, runSeconds: [5, 10] as const, finalSeconds: 10 };
    expect(chaosPlan(7, o)).toEqual(chaosPlan(7, o));
    expect(chaosPlan(7, o)).not.toEqual(chaosPlan(8, o));
    const p = chaosPlan(9, o);
    expect(p.kills).toHaveLength(3);
    for (const k of p.kills) expect(k.aliveSeconds >= 5 && k.aliveSeconds <= 10).toBe(true);
    expect((p.sim.lifecycle as { failRate: number }).failRate).toBe(0.1);
  });
});

describe('haltReasonsIn', () => {
  it('collects reasons of halt lines only', () => {
    const log = [
      '{"level":50,"alert":"RISK_HALTED","reasons":["SOURCE_UNAVAILABLE"],"msg":"risk halted"}',
      '{"level":50,"mode":"halted","reasons":["FEED_GAP"],"msg":"x"}',
      '{"level":40,"msg":"degraded","mode":"degraded","reasons":["DRIFT"]}',
      'not json halt',
    ].join('\n');
    expect(haltReasonsIn(log)).toEqual(['SOURCE_UNAVAILABLE', 'FEED_GAP']);
  });
});
