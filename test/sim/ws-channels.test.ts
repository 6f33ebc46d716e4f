import { OrderType, Side } from '@polymarket/clob-client-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Simulator } from '../../sim/simulator.ts';
import { fixture } from '../venue/polymarket/feeds/fixtures.ts';
import { simTrader, wsProbe, type Trader, type WsProbe } from './support.ts';


/** Every field of the fixture is present with the same JSON type (a null in the fixture matches anything). */
function expectShape(actual: Record<string, unknown>, fx: Record<string, unknown>, where: string): void {
  for (const [k, v] of Object.entries(fx)) {
    expect(actual, `${where}: field ${k}`).toHaveProperty(k);
    if (v === null) continue;
    const kind = (x: unknown) => (Array.isArray(x) ? 'array' : x === null ? 'null' : typeof x);
    expect(kind(actual[k]), `${where}: type of ${k}`).toBe(kind(v));
    if (Array.isArray(v) && typeof v[0] === 'object' && Array.isArray(actual[k]) && (actual[k] as unknown[]).length > 0) {
      expectShape((actual[k] as Record<string, unknown>[])[0]!, v[0] as Record<string, unknown>, `${where}.${k}[0]`);
    }
  }
}

let sim: Simulator;
let alice: Trader;
let bob: Trader;
const probes: WsProbe[] = [];
beforeAll(async () => {
  sim = await Simulator.start({
    settlement: 'memory',
    config: { flow: { enabled: false }, ws: { arrayFrameRate: 0.5 }, lifecycle: { minedDelayMs: 50, confirmedDelayMs: 50, failRate: 0, retryRate: 0 } },
  });
  alice = await simTrader(sim, 0);
  bob = await simTrader(sim, 1);
});
afterAll(async () => {
  for (const p of probes) p.close();
  await sim?.stop();
});

async function probe(url: string): Promise<WsProbe> {
  const p = await wsProbe(url);
  probes.push(p);
  return p;
}

