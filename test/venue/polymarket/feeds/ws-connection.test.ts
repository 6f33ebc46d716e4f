import { createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../../../core/clock.ts';
import { createMemoryLogger } from '../../../../core/logger.ts';
import { seededRandom } from '../../../../plugins/venue/polymarket/feeds/backoff.ts';
import { WsConnection } from '../../../../plugins/venue/polymarket/feeds/ws-connection.ts';
import { startLoopbackWs, waitFor } from './ws-server.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function connection(url: string, subscription: () => string, timing = {}) {
  const seen = { frames: [] as string[], connected: 0, disconnected: [] as string[] };
  const conn = new WsConnection({
    url, channel: 'market', clock: new SystemClock(), logger: createMemoryLogger().logger, subscription,
    onFrame: (t) => seen.frames.push(t), onConnected: () => void seen.connected++, onDisconnected: (r) => void seen.disconnected.push(r),
    timing: { pingIntervalMs: 40, heartbeatTimeoutMs: 2000, connectTimeoutMs: 150, backoff: { initialMs: 20, maxMs: 60, factor: 2, jitter: 0 }, ...timing },
    random: seededRandom(1),
  });
  cleanups.push(() => conn.stop());
  return { conn, seen };
}

describe('WsConnection', () => {
  it('abandons a server that accepts TCP but never upgrades, and keeps retrying', async () => {
    const sockets = new Set<Socket>();
    const tcp = createServer((s) => { sockets.add(s); s.on('error', () => undefined); });
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise((r) => { for (const s of sockets) s.destroy(); tcp.close(() => r()); }));
    const { conn, seen } = connection(`ws://127.0.0.1:${(tcp.address() as { port: number }).port}`, () => '{"type":"market"}');
    conn.start();
    await waitFor(() => conn.stats.reconnects >= 2, 'two retries');
    expect(seen.connected).toBe(0);
    expect(seen.disconnected).toEqual([]);
    expect(conn.stats.lastDelaysMs.slice(0, 2)).toEqual([20, 40]);
  });

  it('a server refusing the subscription (1008) is retried with backoff and reported as a disconnect with its code', async () => {
    const server = await startLoopbackWs();
    cleanups.push(() => server.close());
    const { conn, seen } = connection(server.url, () => 'not a subscription');
    conn.start();
    await waitFor(() => seen.disconnected.length >= 2, 'two refusals');
    expect(seen.disconnected[0]).toBe('closed 1008 invalid subscription payload');
    expect(server.conns.every((c) => c.frames[0] === 'not a subscription' && c.closedWith === 1008)).toBe(true);
  });

  it('sends nothing on a socket that is not open and stops for good', async () => {
    const server = await startLoopbackWs();
    cleanups.push(() => server.close());
    const { conn, seen } = connection(server.url, () => '{"type":"market","assets_ids":["1"]}');
    expect(conn.send('x')).toBe(false);
    conn.start();
    await waitFor(() => seen.connected === 1, 'connected');
    expect(conn.send('{"operation":"subscribe","assets_ids":["2"]}')).toBe(true);
    await conn.stop();
    expect(conn.state).toBe('stopped');
    expect(seen.disconnected).toEqual(['stopped']);
    await new Promise((r) => setTimeout(r, 100));
    expect(server.conns).toHaveLength(1);
    expect(conn.send('x')).toBe(false);
    await waitFor(() => server.conns[0]!.frames.length >= 2, 'frames at the server');
    expect(server.conns[0]!.frames.slice(0, 2)).toEqual(['{"type":"market","assets_ids":["1"]}', '{"operation":"subscribe","assets_ids":["2"]}']);
  });
});
