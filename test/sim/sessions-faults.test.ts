import { OrderType, Side } from '@polymarket/clob-client-v2';
import { afterEach, describe, expect, it } from 'vitest';
import type { SimConfigInput } from '../../sim/config.ts';
import { Simulator } from '../../sim/simulator.ts';
import { l2Fetch, simTrader, wsProbe, type WsProbe } from './support.ts';
import { waitUntil } from '../support/wait.ts';

const sims: Simulator[] = [];
const probes: WsProbe[] = [];
afterEach(async () => {
  for (const p of probes.splice(0)) p.close();
  await Promise.all(sims.splice(0).map((s) => s.stop()));
});

async function start(config: SimConfigInput = {}, now?: () => number): Promise<Simulator> {
  const sim = await Simulator.start({
    settlement: 'memory',
    ...(now && { now }),
    config: { flow: { enabled: false }, lifecycle: { minedDelayMs: 20, confirmedDelayMs: 20, failRate: 0, retryRate: 0 }, ...config },
  });
  sims.push(sim);
  return sim;
}

const control = (sim: Simulator, path: string, body?: unknown) =>
  fetch(`${sim.info.controlUrl}/${path}`, { method: body === undefined ? 'GET' : 'POST', ...(body !== undefined && { body: JSON.stringify(body) }) });
/**
 * The exchange's clock as the test's: it stands still and moves only when the test says, so a
 * stalled machine cannot push a request past a window or a heartbeat past its timeout (signed
 * requests' timestamps stay well inside the 30 s clock skew the exchange allows).
 */
function testClock(): { now: () => number; advance: (ms: number) => void } {
  let nowMs = Date.now();
  return { now: () => nowMs, advance: (ms) => void (nowMs += ms) };
}

