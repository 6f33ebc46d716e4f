/**
 * The shipped config with more FAILED trades, a forced disconnect of every websocket and the A/B
 * split of risk.variants: it trades, recovers, and after settlement the engine's effective size of
 * every token equals the chain balance; no BUY ever went over its (variant's) limit; the summary
 * reports each variant separately.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { micros, scratch, waitFor } from './support.ts';
import { shippedRaw, startEmbedded, type Embedded } from './embedded.ts';
import { abVariant } from '../../strategies/ab.ts';
import { stateLine } from '../../core/engine/report.ts';
import type { VariantSummary } from '../../app/run/variant-stats.ts';
import type { ExposureRecord } from '../../sim/exchange/exposure.ts';

const s = scratch('faults');
let bot: Embedded | undefined;
afterAll(async () => {
  await bot?.stop();
  s.cleanup();
});

const FINAL = new Set(['CONFIRMED', 'FAILED']);

describe('failed trades, a forced disconnect and A/B variants, end to end', () => {
  it('ends consistent with the chain and reports each variant', async () => {
    const raw = shippedRaw();
    raw.simulator.lifecycle = { ...raw.simulator.lifecycle, failRate: 0.5, retryRate: 0, minedDelayMs: 500, confirmedDelayMs: 800 };
    raw.simulator.flow = { ...raw.simulator.flow, takerRatePerSecond: 3 };
    raw.positionSource.sources[0].intervalSeconds = 1;
    const sets = {
      A: raw.risk.policies,
      B: [{ kind: 'conservative-limits', maxPositionShares: 1100 }, { kind: 'degrade', thresholdShares: 30, forSeconds: 10, sizeMultiplier: 0.5, extraTicks: 2 }],
    };
    let salt = '';
    const markets: { conditionId: string; variant: string }[] = [];
    bot = await startEmbedded(raw, s.dir, {
      prepare: (r, sim) => {
        // A salt that puts one market in each variant (the split itself is the stable hash).
        const ids = sim.info.markets.map((m) => m.conditionId);
        salt = Array.from({ length: 64 }, (_, i) => `e2e-${i}`).find((x) => new Set(ids.map((id) => abVariant(id, { salt: x, split: { A: 1, B: 1 } }))).size === 2)!;
        for (const id of ids) markets.push({ conditionId: id, variant: abVariant(id, { salt, split: { A: 1, B: 1 } }) });
        r.risk.variants = { salt, split: { A: 1, B: 1 }, sets };
      },
    });
    const { app, stats, sim } = bot;
    expect(app.engine.risk.variants.enabled).toBe(true);

    // Trades happen and some of them FAIL on the chain.
    await waitFor('a FAILED fill and three fills', () => stats.failedFills >= 1 && stats.fills >= 3, 60_000);

    // Forced disconnect of every websocket: the venue reconnects and quoting goes on.
    const reconnectsBefore = app.venue!.health().reconnects;
    const closed = await bot.control<{ closed: number }>('disconnect', {});
    expect(closed.closed).toBeGreaterThanOrEqual(1);
    await waitFor('the feeds to reconnect', () => {
      const h = app.venue!.health();
      return h.reconnects > reconnectsBefore && h.userFeed === 'connected' && h.marketFeed === 'connected';
    }, 20_000);
    const submittedAtReconnect = stats.ordersSubmitted;
    await waitFor('an order after the reconnect', () => stats.ordersSubmitted > submittedAtReconnect, 20_000);

    // Stop quoting (resting orders cancelled), stop the simulated flow, let every trade settle.
    const stopped = await app.stopTrading({ confirmTimeoutMs: 5000 });
    expect(stopped.stillOpen).toBe(0);
    sim.stopFlow();
    await waitFor('every trade final on the exchange', () => sim.engine.allTrades().every((t) => FINAL.has(t.status)), 20_000);
    const settledAt = Date.now();
    await waitFor('no pending fill in the engine and a chain snapshot after settlement', () =>
      app.engine.tokenIds().every((t) => app.engine.position(t).pendingFills.length === 0) && (app.engine.sourceHealth.lastSuccessAt ?? 0) > settledAt + 1000, 20_000);

    const tokens = app.engine.tokenIds();
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    const chain = await bot.chain(tokens);
    for (const t of tokens) {
      const p = app.engine.position(t);
      expect({ token: t, effective: p.effective, confirmed: p.confirmed }).toEqual({ token: t, effective: chain.get(t), confirmed: chain.get(t) });
    }

    // No BUY found conservative exposure over its variant's limit: by the bot's count and by the exchange's.
    expect(stats.limitBreaches).toBe(0);
    const funder = bot.ep.funder.toLowerCase();
    const ours = (sim.engine.exposures as ExposureRecord[]).filter((e) => e.maker.toLowerCase() === funder && e.side === 'BUY');
    expect(ours.length).toBeGreaterThan(0);
    for (const e of ours) {
      const v = app.engine.risk.variantOf(e.tokenId);
      const limit = v === 'B' ? 1100_000_000n : 1200_000_000n;
      expect(BigInt(e.conservativeExposure), `order ${e.orderId} on ${e.tokenId} (${v})`).toBeLessThanOrEqual(limit);
    }

    // A/B: every token carries its market's variant, in the decision output and the summary.
    const summary = stats.summary();
    const line = stateLine(app.engine, Date.now());
    for (const m of sim.info.markets) {
      const variant = markets.find((x) => x.conditionId === m.conditionId)!.variant;
      for (const t of m.tokens) {
        expect(app.engine.risk.variantOf(t)).toBe(variant);
        if (summary.tokens[t]) expect(summary.tokens[t]!.variant).toBe(variant);
        if ((line.risk.byToken as Record<string, { variant?: string }>)[t]) expect((line.risk.byToken as Record<string, { variant?: string }>)[t]!.variant).toBe(variant);
      }
    }
    const variants = summary.variants as Record<'A' | 'B', VariantSummary>;
    expect(Object.keys(variants).sort()).toEqual(['A', 'B']);
    expect(variants.A.tokens.length + variants.B.tokens.length).toBe(tokens.length);
    expect(variants.A.fills + variants.B.fills).toBe(summary.fills);
    expect(variants.A.failedFills + variants.B.failedFills).toBe(summary.failedFills);
    expect(variants.A.ordersSubmitted + variants.B.ordersSubmitted).toBe(summary.ordersSubmitted);
    expect(micros(variants.A.realizedPnl) + micros(variants.B.realizedPnl)).toBe(micros(summary.realizedPnl));
    expect(variants.A.driftIncidents + variants.B.driftIncidents).toBe(summary.driftIncidents);
    for (const v of ['A', 'B'] as const) {
      const x = variants[v];
      expect(x.secondsNormal + x.secondsDegraded + x.secondsHalted).toBeGreaterThan(0);
      expect(x.ordersSubmitted).toBeGreaterThan(0);
    }
    // The B set's tighter limit is the one admission uses for B's tokens.
    const bToken = variants.B.tokens[0]!;
    expect(app.market!.limit(bToken)).toBe(1100_000_000n);
  }, 120_000);
});
