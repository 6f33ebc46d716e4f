import { describe, expect, it } from 'vitest';
import type { FillReported, InboundEvent, OrderUpdated } from '../../../../core/events.ts';
import { parseUserFrame, type UserFrameContext } from '../../../../plugins/venue/polymarket/feeds/user-channel.ts';
import { fixture, fixtureNames, fixtureText, ME, ORDER, OTHER_TOKEN, TOKEN } from './fixtures.ts';

const NOW = 1_800_000_000_000;
const ctx = (over: Partial<UserFrameContext> = {}): UserFrameContext => ({
  ourOrderIds: () => false, apiKey: ME.apiKey, funder: ME.funder, now: NOW, ...over,
});
const fills = (evs: InboundEvent[]) => evs.filter((e): e is FillReported => e.type === 'fill');

describe('user channel fixtures: every ws_user_* file, values asserted', () => {
  const order = (over: Partial<OrderUpdated>): OrderUpdated => ({
    type: 'order', at: NOW, orderId: ORDER, tokenId: TOKEN, side: 'BUY', originalSize: 100_000_000n, price: 500_000n, sizeMatched: 0n, status: 'LIVE', ...over,
  });
  const expected: Record<string, InboundEvent[]> = {
    'ws_user_order_cancellation.json': [order({ status: 'CANCELED', venueAt: 1703875205000 })],
    'ws_user_order_matched.json': [order({ status: 'MATCHED', sizeMatched: 100_000_000n, venueAt: 1703875201000 })],
    'ws_user_order_placement.json': [order({ orderId: `${ORDER}12`, status: 'LIVE', venueAt: 1703875200001 })],
    'ws_user_order_update.json': [order({ status: 'LIVE', sizeMatched: 25_000_000n, venueAt: 1703875200500 })],
    'ws_user_order_venue_cancel.json': [order({ orderId: '0x0e', status: 'INVALID', originalSize: 20_000_000n, price: 530_000n, venueAt: 1774378800285 })],
    // Taker fills (trader_side TAKER, owner = our key): the top level is ours.
    'ws_user_trade.json': [{ type: 'fill', at: NOW, tradeId: 'trade-0xabcdef1234', orderId: ORDER, tokenId: TOKEN, side: 'BUY', size: 25_000_000n, price: 500_000n, status: 'CONFIRMED', venueAt: 1703875200000 }],
    'ws_user_trade_msg.json': [{ type: 'fill', at: NOW, tradeId: 'trade-0xabcdef1234', orderId: ORDER, tokenId: TOKEN, side: 'BUY', size: 25_000_000n, price: 500_000n, status: 'CONFIRMED', venueAt: 1703875200000 }],
  };

  it('has an expectation for every ws_user fixture on disk', () => {
    expect(fixtureNames('ws_user_')).toEqual(Object.keys(expected).sort());
  });

  it.each(fixtureNames('ws_user_'))('%s parses to the expected events with no problem', (name) => {
    const r = parseUserFrame(fixtureText(name), ctx());
    expect(r.problems).toEqual([]);
    expect(r.events).toEqual(expected[name]);
  });

  it('parses the same fixtures as an array frame and as an already-parsed tape value', () => {
    const names = fixtureNames('ws_user_');
    const frame = `[${names.map(fixtureText).join(',')}]`;
    const r = parseUserFrame(frame, ctx());
    expect(r.problems).toEqual([]);
    expect(r.events).toEqual(names.flatMap((n) => expected[n]!));
    expect(parseUserFrame(JSON.parse(frame), ctx()).events).toEqual(r.events);
  });

  it('keeps associate_trades of order updates as detail for gap evidence', () => {
    const r = parseUserFrame(fixtureText('ws_user_order_update.json'), ctx());
    expect(r.orderDetails).toEqual([{ orderId: ORDER, updateType: 'UPDATE', associateTrades: ['trade-0xabcdef1234'] }]);
  });
});

