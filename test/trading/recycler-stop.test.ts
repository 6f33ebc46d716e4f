/**
 * Shutdown order: the capital recycler's stop() waits for the merge in flight, so its outcome is
 * recorded before the ledger closes; and an engine that was disposed records and applies nothing.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CapitalRecycler } from '../../app/run/capital-recycler.ts';
import type { Venue } from '../../core/venue/venue.ts';
import { MARKET, NO, YES, sh, startTrading } from './trading-harness.ts';

const KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d' as const; // anvil's dev key #1
let server: http.Server | undefined;
afterEach(async () => {
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

/** A JSON-RPC endpoint on loopback that answers every call with an error after `delayMs`. */
async function slowFailingRpc(delayMs: number): Promise<{ url: string; calls: () => number }> {
  let calls = 0;
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      calls++;
      const id = (JSON.parse(body) as { id?: number }).id ?? 1;
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32000, message: 'node is shutting down' } }));
      }, delayMs);
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, calls: () => calls };
}

describe('capital recycler shutdown', () => {
  it('stop() resolves only once the merge in flight has its outcome recorded, and starts no other', async () => {
    const t = await startTrading({ limit: 10_000 });
    t.snapshot({ [YES]: 500, [NO]: 300 });
    const rpc = await slowFailingRpc(300);
    // The recycler asks the venue only for its markets; a condition id is 32 bytes on chain.
    const venue = { markets: () => [{ ...MARKET, marketId: `0x${'ab'.repeat(32)}` }] } as unknown as Venue;
    const recycler = new CapitalRecycler(t.engine, venue, t.market, t.clock, t.app.logger, {
      rpcUrl: rpc.url, chainId: 137, ctf: '0x4d97dcd97ec945f40cf65f87097ace5ea0476045', collateral: '0xc011a7e12a19f7b1f670d46f03b03f3342e82dfb',
      privateKey: KEY, minShares: sh(50), keepShares: 0n, intervalMs: 1000,
    });
    recycler.start();
    const merges = () => t.events.filter((e) => e.event.type === 'merge').map((e) => (e.event as { status: string }).status);
    const tick = recycler.tick();
    expect(merges()).toEqual(['sent']);
    expect(t.engine.pendingMerge(YES)).toBe(sh(300));
    const stopped = recycler.stop();
    let done = false;
    void stopped.then(() => (done = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(false); // still waiting for the RPC's answer
    await stopped;
    await tick;
    expect(merges()).toEqual(['sent', 'failed']);
    expect(t.engine.pendingMerge(YES)).toBe(0n);
    // Stopped: neither the timer nor a direct tick starts another merge.
    t.clock.advanceBy(5000);
    await recycler.tick();
    expect(merges()).toEqual(['sent', 'failed']);
    expect(rpc.calls()).toBeGreaterThan(0);
    await t.app.dispose();
  });

  it('an engine that was disposed neither records nor applies an event', async () => {
    const t = await startTrading({ limit: 10_000 });
    t.snapshot({ [YES]: 500 });
    const seq = t.engine.lastSeq;
    await t.app.dispose();
    expect(t.engine.ingest({ type: 'fill', at: t.clock.now(), tradeId: 'late', tokenId: YES, side: 'BUY', size: sh(5), price: sh(0.5), status: 'MATCHED' })).toBe(0);
    expect(t.engine.lastSeq).toBe(seq);
    expect(t.engine.position(YES).pendingBuys).toBe(0n);
    expect(t.engine.ledgerFailure).toBeUndefined();
    expect(JSON.stringify(t.logs())).toContain('event after shutdown');
  });
});