describe('simulator sessions and faults', () => {
  it('cancels a key’s orders when its heartbeats stop, and refuses a heartbeat id out of the chain', async () => {
    // On the test's clock: the exchange's sweep (every 250 ms of real time) reads it. Bob is the
    // witness: his switch fires at the same moments, so his order being cancelled proves a sweep ran
    // at the time Alice's would have fired had her heartbeats not counted.
    const { now, advance } = testClock();
    const sim = await start({ heartbeat: { timeoutMs: 400 } }, now);
    const alice = await simTrader(sim, 0);
    const bob = await simTrader(sim, 1);
    const [yes] = sim.info.markets[0]!.tokens;
    const status = (id: string) => sim.engine.order(id)!.status;
    const cancelled = (what: string, id: string) => waitUntil(what, () => status(id) === 'CANCELED', { timeoutMs: 20_000 });

    const o = await alice.client.postOrder(await alice.client.createOrder({ tokenID: yes, price: 0.3, size: 10, side: Side.BUY }), OrderType.GTC);
    const b1 = await bob.client.postOrder(await bob.client.createOrder({ tokenID: yes, price: 0.29, size: 10, side: Side.BUY }), OrderType.GTC);
    await bob.client.postHeartbeat();
    advance(700);
    await cancelled('bob’s order cancelled 700 ms after his only heartbeat', b1.orderID);
    // No heartbeat from Alice yet: her switch is not armed.
    expect(status(o.orderID)).toBe('LIVE');

    const hb = await alice.client.postHeartbeat();
    const wrong = await l2Fetch(sim, alice, 'POST', '/v1/heartbeats', { heartbeat_id: 'not-the-last-one' });
    expect(wrong).toMatchObject({ status: 400, body: { error: 'Invalid Heartbeat ID', heartbeat_id: hb.heartbeat_id } });
    const b2 = await bob.client.postOrder(await bob.client.createOrder({ tokenID: yes, price: 0.28, size: 10, side: Side.BUY }), OrderType.GTC);
    await bob.client.postHeartbeat(); // Bob's chain starts again at the moment Alice's does
    advance(250);
    await alice.client.postHeartbeat(hb.heartbeat_id);
    advance(250);
    // 500 ms after both first heartbeats (timeout 400): Bob's switch fires, Alice's second heartbeat keeps hers off.
    await cancelled('bob’s order cancelled 500 ms after his heartbeat', b2.orderID);
    expect(status(o.orderID)).toBe('LIVE');
    // 600 ms more without a heartbeat: Alice's orders go too.
    advance(600);
    await cancelled('alice’s order cancelled once her heartbeats stopped', o.orderID);
  });

  it('answers 425 during a matching-engine restart, then accepts only post-only orders and cancels', async () => {
    const { now, advance } = testClock();
    const sim = await start({}, now);
    const alice = await simTrader(sim, 0);
    const [yes] = sim.info.markets[0]!.tokens;
    const resting = await alice.client.postOrder(await alice.client.createOrder({ tokenID: yes, price: 0.3, size: 10, side: Side.BUY }), OrderType.GTC);
    expect((await control(sim, 'restart', { unavailableMs: 400, postOnlyMs: 600 })).status).toBe(200);
    const down = await alice.client.postOrder(await alice.client.createOrder({ tokenID: yes, price: 0.31, size: 10, side: Side.BUY }), OrderType.GTC);
    expect(down).toMatchObject({ status: 425 });
    expect((await alice.client.getOpenOrders()).length).toBe(1);
    advance(450);
    const plain = await alice.client.postOrder(await alice.client.createOrder({ tokenID: yes, price: 0.32, size: 10, side: Side.BUY }), OrderType.GTC);
    expect(plain).toMatchObject({ success: false, errorMsg: 'MARKET_NOT_READY' });
    const po = await alice.client.postOrder(await alice.client.createOrder({ tokenID: yes, price: 0.33, size: 10, side: Side.BUY }), OrderType.GTC, true);
    expect(po).toMatchObject({ success: true });
    expect(await alice.client.cancelOrder({ orderID: resting.orderID })).toMatchObject({ canceled: [resting.orderID] });
    advance(650);
    expect(await alice.client.postOrder(await alice.client.createOrder({ tokenID: yes, price: 0.34, size: 10, side: Side.BUY }), OrderType.GTC)).toMatchObject({ success: true });
  });

  it('serves positions that lag the settled balances by the configured time', async () => {
    const { now, advance } = testClock();
    const sim = await start({ positions: { lagMs: 600 } }, now);
    const alice = await simTrader(sim, 0);
    const bob = await simTrader(sim, 1);
    const [yes] = sim.info.markets[0]!.tokens;
    const rows = async () => (await (await fetch(`${sim.info.dataApiUrl}/positions?user=${alice.address}&sizeThreshold=0&limit=500`)).json()) as { asset: string; size: number; conditionId: string }[];
    const before = (await rows()).find((r) => r.asset === yes)!;
    expect(before).toMatchObject({ size: 1000, conditionId: sim.info.markets[0]!.conditionId });
    await alice.client.postOrder(await alice.client.createOrder({ tokenID: yes, price: 0.5, size: 10, side: Side.BUY }), OrderType.GTC);
    await bob.client.postOrder(await bob.client.createOrder({ tokenID: yes, price: 0.5, size: 10, side: Side.SELL }), OrderType.GTC, false, true);
    // Settled (mined 20 ms after the match on this clock) once the lifecycle's next tick sees the time.
    advance(150);
    await waitUntil('the trade settled into the balances', () => sim.engine.balances.get(alice.address, yes) === 1_010_000_000n);
    expect((await rows()).find((r) => r.asset === yes)!.size).toBe(1000);
    advance(700); // 850 ms after the match: more than the lag after the settlement
    expect((await rows()).find((r) => r.asset === yes)!.size).toBe(1010);
  });

  it('injects 429 with Retry-After and 5xx from the fault plan, and never faults the control endpoint', async () => {
    const sim = await start();
    expect((await control(sim, 'faults', { rest: { rate429: 1, retryAfterSeconds: 7 } })).status).toBe(200);
    const r = await fetch(`${sim.info.clobUrl}/version`);
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('7');
    await control(sim, 'faults', { rest: { error5xxRate: 1 } });
    expect([500, 502, 503]).toContain((await fetch(`${sim.info.clobUrl}/time`)).status);
    await control(sim, 'faults', {});
    expect((await fetch(`${sim.info.clobUrl}/version`)).status).toBe(200);
    expect((await control(sim, 'faults', { rest: { rate429: 2 } })).status).toBe(400);
  });

  it('books an order and then loses the answer; the order is found by its hash', async () => {
    const sim = await start();
    const alice = await simTrader(sim, 0);
    const [yes] = sim.info.markets[0]!.tokens;
    await control(sim, 'faults', { rest: { lostResponseRate: 1 } });
    const order = await alice.client.createOrder({ tokenID: yes, price: 0.3, size: 10, side: Side.BUY });
    const lost = await alice.client.postOrder(order, OrderType.GTC);
    expect(lost).toMatchObject({ error: expect.stringMatching(/socket hang up|ECONNRESET|aborted/i) });
    await control(sim, 'faults', {});
    const open = await alice.client.getOpenOrders();
    expect(open).toHaveLength(1);
    expect(await alice.client.getOrder(open[0]!.id)).toMatchObject({ status: 'LIVE', price: '0.3' });
  });

  it('duplicates and drops websocket messages as the plan says', async () => {
    const sim = await start({ ws: { arrayFrameRate: 0 } });
    const alice = await simTrader(sim, 0);
    const [yes] = sim.info.markets[0]!.tokens;
    const feed = await wsProbe(sim.info.userWsUrl);
    probes.push(feed);
    feed.send({ auth: { apiKey: alice.creds.key, secret: alice.creds.secret, passphrase: alice.creds.passphrase }, type: 'user' });
    feed.send('PING');
    await feed.waitText('PONG');
    await control(sim, 'faults', { ws: { duplicateRate: 1 } });
    const o = await alice.client.postOrder(await alice.client.createOrder({ tokenID: yes, price: 0.3, size: 10, side: Side.BUY }), OrderType.GTC);
    const placements = () => feed.events.filter((e) => e.type === 'PLACEMENT');
    await waitUntil('the placement and its duplicate', () => placements().length >= 2);
    expect(placements()).toHaveLength(2);
    await control(sim, 'faults', { ws: { dropRate: 1 } });
    await alice.client.cancelOrder({ orderID: o.orderID });
    // A witness sent after the faults are cleared: the feed is ordered, so a cancellation that was
    // sent (not dropped) would have arrived before it.
    await control(sim, 'faults', {});
    const w = await alice.client.postOrder(await alice.client.createOrder({ tokenID: yes, price: 0.31, size: 10, side: Side.BUY }), OrderType.GTC);
    await feed.waitFor((e) => e.type === 'PLACEMENT' && e.id === w.orderID, 20_000);
    expect(feed.events.filter((e) => e.type === 'CANCELLATION')).toHaveLength(0);
  });

  it('cancels a GTD order a little before its expiration and reports it on the user channel', async () => {
    const { now, advance } = testClock();
    const sim = await start({ gtd: { minLifetimeSeconds: 1, earlySeconds: 1 } }, now);
    const alice = await simTrader(sim, 0);
    const [yes] = sim.info.markets[0]!.tokens;
    const feed = await wsProbe(sim.info.userWsUrl);
    probes.push(feed);
    feed.send({ auth: { apiKey: alice.creds.key, secret: alice.creds.secret, passphrase: alice.creds.passphrase }, type: 'user' });
    const expiration = Math.floor(now() / 1000) + 3;
    const o = await alice.client.postOrder(await alice.client.createOrder({ tokenID: yes, price: 0.3, size: 10, side: Side.BUY, expiration }), OrderType.GTD);
    expect(o).toMatchObject({ success: true });
    // Half a second before it expires (inside the 1 s early window): the exchange cancels it.
    advance(expiration * 1000 - 500 - now());
    const c = await feed.waitFor((e) => e.type === 'CANCELLATION', 20_000);
    expect(c).toMatchObject({ id: o.orderID, order_type: 'GTD', expiration: String(expiration) });
    expect(now()).toBeLessThan(expiration * 1000);
  });
});
