import { describe, expect, it } from 'vitest';
import { attributeTrade, identityFromIds, parseTradeStatus } from '../../../../plugins/venue/polymarket/clob/attribution.ts';
import { parseOrderStatus } from '../../../../plugins/venue/polymarket/clob/reports.ts';
import { tradeSchema } from '../../../../plugins/venue/polymarket/clob/schemas.ts';
import { fixture as readFixture } from '../feeds/fixtures.ts';

const YES = '71321045679252212594626385532706912750332728571942532289631379312455583992563';
const NO = '52114319501245915516055106046884209969926127482827954674443846427813813222426';
const OURS = '0x' + 'a'.repeat(64);
const OURS2 = '0x' + 'b'.repeat(64);
const FUNDER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const tradeFixture = readFixture('ws_user_trade.json');

function trade(over: Record<string, unknown> = {}) {
  return tradeSchema.parse({ ...tradeFixture, trader_side: 'MAKER', ...over });
}
const entry = (o: Record<string, unknown>) => ({ order_id: OURS, owner: 'other', maker_address: '0x0', matched_amount: '10', price: '0.4', asset_id: YES, ...o });

describe('trade attribution', () => {
  it.each([
    ['our maker entry by order id: its own size, price and token, never the top-level size', { maker_orders: [entry({ matched_amount: '25.0000', price: '0.5000' })] },
      [{ orderId: OURS, size: 25_000_000n, price: 500_000n, tokenId: YES, side: 'SELL', role: 'MAKER' }]],
    ['side from the entry when present', { maker_orders: [entry({ side: 'BUY' })] }, [{ orderId: OURS, side: 'BUY', tokenId: YES }]],
    ['same token as the taker, no side: the opposite of the taker side', { side: 'SELL', maker_orders: [entry({})] }, [{ side: 'BUY', tokenId: YES }]],
    ['complement token (mint/merge), no side: the same side as the taker', { side: 'BUY', maker_orders: [entry({ asset_id: NO, price: '0.6' })] },
      [{ side: 'BUY', tokenId: NO, price: 600_000n }]],
    ['fallback: owner is our API key', { maker_orders: [entry({ order_id: '0x' + 'c'.repeat(64), owner: 'our-key' })] }, [{ orderId: '0x' + 'c'.repeat(64) }]],
    ['fallback: maker address is our funder, compared case-insensitively', { maker_orders: [entry({ order_id: '0x' + 'd'.repeat(64), maker_address: FUNDER.toLowerCase() })] },
      [{ orderId: '0x' + 'd'.repeat(64) }]],
    ['two of our orders in one trade: two reports', { maker_orders: [entry({}), entry({ order_id: OURS2, matched_amount: '3' }), entry({ order_id: '0x' + 'e'.repeat(64) })] },
      [{ orderId: OURS, size: 10_000_000n }, { orderId: OURS2, size: 3_000_000n }]],
    ['someone else\'s entries only: nothing', { maker_orders: [entry({ order_id: '0x' + 'e'.repeat(64) })] }, []],
    ['our taker order: the top level', { trader_side: 'TAKER', taker_order_id: OURS.toUpperCase().replace('0X', '0x'), maker_orders: [entry({ order_id: '0x' + 'e'.repeat(64) })] },
      [{ orderId: OURS.toUpperCase().replace('0X', '0x'), role: 'TAKER', size: 25_000_000n, price: 500_000n, side: 'BUY', tokenId: YES }]],
  ])('%s', (_d, over, expected) => {
    const us = identityFromIds([OURS, OURS2], { apiKey: 'our-key', funder: FUNDER });
    const got = attributeTrade(trade(over), us);
    expect(got).toHaveLength(expected.length);
    got.forEach((g, i) => expect(g).toMatchObject({ tradeId: 'trade-0xabcdef1234', status: 'CONFIRMED', ...expected[i] }));
  });

  it.each([
    ['MATCHED', 'MATCHED', false], ['TRADE_STATUS_MINED', 'MINED', false], ['confirmed', 'CONFIRMED', false],
    ['MATCHED_NOT_BROADCASTED', 'MATCHED', true], ['TRADE_STATUS_MATCHED_NOT_BROADCASTED', 'MATCHED', true], ['RETRYING', 'RETRYING', false], ['FAILED', 'FAILED', false],
  ])('reads trade status %s as %s (provisional %s)', (raw, status, provisional) => {
    expect(parseTradeStatus(raw, 't')).toEqual({ status, provisional });
  });

  it('refuses an unknown status or a bad amount naming the field', () => {
    const us = identityFromIds([OURS]);
    expect(() => attributeTrade(trade({ status: 'SETTLED' }), us, 'page 0 trade 3')).toThrow(/expected a trade status, got "SETTLED" at page 0 trade 3\.status/);
    expect(() => attributeTrade(trade({ maker_orders: [entry({ matched_amount: 'ten' })] }), us)).toThrow(/at trade\.maker_orders\.0\.matched_amount/);
  });

  it('takes the venue time from match_time in seconds or ISO form', () => {
    const us = identityFromIds([OURS]);
    expect(attributeTrade(trade({ match_time: '1703875200', maker_orders: [entry({})] }), us)[0]!.venueAt).toBe(1_703_875_200_000);
    expect(attributeTrade(trade({ maker_orders: [entry({})] }), us)[0]!.venueAt).toBe(Date.parse('2024-01-01T00:00:00Z'));
  });
});

describe('order status parsing', () => {
  it.each([
    ['live', 'LIVE', undefined], ['ORDER_STATUS_MATCHED', 'MATCHED', undefined], ['UNMATCHED', 'UNMATCHED', undefined],
    ["CANCELED_order couldn't be fully filled", 'CANCELED', "order couldn't be fully filled"], ['CANCELED_MARKET_RESOLVED', 'CANCELED', 'MARKET_RESOLVED'], ['delayed', 'DELAYED', undefined],
  ])('%s → %s', (raw, status, reason) => {
    expect(parseOrderStatus(raw, 'x')).toEqual(reason ? { status, reason } : { status });
  });

  it('refuses an unknown one', () => {
    expect(() => parseOrderStatus('LIVELY', 'GET /data/order/0x1 status')).toThrow(/got "LIVELY" at GET \/data\/order\/0x1 status/);
  });
});
