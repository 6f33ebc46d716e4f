import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../core/clock.ts';
import { ConfigError, SourceError } from '../../core/errors.ts';
import type { InboundEvent } from '../../core/events.ts';
import type { BalanceReport, PositionSource } from '../../core/sources/position-source.ts';
import { SourceRunner } from '../../core/sources/source-runner.ts';
import { FallbackSource } from '../../plugins/position-source/fallback/index.ts';
import { startAnvil, deployCtfFixture, type AnvilInstance, type CtfFixture } from '../support/anvil.ts';
import { startDataApiServer, type DataApiServer } from '../support/data-api-server.ts';
import { startCountingProxy, type CountingProxy } from '../support/loopback.ts';
import { buildSource, sourceContext } from '../support/source-context.ts';

let anvil: AnvilInstance;
let fx: CtfFixture;
let proxy: CountingProxy;
let api: DataApiServer;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  anvil = await startAnvil();
  fx = await deployCtfFixture(anvil.rpcUrl, { conditions: 1 });
  proxy = await startCountingProxy(anvil.rpcUrl);
  // The indexer lags: it still shows 90 shares of the first token while the chain says 100.
  api = await startDataApiServer(fx.funder, [{ asset: fx.tokenIds[0]!, size: 90 }]);
});
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  proxy.failWith = undefined;
});
afterAll(async () => {
  await api?.close();
  await proxy?.close();
  await anvil?.stop();
});

function fallbackFromConfig(extra: Record<string, unknown> = {}) {
  const ctx = sourceContext({ funder: fx.funder });
  const s = buildSource<FallbackSource>(ctx, {
    kind: 'fallback',
    sources: [
      { kind: 'chain', rpcUrl: proxy.url, contract: fx.ctf, timeoutSeconds: 1 },
      { kind: 'rest', url: api.url, timeoutSeconds: 1 },
    ],
    ...extra,
  });
  cleanups.push(() => s.dispose());
  return { s, ctx };
}

const warnings = (ctx: ReturnType<typeof sourceContext>) => ctx.lines().filter((l) => l.level === 'warn');

