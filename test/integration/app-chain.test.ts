/**
 * The App wired end to end with real position sources: a chain source reading the real CTF contract
 * on anvil through the SourceRunner on the system clock, a fallback to the Data API loopback server,
 * and dead RPC endpoints. Only the engine's public surface and the bus are observed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { App } from '../../app/app.ts';
import { parseConfig } from '../../core/config/load.ts';
import type { AlertRaised, BalanceSnapshotReceived } from '../../core/events.ts';
import type { RiskState } from '../../core/bus.ts';
import type { SourceHealth } from '../../core/sources/position-source.ts';
import { PluginRegistry } from '../../plugins/registry.ts';
import { deployCtfFixture, freePort, startAnvil, type AnvilInstance, type CtfFixture } from '../support/anvil.ts';
import { startDataApiServer, type DataApiServer } from '../support/data-api-server.ts';

const SHARE = 1_000_000n;

let anvil: AnvilInstance;
let fx: CtfFixture;
const apps: App[] = [];
const servers: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  anvil = await startAnvil();
  fx = await deployCtfFixture(anvil.rpcUrl, { conditions: 2 });
});

afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.dispose()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

afterAll(async () => {
  await anvil?.stop();
});

/** The chain block for the fixture's CTF on anvil. */
function chainBlock(rpcUrl: string, intervalSeconds: number, timeoutSeconds = 2): string {
  return `{ kind: chain, rpcUrl: "${rpcUrl}", contract: "${fx.ctf}", multicallAddress: "${fx.multicall}", intervalSeconds: ${intervalSeconds}, timeoutSeconds: ${timeoutSeconds} }`;
}

/** Builds (and registers for disposal) an App on the system clock with this position source. */
function appWith(positionSource: string, opts: { sourceUnavailableSeconds?: number } = {}): App {
  const yaml = [
    `identity: { funder: "${fx.funder}" }`,
    `tokens: [${fx.tokenIds.map((t) => JSON.stringify(t)).join(', ')}]`,
    `positionSource: ${positionSource}`,
    'reconciler: { kind: oldest-first, pendingFillTtlSeconds: 120 }',
    'risk:',
    '  policies:',
    '    - { kind: conservative-limits, maxPositionShares: 1000 }',
    '    - { kind: degrade, thresholdShares: 25, forSeconds: 30 }',
    `    - { kind: hard-halt, sourceUnavailableSeconds: ${opts.sourceUnavailableSeconds ?? 300} }`,
    'alerts: []',
    'ledger: { kind: memory }',
    'log: { level: silent }',
  ].join('\n');
  const app = App.create(parseConfig(yaml, new PluginRegistry()));
  apps.push(app);
  return app;
}

