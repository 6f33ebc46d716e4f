import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../../../core/clock.ts';
import type { InboundEvent } from '../../../../core/events.ts';
import { createMemoryLogger } from '../../../../core/logger.ts';
import type { MarketInfo } from '../../../../plugins/venue/polymarket/feeds/market-channel.ts';
import { MarketFeed } from '../../../../plugins/venue/polymarket/feeds/market-feed.ts';
import { seededRandom } from '../../../../plugins/venue/polymarket/feeds/backoff.ts';
import { fixtureText, TOKEN } from './fixtures.ts';
import { startLoopbackWs, waitFor, type LoopbackWs } from './ws-server.ts';

// A generous heartbeat timeout: a loaded machine must not fake a silent server.
const TIMING = { pingIntervalMs: 40, heartbeatTimeoutMs: 2000, connectTimeoutMs: 1000, backoff: { initialMs: 30, maxMs: 200, factor: 2, jitter: 0.5 } };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(assetIds: string[], max = 500, timing = TIMING) {
  const server = await startLoopbackWs();
  const events: InboundEvent[] = [];
  const infos: MarketInfo[] = [];
  const quotes: unknown[] = [];
  const feed = new MarketFeed({
    url: server.url, sink: (e) => events.push(e), clock: new SystemClock(), logger: createMemoryLogger().logger, assetIds,
    maxAssetsPerConnection: max, onInfo: (i) => infos.push(i), onBestQuotes: (q) => quotes.push(...q), timing, random: seededRandom(3),
  });
  cleanups.push(() => server.close(), () => feed.stop());
  feed.start();
  return { server, feed, events, infos, quotes };
}
const subscribed = (server: LoopbackWs) => server.conns.filter((c) => c.frames.length > 0).map((c) => JSON.parse(c.frames[0]!) as { assets_ids: string[] });
const connections = (events: InboundEvent[]) => events.filter((e) => e.type === 'connection').map((e) => (e as { state: string }).state);

/** Silence detected fast, for the heartbeat-timeout tests. */
const QUICK_TIMEOUT = { ...TIMING, heartbeatTimeoutMs: 300 };

describe('MarketFeed against a loopback websocket server', () => {
  it('subscribes with the market shape first, then PINGs; book and delta frames become events, infos go to onInfo', async () => {
    const { server, feed, events, infos, quotes } = await setup([TOKEN]);
    await waitFor(() => server.conns[0]?.frames.length === 1, 'the subscription');
    expect(JSON.parse(server.conns[0]!.frames[0]!)).toEqual({ assets_ids: [TOKEN], type: 'market', initial_dump: true, level: 2, custom_feature_enabled: true });
    server.send(`[${fixtureText('ws_market_book_msg.json')},${fixtureText('ws_market_price_change_msg.json')}]`);
    server.send(fixtureText('ws_market_last_trade_msg.json'));
    server.send('PONG-ish nonsense');
    await waitFor(() => infos.length === 1 && feed.stats().problems === 1, 'the info and the problem');
    expect(events.filter((e) => e.type === 'book' || e.type === 'book_delta').map((e) => e.type)).toEqual(['book', 'book_delta']);
    expect(infos[0]).toMatchObject({ kind: 'last_trade_price', price: 510_000n });
    expect(quotes).toEqual([{ tokenId: TOKEN, bestBid: 510_000n, bestAsk: 520_000n }]);
    await waitFor(() => server.conns[0]!.frames.includes('PING'), 'a PING');
    expect(server.conns[0]!.closedWith).toBeUndefined();
    expect(connections(events)).toEqual(['connected']);
  });

  it('spreads assets over connections of at most maxAssetsPerConnection, and reports connected once all are up', async () => {
    const ids = ['1', '2', '3', '4', '5'];
    const { server, feed, events } = await setup(ids, 2);
    await waitFor(() => subscribed(server).length === 3, 'three subscriptions');
    expect(subscribed(server).map((s) => s.assets_ids).sort()).toEqual([['1', '2'], ['3', '4'], ['5']]);
    await waitFor(() => connections(events).length === 1, 'connected');
    expect(connections(events)).toEqual(['connected']);
    // A new asset fills the connection with room; one more needs a new connection.
    feed.subscribe(['6', '7', '3']);
    await waitFor(() => server.conns.length === 4 && server.conns[3]!.frames.length > 0, 'a fourth connection');
    expect(feed.layout()).toEqual([['1', '2'], ['3', '4'], ['5', '6'], ['7']]);
    const third = server.conns.find((c) => JSON.parse(c.frames[0]!).assets_ids.includes('5'))!;
    await waitFor(() => third.frames.some((f) => f.includes('operation')), 'the dynamic subscribe');
    expect(JSON.parse(third.frames.find((f) => f.includes('operation'))!)).toEqual({ operation: 'subscribe', assets_ids: ['6'] });
    // Unsubscribing the last asset of a connection closes it; others get an unsubscribe message.
    feed.unsubscribe(['7', '1']);
    const first = server.conns.find((c) => JSON.parse(c.frames[0]!).assets_ids.includes('1'))!;
    await waitFor(() => first.frames.some((f) => f.includes('unsubscribe')), 'the unsubscribe');
    expect(JSON.parse(first.frames.find((f) => f.includes('unsubscribe'))!)).toEqual({ operation: 'unsubscribe', assets_ids: ['1'] });
    expect(feed.stats().connections).toBe(3);
    expect(connections(events)).toEqual(['connected']);
  });

  it('one dropped connection makes the channel disconnected until it is back, re-subscribed with its own assets', async () => {
    const { server, events } = await setup(['1', '2', '3'], 2);
    await waitFor(() => connections(events).length === 1 && subscribed(server).length === 2, 'connected and subscribed');
    const victim = server.conns.find((c) => JSON.parse(c.frames[0]!).assets_ids.includes('3'))!;
    victim.socket.terminate();
    await waitFor(() => connections(events).length === 3 && subscribed(server).length === 3, 'disconnected then connected');
    expect(connections(events)).toEqual(['connected', 'disconnected', 'connected']);
    expect(JSON.parse(server.conns[2]!.frames[0]!).assets_ids).toEqual(['3']);
  });

  it('a silent connection is a market gap', async () => {
    const { server, events } = await setup(['1'], 500, QUICK_TIMEOUT);
    await waitFor(() => connections(events).length === 1, 'connected');
    server.pong = false;
    await waitFor(() => events.some((e) => e.type === 'gap'), 'a gap');
    expect(events.find((e) => e.type === 'gap')).toMatchObject({ channel: 'market', reason: expect.stringContaining('heartbeat timeout') });
  });
});