/** A trade in which we are a maker, built from the fixture with its maker_orders replaced. */
function makerTrade(makers: Record<string, unknown>[], over: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...fixture('ws_user_trade.json'), trader_side: 'MAKER', owner: 'taker-key', trade_owner: 'taker-key', maker_address: '0x9999999999999999999999999999999999999999', maker_orders: makers, ...over });
}
const entry = (over: Record<string, unknown>) => ({ asset_id: TOKEN, fee_rate_bps: '0', maker_address: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8', matched_amount: '10', order_id: '0xother', outcome: 'Yes', owner: 'someone-else', price: '0.5', ...over });

describe('maker attribution (protocol §1 "A maker\'s own fill")', () => {
  const mine = (id: string) => id === '0xmine1' || id === '0xmine2' || id === '0xabcd';
  it.each([
    { description: 'our entry by order id: size is matched_amount at the entry price, never the top-level size', makers: [entry({ order_id: '0xmine1', matched_amount: '7.25', price: '0.49' })], want: [['0xmine1', TOKEN, 'SELL', 7_250_000n, 490_000n]] },
    { description: 'entry side given wins over inference', makers: [entry({ order_id: '0xmine1', side: 'BUY' })], want: [['0xmine1', TOKEN, 'BUY', 10_000_000n, 500_000n]] },
    { description: 'complement token without side: same side as the taker (mint/merge)', makers: [entry({ order_id: '0xmine1', asset_id: OTHER_TOKEN, price: '0.5' })], want: [['0xmine1', OTHER_TOKEN, 'BUY', 10_000_000n, 500_000n]] },
    { description: 'someone else\'s entries are ignored, ours in the same trade kept', makers: [entry({}), entry({ order_id: '0xmine2', matched_amount: '3' })], want: [['0xmine2', TOKEN, 'SELL', 3_000_000n, 500_000n]] },
    { description: 'two of our orders in one trade: two fills with the same trade id', makers: [entry({ order_id: '0xmine1', matched_amount: '4' }), entry({ order_id: '0xmine2', matched_amount: '6', price: '0.51' })], want: [['0xmine1', TOKEN, 'SELL', 4_000_000n, 500_000n], ['0xmine2', TOKEN, 'SELL', 6_000_000n, 510_000n]] },
    { description: 'an upper-case spelling of our order hash is ours, reported in lower case', makers: [entry({ order_id: '0xABCD' })], want: [['0xabcd', TOKEN, 'SELL', 10_000_000n, 500_000n]] },
    { description: 'fallback: owner equals our API key', makers: [entry({ order_id: '0xunknown', owner: ME.apiKey })], want: [['0xunknown', TOKEN, 'SELL', 10_000_000n, 500_000n]] },
    { description: 'fallback: maker_address equals our funder in EIP-55 spelling', makers: [entry({ order_id: '0xunknown', maker_address: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266' })], want: [['0xunknown', TOKEN, 'SELL', 10_000_000n, 500_000n]] },
  ])('$description', ({ makers, want }) => {
    const r = parseUserFrame(makerTrade(makers), ctx({ ourOrderIds: mine }));
    expect(r.problems).toEqual([]);
    expect(fills(r.events).map((f) => [f.orderId, f.tokenId, f.side, f.size, f.price])).toEqual(want);
    for (const f of fills(r.events)) expect(f).toMatchObject({ tradeId: 'trade-0xabcdef1234', status: 'CONFIRMED', at: NOW, venueAt: 1703875200000 });
  });

  it('a maker trade with none of our entries books nothing and reports UNATTRIBUTED', () => {
    const r = parseUserFrame(makerTrade([entry({})]), ctx({ ourOrderIds: mine }));
    expect(r.events).toEqual([]);
    expect(r.problems).toMatchObject([{ code: 'UNATTRIBUTED', eventType: 'trade', dropped: true }]);
  });

  it('a malformed entry of ours drops that fill only, naming the field', () => {
    const r = parseUserFrame(makerTrade([entry({ order_id: '0xmine1', matched_amount: 'lots' }), entry({ order_id: '0xmine2' })]), ctx({ ourOrderIds: mine }));
    expect(fills(r.events).map((f) => f.orderId)).toEqual(['0xmine2']);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]!.where).toBe('user frame.maker_orders[0].matched_amount');
    expect(r.problems[0]!.message).toContain('"lots"');
  });

  it('a taker trade is attributed by our taker order id even when the owner is not our key', () => {
    const raw = JSON.stringify({ ...fixture('ws_user_trade.json'), owner: 'x', trade_owner: 'x', maker_address: '0x01' });
    expect(fills(parseUserFrame(raw, ctx({ ourOrderIds: (id) => id === ORDER })).events)).toHaveLength(1);
    expect(parseUserFrame(raw, ctx()).problems.map((p) => p.code)).toEqual(['UNATTRIBUTED']);
  });
});

describe('trade statuses', () => {
  it.each([
    ['MATCHED', 'MATCHED'], ['TRADE_STATUS_MINED', 'MINED'], ['CONFIRMED', 'CONFIRMED'], ['RETRYING', 'RETRYING'],
    ['TRADE_STATUS_FAILED', 'FAILED'], ['MATCHED_NOT_BROADCASTED', 'MATCHED'], ['TRADE_STATUS_MATCHED_NOT_BROADCASTED', 'MATCHED'],
  ])('%s → %s', (raw, status) => {
    const r = parseUserFrame(JSON.stringify({ ...fixture('ws_user_trade.json'), status: raw }), ctx());
    expect(fills(r.events).map((f) => f.status)).toEqual([status]);
  });

  it('an unknown status drops the trade with an UNKNOWN_STATUS problem', () => {
    const r = parseUserFrame(JSON.stringify({ ...fixture('ws_user_trade.json'), status: 'SETTLED' }), ctx());
    expect(r.events).toEqual([]);
    expect(r.problems).toMatchObject([{ code: 'UNKNOWN_STATUS', where: 'user frame.status', eventType: 'trade' }]);
    expect(r.problems[0]!.message).toContain('"SETTLED"');
  });
});

describe('order updates', () => {
  const upd = (over: Record<string, unknown>) => JSON.stringify({ ...fixture('ws_user_order_update.json'), ...over });
  it.each([
    { description: 'CANCELLATION still saying LIVE means canceled', over: { type: 'CANCELLATION', status: 'LIVE' }, status: 'CANCELED', reason: undefined },
    { description: 'market resolved cancel keeps the cause', over: { status: 'CANCELED_MARKET_RESOLVED' }, status: 'CANCELED', reason: 'MARKET_RESOLVED' },
    { description: 'reason suffix kept verbatim', over: { status: "CANCELED_order couldn't be fully filled. FOK orders are fully filled or killed." }, status: 'CANCELED', reason: "order couldn't be fully filled. FOK orders are fully filled or killed." },
    { description: 'DELAYED stays open', over: { status: 'DELAYED' }, status: 'DELAYED', reason: undefined },
    { description: 'UNMATCHED', over: { status: 'UNMATCHED' }, status: 'UNMATCHED', reason: undefined },
    { description: 'lower case from REST-like payloads', over: { status: 'live' }, status: 'LIVE', reason: undefined },
  ])('$description', ({ over, status, reason }) => {
    const r = parseUserFrame(upd(over), ctx());
    expect(r.problems).toEqual([]);
    const e = r.events[0] as OrderUpdated;
    expect([e.status, e.reason]).toEqual([status, reason]);
  });

  it('canonicalises token ids and rejects a hex or oversize one by name', () => {
    expect((parseUserFrame(upd({ asset_id: `000${TOKEN}` }), ctx()).events[0] as OrderUpdated).tokenId).toBe(TOKEN);
    for (const bad of ['0xabc', (1n << 256n).toString(), 12]) {
      const r = parseUserFrame(upd({ asset_id: bad }), ctx());
      expect(r.events).toEqual([]);
      expect(r.problems).toMatchObject([{ code: 'INVALID_FIELD', where: 'user frame.asset_id', eventType: 'order' }]);
    }
  });

  it('a sub-micro size is a precision problem, not a rounded size', () => {
    const r = parseUserFrame(upd({ size_matched: '0.0000001' }), ctx());
    expect(r.events).toEqual([]);
    expect(r.problems[0]!.where).toBe('user frame.size_matched');
  });
});

describe('frames that are not events', () => {
  it.each([
    ['PONG', 'TEXT_FRAME'], ['NO NEW ASSETS', 'TEXT_FRAME'], ['', 'TEXT_FRAME'], ['{"event_type":', 'NOT_JSON'], ['[1', 'NOT_JSON'], ['null', 'TEXT_FRAME'],
  ])('%j is one %s problem', (raw, code) => {
    const r = parseUserFrame(raw, ctx());
    expect(r.events).toEqual([]);
    expect(r.problems).toMatchObject([{ code, where: 'user frame', dropped: true }]);
  });

  it('an array with an unknown event, a number and a good order keeps the order and counts two problems', () => {
    const r = parseUserFrame(`[{"event_type":"welcome"},7,${fixtureText('ws_user_order_placement.json')}]`, ctx());
    expect(r.events.map((e) => e.type)).toEqual(['order']);
    expect(r.problems.map((p) => [p.code, p.where])).toEqual([['UNKNOWN_EVENT', 'user frame[0].event_type'], ['NOT_AN_OBJECT', 'user frame[1]']]);
  });
});
