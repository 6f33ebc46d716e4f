import { describe, expect, it } from 'vitest';
import type { BookDeltaReceived, BookUpdated } from '../../../../core/events.ts';
import { parseBookSnapshot, parseMarketFrame, type MarketFrameResult } from '../../../../plugins/venue/polymarket/feeds/market-channel.ts';
import { fixture, fixtureNames, fixtureText, OTHER_TOKEN, TOKEN } from './fixtures.ts';

const NOW = 1_800_000_000_000;
const BBA_TOKEN = '85354956062430465315924116860125388538595433819574542752031640332592237464430';

describe('market channel fixtures: every ws_market_* file, values asserted', () => {
  const expected: Record<string, Pick<MarketFrameResult, 'events' | 'infos'>> = {
    'ws_market_best_bid_ask_msg.json': { events: [], infos: [{ kind: 'best_bid_ask', at: NOW, tokenId: BBA_TOKEN, marketId: '0x0005c0d312de0be897668695bae9f32b624b4a1ae8b140c49f08447fcc74f442', bestBid: 730_000n, bestAsk: 770_000n, spread: 40_000n, venueAt: 1766789469958 }] },
    'ws_market_book_msg.json': { events: [{ type: 'book', at: NOW, tokenId: TOKEN, bids: [[500_000n, 200_000_000n], [490_000n, 350_000_000n]], asks: [[510_000n, 150_000_000n], [520_000n, 250_000_000n]], venueAt: 1703875200000 }], infos: [] },
    'ws_market_last_trade_msg.json': { events: [], infos: [{ kind: 'last_trade_price', at: NOW, tokenId: TOKEN, marketId: '0xdd22472e552920b8438158ea7238bfadfa4f736aa4cee91a6b86c39ead110917', price: 510_000n, size: 25_000_000n, side: 'BUY', feeRateBps: '0', venueAt: 1703875202000 }] },
    'ws_market_price_change_msg.json': { events: [{ type: 'book_delta', at: NOW, tokenId: TOKEN, changes: [{ side: 'BUY', price: 510_000n, size: 150_000_000n }], venueAt: 1703875201000 }], infos: [] },
    'ws_market_tick_size_msg.json': { events: [{ type: 'book_delta', at: NOW, tokenId: TOKEN, changes: [], tickSize: 10_000n, venueAt: 1703875210000 }], infos: [] },
  };

  it('has an expectation for every ws_market fixture on disk', () => {
    expect(fixtureNames('ws_market_')).toEqual(Object.keys(expected).sort());
  });

  it.each(fixtureNames('ws_market_'))('%s parses to the expected values with no problem', (name) => {
    const r = parseMarketFrame(fixtureText(name), NOW);
    expect(r.problems).toEqual([]);
    expect({ events: r.events, infos: r.infos }).toEqual(expected[name]);
  });

  it('parses all of them in one array frame, in order', () => {
    const names = fixtureNames('ws_market_');
    const r = parseMarketFrame(`[${names.map(fixtureText).join(',')}]`, NOW);
    expect(r.problems).toEqual([]);
    expect(r.events).toEqual(names.flatMap((n) => expected[n]!.events));
    expect(r.infos).toEqual(names.flatMap((n) => expected[n]!.infos));
  });

  it('parses the REST GET /book answer (clob_book_response.json) with the same snapshot parser, levels re-sorted', () => {
    const b = parseBookSnapshot(fixture('clob_book_response.json'), NOW, 'GET /book');
    expect(b).toEqual({
      type: 'book', at: NOW, tokenId: '12345678901234567890',
      bids: [[500_000n, 150_000_000n], [490_000n, 200_000_000n], [480_000n, 100_000_000n]],
      asks: [[510_000n, 120_000_000n], [520_000n, 180_000_000n], [530_000n, 90_000_000n]],
    });
  });
});

describe('book snapshots', () => {
  const book = (over: Record<string, unknown>) => JSON.stringify({ ...fixture('ws_market_book_msg.json'), ...over });
  it('sorts levels itself, drops zero sizes, keeps the last size of a repeated price and the tick size', () => {
    const r = parseMarketFrame(book({
      bids: [{ price: '0.30', size: '1' }, { price: '0.45', size: '2' }, { price: '0.40', size: '0' }, { price: '0.30', size: '5' }],
      asks: [{ price: '0.9', size: '1' }, { price: '0.55', size: '3.5' }],
      tick_size: '0.001',
    }), NOW);
    const e = r.events[0] as BookUpdated;
    expect(e.bids).toEqual([[450_000n, 2_000_000n], [300_000n, 5_000_000n]]);
    expect(e.asks).toEqual([[550_000n, 3_500_000n], [900_000n, 1_000_000n]]);
    expect(e.tickSize).toBe(1_000n);
  });

  it('an empty book is a valid snapshot', () => {
    expect(parseMarketFrame(book({ bids: [], asks: [] }), NOW).events).toMatchObject([{ bids: [], asks: [] }]);
  });

  it.each([
    { description: 'price above 1', over: { bids: [{ price: '1.5', size: '1' }] }, where: 'market frame.bids[0].price' },
    { description: 'negative size', over: { asks: [{ price: '0.5', size: '-1' }] }, where: 'market frame.asks[0].size' },
    { description: 'level not an object', over: { asks: ['0.5'] }, where: 'market frame.asks[0]' },
    { description: 'bids not an array', over: { bids: {} }, where: 'market frame.bids' },
    { description: 'missing asset id', over: { asset_id: undefined }, where: 'market frame.asset_id' },
  ])('rejects a snapshot with $description, naming $where', ({ over, where }) => {
    const r = parseMarketFrame(book(over), NOW);
    expect(r.events).toEqual([]);
    expect(r.problems).toMatchObject([{ code: 'INVALID_FIELD', where, eventType: 'book', dropped: true }]);
  });
});

