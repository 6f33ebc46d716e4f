import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock, VirtualClock } from '../../core/clock.ts';
import { SourceError } from '../../core/errors.ts';
import type { InboundEvent } from '../../core/events.ts';
import { createMemoryLogger } from '../../core/logger.ts';
import type { BalanceReport, PositionSource } from '../../core/sources/position-source.ts';
import { SourceRunner } from '../../core/sources/source-runner.ts';
import { ChainSource } from '../../plugins/position-source/chain/index.ts';
import { startHangingServer } from '../support/loopback.ts';

const flush = () => new Promise<void>((r) => setImmediate(r));

function report(block: bigint, degraded = false): BalanceReport {
  return { source: 'chain', sourceName: 'fake', balances: new Map([['7', block * 10n]]), block, complete: true, degraded, roundTrips: 1, latencyMs: 1 };
}

/** A source whose answers the test controls: each fetch waits until `answer`/`fail` settles it. */
class ScriptedSource implements PositionSource {
  readonly name = 'fake';
  readonly pollIntervalMs = 1000;
  readonly timeoutMs = 500;
  readonly signals: AbortSignal[] = [];
  private pending: { resolve(r: BalanceReport): void; reject(e: Error): void }[] = [];
  watch?: PositionSource['watch'];
  auto: ((n: number) => BalanceReport | Error) | undefined;
  get fetches(): number {
    return this.signals.length;
  }
  fetchBalances(_ids: readonly string[], signal?: AbortSignal): Promise<BalanceReport> {
    this.signals.push(signal!);
    const auto = this.auto?.(this.signals.length);
    if (auto instanceof Error) return Promise.reject(auto);
    if (auto) return Promise.resolve(auto);
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }
  answer(r: BalanceReport): void {
    this.pending.shift()!.resolve(r);
  }
  async dispose(): Promise<void> {}
}

function setup(source: PositionSource, clock = new VirtualClock(1_000_000)) {
  const events: InboundEvent[] = [];
  const { logger, lines } = createMemoryLogger();
  const runner = new SourceRunner({ source, clock, logger, tokenIds: () => ['7'], sink: (e) => void events.push(e) });
  return { runner, events, lines, clock };
}

const runners: SourceRunner[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.stop()));
});

