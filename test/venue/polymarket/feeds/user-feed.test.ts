import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../../../core/clock.ts';
import type { InboundEvent } from '../../../../core/events.ts';
import { createMemoryLogger } from '../../../../core/logger.ts';
import { backoffDelay, seededRandom } from '../../../../plugins/venue/polymarket/feeds/backoff.ts';
import { UserFeed } from '../../../../plugins/venue/polymarket/feeds/user-feed.ts';
import { fixtureText, ME, ORDER } from './fixtures.ts';
import { startLoopbackWs, waitFor, type LoopbackWs } from './ws-server.ts';

const CREDS = { apiKey: ME.apiKey, secret: 'c2VjcmV0LXNob3VsZC1uZXZlci1sZWFr', passphrase: 'pass-phrase-never-logged' };
// A generous heartbeat timeout: a loaded machine must not fake a silent server.
const TIMING = { pingIntervalMs: 40, heartbeatTimeoutMs: 2000, connectTimeoutMs: 1000, backoff: { initialMs: 30, maxMs: 200, factor: 2, jitter: 0.5 } };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(markets = ['0xcond1'], timing = TIMING) {
  const server = await startLoopbackWs();
  const events: InboundEvent[] = [];
  const mem = createMemoryLogger('debug');
  const feed = new UserFeed({
    url: server.url, sink: (e) => events.push(e), clock: new SystemClock(), logger: mem.logger, credentials: CREDS,
    funder: ME.funder, markets, ourOrderIds: (id) => id === ORDER, timing, random: seededRandom(7),
  });
  cleanups.push(() => server.close(), () => feed.stop());
  feed.start();
  await waitFor(() => server.conns.length === 1 && server.conns[0]!.frames.length >= 1, 'the subscription');
  return { server, feed, events, mem };
}

/** Silence detected fast, for the heartbeat-timeout tests. */
const QUICK_TIMEOUT = { ...TIMING, heartbeatTimeoutMs: 300 };