describe('price changes', () => {
  it('one message with both tokens gives one delta per token, changes in order', () => {
    const msg = { event_type: 'price_change', market: '0xm', timestamp: '1703875201000', price_changes: [
      { asset_id: TOKEN, price: '0.51', side: 'BUY', size: '150', hash: 'h1', best_bid: '0.51', best_ask: '0.52' },
      { asset_id: OTHER_TOKEN, price: '0.49', side: 'SELL', size: '150', hash: 'h2', best_bid: '0.48', best_ask: '0.49' },
      { asset_id: TOKEN, price: '0.50', side: 'BUY', size: '0', hash: 'h3' },
    ] };
    const r = parseMarketFrame(JSON.stringify(msg), NOW);
    expect(r.problems).toEqual([]);
    expect(r.events).toEqual([
      { type: 'book_delta', at: NOW, tokenId: TOKEN, venueAt: 1703875201000, changes: [{ side: 'BUY', price: 510_000n, size: 150_000_000n }, { side: 'BUY', price: 500_000n, size: 0n }] },
      { type: 'book_delta', at: NOW, tokenId: OTHER_TOKEN, venueAt: 1703875201000, changes: [{ side: 'SELL', price: 490_000n, size: 150_000_000n }] },
    ]);
  });

  it('keeps the venue best bid/ask of each token (its last entry) to check the kept book against', () => {
    const r = parseMarketFrame(fixtureText('ws_market_price_change_msg.json'), NOW);
    expect(r.bestQuotes).toEqual([{ tokenId: TOKEN, bestBid: 510_000n, bestAsk: 520_000n }]);
    const two = parseMarketFrame(JSON.stringify({ event_type: 'price_change', price_changes: [
      { asset_id: TOKEN, price: '0.4', side: 'BUY', size: '1', best_bid: '0.4', best_ask: '0.6' },
      { asset_id: OTHER_TOKEN, price: '0.6', side: 'SELL', size: '1' },
      { asset_id: TOKEN, price: '0.41', side: 'BUY', size: '1', best_bid: '0.41', best_ask: '0.6' },
    ] }), NOW);
    expect(two.bestQuotes).toEqual([{ tokenId: TOKEN, bestBid: 410_000n, bestAsk: 600_000n }]);
  });

  it('the legacy {asset_id, changes[]} form gives one delta', () => {
    const r = parseMarketFrame(JSON.stringify({ event_type: 'price_change', asset_id: TOKEN, hash: 'h', timestamp: '1', changes: [{ price: '0.4', side: 'sell', size: '12.5' }] }), NOW);
    expect(r.events as BookDeltaReceived[]).toEqual([{ type: 'book_delta', at: NOW, tokenId: TOKEN, venueAt: 1000, changes: [{ side: 'SELL', price: 400_000n, size: 12_500_000n }] }]);
  });

  it('one bad change drops the whole message (half a delta would corrupt the book)', () => {
    const r = parseMarketFrame(JSON.stringify({ event_type: 'price_change', price_changes: [{ asset_id: TOKEN, price: '0.5', side: 'BUY', size: '1' }, { asset_id: TOKEN, price: '0.5', side: 'HOLD', size: '1' }] }), NOW);
    expect(r.events).toEqual([]);
    expect(r.problems).toMatchObject([{ where: 'market frame.price_changes[1].side', eventType: 'price_change' }]);
  });

  it('a price_change with neither form is a problem', () => {
    const r = parseMarketFrame('{"event_type":"price_change"}', NOW);
    expect(r.problems).toMatchObject([{ code: 'INVALID_FIELD', where: 'market frame.price_changes' }]);
  });
});

describe('other market messages', () => {
  it('market_resolved keeps the winner', () => {
    const r = parseMarketFrame(JSON.stringify({ event_type: 'market_resolved', market: '0xc', winning_asset_id: TOKEN, winning_outcome: 'Yes', timestamp: '1766789469958' }), NOW);
    expect(r.infos).toEqual([{ kind: 'market_resolved', at: NOW, marketId: '0xc', winningTokenId: TOKEN, winningOutcome: 'Yes', venueAt: 1766789469958 }]);
  });

  it('a zero tick size is rejected', () => {
    const r = parseMarketFrame(JSON.stringify({ ...fixture('ws_market_tick_size_msg.json'), new_tick_size: '0' }), NOW);
    expect(r.problems).toMatchObject([{ where: 'market frame.new_tick_size' }]);
  });

  it('a bad timestamp keeps the event without venueAt and reports a kept-event problem', () => {
    const r = parseMarketFrame(JSON.stringify({ ...fixture('ws_market_book_msg.json'), timestamp: 'soon' }), NOW);
    expect(r.events).toHaveLength(1);
    expect(r.events[0]!.venueAt).toBeUndefined();
    expect(r.problems).toMatchObject([{ where: 'market frame.timestamp', dropped: false }]);
  });

  it.each([['PONG', 'TEXT_FRAME'], ['{"event_type":"mystery"}', 'UNKNOWN_EVENT'], ['{}', 'UNKNOWN_EVENT'], ['"x"', 'TEXT_FRAME'], ['{"a":1', 'NOT_JSON']])('%j → %s', (raw, code) => {
    const r = parseMarketFrame(raw, NOW);
    expect(r.events).toEqual([]);
    expect(r.problems.map((p) => p.code)).toEqual([code]);
  });
});
