/**
 * Degrade and halt end to end, checked on the orders the exchange itself saw:
 *  - drift (fills left unsettled on the chain: the simulator's settlementDelayMs) → DRIFT on the
 *    token: its quotes go one-sided (SELL only) and shrink;
 *  - the chain source failing (the simulator's RPC faults) → REST fallback → SOURCE_FALLBACK:
 *    quotes shrink and widen on every token;
 *  - no authoritative snapshot for hard-halt's sourceUnavailableSeconds → halted: quoting stops
 *    and every resting order is cancelled;
 *  - the faults cleared → normal: full-size two-sided quotes again.
 * An order is judged by the risk decision its submit was admitted under (read at the engine's
 * admission), never by when the test first saw it: on a loaded machine an order admitted just before
 * a decision changed can reach the exchange well after the change.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { scratch, waitFor } from './support.ts';
import { shippedRaw, startEmbedded, type Embedded } from './embedded.ts';
import type { RiskDecision } from '../../core/risk/decision.ts';

const s = scratch('degrade');
let bot: Embedded | undefined;
let poller: NodeJS.Timeout | undefined;
afterAll(async () => {
  clearInterval(poller);
  await bot?.stop();
  s.cleanup();
});

interface Seen { id: string; tokenId: string; side: 'BUY' | 'SELL'; size: bigint; price: bigint; at: number; drift: boolean; fallback: boolean }
interface Admitted { tokenId: string; side: 'BUY' | 'SELL'; size: bigint; decision: RiskDecision; at: number }

const FULL = 20_000_000n;
const HALF = 10_000_000n;

describe('degrade and halt, end to end', () => {
  it('shrinks, goes one-sided, widens, stops and cancels, then resumes', async () => {
    const raw = shippedRaw();
    raw.simulator.flow = { ...raw.simulator.flow, takerRatePerSecond: 3 };
    raw.simulator.lifecycle = { ...raw.simulator.lifecycle, failRate: 0, minedDelayMs: 300, confirmedDelayMs: 500 };
    // The shipped 5 s chain timeout: with 1 s a loaded machine's slow anvil answers alone tripped SOURCE_FALLBACK in the normal phase.
    raw.positionSource.sources[0] = { ...raw.positionSource.sources[0], intervalSeconds: 1, timeoutSeconds: 5 };
    raw.positionSource.sources[1] = { ...raw.positionSource.sources[1], intervalSeconds: 1 };
    raw.simulator.positions = { lagMs: 0 };
    // Short-lived quotes: with the market flow stopped the books stand still, and only age makes the strategy re-quote.
    raw.strategy = { ...raw.strategy, maxAgeSeconds: 3 };
    raw.risk.policies = [
      { kind: 'conservative-limits', maxPositionShares: 1200 },
      { kind: 'degrade', thresholdShares: 5, forSeconds: 1, sizeMultiplier: 0.5, extraTicks: 1, fallbackSizeMultiplier: 0.5, fallbackExtraTicks: 2 },
      { kind: 'hard-halt', sourceUnavailableSeconds: 25 },
    ];
    bot = await startEmbedded(raw, s.dir, { trade: false });
    const { app, sim } = bot;
    // The decision each of our submits was admitted under: read right before the engine's own
    // admission, in the same synchronous step (the strategy sized the order in that step too).
    const admitted = new Map<string, Admitted>();
    const submitOrder = app.engine.submitOrder.bind(app.engine);
    app.engine.submitOrder = (e) => {
      const decision = app.engine.risk.decisionFor(e.tokenId);
      const r = submitOrder(e);
      if (r.admitted) admitted.set(e.orderId, { tokenId: e.tokenId, side: e.side, size: e.size, decision, at: Date.now() });
      return r;
    };
    const admittedWith = (reason: string) => [...admitted.entries()].filter(([, a]) => a.decision.reasons.includes(reason));
    await app.startTrading();
    const funder = bot.ep.funder.toLowerCase();
    const yes = sim.info.markets.map((m) => m.tokens[0]);
    const seen = new Map<string, Seen>();
    const ours = () => sim.engine.openOrders().filter((o) => o.maker.toLowerCase() === funder && o.status === 'LIVE');
    const driftBefore = new Map<string, boolean>();
    const oneSided: string[] = [];
    poller = setInterval(() => {
      const driftNow = new Map(yes.map((t) => [t, bot!.app.engine.risk.decisionFor(t).reasons.includes('DRIFT')]));
      const live = ours();
      for (const o of live) {
        if (seen.has(o.id)) continue;
        const reasons = admitted.get(o.id)?.decision.reasons ?? [];
        seen.set(o.id, {
          id: o.id, tokenId: o.tokenId, side: o.side, size: o.size, price: o.price, at: Date.now(),
          drift: reasons.includes('DRIFT'), fallback: reasons.includes('SOURCE_FALLBACK'),
        });
      }
      for (const t of yes) {
        const os = live.filter((o) => o.tokenId === t);
        // Moments when a token under DRIFT rested a SELL and no BUY of ours.
        if (driftNow.get(t) && driftBefore.get(t) && os.length > 0 && os.every((o) => o.side === 'SELL')) oneSided.push(t);
        driftBefore.set(t, driftNow.get(t)!);
      }
    }, 50);
    const since = (t: number) => [...seen.values()].filter((o) => o.at >= t);
    type Under = (d: RiskDecision) => boolean;
    const normal: Under = (d) => d.mode === 'normal';
    const underFallback: Under = (d) => d.reasons.includes('SOURCE_FALLBACK');
    /** Our resting BUY/SELL spread on a token, in micros, when both sides rest, each admitted under a decision `under` accepts. */
    const spreads: bigint[] = [];
    const spreadOf = (tokenId: string, under: Under) => {
      const os = ours().filter((o) => o.tokenId === tokenId && (() => {
        const a = admitted.get(o.id);
        return a !== undefined && under(a.decision);
      })());
      const buy = os.find((o) => o.side === 'BUY');
      const sell = os.find((o) => o.side === 'SELL');
      return buy && sell ? sell.price - buy.price : undefined;
    };
    /** Samples for at least `ms`, and on until it has a few samples (a loaded machine may re-quote slowly). */
    const sampleSpreads = async (ms: number, into: bigint[], under: Under) => {
      const end = Date.now() + ms;
      const deadline = Date.now() + 20_000;
      while ((Date.now() < end || into.length < 5) && Date.now() < deadline) {
        for (const t of yes) {
          const sp = spreadOf(t, under);
          if (sp !== undefined) into.push(sp);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const median = (xs: bigint[]) => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))[Math.floor(xs.length / 2)]!;

    // Normal: full-size quotes on both sides of both markets.
    const t0 = Date.now();
    await waitFor('full-size two-sided quotes on every market', () => yes.every((t) => {
      const os = ours().filter((o) => o.tokenId === t);
      return os.some((o) => o.side === 'BUY' && o.size === FULL) && os.some((o) => o.side === 'SELL' && o.size === FULL);
    }), 30_000);
    await sampleSpreads(1500, spreads, normal);
    // Every order admitted under a normal decision is full size (a transient degrade, which a loaded
    // machine can cause, shrinks the orders admitted under it; those are judged with their decision below).
    const normalOrders = since(t0).filter((o) => admitted.get(o.id) !== undefined && normal(admitted.get(o.id)!.decision));
    expect(normalOrders.length).toBeGreaterThan(0);
    for (const o of normalOrders) expect(o.size, `order ${o.id} admitted under a normal decision`).toBe(FULL);

    // Drift: fills stay unsettled → DRIFT on a token → SELL only, half size.
    await bot.control('faults', { settlementDelayMs: 15_000 }); // each trade matched from now on settles 15 s late
    const drifting = await waitFor('a token degraded by DRIFT', () => app.engine.tokenIds().find((t) => app.engine.risk.decisionFor(t).reasons.includes('DRIFT')), 45_000);
    const dDecision = app.engine.risk.decisionFor(drifting);
    expect(dDecision).toMatchObject({ mode: 'degraded', allowedSides: ['SELL'], sizeMultiplier: 0.5 });
    await waitFor('a drifting token resting a SELL and no BUY (one-sided)', () => oneSided.length > 0, 30_000);
    await waitFor('a new order admitted under DRIFT resting at the exchange', () => [...seen.values()].some((o) => o.drift), 30_000);
    await new Promise((r) => setTimeout(r, 1000));
    // Every order admitted on a token under DRIFT, as the exchange rests it: SELL, at most half the configured size.
    const driftOrders = [...seen.values()].filter((o) => o.drift);
    for (const o of driftOrders) expect({ side: o.side, small: o.size <= HALF }, `order ${o.id} admitted under DRIFT`).toEqual({ side: 'SELL', small: true });
    // The same for every submit admitted under DRIFT, also those that never rested long enough to be seen.
    for (const [id, a] of admittedWith('DRIFT')) expect({ side: a.side, small: a.size <= HALF }, `submit ${id} admitted under DRIFT`).toEqual({ side: 'SELL', small: true });
    // Settlement comes back and the simulated flow stops (no new fills, the books stay): the drift clears.
    await bot.control('faults', { settlementDelayMs: 0 });
    sim.stopFlow();
    await waitFor('the drift to clear', () => app.engine.tokenIds().every((t) => app.engine.risk.decisionFor(t).mode === 'normal'), 40_000);

    // Chain source failing → REST fallback → SOURCE_FALLBACK: half size, wider.
    await bot.control('faults', { rpc: { errorRate: 1 } });
    await waitFor('SOURCE_FALLBACK', () => app.engine.risk.global.reasons.includes('SOURCE_FALLBACK'), 15_000);
    const fallbackSpreads: bigint[] = [];
    await waitFor('half-size quotes admitted under fallback', () => [...seen.values()].some((o) => o.fallback && o.size === HALF), 20_000);
    await sampleSpreads(1500, fallbackSpreads, underFallback);
    // Every order admitted under SOURCE_FALLBACK, as the exchange rests it and as submitted: at most half size.
    const fallbackOrders = [...seen.values()].filter((o) => o.fallback);
    expect(fallbackOrders.length).toBeGreaterThan(0);
    for (const o of fallbackOrders) expect(o.size <= HALF, `order ${o.id} size ${o.size} admitted under SOURCE_FALLBACK`).toBe(true);
    for (const [id, a] of admittedWith('SOURCE_FALLBACK')) expect(a.size <= HALF, `submit ${id} size ${a.size} admitted under SOURCE_FALLBACK`).toBe(true);
    expect(spreads.length).toBeGreaterThan(0);
    expect(fallbackSpreads.length).toBeGreaterThan(0);
    expect(median(fallbackSpreads)).toBeGreaterThan(median(spreads));

    // Still no authoritative snapshot after sourceUnavailableSeconds → halted: nothing rests, nothing new.
    await waitFor('halted (SOURCE_UNAVAILABLE)', () => app.engine.risk.global.mode === 'halted', 35_000);
    const tH = Date.now(); // halted from here on
    expect(app.engine.risk.global.reasons).toContain('SOURCE_UNAVAILABLE');
    const nothingRests = () => ours().length === 0 && app.engine.orders.openOrders().length === 0;
    await waitFor('every resting order cancelled on halt', nothingRests, 15_000);
    await new Promise((r) => setTimeout(r, 2000));
    // Nothing new: no submit admitted since the halt (an order admitted just before it may still have
    // reached the exchange after it, on a loaded machine; it is cancelled like the others).
    expect([...admitted.entries()].filter(([, a]) => a.at >= tH)).toEqual([]);
    for (const o of since(tH)) expect(admitted.get(o.id)?.decision.mode, `order ${o.id} first seen after the halt`).not.toBe('halted');
    await waitFor('nothing resting while halted', nothingRests, 15_000);
    expect(app.engine.risk.global.mode).toBe('halted');

    // Recovery: the chain answers again → normal → full-size two-sided quotes.
    const tR = Date.now(); // nothing was placed while halted (checked above): what follows is the recovery's
    await bot.control('faults', { rpc: { errorRate: 0 } });
    await waitFor('normal again', () => app.engine.risk.global.mode === 'normal', 20_000);
    await waitFor('full-size two-sided quotes after recovery', () => yes.every((t) => {
      const os = since(tR).filter((o) => o.tokenId === t);
      return os.some((o) => o.side === 'BUY' && o.size === FULL) && os.some((o) => o.side === 'SELL' && o.size === FULL);
    }), 30_000);
  }, 180_000);
});
