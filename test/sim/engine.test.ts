import { describe, expect, it } from 'vitest';
import { parseMicros } from '../../core/amounts.ts';
import { COLLATERAL } from '../../sim/exchange/balances.ts';
import { ExchangeEngine, type EngineEvent } from '../../sim/exchange/engine.ts';
import type { OrderInput, SimMarket } from '../../sim/exchange/types.ts';

const M = (s: string) => parseMicros(s, 'test');
const YES = '111';
const NO = '222';
const market: SimMarket = {
  conditionId: '0xc0', question: 'q', tokens: [YES, NO], tickSize: M('0.01'), minOrderSize: M('5'), negRisk: false,
  rewardsMaxSpread: M('3'), rewardsMinSize: M('20'), rewardsDailyRate: M('10'),
};
const A = '0xaaaa';
const B = '0xbbbb';
const C = '0xcccc';

function engine(seed = 1, over: Partial<ConstructorParameters<typeof ExchangeEngine>[0]> = {}) {
  const e = new ExchangeEngine({ markets: [market], seed, failRate: 0, retryRate: 0, gtdMinLifetimeSeconds: 60, gtdEarlySeconds: 60, ...over });
  for (const who of [A, B, C]) {
    e.balances.set(who, COLLATERAL, M('1000'));
    e.balances.set(who, YES, M('100'));
    e.balances.set(who, NO, M('100'));
  }
  const events: EngineEvent[] = [];
  e.on((ev) => events.push(ev));
  return { e, events };
}

let n = 0;
function order(maker: string, tokenId: string, side: 'BUY' | 'SELL', price: string, size: string, over: Partial<OrderInput> = {}): OrderInput {
  return { id: `0x${(++n).toString(16).padStart(64, '0')}`, owner: `key-${maker}`, maker, signer: maker, tokenId, side, price: M(price), size: M(size), orderType: 'GTC', postOnly: false, expiration: 0, ...over };
}