describe('SourceRunner', () => {
  it('fetches at start and then every poll interval, sinking block-stamped balance events at clock time', async () => {
    const src = new ScriptedSource();
    src.auto = (n) => report(BigInt(n));
    const { runner, events, clock } = setup(src);
    runners.push(runner);
    runner.start();
    await flush();
    for (let i = 0; i < 3; i++) {
      clock.advanceBy(1000);
      await flush();
    }
    expect(src.fetches).toBe(4);
    expect(events).toEqual([1, 2, 3, 4].map((n) => ({
      type: 'balance', at: 1_000_000 + (n - 1) * 1000, source: 'chain', balances: new Map([['7', BigInt(n) * 10n]]), block: BigInt(n), degraded: false,
    })));
  });

  it('turns a fetch that never answers into a source_error at the timeout, aborting its signal, and keeps polling', async () => {
    const src = new ScriptedSource();
    const { runner, events, clock, lines } = setup(src);
    runners.push(runner);
    runner.start();
    await flush();
    clock.advanceBy(499);
    await flush();
    expect(events).toEqual([]);
    clock.advanceBy(1);
    await flush();
    expect(src.signals[0]!.aborted).toBe(true);
    expect(events).toEqual([{ type: 'source_error', at: 1_000_500, source: 'fake', error: 'fake: expected an answer within 500 ms, got none (start fetch)' }]);
    expect(lines().some((l) => l.level === 'warn' && String(l.msg).includes('position source fake failed'))).toBe(true);
    clock.advanceBy(500);
    await flush();
    expect(src.fetches).toBe(2);
    expect(runner.health().consecutiveFailures).toBe(1);
  });

  it('never overlaps fetches: poll ticks while one is in flight are skipped', async () => {
    const src = new ScriptedSource();
    (src as { timeoutMs: number }).timeoutMs = 10_000;
    const { runner, clock } = setup(src);
    runners.push(runner);
    runner.start();
    clock.advanceBy(3500);
    await flush();
    expect(src.fetches).toBe(1);
    src.answer(report(1n));
    await flush();
    clock.advanceBy(500);
    await flush();
    expect(src.fetches).toBe(2);
  });

  it('fetches at once on requestSnapshot when idle', async () => {
    const src = new ScriptedSource();
    src.auto = (n) => report(BigInt(n));
    const { runner, events } = setup(src);
    runners.push(runner);
    await runner.requestSnapshot('user feed reconnected');
    expect(src.fetches).toBe(1);
    expect(events).toHaveLength(1);
  });

  it('coalesces snapshot requests made during a fetch into exactly one follow-up fetch', async () => {
    const src = new ScriptedSource();
    (src as { timeoutMs: number }).timeoutMs = 10_000;
    const { runner, events } = setup(src);
    runners.push(runner);
    runner.start();
    const done = [runner.requestSnapshot('gap'), runner.requestSnapshot('reconnect'), runner.requestSnapshot('gap again')];
    await flush();
    expect(src.fetches).toBe(1);
    src.answer(report(1n));
    await flush();
    expect(src.fetches).toBe(2);
    src.answer(report(2n));
    await Promise.all(done);
    expect(src.fetches).toBe(2);
    expect(events.map((e) => (e.type === 'balance' ? e.block : e.type))).toEqual([1n, 2n]);
  });

  it('reports failures as source_error events and health, and resets the count on success', async () => {
    const src = new ScriptedSource();
    src.auto = (n) => (n <= 2 ? new SourceError('fake', 'CHAIN_HTTP', 'expected HTTP 200 from the RPC, got 503') : report(3n, true));
    const { runner, events, clock } = setup(src);
    runners.push(runner);
    runner.start();
    await flush();
    clock.advanceBy(1000);
    await flush();
    expect(runner.health()).toMatchObject({ source: 'fake', consecutiveFailures: 2, lastSuccessAt: undefined, lastError: 'fake: expected HTTP 200 from the RPC, got 503' });
    clock.advanceBy(1000);
    await flush();
    expect(runner.health()).toMatchObject({ consecutiveFailures: 0, lastSuccessAt: 1_002_000, lastAttemptAt: 1_002_000, servingFallback: true, lastError: undefined });
    expect(runner.health().lastLatencyMs).toBeGreaterThanOrEqual(0);
    expect(events.map((e) => e.type)).toEqual(['source_error', 'source_error', 'balance']);
    expect(events[2]).toMatchObject({ degraded: true });
  });

  it('sinks pushed watch reports and unsubscribes on stop', async () => {
    const src = new ScriptedSource();
    src.auto = () => report(1n);
    let push: ((r: BalanceReport) => void) | undefined;
    let unsubscribed = false;
    src.watch = (_ids, onReport) => {
      push = onReport;
      return () => void (unsubscribed = true);
    };
    const { runner, events } = setup(src);
    runner.start();
    await flush();
    push!(report(9n));
    expect(events.at(-1)).toMatchObject({ type: 'balance', block: 9n });
    await runner.stop();
    expect(unsubscribed).toBe(true);
    push!(report(10n));
    expect(events.at(-1)).toMatchObject({ block: 9n });
  });

  it('stop cancels the poll timer and aborts the fetch in flight without emitting', async () => {
    const src = new ScriptedSource();
    const { runner, events, clock } = setup(src);
    runner.start();
    await flush();
    await runner.stop();
    expect(src.signals[0]!.aborted).toBe(true);
    clock.advanceBy(10_000);
    await flush();
    expect(src.fetches).toBe(1);
    expect(events).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('survives a sink that throws', async () => {
    const src = new ScriptedSource();
    src.auto = (n) => report(BigInt(n));
    const { logger, lines } = createMemoryLogger();
    const clock = new VirtualClock(0);
    const runner = new SourceRunner({ source: src, clock, logger, tokenIds: () => ['7'], sink: () => { throw new Error('ledger full'); } });
    runners.push(runner);
    runner.start();
    await flush();
    clock.advanceBy(1000);
    await flush();
    expect(src.fetches).toBe(2);
    expect(lines().filter((l) => String(l.msg).includes('sink threw'))).toHaveLength(2);
  });

  it('turns a real RPC that accepts and never answers into a source_error within the timeout (real timers)', async () => {
    const hang = await startHangingServer();
    const chain = new ChainSource({
      rpcUrl: hang.url, chainId: 137, contract: '0x4d97dcd97ec945f40cf65f87097ace5ea0476045', funder: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8',
      batch: 'balanceOfBatch', multicallAddress: '0xca11bde05977b3631167028862be2a173976ca11', pollIntervalMs: 60_000, timeoutMs: 250,
    });
    const events: InboundEvent[] = [];
    const runner = new SourceRunner({ source: chain, clock: new SystemClock(), logger: createMemoryLogger().logger, tokenIds: () => ['7'], sink: (e) => void events.push(e) });
    const t0 = performance.now();
    runner.start();
    while (events.length === 0 && performance.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 10));
    await runner.stop();
    await hang.close();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'source_error', source: 'chain' });
    expect((events[0] as { error: string }).error).toMatch(/within 250 ms|did not answer in time/);
    expect(performance.now() - t0).toBeLessThan(1500);
  });
});
