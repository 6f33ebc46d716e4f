/** /metrics scraped over HTTP during a real replay of a tape: every value matches the engine's state. */
import { afterEach, describe, expect, it } from 'vitest';
import { microsToNumber } from '../../../core/amounts.ts';
import type { App } from '../../../app/app.ts';
import { registerSecret } from '../../../core/logger.ts';
import { appSource } from '../../../ops/metrics/app-source.ts';
import { PolyquoteMetrics } from '../../../ops/metrics/metrics.ts';
import { startOpsServer, type OpsServer } from '../../../ops/http/server.ts';
import { StatusFeed } from '../../../ops/http/status.ts';
import { A, B, INCIDENT_TAPE, MIDPOINT, SECRET, parseProm, replayWithStops, value, type Sample } from './fixture.ts';

const LEVEL = { normal: 0, degraded: 1, halted: 2 } as const;
let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.reverse()) await c();
  closers = [];
});

/** Every state gauge agrees with what the engine holds right now. */
function expectMatchesEngine(s: readonly Sample[], app: App): void {
  const e = app.engine;
  expect(value(s, 'polyquote_last_seq')).toBe(e.lastSeq);
  for (const t of [A, B]) {
    const p = e.position(t);
    const pnl = e.pnl.view(t);
    const g = (name: string) => value(s, `polyquote_${name}`, { token: t });
    expect(g('position_confirmed_shares'), `confirmed ${t}`).toBe(microsToNumber(p.confirmed));
    expect(g('position_pending_buys_shares')).toBe(microsToNumber(p.pendingBuys));
    expect(g('position_pending_sells_shares')).toBe(microsToNumber(p.pendingSells));
    expect(g('position_effective_shares')).toBe(microsToNumber(p.effective));
    expect(g('position_pending_order_buys_shares')).toBe(microsToNumber(p.pendingOrderBuys));
    expect(g('position_conservative_exposure_shares')).toBe(microsToNumber(p.conservativeExposure));
    expect(g('position_available_to_sell_shares')).toBe(microsToNumber(p.availableToSell));
    expect(g('position_limit_shares')).toBe(200);
    expect(g('pending_fills')).toBe(p.pendingFills.length);
    expect(g('pnl_realized_usdc')).toBe(microsToNumber(pnl.realized));
    expect(g('pnl_unrealized_usdc')).toBe(microsToNumber(pnl.unrealized));
    expect(value(s, 'polyquote_discrepancies_total', { token: t }) ?? 0).toBe(p.discrepancies);
    const d = e.risk.decisionFor(t);
    expect(value(s, 'polyquote_risk_mode_level', { set: 'live', token: t })).toBe(LEVEL[d.mode]);
    expect(value(s, 'polyquote_risk_mode', { set: 'live', token: t, mode: d.mode })).toBe(1);
    for (const r of d.reasons) expect(value(s, 'polyquote_risk_reason_active', { set: 'live', token: t, reason: r })).toBe(1);
    expect(value(s, 'polyquote_risk_size_multiplier', { token: t })).toBe(d.sizeMultiplier);
    const sd = e.risk.shadowDecision('strict', t)!;
    expect(value(s, 'polyquote_risk_mode_level', { set: 'strict', token: t })).toBe(LEVEL[sd.mode]);
  }
  expect(value(s, 'polyquote_risk_mode_level', { set: 'live', token: 'overall' })).toBe(LEVEL[e.risk.global.mode]);
  expect(value(s, 'polyquote_shadow_divergences_total', { set: 'strict' })).toBe(e.risk.divergenceCount('strict'));
  expect(value(s, 'polyquote_source_consecutive_failures')).toBe(e.sourceHealth.consecutiveFailures);
  expect(value(s, 'polyquote_ledger_append_seconds_count')).toBe(e.lastSeq);
}