describe('matching engine', () => {
  it('rests a non-crossing order and reports it live', () => {
    const { e, events } = engine();
    const r = e.submit(order(A, YES, 'BUY', '0.40', '10'), 1);
    expect(r).toMatchObject({ ok: true, status: 'live' });
    expect(e.book('0xc0')!.tokenBook(YES).bids).toEqual([{ price: M('0.4'), size: M('10') }]);
    expect(e.book('0xc0')!.tokenBook(NO).asks).toEqual([{ price: M('0.6'), size: M('10') }]);
    expect(events.map((x) => x.type)).toEqual(['order', 'book']);
  });

  it.each([
    { description: 'off-tick price', o: () => order(A, YES, 'BUY', '0.405', '10'), code: 'INVALID_ORDER_MIN_TICK_SIZE' },
    { description: 'price at 1', o: () => order(A, YES, 'BUY', '1', '10'), code: 'INVALID_ORDER_MIN_TICK_SIZE' },
    { description: 'below minimum size', o: () => order(A, YES, 'BUY', '0.40', '4.99'), code: 'INVALID_ORDER_MIN_SIZE' },
    { description: 'buy beyond collateral', o: () => order(A, YES, 'BUY', '0.50', '2001'), code: 'INVALID_ORDER_NOT_ENOUGH_BALANCE' },
    { description: 'sell beyond tokens', o: () => order(A, YES, 'SELL', '0.50', '100.01'), code: 'INVALID_ORDER_NOT_ENOUGH_BALANCE' },
    { description: 'post-only FOK', o: () => order(A, YES, 'BUY', '0.50', '10', { orderType: 'FOK', postOnly: true }), code: 'INVALID_POST_ONLY_ORDER_TYPE' },
    { description: 'GTD too soon', o: () => order(A, YES, 'BUY', '0.50', '10', { orderType: 'GTD', expiration: 30 }), code: 'INVALID_ORDER_EXPIRATION' },
    { description: 'unknown token', o: () => order(A, '999', 'BUY', '0.50', '10'), code: 'MARKET_NOT_READY' },
  ])('rejects $description with $code', ({ o, code }) => {
    const { e } = engine();
    expect(e.submit(o(), 1000)).toMatchObject({ ok: false, code });
  });

  it('counts open orders and unsettled sells as reserved', () => {
    const { e } = engine();
    expect(e.submit(order(A, YES, 'SELL', '0.60', '60'), 1).ok).toBe(true);
    expect(e.submit(order(A, YES, 'SELL', '0.70', '41'), 2)).toMatchObject({ ok: false, code: 'INVALID_ORDER_NOT_ENOUGH_BALANCE' });
    expect(e.submit(order(B, YES, 'BUY', '0.60', '60'), 3)).toMatchObject({ ok: true, status: 'matched' });
    // Matched, not mined: A's 60 shares are gone from what it may sell, B's collateral is spent.
    expect(e.available(A, YES)).toBe(M('40'));
    expect(e.available(B, COLLATERAL)).toBe(M('964'));
    expect(e.balances.get(B, YES)).toBe(M('100'));
  });

  it('rejects duplicates and post-only orders that cross', () => {
    const { e } = engine();
    const o = order(A, YES, 'SELL', '0.55', '10');
    e.submit(o, 1);
    expect(e.submit(o, 2)).toMatchObject({ ok: false, code: 'INVALID_ORDER_DUPLICATED' });
    expect(e.submit(order(B, YES, 'BUY', '0.55', '10', { postOnly: true }), 3)).toMatchObject({ ok: false, code: 'INVALID_POST_ONLY_ORDER' });
    expect(e.submit(order(B, NO, 'SELL', '0.45', '10', { postOnly: true }), 3)).toMatchObject({ ok: false, code: 'INVALID_POST_ONLY_ORDER' });
    expect(e.submit(order(B, YES, 'BUY', '0.54', '10', { postOnly: true }), 3)).toMatchObject({ ok: true, status: 'live' });
  });

  it('fills several makers in price-time order at their prices, partially filling the last', () => {
    const { e } = engine();
    const a1 = order(A, YES, 'SELL', '0.52', '10');
    const b1 = order(B, YES, 'SELL', '0.51', '10');
    const c1 = order(C, YES, 'SELL', '0.52', '10');
    for (const [i, o] of [a1, b1, c1].entries()) e.submit(o, i);
    const r = e.submit(order(C, YES, 'BUY', '0.53', '25'), 10);
    expect(r).toMatchObject({ ok: true, status: 'matched', takingAmount: M('25'), makingAmount: M('12.9') });
    const t = e.allTrades()[0]!;
    expect(t.makers.map((f) => [f.orderId, f.shares, f.price])).toEqual([[b1.id, M('10'), M('0.51')], [a1.id, M('10'), M('0.52')], [c1.id, M('5'), M('0.52')]]);
    expect(e.order(c1.id)).toMatchObject({ status: 'LIVE', matched: M('5') });
    expect(e.order(a1.id)!.status).toBe('MATCHED');
  });

  it('matches BUY YES against BUY NO as a mint and SELL YES against SELL NO as a merge', () => {
    const { e } = engine();
    e.submit(order(A, NO, 'BUY', '0.45', '10'), 1);
    e.submit(order(B, YES, 'BUY', '0.56', '10'), 2);
    const mint = e.allTrades()[0]!;
    expect(mint.makers[0]).toMatchObject({ kind: 'mint', price: M('0.45'), side: 'BUY', tokenId: NO });
    expect(mint.price).toBe(M('0.55'));
    expect(e.opsOf(mint)).toEqual([{ kind: 'mint', conditionId: '0xc0', yesBuyer: B, noBuyer: A, shares: M('10'), yesCollateral: M('5.5'), noCollateral: M('4.5') }]);
    e.submit(order(A, NO, 'SELL', '0.40', '10'), 3);
    e.submit(order(B, YES, 'SELL', '0.60', '10'), 4);
    expect(e.opsOf(e.allTrades()[1]!)).toEqual([{ kind: 'merge', conditionId: '0xc0', yesSeller: B, noSeller: A, shares: M('10'), yesCollateral: M('6'), noCollateral: M('4') }]);
  });

  it('applies settlement to balances only when the trade is mined, never when it fails', () => {
    const { e } = engine();
    e.submit(order(A, YES, 'SELL', '0.50', '10'), 1);
    e.submit(order(B, YES, 'BUY', '0.50', '10'), 2);
    const [t1] = e.allTrades();
    expect(e.balances.get(B, YES)).toBe(M('100'));
    e.setTradeStatus(t1!.id, 'MINED', 3, '0xabc');
    expect(e.balances.get(B, YES)).toBe(M('110'));
    expect(e.balances.get(A, COLLATERAL)).toBe(M('1005'));
    e.submit(order(A, YES, 'SELL', '0.50', '10'), 4);
    e.submit(order(B, YES, 'BUY', '0.50', '10'), 5);
    const t2 = e.allTrades()[1]!;
    e.setTradeStatus(t2.id, 'FAILED', 6);
    expect(e.balances.get(B, YES)).toBe(M('110'));
    expect(e.available(A, YES)).toBe(M('90'));
  });

  it('kills FOK orders that cannot fill and cancels the rest of a FAK', () => {
    const { e } = engine();
    e.submit(order(A, YES, 'SELL', '0.50', '10'), 1);
    expect(e.submit(order(B, YES, 'BUY', '0.50', '11', { orderType: 'FOK' }), 2)).toMatchObject({ ok: false, code: 'FOK_ORDER_NOT_FILLED_ERROR' });
    const fak = order(B, YES, 'BUY', '0.50', '11', { orderType: 'FAK' });
    expect(e.submit(fak, 3)).toMatchObject({ ok: true, status: 'matched', takingAmount: M('10') });
    expect(e.order(fak.id)!.status).toBe('CANCELED');
    expect(e.openOrders()).toEqual([]);
  });

  it('cancels GTD orders early and only its owner may cancel an order', () => {
    const { e, events } = engine();
    const g = order(A, YES, 'BUY', '0.40', '10', { orderType: 'GTD', expiration: 1000 });
    e.submit(g, 0);
    expect(e.cancel('key-someone', g.id, 1)).toBe('order not found');
    expect(e.expire(939_000)).toEqual([]);
    expect(e.expire(940_000)).toEqual([g.id]);
    expect(events.filter((x) => x.type === 'order').map((x) => (x as { kind: string }).kind)).toEqual(['PLACEMENT', 'CANCELLATION']);
    expect(e.cancel(g.owner, g.id, 2)).toBe('already canceled or matched');
  });

  it('records the conservative exposure at each accepted order', () => {
    const { e } = engine();
    e.submit(order(A, YES, 'SELL', '0.50', '10'), 1);
    e.submit(order(B, YES, 'BUY', '0.50', '10'), 2);
    e.submit(order(B, YES, 'BUY', '0.40', '20'), 3);
    expect(e.exposures.at(-1)).toMatchObject({ maker: B, confirmed: M('100').toString(), pendingFillBuys: M('10').toString(), pendingOrderBuys: M('20').toString(), conservativeExposure: M('130').toString() });
  });
});
