import { describe, expect, it } from 'vitest';
import { ClobError } from '../../../../plugins/venue/polymarket/clob/clob-http.ts';
import { CREDS, MARKET, NO, YES, client, fakeClob, intent, m } from './support.ts';
import { fixture } from '../feeds/fixtures.ts';
import { KEY } from './oracle.ts';

const order = (i: number, over: Record<string, unknown> = {}) => ({
  id: `0x${i.toString(16).padStart(64, '0')}`, status: 'LIVE', market: MARKET, asset_id: YES, side: 'SELL', original_size: '5', size_matched: '1.5', price: '0.61', ...over,
});

async function failure(p: Promise<unknown>): Promise<ClobError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ClobError);
  return err as ClobError;
}

describe('reads against a loopback CLOB', () => {
  it('follows /data/orders cursors from MA== to LTE=', async () => {
    const pages: Record<string, { data: unknown[]; next_cursor: string }> = {
      'MA==': { data: [order(1), order(2)], next_cursor: 'MQ==' },
      'MQ==': { data: [order(3)], next_cursor: 'Mg==' },
      'Mg==': { data: [order(4, { status: 'CANCELED_order expired' })], next_cursor: 'LTE=' },
    };
    const fake = await fakeClob((r) => (r.path === '/data/orders' ? { json: pages[r.query.get('next_cursor') ?? ''] ?? { data: [], next_cursor: 'LTE=' } } : undefined));
    const rows = await client(fake).openOrders({ marketId: MARKET });
    expect(fake.seen.filter((s) => s.path === '/data/orders').map((s) => [s.query.get('next_cursor'), s.query.get('market')])).toEqual([
      ['MA==', MARKET], ['MQ==', MARKET], ['Mg==', MARKET],
    ]);
    expect(rows.map((r) => r.orderId)).toEqual([1, 2, 3, 4].map((i) => order(i).id));
    expect(rows[0]).toMatchObject({ side: 'SELL', price: m('0.61'), originalSize: m('5'), sizeMatched: m('1.5'), status: 'LIVE', marketId: MARKET });
    expect(rows[3]).toMatchObject({ status: 'CANCELED', reason: 'order expired' });
  });

  it('refuses an answer that never reaches the end cursor', async () => {
    let n = 0;
    const fake = await fakeClob((r) => (r.path === '/data/orders' ? { json: { data: [order(1)], next_cursor: `c${n++}` } } : undefined));
    const err = await failure(client(fake, { maxPages: 3 }).openOrders());
    expect(err.code).toBe('VENUE_ANSWER_INCOMPLETE');
  });

  it('attributes /data/trades pages by market, several of our orders in one trade', async () => {
    const fake = await fakeClob((r) => {
      if (r.path !== '/data/trades') return undefined;
      const cursor = r.query.get('next_cursor');
      const trade = (id: string, makers: unknown[]) => ({ id, taker_order_id: '0x' + 'f'.repeat(64), market: MARKET, asset_id: YES, side: 'BUY', size: '30', price: '0.5', status: 'TRADE_STATUS_CONFIRMED', trader_side: 'MAKER', maker_orders: makers });
      const mk = (order_id: string, amount: string, asset = YES, price = '0.5') => ({ order_id, owner: 'someone', maker_address: '0x2', matched_amount: amount, price, asset_id: asset });
      if (cursor === 'MA==') return { json: { data: [trade('t1', [mk(ours[0]!, '10'), mk(ours[1]!, '5', NO, '0.5'), mk('0x' + 'e'.repeat(64), '15')])], next_cursor: 'MQ==' } };
      return { json: { data: [trade('t2', [mk(ours[2]!, '2')])], next_cursor: 'LTE=' } };
    });
    const c = client(fake);
    const ours = (await Promise.all([1, 2].map(() => c.prepare(intent())))).map((p) => p.orderId);
    ours.push('0x' + 'd'.repeat(64));
    c.setKnownOrderIds(() => [ours[2]!]);
    const fills = await c.recentTrades({ marketId: MARKET, afterMs: 1_764_000_000_999 });
    expect(fake.seen.filter((s) => s.path === '/data/trades').map((s) => [s.query.get('market'), s.query.get('after')])).toEqual([[MARKET, '1764000000'], [MARKET, '1764000000']]);
    expect(fills.map((f) => [f.tradeId, f.orderId, f.tokenId === YES ? 'YES' : 'NO', f.side, f.size, f.status])).toEqual([
      ['t1', ours[0], 'YES', 'SELL', m('10'), 'CONFIRMED'],
      ['t1', ours[1], 'NO', 'BUY', m('5'), 'CONFIRMED'],
      ['t2', ours[2], 'YES', 'SELL', m('2'), 'CONFIRMED'],
    ]);
  });

  it('remembers a bounded number of the order ids it signed: the newest are attributed, the oldest only when the engine knows them', async () => {
    let trades: unknown[] = [];
    const fake = await fakeClob((r) => (r.path === '/data/trades' ? { json: { data: trades, next_cursor: 'LTE=' } } : undefined));
    const c = client(fake, { ownOrderMemory: 40 });
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) ids.push((await c.prepare(intent())).orderId);
    const mk = (order_id: string) => ({ order_id, owner: 'someone', maker_address: '0x2', matched_amount: '1', price: '0.5', asset_id: YES });
    trades = [{ id: 't1', taker_order_id: '0x' + 'f'.repeat(64), market: MARKET, asset_id: YES, side: 'BUY', size: '4', price: '0.5', status: 'TRADE_STATUS_CONFIRMED', trader_side: 'MAKER', maker_orders: [ids[0], ids[59], ids[60], ids[99]].map((id) => mk(id!)) }];
    expect((await c.recentTrades({ marketId: MARKET })).map((f) => f.orderId)).toEqual([ids[60], ids[99]]);
    c.setKnownOrderIds(() => [ids[0]!]);
    expect((await c.recentTrades({ marketId: MARKET })).map((f) => f.orderId)).toEqual([ids[0], ids[60], ids[99]]);
  });

  it.each([
    ['a market without a tick size', '/clob-markets/' + MARKET, { t: [{ t: YES }, { t: NO }], nr: true }, /GET \/clob-markets\/0x.*malformed answer: .* at field mts/],
    ['an open order with a bad price', '/data/orders', { data: [order(1, { price: 'cheap' })], next_cursor: 'LTE=' }, /expected a decimal amount, got "cheap" at GET \/data\/orders \(cursor MA==\) data\.0\.price/],
    ['an open order without an id', '/data/orders', { data: [{ ...order(1), id: undefined }], next_cursor: 'LTE=' }, /malformed answer: .* at field data\.0\.id/],
    ['a tick size that is not JSON', '/tick-size', '<html>', /GET \/tick-size: expected JSON/],
  ])('names the endpoint and field of a malformed answer: %s', async (_d, path, body, msg) => {
    const fake = await fakeClob((r) => (r.path === path ? (typeof body === 'string' ? { raw: body } : { json: body }) : undefined));
    const c = client(fake);
    const call = path.startsWith('/clob-markets') ? c.getMarketInfo(MARKET) : path === '/data/orders' ? c.openOrders() : c.getTickSize(YES);
    await expect(call).rejects.toThrow(msg);
  });

  it('loads market info from /clob-markets and signs with its tick and neg-risk exchange', async () => {
    const fake = await fakeClob((r) =>
      r.path === `/clob-markets/${MARKET}`
        ? { json: { c: MARKET, t: [{ t: YES, o: 'Yes' }, { t: NO, o: 'No' }], mts: 0.001, nr: true, mos: 5, fd: { r: 0.02, e: 2 }, r: { mi: 50, ma: 3.5 } } }
        : undefined,
    );
    const c = client(fake);
    expect(await c.getMarketInfo(MARKET)).toEqual({
      marketId: MARKET, tokens: [YES, NO], tickSize: m('0.001'), minOrderSize: m('5'), negRisk: true,
      rewards: { maxSpread: m('0.035'), minSize: m('50') }, fees: { rate: 0.02, exponent: 2 },
    });
    const p = await c.prepare(intent({ price: m('0.4555') }));
    expect((p.payload as { signed: { negRisk: boolean; order: { makerAmount: string } } }).signed).toMatchObject({ negRisk: true, order: { makerAmount: '4560000' } });
    expect(fake.count('GET', '/tick-size')).toBe(0);
  });

  it('cancels by ids, by market and all, with the bodies the venue expects', async () => {
    const fake = await fakeClob((r) => {
      if (r.method !== 'DELETE') return undefined;
      if (r.path === '/order') return { json: { canceled: [JSON.parse(r.body).orderID], not_canceled: {} } };
      if (r.path === '/orders') return { json: { canceled: (JSON.parse(r.body) as string[]).slice(1), not_canceled: { [(JSON.parse(r.body) as string[])[0]!]: 'already canceled or matched' } } };
      if (r.path === '/cancel-market-orders') return { json: { canceled: ['0xa'], not_canceled: null } };
      if (r.path === '/cancel-all') return { json: { not_canceled: null } };
      return undefined;
    });
    const c = client(fake);
    expect(await c.cancel({ orderIds: ['0x1'] })).toEqual({ canceled: ['0x1'], notCanceled: {} });
    expect(await c.cancel({ orderIds: ['0x1', '0x2', '0x3'] })).toEqual({ canceled: ['0x2', '0x3'], notCanceled: { '0x1': 'already canceled or matched' } });
    expect(await c.cancel({ marketId: MARKET, tokenId: YES })).toEqual({ canceled: ['0xa'], notCanceled: {} });
    expect(await c.cancel({ all: true })).toEqual({ canceled: [], notCanceled: {} });
    const bodies = fake.seen.filter((s) => s.method === 'DELETE').map((s) => [s.path, s.body]);
    expect(bodies).toEqual([
      ['/order', '{"orderID":"0x1"}'], ['/orders', '["0x1","0x2","0x3"]'], ['/cancel-market-orders', JSON.stringify({ market: MARKET, asset_id: YES })], ['/cancel-all', ''],
    ]);
  });

  it('creates or derives an API key with L1 headers, and never shows the secret in errors', async () => {
    const fake = await fakeClob((r) => {
      if (r.path === '/auth/api-key') return { status: 400, json: { error: 'Could not create api key' } };
      if (r.path === '/auth/derive-api-key') return { json: { apiKey: CREDS.key, secret: CREDS.secret, passphrase: CREDS.passphrase } };
      if (r.path === '/balance-allowance') return { status: 500, json: { error: 'boom' } };
      return undefined;
    });
    const c = client(fake, { creds: undefined });
    await expect(c.balanceAllowance('COLLATERAL')).rejects.toThrow(/no API credentials/);
    expect(await c.createOrDeriveApiKey()).toEqual(CREDS);
    const derive = fake.seen.find((s) => s.path === '/auth/derive-api-key')!;
    expect(derive.headers['poly_address']).toBe(c.identity.eoa);
    expect(derive.headers['poly_nonce']).toBe('0');
    expect(derive.headers['poly_signature']).toMatch(/^0x[0-9a-f]{130}$/);
    const err = await failure(c.balanceAllowance('COLLATERAL'));
    expect(err.message).toBe('GET /balance-allowance: HTTP 500: boom');
    for (const s of [CREDS.secret, CREDS.passphrase, KEY.slice(2)]) expect(JSON.stringify({ m: err.message, e: err })).not.toContain(s);
  });

  it('reads the book exactly, sorted best first, from the recorded fixture shape', async () => {
    const recorded = fixture('clob_book_response.json');
    const fake = await fakeClob((r) => (r.path === '/book' ? { json: { ...recorded, tick_size: '0.01' } } : undefined));
    const book = await client(fake).getBook('12345678901234567890');
    expect(fake.seen[0]!.query.get('token_id')).toBe('12345678901234567890');
    expect(book).toMatchObject({ type: 'book', tokenId: '12345678901234567890', tickSize: m('0.01'), venueAt: 1_703_875_200_000 });
    expect(book.bids.map(([p]) => p)).toEqual([m('0.5'), m('0.49'), m('0.48')]);
    expect(book.asks[0]).toEqual([m('0.51'), m('120')]);
  });

  it('reads balances and allowances in base units', async () => {
    const fake = await fakeClob((r) => (r.path === '/balance-allowance' ? { json: { balance: '12500000', allowances: { '0xabc': '115792089237316195423570985008687907853269984665640564039457584007913129639935' } } } : undefined));
    const c = client(fake);
    const b = await c.balanceAllowance('CONDITIONAL', YES);
    expect(b.balance).toBe(12_500_000n);
    expect(b.allowances['0xabc']).toBe(2n ** 256n - 1n);
    const q = fake.seen[0]!.query;
    expect([q.get('asset_type'), q.get('token_id'), q.get('signature_type')]).toEqual(['CONDITIONAL', YES, '1']);
  });
});
