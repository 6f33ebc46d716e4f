import { OrderType, Side } from '@polymarket/clob-client-v2';
import { afterEach, describe, expect, it } from 'vitest';
import type { SimConfigInput } from '../../sim/config.ts';
import { Simulator } from '../../sim/simulator.ts';
import { simTrader, wsProbe, type Trader, type WsProbe } from './support.ts';

const sims: Simulator[] = [];
const probes: WsProbe[] = [];
afterEach(async () => {
  for (const p of probes.splice(0)) p.close();
  await Promise.all(sims.splice(0).map((s) => s.stop()));
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function start(config: SimConfigInput = {}) {
  const sim = await Simulator.start({ settlement: 'memory', config: { flow: { enabled: false }, ws: { arrayFrameRate: 0, ...config.ws }, lifecycle: { minedDelayMs: 30, confirmedDelayMs: 30, failRate: 0, retryRate: 0 }, ...config } });
  sims.push(sim);
  const alice = await simTrader(sim, 0);
  return { sim, alice };
}

async function userFeed(sim: Simulator, t: Trader): Promise<WsProbe> {
  const p = await wsProbe(sim.info.userWsUrl);
  probes.push(p);
  p.send({ auth: { apiKey: t.creds.key, secret: t.creds.secret, passphrase: t.creds.passphrase }, type: 'user' });
  p.send('PING');
  await p.waitText('PONG');
  return p;
}

const bid = async (sim: Simulator, t: Trader, price: number) =>
  t.client.postOrder(await t.client.createOrder({ tokenID: sim.info.markets[0]!.tokens[0], price, size: 10, side: Side.BUY }), OrderType.GTC);

describe('websocket faults and lifecycle', () => {
  it('closes an idle connection', async () => {
    const { sim } = await start({ ws: { idleTimeoutMs: 300 } });
    const p = await wsProbe(sim.info.marketWsUrl);
    probes.push(p);
    p.send({ assets_ids: [sim.info.markets[0]!.tokens[0]], type: 'market' });
    const closed = await Promise.race([p.closed(), sleep(3000).then(() => undefined)]);
    expect(closed).toMatchObject({ code: 1001 });
  });

  it('reorders held-back messages behind later ones', async () => {
    const { sim, alice } = await start();
    const feed = await userFeed(sim, alice);
    await fetch(`${sim.info.controlUrl}/faults`, { method: 'POST', body: JSON.stringify({ ws: { reorderRate: 1 } }) });
    const first = await bid(sim, alice, 0.2);
    await sleep(100);
    expect(feed.events.filter((e) => e.type === 'PLACEMENT')).toHaveLength(0);
    await fetch(`${sim.info.controlUrl}/faults`, { method: 'POST', body: JSON.stringify({}) });
    const second = await bid(sim, alice, 0.21);
    await feed.waitFor((e) => e.id === first.orderID);
    expect(feed.events.filter((e) => e.type === 'PLACEMENT').map((e) => e.id)).toEqual([second.orderID, first.orderID]);
  });

  it('drops every socket on a forced disconnect', async () => {
    const { sim, alice } = await start();
    const feed = await userFeed(sim, alice);
    const r = (await (await fetch(`${sim.info.controlUrl}/disconnect`, { method: 'POST' })).json()) as { closed: number };
    expect(r.closed).toBe(1);
    expect((await feed.closed()).code).toBe(1006);
  });

  it('prefixes trade statuses with TRADE_STATUS_ when configured', async () => {
    const { sim, alice } = await start({ ws: { tradeStatusPrefixRate: 1 } });
    const bob = await simTrader(sim, 1);
    const feed = await userFeed(sim, alice);
    await bid(sim, alice, 0.4);
    await bob.client.postOrder(await bob.client.createOrder({ tokenID: sim.info.markets[0]!.tokens[0], price: 0.4, size: 5, side: Side.SELL }), OrderType.GTC, false, true);
    await feed.waitFor((e) => e.event_type === 'trade' && e.status === 'TRADE_STATUS_CONFIRMED');
    expect(feed.events.filter((e) => e.event_type === 'trade').map((e) => e.status)).toEqual(['TRADE_STATUS_MATCHED', 'TRADE_STATUS_MINED', 'TRADE_STATUS_CONFIRMED']);
  });

  it('cancels a resolved market’s orders as CANCELED_MARKET_RESOLVED and announces it', async () => {
    const { sim, alice } = await start();
    const feed = await userFeed(sim, alice);
    const m = sim.info.markets[0]!;
    const market = await wsProbe(sim.info.marketWsUrl);
    probes.push(market);
    market.send({ assets_ids: [...m.tokens], type: 'market', custom_feature_enabled: true });
    await market.waitFor((e) => e.event_type === 'book');
    const o = await bid(sim, alice, 0.3);
    const res = await fetch(`${sim.info.controlUrl}/resolve`, { method: 'POST', body: JSON.stringify({ conditionId: m.conditionId, winner: 1 }) });
    expect(await res.json()).toEqual({ canceled: [o.orderID] });
    expect(await feed.waitFor((e) => e.type === 'CANCELLATION')).toMatchObject({ id: o.orderID, status: 'CANCELED_MARKET_RESOLVED' });
    expect(await market.waitFor((e) => e.event_type === 'market_resolved')).toMatchObject({ market: m.conditionId, winning_asset_id: m.tokens[1], winning_outcome: 'No' });
  });
});