/** Polls `check` until it returns true (or fails with `what` after `ms`). */
async function waitUntil(what: string, check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Records everything the bus publishes that these tests look at. */
function observe(app: App) {
  const seen = { balances: [] as BalanceSnapshotReceived[], alerts: [] as AlertRaised[], health: [] as SourceHealth[], risk: undefined as RiskState | undefined };
  app.bus.balances$.subscribe((b) => seen.balances.push(b));
  app.bus.alerts$.subscribe((a) => seen.alerts.push(a));
  app.bus.sourceHealth$.subscribe((h) => seen.health.push(h));
  app.bus.riskDecision$.subscribe((r) => (seen.risk = r));
  return seen;
}

const onChain = async () => new Map(await Promise.all(fx.tokenIds.map(async (t) => [t, await fx.balanceOf(t)] as const)));
const confirmedSizes = (app: App) => new Map(fx.tokenIds.map((t) => [t, app.engine.position(t).confirmed]));

describe('App with a real chain position source on anvil', () => {
  it('holds exactly the on-chain balances as confirmed sizes after start', async () => {
    const app = appWith(chainBlock(anvil.rpcUrl, 0.2));
    const seen = observe(app);
    await app.start();
    // The configured tokens are fetched from the first poll on, before anything asked about them.
    await waitUntil('a first snapshot', () => seen.balances.length > 0);
    const chain = await onChain();
    expect(new Map(seen.balances[0]!.balances)).toEqual(chain);
    expect(confirmedSizes(app)).toEqual(chain);
    for (const t of fx.tokenIds) expect(typeof app.engine.position(t).confirmed).toBe('bigint');
    expect(app.engine.position(fx.tokenIds[0]!).confirmedBlock).toBeGreaterThan(0n);
  });

  it('lowers the confirmed size after a real safeTransferFrom away from the funder, within a few polls', async () => {
    const app = appWith(chainBlock(anvil.rpcUrl, 0.2));
    const seen = observe(app);
    await app.start();
    const token = fx.tokenIds[1]!;
    await waitUntil('a first snapshot', () => seen.balances.length > 0);
    const before = app.engine.position(token).confirmed;
    const block = await fx.transfer(token, 3n * SHARE + 250_000n);
    await waitUntil('the transfer is confirmed', () => app.engine.position(token).confirmed !== before, 2000);
    const p = app.engine.position(token);
    expect(p.confirmed).toBe(before - 3_250_000n);
    expect(p.confirmed).toBe(await fx.balanceOf(token));
    expect(p.confirmedBlock! >= block).toBe(true);
    expect(p.discrepancies).toBe(1); // a fall with nothing pending is never silently swallowed
  });

  it('absorbs pending SELL fills oldest first as the chain confirms them, leaving the effective size unchanged', async () => {
    const app = appWith(chainBlock(anvil.rpcUrl, 0.2));
    const seen = observe(app);
    await app.start();
    const token = fx.tokenIds[2]!;
    await waitUntil('a first snapshot', () => seen.balances.length > 0);
    const start = app.engine.position(token).confirmed;
    const sell = (tradeId: string, size: bigint) =>
      app.engine.ingest({ type: 'fill', at: app.clock.now(), tradeId, orderId: `o-${tradeId}`, tokenId: token, side: 'SELL', size, price: 500_000n, status: 'MATCHED' });
    sell('t-old', 2n * SHARE);
    sell('t-new', 3n * SHARE);
    const afterFills = app.engine.position(token);
    expect(afterFills.effective).toBe(start - 5n * SHARE);
    expect(afterFills.pendingFills.map((f) => f.tradeId)).toEqual(['t-old', 't-new']);

    // Polls that see no move leave both pending.
    const polls = seen.balances.length;
    await waitUntil('two more unchanged polls', () => seen.balances.length >= polls + 2);
    expect(app.engine.position(token).pendingFills).toHaveLength(2);

    // The chain settles the older sale: only it is absorbed.
    await fx.transfer(token, 2n * SHARE);
    await waitUntil('the first sale is confirmed', () => app.engine.position(token).confirmed === start - 2n * SHARE, 2000);
    let p = app.engine.position(token);
    expect(p.pendingFills.map((f) => [f.tradeId, f.size])).toEqual([['t-new', 3n * SHARE]]);
    expect(p.effective).toBe(start - 5n * SHARE);

    // Then the newer one.
    await fx.transfer(token, 3n * SHARE);
    await waitUntil('the second sale is confirmed', () => app.engine.position(token).confirmed === start - 5n * SHARE, 2000);
    p = app.engine.position(token);
    expect(p.pendingFills).toEqual([]);
    expect(p.pendingSells).toBe(0n);
    expect(p.effective).toBe(start - 5n * SHARE);
    expect(p.discrepancies).toBe(0);
  });

  it('serves a gap with an immediate snapshot, long before the next poll, applied as a force reconcile', async () => {
    const app = appWith(chainBlock(anvil.rpcUrl, 30));
    const seen = observe(app);
    const requests: string[] = [];
    app.bus.snapshotRequests$.subscribe((r) => requests.push(r));
    await app.start();
    const token = fx.tokenIds[3]!;
    await waitUntil('the start-up snapshot', () => seen.balances.length === 1);
    const before = app.engine.position(token).confirmed;

    // The chain moves while the feed reports a BUY it will never confirm.
    await fx.transfer(token, SHARE);
    app.engine.ingest({ type: 'fill', at: app.clock.now(), tradeId: 't-ghost', tokenId: token, side: 'BUY', size: 7n * SHARE, price: 400_000n, status: 'MATCHED' });
    expect(app.engine.position(token).pendingBuys).toBe(7n * SHARE);

    const fresh = firstValueFrom(app.bus.balances$.pipe(timeout(5000)));
    const t0 = Date.now();
    app.engine.ingest({ type: 'gap', at: app.clock.now(), channel: 'user', reason: 'sequence jump' });
    expect(requests).toEqual(['sequence jump']);
    expect(app.ledger.openGaps()).toHaveLength(1);
    const snapshot = await fresh;
    expect(Date.now() - t0).toBeLessThan(5000); // the next poll is 30 s away
    expect(seen.balances).toHaveLength(2);
    expect(snapshot.balances.get(token)).toBe(before - SHARE);

    // Forced: the snapshot is trusted, the pending BUY cleared, the gap resolved.
    const p = app.engine.position(token);
    expect(p.confirmed).toBe(before - SHARE);
    expect(p.pendingFills).toEqual([]);
    expect(p.effective).toBe(before - SHARE);
    expect(app.ledger.openGaps()).toEqual([]);
  });

  it('publishes source health on the bus: last success, consecutive failures and latency', async () => {
    const app = appWith(chainBlock(anvil.rpcUrl, 0.2));
    const seen = observe(app);
    const t0 = Date.now();
    await app.start();
    await waitUntil('three health reports', () => seen.health.length >= 3);
    const h = await firstValueFrom(app.bus.sourceHealth$.pipe(timeout(1000)));
    expect(h.source).toBe('chain');
    expect(h.consecutiveFailures).toBe(0);
    expect(h.lastSuccessAt).toBeGreaterThanOrEqual(t0);
    expect(h.lastSuccessAt).toBeLessThanOrEqual(Date.now());
    expect(h.lastLatencyMs).toBeGreaterThan(0);
    expect(h.lastLatencyMs).toBeLessThan(2000);
    expect(h.lastError).toBeUndefined();
    expect(h.servingFallback).toBe(false);
    // One report per poll, each a later success.
    const successes = seen.health.map((x) => x.lastSuccessAt!);
    expect([...successes].sort((a, b) => a - b)).toEqual(successes);
    expect(new Set(successes).size).toBeGreaterThanOrEqual(2);
  });
});

describe('App when the chain RPC is dead', () => {
  it('serves balances from the REST fallback marked degraded, degrades risk with SOURCE_FALLBACK and alerts once', async () => {
    const api: DataApiServer = await startDataApiServer(fx.funder, fx.tokenIds.map((asset, i) => ({ asset, size: 40 + i })));
    servers.push(api);
    const dead = `http://127.0.0.1:${await freePort()}`;
    const app = appWith(`{ kind: fallback, sources: [ ${chainBlock(dead, 0.2, 1)}, { kind: rest, url: "${api.url}", intervalSeconds: 0.2, timeoutSeconds: 2 } ] }`);
    const seen = observe(app);
    await app.start();
    await waitUntil('three fallback snapshots', () => seen.balances.length >= 3);

    for (const b of seen.balances) {
      expect(b.degraded).toBe(true);
      expect(b.source).toBe('rest');
    }
    fx.tokenIds.forEach((t, i) => expect(app.engine.position(t).confirmed).toBe(BigInt(40 + i) * SHARE));
    expect(seen.risk!.global.mode).toBe('degraded');
    expect(seen.risk!.global.reasons).toContain('SOURCE_FALLBACK');
    expect(seen.risk!.global.sizeMultiplier).toBeLessThan(1);
    const fallbackAlerts = seen.alerts.filter((a) => a.code === 'SOURCE_FALLBACK');
    expect(fallbackAlerts).toHaveLength(1);
    expect(fallbackAlerts[0]!.severity).toBe('warning');
    const h = await firstValueFrom(app.bus.sourceHealth$.pipe(timeout(1000)));
    expect(h.servingFallback).toBe(true);
    expect(h.consecutiveFailures).toBe(0);
  });

  it('halts with SOURCE_UNAVAILABLE once no authoritative balance arrived for sourceUnavailableSeconds', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const app = appWith(chainBlock(dead, 0.2, 1), { sourceUnavailableSeconds: 1 });
    const seen = observe(app);
    const t0 = Date.now();
    await app.start();
    expect(seen.risk!.global.mode).toBe('normal');
    const halted = await firstValueFrom(app.bus.riskDecision$.pipe(filter((r) => r.global.mode === 'halted'), timeout(4000)));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(halted.global.reasons).toContain('SOURCE_UNAVAILABLE');
    expect(halted.global.allowedSides).toEqual([]);
    expect(seen.balances).toEqual([]);
    const h = await firstValueFrom(app.bus.sourceHealth$.pipe(timeout(1000)));
    expect(h.lastSuccessAt).toBeUndefined();
    expect(h.consecutiveFailures).toBeGreaterThanOrEqual(2);
    expect(h.lastError).toBeTruthy();
    for (const t of fx.tokenIds) expect(app.engine.canBuy(t, SHARE)).toBe(false);
  });
});
