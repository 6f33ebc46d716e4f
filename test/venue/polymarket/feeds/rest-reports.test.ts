import { describe, expect, it } from 'vitest';
import { FeedError } from '../../../../core/errors.ts';
import { parseBookSnapshot } from '../../../../plugins/venue/polymarket/feeds/market-channel.ts';
import { parseMarketFrame } from '../../../../plugins/venue/polymarket/feeds/market-channel.ts';
import { parseOrderReport, parseTradeReports } from '../../../../plugins/venue/polymarket/feeds/rest-reports.ts';
import { parseUserFrame } from '../../../../plugins/venue/polymarket/feeds/user-channel.ts';
import { fixture, fixtureNames, fixtureText, ME, ORDER, TOKEN } from './fixtures.ts';

const who = { ourOrderIds: (id: string) => id === '0xmine', apiKey: ME.apiKey, funder: ME.funder };
const MARKET = '0xdd22472e552920b8438158ea7238bfadfa4f736aa4cee91a6b86c39ead110917';

describe('REST order reports', () => {
  it('parses http_open_order.json exactly', () => {
    expect(parseOrderReport(fixture('http_open_order.json'))).toEqual({
      orderId: ORDER, tokenId: TOKEN, side: 'BUY', price: 500_000n, originalSize: 100_000_000n, sizeMatched: 25_000_000n, status: 'LIVE', marketId: MARKET,
    });
  });

  it.each([
    { description: 'unknown status', over: { status: 'WAITING' }, where: 'order.status' },
    { description: 'float-looking garbage size', over: { size_matched: '25,0' }, where: 'order.size_matched' },
    { description: 'missing id', over: { id: undefined }, where: 'order.id' },
    { description: 'hex token id', over: { asset_id: '0x01' }, where: 'order.asset_id' },
  ])('rejects an order with $description, naming $where', ({ over, where }) => {
    const err = (() => { try { parseOrderReport({ ...fixture('http_open_order.json'), ...over }); } catch (e) { return e; } return undefined; })();
    expect(err).toBeInstanceOf(FeedError);
    expect((err as FeedError).details).toMatchObject({ where });
    expect((err as FeedError).message).toContain(where);
  });
});

describe('REST trade reports (same attribution as the user channel)', () => {
  it('our taker trade → a TAKER report with the market', () => {
    const r = parseTradeReports([fixture('ws_user_trade.json')], who);
    expect(r.problems).toEqual([]);
    expect(r.reports).toEqual([{ tradeId: 'trade-0xabcdef1234', orderId: ORDER, tokenId: TOKEN, side: 'BUY', size: 25_000_000n, price: 500_000n, status: 'CONFIRMED', role: 'TAKER', marketId: MARKET, venueAt: 1703875200000 }]);
  });

  it('our maker entry on the complement token → a MAKER report with the inferred side', () => {
    const other = '52114319501245915516055106046884209969926127482827954674443846427813813222426';
    const t = { ...fixture('ws_user_trade.json'), trader_side: 'MAKER', owner: 'k', trade_owner: 'k', maker_address: '0x01', maker_orders: [{ order_id: '0xmine', asset_id: other, matched_amount: '3', price: '0.45', owner: 'x', maker_address: '0x02' }] };
    const r = parseTradeReports(t, who);
    expect(r.reports).toMatchObject([{ orderId: '0xmine', tokenId: other, side: 'BUY', size: 3_000_000n, price: 450_000n, role: 'MAKER' }]);
  });

  it('a bad trade is a problem named under the REST label, the good ones still reported', () => {
    const r = parseTradeReports([{ ...fixture('ws_user_trade.json'), status: '??' }, fixture('ws_user_trade.json')], who);
    expect(r.reports).toHaveLength(1);
    expect(r.problems).toMatchObject([{ code: 'UNKNOWN_STATUS', where: 'GET /data/trades[0].status' }]);
  });
});

describe('every shared Polymarket fixture is accounted for', () => {
  /** Files the REST trading client (plugins/venue/polymarket/clob) and the REST position source parse, not these feeds. */
  const notOurs = ['data_api_positions_constructed.json', 'http_balance_allowance_conditional.json', 'http_cancel_response_failed.json', 'http_cancel_response_ok.json', 'http_order_response_failed.json', 'http_order_response_ok.json', 'http_signed_order.json'];
  const ours: Record<string, (name: string) => number> = {
    'clob_book_response.json': (n) => parseBookSnapshot(fixture(n), 0, n).bids.length,
    'http_open_order.json': (n) => (parseOrderReport(fixture(n)).orderId ? 1 : 0),
  };
  for (const n of fixtureNames('ws_user_')) ours[n] = (name) => { const r = parseUserFrame(fixtureText(name), { ...who, ourOrderIds: (id) => id === ORDER, now: 0 }); return r.problems.length ? 0 : r.events.length; };
  for (const n of fixtureNames('ws_market_')) ours[n] = (name) => { const r = parseMarketFrame(fixtureText(name), 0); return r.problems.length ? 0 : r.events.length + r.infos.length; };

  it('each file on disk is either parsed here or owned elsewhere', () => {
    expect(fixtureNames('')).toEqual([...Object.keys(ours), ...notOurs].sort());
  });

  it.each(Object.keys(ours).sort())('%s parses cleanly into something', (name) => {
    expect(ours[name]!(name)).toBeGreaterThan(0);
  });
});
