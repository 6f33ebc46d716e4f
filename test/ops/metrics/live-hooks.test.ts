/** The live bot's metric hooks: pure sample builders (tables), then the real gateway, venue double and App scraped over HTTP. */
import { afterEach, describe, expect, it } from 'vitest';
import type { VenueHealth } from '../../../core/venue/venue.ts';
import { startOps, type RunningOps } from '../../../ops/http/start.ts';
import { observeRefusals } from '../../../ops/metrics/live-hooks.ts';
import { componentSamples, freshestQuotes, rateSamples, strategySamples, venueSamples } from '../../../ops/metrics/trading.ts';
import { sh, startTrading, YES, NO } from '../../trading/trading-harness.ts';
import { sample } from './prom-text.ts';

const base: VenueHealth = { userFeed: 'connected', marketFeed: 'connected', heartbeatOk: true, reconnects: 0 };
const on = (s: ReturnType<typeof venueSamples>) => s.feedState.filter((x) => x.value === 1).map((x) => `${x.labels.feed}:${x.labels.state}`);

describe('venueSamples', () => {
  it.each([
    { name: 'all up', h: base, now: 1000, up: ['user:connected', 'market:connected'], hb: 1, backoff: 0, postOnly: 0 },
    { name: 'user reconnecting, heartbeat failing', h: { ...base, userFeed: 'connecting', heartbeatOk: false }, now: 1000, up: ['user:connecting', 'market:connected'], hb: 0, backoff: 0, postOnly: 0 },
    { name: 'market down, back-off 2.5 s left', h: { ...base, marketFeed: 'disconnected', backoffUntil: 3500 }, now: 1000, up: ['user:connected', 'market:disconnected'], hb: 1, backoff: 2.5, postOnly: 0 },
    { name: 'windows in the past count 0', h: { ...base, backoffUntil: 500, postOnlyUntil: 900 }, now: 1000, up: ['user:connected', 'market:connected'], hb: 1, backoff: 0, postOnly: 0 },
    { name: 'post-only window 10 s left', h: { ...base, postOnlyUntil: 11_000 }, now: 1000, up: ['user:connected', 'market:connected'], hb: 1, backoff: 0, postOnly: 10 },
  ] as const)('$name', ({ h, now, up, hb, backoff, postOnly }) => {
    const s = venueSamples(h as VenueHealth, now);
    expect(on(s)).toEqual(up);
    expect(s.feedState).toHaveLength(6);
    expect(s.heartbeatOk).toBe(hb);
    expect(s.backoffSeconds).toBe(backoff);
    expect(s.postOnlySeconds).toBe(postOnly);
  });
});

describe('freshestQuotes', () => {
  it.each([
    { name: 'none', orders: [], want: {} },
    { name: 'one per side', orders: [{ tokenId: 'A', side: 'BUY', submittedAt: 5 }, { tokenId: 'A', side: 'SELL', submittedAt: 7 }], want: { 'A|BUY': 5, 'A|SELL': 7 } },
    { name: 'the newest order on a side wins', orders: [{ tokenId: 'A', side: 'BUY', submittedAt: 5 }, { tokenId: 'A', side: 'BUY', submittedAt: 9 }, { tokenId: 'A', side: 'BUY', submittedAt: 3 }], want: { 'A|BUY': 9 } },
    { name: 'tokens apart', orders: [{ tokenId: 'A', side: 'BUY', submittedAt: 5 }, { tokenId: 'B', side: 'BUY', submittedAt: 1 }], want: { 'A|BUY': 5, 'B|BUY': 1 } },
  ] as const)('$name', ({ orders, want }) => {
    expect(Object.fromEntries([...freshestQuotes(orders).entries()].map(([k, v]) => [k, v.at]))).toEqual(want);
  });
});

describe('state samples', () => {
  it('rate budget rows, strategy and component states (exactly one 1 each)', () => {
    expect(rateSamples({ orders: { remaining: 3, capacity: 50 }, cancels: { remaining: 40, capacity: 100 } })).toEqual([
      { bucket: 'orders', remaining: 3, capacity: 50 }, { bucket: 'cancels', remaining: 40, capacity: 100 },
    ]);
    const st = strategySamples([{ name: 'a', state: 'running' }, { name: 'b', state: 'failed' }]);
    expect(st.filter((x) => x.value === 1).map((x) => `${x.labels.strategy}:${x.labels.state}`)).toEqual(['a:running', 'b:failed']);
    expect(st).toHaveLength(8);
    const c = componentSamples([{ component: 'timer', state: 'failing', since: 0, failures: 2 }]);
    expect(c.filter((x) => x.value === 1).map((x) => x.labels.state)).toEqual(['failing']);
    expect(c).toHaveLength(4);
  });
});

let ops: RunningOps | undefined;
let dispose: (() => Promise<void>) | undefined;
afterEach(async () => {
  await ops?.close();
  await dispose?.();
  ops = undefined;
  dispose = undefined;
});