describe('/metrics during a replayed run', () => {
  it('serves the engine state, counters from the bus, bounded labels, no secrets', async () => {
    registerSecret(SECRET);
    let server: Promise<OpsServer> | undefined;
    const scrape = async () => {
      const srv = await server!;
      const res = await fetch(`${srv.url}metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await res.text();
      expect(text).not.toContain(SECRET);
      return { text, samples: parseProm(text) };
    };
    let mid: Sample[] = [];
    let end: { text: string; samples: Sample[] } | undefined;
    let divergences = -1;
    await replayWithStops(INCIDENT_TAPE, {
      [MIDPOINT]: async (app) => {
        mid = (await scrape()).samples;
        expectMatchesEngine(mid, app);
      },
      [INCIDENT_TAPE.length - 1]: async (app) => {
        end = await scrape();
        expectMatchesEngine(end.samples, app);
        divergences = app.engine.risk.divergenceCount('strict');
      },
    }, (app) => {
      const source = appSource(app);
      const metrics = new PolyquoteMetrics(source);
      metrics.instrumentLedger(app.ledger);
      const status = new StatusFeed(source);
      server = startOpsServer({ metrics, status, port: 0 });
      closers.push(async () => {
        await (await server!).close();
        status.dispose();
        metrics.dispose();
      });
    });

    // At the midpoint: baseline, one absorbing snapshot, one discrepancy (+35 with 5 pending).
    expect(value(mid, 'polyquote_reconciliations_total', { token: A, outcome: 'baseline' })).toBe(1);
    expect(value(mid, 'polyquote_reconciliations_total', { token: A, outcome: 'absorbed' })).toBe(1);
    expect(value(mid, 'polyquote_reconciliations_total', { token: A, outcome: 'discrepancy' })).toBe(1);
    expect(value(mid, 'polyquote_absorbed_shares_total', { token: A, side: 'BUY' })).toBe(30);
    expect(value(mid, 'polyquote_absorbed_shares_total', { token: A, side: 'SELL' })).toBe(10);
    expect(value(mid, 'polyquote_discrepancy_unexplained_shares_total', { token: A })).toBe(30);
    expect(value(mid, 'polyquote_orders_rejected_total', { token: B, reason: 'NOT_ENOUGH_BALANCE_ALLOWANCE', variant: 'live' })).toBe(1);
    expect(value(mid, 'polyquote_source_failures_total', { source: 'chain' })).toBe(1);
    expect(value(mid, 'polyquote_feed_connected', { channel: 'user' })).toBe(1);

    const s = end!.samples;
    expect(value(s, 'polyquote_feed_disconnects_total', { channel: 'user' })).toBe(1);
    expect(value(s, 'polyquote_feed_reconnects_total', { channel: 'user' })).toBe(1);
    expect(value(s, 'polyquote_feed_gaps_total', { channel: 'user' })).toBe(1);
    expect(value(s, 'polyquote_feed_gaps_open')).toBe(0); // resolved by the force reconcile
    expect(value(s, 'polyquote_absorbed_shares_total', { token: B, side: 'BUY' })).toBe(3);
    expect(value(s, 'polyquote_orders_submitted_total', { token: A, side: 'BUY', variant: 'live' })).toBe(1);
    expect(value(s, 'polyquote_orders_submitted_total', { token: B, side: 'BUY', variant: 'live' })).toBe(1);
    expect(value(s, 'polyquote_fills_total', { token: A, side: 'BUY', status: 'MATCHED' })).toBe(2);
    expect(value(s, 'polyquote_snapshots_total', { source: 'chain', degraded: 'false' })).toBe(4);
    expect(value(s, 'polyquote_mark_price', { token: A })).toBe(0.5);
    expect(value(s, 'polyquote_open_orders', { token: A, side: 'BUY' })).toBe(1);
    expect(divergences).toBeGreaterThan(0);
    // prom-client's process metrics, prefixed like everything else
    expect(value(s, 'polyquote_process_cpu_user_seconds_total')).toBeGreaterThan(0);
    for (const x of s) expect(x.name.startsWith('polyquote_'), x.name).toBe(true);
    // bounded label sets: tokens are the two configured ones (and "overall" for the global decision)
    const tokenValues = new Set(s.flatMap((x) => (x.labels.token ? [x.labels.token] : [])));
    expect([...tokenValues].sort()).toEqual([A, B, 'overall'].sort());
  });
});