describe('fallback position source (chain primary, Data API fallback)', () => {
  it('serves the primary undegraded while it answers', async () => {
    const { s } = fallbackFromConfig();
    const r = await s.fetchBalances(fx.tokenIds);
    expect(r).toMatchObject({ source: 'chain', sourceName: 'fallback>chain', degraded: false, roundTrips: 1 });
    expect(r.balances.get(fx.tokenIds[0]!)).toBe(100_000_000n);
    expect(s.servingFallback).toBe(false);
  });

  it('serves the REST answer marked degraded while the primary is down, warning once per episode, and returns to the primary', async () => {
    const { s, ctx } = fallbackFromConfig();
    proxy.failWith = 503;
    for (let i = 0; i < 3; i++) {
      const r = await s.fetchBalances(fx.tokenIds);
      expect(r).toMatchObject({ source: 'rest', sourceName: 'fallback>rest', degraded: true, complete: true, roundTrips: 2 });
      expect(r.balances.get(fx.tokenIds[0]!)).toBe(90_000_000n);
      expect(r.balances.get(fx.tokenIds[1]!)).toBe(0n);
    }
    expect(s.servingFallback).toBe(true);
    expect(warnings(ctx)).toHaveLength(1);
    expect(String(warnings(ctx)[0]!.msg)).toMatch(/serving positions from fallback rest \(degraded\) because chain: .*503/);
    proxy.failWith = undefined;
    const back = await s.fetchBalances(fx.tokenIds);
    expect(back).toMatchObject({ source: 'chain', degraded: false });
    expect(s.servingFallback).toBe(false);
    expect(ctx.lines().some((l) => l.level === 'info' && String(l.msg).includes('answers again'))).toBe(true);
    proxy.failWith = 503;
    await s.fetchBalances(fx.tokenIds);
    expect(warnings(ctx)).toHaveLength(2); // a new episode alerts again
  });

  it('feeds the runner balance events flagged degraded, then undegraded once the primary is back', async () => {
    const { s } = fallbackFromConfig();
    const events: InboundEvent[] = [];
    const runner = new SourceRunner({ source: s, clock: new VirtualClock(0), logger: sourceContext().logger, tokenIds: () => fx.tokenIds, sink: (e) => void events.push(e) });
    cleanups.push(() => runner.stop());
    proxy.failWith = 502;
    await runner.requestSnapshot('test');
    expect(runner.health().servingFallback).toBe(true);
    proxy.failWith = undefined;
    await runner.requestSnapshot('test');
    expect(events.map((e) => (e.type === 'balance' ? [e.source, e.degraded] : e.type))).toEqual([['rest', true], ['chain', false]]);
    expect(runner.health().servingFallback).toBe(false);
  });

  it('fails listing every source when none answers', async () => {
    const { s } = fallbackFromConfig();
    proxy.failWith = 503;
    api.knobs.status = 429;
    try {
      const err = await s.fetchBalances(fx.tokenIds).then(() => undefined, (e: unknown) => e as SourceError);
      expect(err?.code).toBe('ALL_SOURCES_FAILED');
      expect(err?.message).toMatch(/chain: .*503.*; rest: .*got 429/);
    } finally {
      api.knobs.status = undefined;
    }
  });

  it('waits primaryRetrySeconds of clock time before trying a failed primary again', async () => {
    const clock = new VirtualClock(0);
    let primaryCalls = 0;
    let primaryUp = false;
    const fake = (name: string, answer: () => Promise<BalanceReport>): PositionSource => ({
      name, pollIntervalMs: 1000, timeoutMs: 1000, fetchBalances: answer, dispose: async () => undefined,
    });
    const report = (source: 'chain' | 'rest'): BalanceReport => ({ source, sourceName: source, balances: new Map(), complete: true, degraded: false, roundTrips: 1, latencyMs: 0 });
    const primary = fake('chain', async () => {
      primaryCalls++;
      if (!primaryUp) throw new SourceError('chain', 'CHAIN_HTTP', 'down');
      return report('chain');
    });
    const s = new FallbackSource({ sources: [primary, fake('rest', async () => report('rest'))], clock, primaryRetryMs: 10_000 });
    expect((await s.fetchBalances([])).degraded).toBe(true);
    primaryUp = true;
    clock.advanceBy(9_999);
    expect((await s.fetchBalances([])).degraded).toBe(true);
    expect(primaryCalls).toBe(1);
    clock.advanceBy(1);
    expect((await s.fetchBalances([])).degraded).toBe(false);
    expect(primaryCalls).toBe(2);
  });

  it('builds nested sources with their own config paths and defaults its timeout to their sum', () => {
    const { s } = fallbackFromConfig();
    expect(s.timeoutMs).toBe(2000);
    expect(s.pollIntervalMs).toBe(3000);
    const noFunder = sourceContext();
    expect(() => buildSource(noFunder, { kind: 'fallback', sources: [{ kind: 'rest', url: api.url }] })).toThrow(ConfigError);
    expect(() => buildSource(noFunder, { kind: 'fallback', sources: [{ kind: 'rest', url: api.url }] })).toThrow(/positionSource\.sources\.0\.funder/);
    expect(() => buildSource(sourceContext({ funder: fx.funder }), { kind: 'fallback', sources: [] })).toThrow(/at least one/);
  });

  it('exposes a watch only when its primary has one', () => {
    const ctx = sourceContext({ funder: fx.funder });
    const s = buildSource<FallbackSource>(ctx, { kind: 'fallback', sources: [{ kind: 'chain-events', rpcUrl: anvil.rpcUrl, contract: fx.ctf }, { kind: 'rest', url: api.url }] });
    cleanups.push(() => s.dispose());
    expect(typeof s.watch).toBe('function');
    expect(typeof fallbackFromConfig().s.watch).toBe('undefined');
  });
});
