/**
 * Position-source benchmark against a real anvil chain with the real CTF contract:
 * - sync latency (p50/p99) and round trips per sync of 10, 100 and 500 token ids for balanceOfBatch
 *   and multicall, next to the naive one-call-per-token loop measured in the same run (as a ratio);
 * - transfer-to-balance-event latency of the chain-events watch vs plain polling.
 * Round trips are counted by a loopback proxy, not by the code under test; latencies are measured
 * directly against anvil (no proxy in the path).
 */
import { SystemClock } from '../core/clock.ts';
import type { BalanceSnapshotReceived, InboundEvent } from '../core/events.ts';
import { createLogger } from '../core/logger.ts';
import type { PositionSource } from '../core/sources/position-source.ts';
import { SourceRunner } from '../core/sources/source-runner.ts';
import { ChainEventsSource } from '../plugins/position-source/chain-events/index.ts';
import { ChainSource, createChainClient, readBalancesOneByOne, type BatchMode } from '../plugins/position-source/chain/index.ts';
import { deployCtfFixture, startAnvil, type CtfFixture } from '../test/support/anvil.ts';
import { startCountingProxy } from '../test/support/loopback.ts';

import type { BenchResult } from './lib.ts';

export type { BenchResult };

const SIZES = [10, 100, 500] as const;
const SYNCS = 20;

function pct(samples: number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! * 100) / 100;
}

async function timeSyncs(n: number, once: () => Promise<unknown>): Promise<number[]> {
  await once(); // warm-up: connection and JIT
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await once();
    out.push(performance.now() - t0);
  }
  return out;
}

function chainSource(rpcUrl: string, fx: CtfFixture, batch: BatchMode, pollIntervalMs = 60_000): ChainSource {
  return new ChainSource({
    rpcUrl, chainId: 137, contract: fx.ctf, funder: fx.funder, batch, multicallAddress: fx.multicall, pollIntervalMs, timeoutMs: 10_000,
  });
}

/** Mean ms from a mined transfer to the first balance event showing it, over `samples` transfers. */
async function transferToEventMs(source: PositionSource, fx: CtfFixture, samples: number, spacingMs: () => number): Promise<number[]> {
  const events: BalanceSnapshotReceived[] = [];
  const runner = new SourceRunner({
    source, clock: new SystemClock(), logger: createLogger({ level: 'silent' }), tokenIds: () => fx.tokenIds.slice(0, 10),
    sink: (e: InboundEvent) => void (e.type === 'balance' && events.push(e)),
  });
  runner.start();
  const id = fx.tokenIds[0]!;
  const out: number[] = [];
  try {
    while (events.length === 0) await new Promise((r) => setTimeout(r, 5));
    for (let i = 0; i < samples; i++) {
      await new Promise((r) => setTimeout(r, spacingMs()));
      const expected = (await fx.balanceOf(id)) - 1_000n;
      await fx.transfer(id, 1_000n);
      const t0 = performance.now();
      while (!events.some((e) => e.balances.get(id) === expected)) {
        if (performance.now() - t0 > 10_000) throw new Error('no balance event within 10 s');
        await new Promise((r) => setTimeout(r, 2));
      }
      out.push(performance.now() - t0);
      events.length = 0;
    }
  } finally {
    await runner.stop();
  }
  return out;
}

