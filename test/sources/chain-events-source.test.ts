import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../core/clock.ts';
import type { BalanceSnapshotReceived, InboundEvent } from '../../core/events.ts';
import { createMemoryLogger } from '../../core/logger.ts';
import { SourceRunner } from '../../core/sources/source-runner.ts';
import { ChainEventsSource } from '../../plugins/position-source/chain-events/index.ts';
import { startAnvil, deployCtfFixture, type AnvilInstance, type CtfFixture } from '../support/anvil.ts';
import { startCountingProxy, type CountingProxy } from '../support/loopback.ts';
import { buildSource, sourceContext } from '../support/source-context.ts';

let anvil: AnvilInstance;
let fx: CtfFixture;
let proxy: CountingProxy;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  anvil = await startAnvil();
  fx = await deployCtfFixture(anvil.rpcUrl, { conditions: 2 });
  proxy = await startCountingProxy(anvil.rpcUrl);
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  proxy.blankResults.clear();
});
afterAll(async () => {
  await proxy?.close();
  await anvil?.stop();
});

function source(rpcUrl: string, pollIntervalMs: number): ChainEventsSource {
  const s = new ChainEventsSource({
    rpcUrl, chainId: 137, contract: fx.ctf, funder: fx.funder, batch: 'balanceOfBatch', multicallAddress: fx.multicall,
    pollIntervalMs, timeoutMs: 3000, eventPollingIntervalMs: 50,
  });
  cleanups.push(() => s.dispose());
  return s;
}

/** Runs a SourceRunner on real time and collects its events. */
function run(src: ChainEventsSource) {
  const events: InboundEvent[] = [];
  const runner = new SourceRunner({ source: src, clock: new SystemClock(), logger: createMemoryLogger().logger, tokenIds: () => fx.tokenIds, sink: (e) => void events.push(e) });
  cleanups.push(() => runner.stop());
  runner.start();
  const balances = () => events.filter((e): e is BalanceSnapshotReceived => e.type === 'balance');
  const waitFor = async (pred: (e: BalanceSnapshotReceived) => boolean, ms = 5000) => {
    const t0 = performance.now();
    for (;;) {
      const hit = balances().find(pred);
      if (hit) return { event: hit, ms: performance.now() - t0 };
      if (performance.now() - t0 > ms) throw new Error(`no matching balance event within ${ms} ms; got ${JSON.stringify(events, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Map ? [...v] : v))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return { events, balances, waitFor };
}

const hasBalance = (id: string, v: bigint) => (e: BalanceSnapshotReceived) => e.balances.get(id) === v;

describe('chain-events position source on anvil', () => {
  it('delivers a transfer as a balance event at the log\'s block, long before the next poll', async () => {
    const src = source(anvil.rpcUrl, 60_000);
    const r = run(src);
    const id = fx.tokenIds[0]!;
    const start = await fx.balanceOf(id);
    await r.waitFor(hasBalance(id, start));
    const block = await fx.transfer(id, 3_000_000n);
    const { event, ms } = await r.waitFor(hasBalance(id, start - 3_000_000n));
    expect(event.block).toBe(block);
    expect(event.source).toBe('chain');
    expect(event.balances.size).toBe(1);
    expect(ms).toBeLessThan(2000);
  });

  it('applies batch transfers and incoming transfers, counting a self-transfer once', async () => {
    const src = source(anvil.rpcUrl, 60_000);
    const r = run(src);
    const [a, b] = fx.tokenIds as [string, string];
    const [a0, b0] = [await fx.balanceOf(a), await fx.balanceOf(b)];
    await r.waitFor(hasBalance(a, a0));
    await fx.transferBatch([a, b], [1_000_000n, 2_000_000n]);
    const batch = await r.waitFor((e) => e.balances.get(a) === a0 - 1_000_000n && e.balances.get(b) === b0 - 2_000_000n);
    expect(batch.event.balances.size).toBe(2);
    await fx.transfer(a, 500_000n, fx.funder, fx.other);
    await r.waitFor(hasBalance(a, a0 - 500_000n));
    const selfBlock = await fx.transfer(b, 1_000_000n, fx.funder);
    const self = await r.waitFor((e) => e.block === selfBlock);
    expect(self.event.balances.get(b)).toBe(b0 - 2_000_000n);
    expect(src.knownBalance(b)).toBe(await fx.balanceOf(b));
  });

  it('corrects a missed event with the safety-net poll, then keeps counting later events on the corrected base', async () => {
    const src = source(proxy.url, 400);
    const r = run(src);
    const id = fx.tokenIds[1]!;
    const start = await fx.balanceOf(id);
    await r.waitFor(hasBalance(id, start));
    proxy.blankResults.add('eth_getFilterChanges');
    await fx.transfer(id, 4_000_000n);
    const corrected = await r.waitFor(hasBalance(id, start - 4_000_000n));
    // The first event carrying the new balance is a full read (all tokens), not the lost log's report.
    expect(corrected.event.balances.size).toBe(fx.tokenIds.length);
    proxy.blankResults.clear();
    await fx.transfer(id, 1_000_000n);
    await r.waitFor(hasBalance(id, start - 5_000_000n));
    expect(src.knownBalance(id)).toBe(start - 5_000_000n);
  });

  it('keeps an event newer than a full read when that read answers later', async () => {
    const src = source(anvil.rpcUrl, 60_000);
    const id = fx.tokenIds[2]!;
    const stale = await src.fetchBalances(fx.tokenIds);
    const reports: bigint[] = [];
    const stop = src.watch(() => fx.tokenIds, (rep) => void reports.push(rep.block!), () => undefined);
    cleanups.push(async () => stop());
    const before = await fx.balanceOf(id);
    await fx.transfer(id, 2_000_000n);
    for (let i = 0; i < 200 && src.knownBalance(id) !== before - 2_000_000n; i++) await new Promise((res) => setTimeout(res, 10));
    // Re-base on a read older than the transfer (as a slow poll would): the event must survive it.
    src.rebase(stale.balances, stale.block!);
    expect(src.knownBalance(id)).toBe(before - 2_000_000n);
  });

  it('is built from config with the chain fields plus eventPollingIntervalMs', () => {
    const ctx = sourceContext({ funder: fx.funder });
    const s = buildSource<ChainEventsSource>(ctx, { kind: 'chain-events', rpcUrl: anvil.rpcUrl, intervalSeconds: 30 });
    cleanups.push(() => s.dispose());
    expect([s.name, s.pollIntervalMs, typeof s.watch]).toEqual(['chain-events', 30_000, 'function']);
    expect(() => buildSource(ctx, { kind: 'chain-events', rpcUrl: anvil.rpcUrl, eventPollingIntervalMs: 1 })).toThrow();
  });
});