describe('UserFeed against a loopback websocket server', () => {
  it('sends the subscription as the first frame, then PINGs, and counts PONGs', async () => {
    const { server, feed, events } = await setup();
    const conn = server.conns[0]!;
    expect(JSON.parse(conn.frames[0]!)).toEqual({ auth: { apiKey: CREDS.apiKey, secret: CREDS.secret, passphrase: CREDS.passphrase }, type: 'user', markets: ['0xcond1'] });
    await waitFor(() => feed.stats().pongs >= 2, 'two PONGs');
    expect(conn.frames.slice(1).every((f) => f === 'PING')).toBe(true);
    expect(conn.closedWith).toBeUndefined();
    expect(events.filter((e) => e.type === 'connection')).toMatchObject([{ channel: 'user', state: 'connected' }]);
  });

  it('turns object and array frames into events stamped with our receive time and venue time', async () => {
    const { server, feed, events } = await setup();
    const before = Date.now();
    server.send(fixtureText('ws_user_trade.json'));
    server.send(`[${fixtureText('ws_user_order_placement.json')},${fixtureText('ws_user_order_matched.json')}]`);
    await waitFor(() => feed.stats().events === 3, 'three events');
    const [fill, placed, matched] = events.filter((e) => e.type === 'fill' || e.type === 'order');
    expect(fill).toMatchObject({ type: 'fill', tradeId: 'trade-0xabcdef1234', orderId: ORDER, size: 25_000_000n, venueAt: 1703875200000 });
    expect(fill!.at).toBeGreaterThanOrEqual(before);
    expect(placed).toMatchObject({ type: 'order', status: 'LIVE' });
    expect(matched).toMatchObject({ type: 'order', status: 'MATCHED', sizeMatched: 100_000_000n });
  });

  it('skips and counts malformed and plain-text frames, and keeps going', async () => {
    const { server, feed, events } = await setup();
    server.send('NO NEW ASSETS');
    server.send('{"event_type":"trade",');
    server.send('[{"event_type":"surprise"}]');
    server.send(fixtureText('ws_user_order_cancellation.json'));
    await waitFor(() => feed.stats().events === 1, 'the good frame');
    expect(feed.stats()).toMatchObject({ frames: 4, problems: 3, problemsByCode: { TEXT_FRAME: 1, NOT_JSON: 1, UNKNOWN_EVENT: 1 } });
    expect(events.filter((e) => e.type === 'order')).toMatchObject([{ status: 'CANCELED' }]);
  });

  it('reconnects with backoff after the server drops the socket, re-subscribing (with markets added since) first', async () => {
    const { server, feed, events } = await setup();
    feed.subscribe(['0xcond2']);
    await waitFor(() => server.conns[0]!.frames.some((f) => f.includes('"operation"')), 'the dynamic subscribe');
    expect(JSON.parse(server.conns[0]!.frames.find((f) => f.includes('"operation"'))!)).toEqual({ operation: 'subscribe', markets: ['0xcond2'] });
    server.dropAll();
    await waitFor(() => server.conns.length === 2 && server.conns[1]!.frames.length >= 1, 'a new socket subscribed');
    expect(JSON.parse(server.conns[1]!.frames[0]!)).toMatchObject({ type: 'user', markets: ['0xcond1', '0xcond2'], auth: { apiKey: CREDS.apiKey } });
    await waitFor(() => events.filter((e) => e.type === 'connection').length === 3, 'connected again');
    expect(events.filter((e) => e.type === 'connection').map((e) => (e as { state: string }).state)).toEqual(['connected', 'disconnected', 'connected']);
    expect(feed.stats().reconnects).toBe(1);
    // The delay was the seeded jittered backoff of a first attempt.
    expect(feed.stats().reconnectDelaysMs).toEqual([backoffDelay(0, TIMING.backoff, seededRandom(7))]);
  });

  it('backs off exponentially while the server is down, then resets once it answers', async () => {
    const { server, feed, events } = await setup();
    await server.close();
    await waitFor(() => feed.stats().reconnects >= 5, 'five failed attempts', 6000);
    // Jittered ±50% around 30, 60, 120, 200, 200 (capped), from the seeded source.
    const r = seededRandom(7);
    const want = [0, 1, 2, 3, 4].map((a) => backoffDelay(a, TIMING.backoff, r));
    expect(feed.stats().reconnectDelaysMs.slice(0, 5)).toEqual(want);
    expect(want[3]).toBeGreaterThan(want[0]!);
    expect(Math.max(...want)).toBeLessThanOrEqual(200);
    expect(events.filter((e) => e.type === 'connection').map((e) => (e as { state: string }).state)).toEqual(['connected', 'disconnected']);
  });

  it('reports a gap and reconnects when the server goes silent (no PONG, no message)', async () => {
    const { server, feed, events } = await setup(undefined, QUICK_TIMEOUT);
    server.pong = false;
    await waitFor(() => events.some((e) => e.type === 'gap'), 'a gap');
    expect(events.find((e) => e.type === 'gap')).toMatchObject({ type: 'gap', channel: 'user', reason: expect.stringContaining('heartbeat timeout') });
    server.pong = true;
    await waitFor(() => server.conns.length >= 2 && server.conns[1]!.frames.length >= 1, 'a new socket');
    expect(JSON.parse(server.conns[1]!.frames[0]!).type).toBe('user');
    expect(feed.stats().heartbeatTimeouts).toBe(1);
    const kinds = events.map((e) => (e.type === 'connection' ? e.state : e.type));
    expect(kinds.slice(0, 3)).toEqual(['connected', 'gap', 'disconnected']);
  });

  it('never writes the secret or the passphrase to a log line', async () => {
    const { server, feed, mem } = await setup();
    server.send('garbage including nothing secret');
    server.dropAll();
    await waitFor(() => server.conns.length === 2 && server.conns[1]!.frames.length >= 1, 'a reconnect');
    await feed.stop();
    const text = JSON.stringify(mem.lines());
    expect(mem.lines().length).toBeGreaterThan(2);
    expect(text).not.toContain(CREDS.secret);
    expect(text).not.toContain(CREDS.passphrase);
  });

  it('reports size_matched moving before its trade as gap evidence, still emitting the order', async () => {
    const { server, feed, events } = await setup();
    server.send(fixtureText('ws_user_order_update.json'));
    await waitFor(() => feed.stats().events === 1, 'the update');
    expect(feed.stats().sizeMatchedWithoutTrade).toBe(1);
    expect(events.filter((e) => e.type === 'order')).toHaveLength(1);
    // Once the trade was seen, the same movement is no evidence.
    server.send(fixtureText('ws_user_trade.json'));
    server.send(fixtureText('ws_user_order_update.json').replace('"25.0"', '"30.0"'));
    await waitFor(() => feed.stats().events === 3, 'trade and update');
    expect(feed.stats().sizeMatchedWithoutTrade).toBe(1);
  });
});