describe('hooks on a trading App', () => {
  it('counts local refusals by reason, reads rate budget, quote ages, venue health and component health at scrape time', async () => {
    const t = await startTrading();
    dispose = () => t.app.dispose();
    ops = await startOps(t.app, { port: 0, defaultMetrics: false });
    const scrape = async () => (await fetch(`${ops!.server.url}metrics`)).text();
    t.snapshot({ [YES]: 0, [NO]: 0 }, 1000);

    // Heartbeats failing: the gateway refuses locally (nothing on the bus), counted by reason.
    t.venue.healthState = { ...t.venue.healthState, heartbeatOk: false, userFeed: 'connecting' };
    const refused = await t.settle(t.gateway.submit({ tokenId: YES, side: 'BUY', price: sh('0.40'), size: sh(10), orderType: 'GTC', postOnly: true }));
    expect(refused.kind).toBe('refused');
    let text = await scrape();
    expect(sample(text, 'polyquote_orders_rejected_total', { token: YES, reason: 'HEARTBEAT_FAILED' })).toBe(1);
    expect(sample(text, 'polyquote_venue_heartbeat_ok')).toBe(0);
    expect(sample(text, 'polyquote_venue_feed_state', { feed: 'user', state: 'connecting' })).toBe(1);
    expect(sample(text, 'polyquote_venue_feed_state', { feed: 'user', state: 'connected' })).toBe(0);
    expect(sample(text, 'polyquote_quote_age_seconds', { token: YES, side: 'BUY' })).toBeUndefined();

    // Healthy again: a BUY rests; its age follows the clock; the budget is read live.
    t.venue.healthState = { ...t.venue.healthState, heartbeatOk: true, userFeed: 'connected' };
    t.venue.budget = { orders: { remaining: 100, capacity: 100 }, cancels: { remaining: 77, capacity: 100 } };
    const ok = await t.settle(t.gateway.submit({ tokenId: YES, side: 'BUY', price: sh('0.40'), size: sh(10), orderType: 'GTC', postOnly: true }));
    expect(ok.kind).toBe('submitted');
    const submittedAt = t.engine.orders.openOrders()[0]!.submittedAt;
    t.clock.advanceBy(1500);
    t.venue.healthState = { ...t.venue.healthState, backoffUntil: t.clock.now() + 4000 };
    t.app.health.set('strategy:demo', 'failing', t.clock.now(), 'boom');
    text = await scrape();
    expect(sample(text, 'polyquote_quote_age_seconds', { token: YES, side: 'BUY', variant: 'live' })).toBeCloseTo((t.clock.now() - submittedAt) / 1000, 6);
    expect(sample(text, 'polyquote_rate_limit_remaining', { bucket: 'cancels' })).toBe(77);
    expect(sample(text, 'polyquote_rate_limit_capacity', { bucket: 'orders' })).toBe(100);
    expect(sample(text, 'polyquote_venue_backoff_seconds')).toBe(4);
    expect(sample(text, 'polyquote_venue_heartbeat_ok')).toBe(1);
    expect(sample(text, 'polyquote_component_health', { component: 'strategy:demo', state: 'failing' })).toBe(1);
    expect(sample(text, 'polyquote_orders_rejected_total', { token: YES, reason: 'HEARTBEAT_FAILED' })).toBe(1);

    // A venue rejection is counted once (from the bus), not again by the refusal hook.
    t.venue.healthState = { ...t.venue.healthState, backoffUntil: undefined };
    t.venue.placeScript = (o) => ({ kind: 'rejected', orderId: o.orderId, code: 'INVALID_ORDER_MIN_TICK_SIZE', reason: 'tick', retryable: false });
    const rej = await t.settle(t.gateway.submit({ tokenId: NO, side: 'BUY', price: sh('0.30'), size: sh(10), orderType: 'GTC', postOnly: true }));
    expect(rej.kind).toBe('rejected');
    // The resting BUY is cancelled: its quote-age series goes away.
    await t.settle(t.gateway.cancelAll());
    expect(t.engine.orders.openOrders()).toHaveLength(0);
    text = await scrape();
    expect(sample(text, 'polyquote_orders_rejected_total', { token: NO, reason: 'INVALID_ORDER_MIN_TICK_SIZE' })).toBe(1);
    expect(sample(text, 'polyquote_quote_age_seconds', { token: YES, side: 'BUY' })).toBeUndefined();
  });

  it('observeRefusals counts only refusals and restores the method', async () => {
    const counted: string[] = [];
    const answers = [{ kind: 'refused', code: 'LIMIT', reason: 'x' }, { kind: 'submitted', orderId: '0x1', status: 'LIVE' }, { kind: 'rejected', orderId: '0x2', code: 'V', reason: 'v' }] as const;
    let i = 0;
    class G {
      async submit(_intent: unknown) {
        return answers[i++]!;
      }
    }
    const g = new G();
    const undo = observeRefusals(g as never, { recordOrderRejected: (t, r) => void counted.push(`${t}:${r}`) });
    const intent = { tokenId: YES, side: 'BUY', price: sh('0.5'), size: sh(1), orderType: 'GTC', postOnly: true } as const;
    for (let k = 0; k < 3; k++) await g.submit(intent as never);
    expect(counted).toEqual([`${YES}:LIMIT`]);
    undo();
    expect(Object.prototype.hasOwnProperty.call(g, 'submit')).toBe(false);
    expect(g.submit).toBe(G.prototype.submit);
  });
});