/** Runs the benchmark; about a minute on a 2-core machine. */
export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const anvil = await startAnvil();
  const proxy = await startCountingProxy(anvil.rpcUrl);
  const sources: PositionSource[] = [];
  try {
    const t0 = performance.now();
    const fx = await deployCtfFixture(anvil.rpcUrl, { conditions: 250, splitAmount: 10_000_000n });
    const setupNote = `500 real non-zero positions from 250 split conditions (setup ${Math.round(performance.now() - t0)} ms)`;
    const naiveClient = createChainClient({ rpcUrl: anvil.rpcUrl, chainId: 137, timeoutMs: 10_000 });
    const naiveProxyClient = createChainClient({ rpcUrl: proxy.url, chainId: 137, timeoutMs: 10_000 });
    const naive = (client: typeof naiveClient, ids: readonly string[]) =>
      readBalancesOneByOne({ source: 'naive', client, rpcUrl: anvil.rpcUrl, contract: fx.ctf, funder: fx.funder }, ids);

    for (const n of SIZES) {
      const ids = fx.tokenIds.slice(0, n);
      const naiveSyncs = n >= 500 ? 5 : n >= 100 ? 10 : SYNCS;
      const naiveMs = await timeSyncs(naiveSyncs, () => naive(naiveClient, ids));
      proxy.reset();
      await naive(naiveProxyClient, ids);
      results.push({ name: `sync ${n} ids naive p50`, value: pct(naiveMs, 50), unit: 'ms', note: `${naiveSyncs} syncs; ${setupNote}` });
      results.push({ name: `sync ${n} ids naive round trips`, value: proxy.requests, unit: 'requests/sync' });
      for (const batch of ['balanceOfBatch', 'multicall'] as const) {
        const direct = chainSource(anvil.rpcUrl, fx, batch);
        const viaProxy = chainSource(proxy.url, fx, batch);
        sources.push(direct, viaProxy);
        const ms = await timeSyncs(SYNCS, () => direct.fetchBalances(ids));
        proxy.reset();
        const rep = await viaProxy.fetchBalances(ids);
        results.push({ name: `sync ${n} ids ${batch} p50`, value: pct(ms, 50), unit: 'ms', note: `${SYNCS} syncs` });
        results.push({ name: `sync ${n} ids ${batch} p99`, value: pct(ms, 99), unit: 'ms', note: 'of 20 samples, i.e. the slowest' });
        results.push({ name: `sync ${n} ids ${batch} round trips`, value: proxy.requests, unit: 'requests/sync', note: `report says ${rep.roundTrips}` });
        results.push({ name: `sync ${n} ids naive/${batch} latency ratio`, value: Math.round((pct(naiveMs, 50) / pct(ms, 50)) * 10) / 10, unit: 'x' });
      }
    }

    const events = new ChainEventsSource({
      rpcUrl: anvil.rpcUrl, chainId: 137, contract: fx.ctf, funder: fx.funder, batch: 'balanceOfBatch', multicallAddress: fx.multicall,
      pollIntervalMs: 60_000, timeoutMs: 10_000, eventPollingIntervalMs: 100,
    });
    sources.push(events);
    const pushMs = await transferToEventMs(events, fx, 10, () => 50);
    results.push({ name: 'transfer→balance event, chain-events watch p50', value: pct(pushMs, 50), unit: 'ms', note: 'http log polling every 100 ms; 10 transfers' });
    results.push({ name: 'transfer→balance event, chain-events watch max', value: pct(pushMs, 100), unit: 'ms' });
    const pollIntervalMs = 1000;
    const polled = chainSource(anvil.rpcUrl, fx, 'balanceOfBatch', pollIntervalMs);
    sources.push(polled);
    const pollMs = await transferToEventMs(polled, fx, 12, () => Math.random() * pollIntervalMs);
    results.push({
      name: 'transfer→balance event, polling p50', value: pct(pollMs, 50), unit: 'ms',
      note: `poll every ${pollIntervalMs} ms (expected ≈ interval/2 + fetch); 12 transfers at random phase`,
    });
    results.push({ name: 'transfer→balance event, polling max', value: pct(pollMs, 100), unit: 'ms' });
  } finally {
    await Promise.allSettled(sources.map((s) => s.dispose()));
    await proxy.close();
    await anvil.stop();
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const t0 = performance.now();
  const results = await run();
  for (const r of results) console.log(`${r.name.padEnd(52)} ${String(r.value).padStart(9)} ${r.unit}${r.note ? `   (${r.note})` : ''}`);
  console.log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