describe('simulator websocket channels', () => {
  it('closes a socket that sends PING before subscribing, with 1008', async () => {
    const p = await probe(sim.info.userWsUrl);
    p.send('PING');
    expect(await p.closed()).toEqual({ code: 1008, reason: 'invalid subscription payload' });
  });

  it('refuses a user subscription with a wrong secret', async () => {
    const p = await probe(sim.info.userWsUrl);
    p.send({ auth: { apiKey: alice.creds.key, secret: 'wrong', passphrase: alice.creds.passphrase }, type: 'user', markets: [] });
    expect((await p.closed()).code).toBe(1008);
  });

  it('sends book snapshots, price changes, last trades, and our orders and trades in the real shapes', async () => {
    const m = sim.info.markets[0]!;
    const [yes, no] = m.tokens;
    const market = await probe(sim.info.marketWsUrl);
    market.send({ assets_ids: [yes, no], type: 'market', initial_dump: true, level: 2, custom_feature_enabled: true });
    const book = await market.waitFor((e) => e.event_type === 'book' && e.asset_id === no);
    expectShape(book, fixture('ws_market_book_msg.json'), 'book');
    market.send('PING');
    await market.waitText('PONG');

    const aUser = await probe(sim.info.userWsUrl);
    aUser.send({ auth: { apiKey: alice.creds.key, secret: alice.creds.secret, passphrase: alice.creds.passphrase }, type: 'user', markets: [m.conditionId] });
    const bUser = await probe(sim.info.userWsUrl);
    bUser.send({ auth: { apiKey: bob.creds.key, secret: bob.creds.secret, passphrase: bob.creds.passphrase }, type: 'user' });
    aUser.send('PING');
    await aUser.waitText('PONG');
    bUser.send('PING');
    await bUser.waitText('PONG');

    const placed = await alice.client.postOrder(await alice.client.createOrder({ tokenID: yes, price: 0.42, size: 30, side: Side.BUY }), OrderType.GTC);
    const placement = await aUser.waitFor((e) => e.event_type === 'order' && e.type === 'PLACEMENT');
    expectShape(placement, fixture('ws_user_order_placement.json'), 'order PLACEMENT');
    expect(placement).toMatchObject({ id: placed.orderID, status: 'LIVE', price: '0.42', original_size: '30', size_matched: '0', side: 'BUY', asset_id: yes });
    const change = await market.waitFor((e) => e.event_type === 'price_change');
    expectShape(change, fixture('ws_market_price_change_msg.json'), 'price_change');
    const changes = change.price_changes as { asset_id: string; price: string; side: string; size: string }[];
    // One message carries both tokens: the NO book mirrors the YES bid as an ask.
    expect(changes).toEqual(expect.arrayContaining([
      expect.objectContaining({ asset_id: yes, price: '0.42', side: 'BUY', size: '30' }),
      expect.objectContaining({ asset_id: no, price: '0.58', side: 'SELL', size: '30' }),
    ]));
    expectShape(await market.waitFor((e) => e.event_type === 'best_bid_ask'), fixture('ws_market_best_bid_ask_msg.json'), 'best_bid_ask');

    // Bob buys NO at 0.58: a mint against Alice's YES bid (complement match); Bob is the taker.
    const hit = await bob.client.postOrder(await bob.client.createOrder({ tokenID: no, price: 0.58, size: 10, side: Side.BUY }), OrderType.GTC);
    expect(hit.status).toBe('matched');
    const makerTrade = await aUser.waitFor((e) => e.event_type === 'trade' && e.status === 'MATCHED');
    expectShape(makerTrade, fixture('ws_user_trade.json'), 'trade (maker)');
    expect(makerTrade).toMatchObject({ trader_side: 'MAKER', asset_id: no, side: 'BUY', size: '10', transaction_hash: '', taker_order_id: hit.orderID });
    expect(makerTrade.maker_orders).toEqual([expect.objectContaining({ order_id: placed.orderID, matched_amount: '10', price: '0.42', asset_id: yes, side: 'BUY', owner: alice.creds.key })]);
    const takerTrade = await bUser.waitFor((e) => e.event_type === 'trade' && e.status === 'MATCHED');
    expect(takerTrade).toMatchObject({ trader_side: 'TAKER', id: makerTrade.id, price: '0.58' });
    const update = await aUser.waitFor((e) => e.event_type === 'order' && e.type === 'UPDATE');
    expectShape(update, fixture('ws_user_order_update.json'), 'order UPDATE');
    expect(update).toMatchObject({ size_matched: '10', status: 'LIVE', associate_trades: [makerTrade.id] });
    expectShape(await market.waitFor((e) => e.event_type === 'last_trade_price'), fixture('ws_market_last_trade_msg.json'), 'last_trade_price');

    // The same trade is re-sent on each status change.
    await aUser.waitFor((e) => e.event_type === 'trade' && e.id === makerTrade.id && e.status === 'CONFIRMED');
    const statuses = aUser.events.filter((e) => e.event_type === 'trade' && e.id === makerTrade.id).map((e) => e.status);
    expect(statuses).toEqual(['MATCHED', 'MINED', 'CONFIRMED']);
    const mined = aUser.events.find((e) => e.event_type === 'trade' && e.status === 'MINED')!;
    expect(mined.transaction_hash).toMatch(/^0x[0-9a-f]{64}$/);

    await alice.client.cancelOrder({ orderID: placed.orderID });
    const cancel = await aUser.waitFor((e) => e.event_type === 'order' && e.type === 'CANCELLATION');
    expectShape(cancel, fixture('ws_user_order_cancellation.json'), 'order CANCELLATION');
    expect(cancel).toMatchObject({ status: 'CANCELED', size_matched: '10' });
    // Bob's channel never saw Alice's orders.
    expect(bUser.events.filter((e) => e.event_type === 'order' && e.id === placed.orderID)).toEqual([]);
    expect(aUser.arrayFrames + bUser.arrayFrames + market.arrayFrames).toBeGreaterThan(0);
  });

  it('sends the book of assets added by a dynamic subscribe', async () => {
    const [yes2] = sim.info.markets[1]!.tokens;
    const [yes] = sim.info.markets[0]!.tokens;
    const p = await probe(sim.info.marketWsUrl);
    p.send({ assets_ids: [yes], type: 'market' });
    await p.waitFor((e) => e.event_type === 'book' && e.asset_id === yes);
    p.send({ operation: 'subscribe', assets_ids: [yes2] });
    await p.waitFor((e) => e.event_type === 'book' && e.asset_id === yes2);
    p.send({ operation: 'subscribe', assets_ids: [yes2] });
    await p.waitText('NO NEW ASSETS');
  });
});
