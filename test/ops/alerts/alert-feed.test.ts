import { afterEach, describe, expect, it } from 'vitest';
import { alertFeedConfigSchema, type AlertFeedConfig } from '../../../ops/alerts/alert-feed-config.ts';
import { AlertFeed, type AlertFeedDeps } from '../../../ops/alerts/alert-feed.ts';
import type { DetailedAlert } from '../../../ops/alerts/alert-types.ts';
import { formatAlert } from '../../../ops/alerts/format.ts';
import { CALM, formatDuration, ModeClock, nextDailyAt, parseUtcTime, stormCalmed, stormStep } from '../../../ops/alerts/feed-rules.ts';
import { configYaml, sh, startApp, START, YES, type Harness } from '../../core/harness.ts';

const apps: Harness[] = [];
const feeds: AlertFeed[] = [];
afterEach(async () => {
  for (const f of feeds.splice(0)) f.stop();
  for (const a of apps.splice(0)) await a.dispose();
});

/** A real engine (App on a virtual clock) with the feed watching its bus; `feedAlerts` are the feed's own. */
async function setup(cfg: Record<string, unknown> = {}, deps: Partial<AlertFeedDeps> = {}, yaml = configYaml()) {
  const h = await startApp(yaml);
  apps.push(h);
  const feedAlerts: DetailedAlert[] = [];
  const feed = new AlertFeed({
    bus: h.app.bus, clock: h.clock, logger: h.app.logger, config: alertFeedConfigSchema.parse(cfg) as AlertFeedConfig,
    position: (t) => h.engine.position(t), ...deps,
  });
  h.app.bus.alerts$.subscribe((a) => {
    if (['FILL', 'FILL_FAILED', 'FILL_DIGEST', 'RECONNECT_STORM', 'FEED_GAP', 'DISCREPANCY', 'DAILY_SUMMARY', 'SOURCE_FAILING', 'SOURCE_RECOVERED', 'HEARTBEAT_FAILED', 'HEARTBEAT_RESTORED'].includes(a.code)) feedAlerts.push(a as DetailedAlert);
  });
  feed.start();
  feeds.push(feed);
  return { h, feed, feedAlerts };
}

describe('alert feed on a real engine', () => {
  it('raises one alert per fill with the effective size after it, not again for its later statuses', async () => {
    const { h, feedAlerts } = await setup({ dailySummary: { enabled: false } });
    h.snapshot({ [YES]: 100 });
    h.fill({ tradeId: 'T-1', orderId: 'O-1', side: 'BUY', size: 10, price: '0.45' });
    h.fill({ tradeId: 'T-1', orderId: 'O-1', side: 'BUY', size: 10, price: '0.45', status: 'MINED' });
    h.fill({ tradeId: 'T-1', orderId: 'O-1', side: 'BUY', size: 10, price: '0.45', status: 'CONFIRMED' });
    expect(feedAlerts).toHaveLength(1);
    const a = feedAlerts[0]!;
    expect(a).toMatchObject({ code: 'FILL', severity: 'info', tokenId: YES, message: 'BUY 10 @ 0.45 (notional 4.5) MATCHED, order O-1' });
    expect(a.details?.position).toMatchObject({ confirmed: sh(100), pendingBuys: sh(10), effective: sh(110) });
    expect(a.details?.tradeIds).toEqual(['T-1']);
    expect(formatAlert(a)).toContain('Confirmed 100 · pending +10/0 · effective 110');
  });

  it('reports a fill that failed on chain as a warning', async () => {
    const { h, feedAlerts } = await setup({ dailySummary: { enabled: false } });
    h.snapshot({ [YES]: 50 });
    h.fill({ tradeId: 'T-9', side: 'SELL', size: 5, price: '0.6' });
    h.fill({ tradeId: 'T-9', side: 'SELL', size: 5, price: '0.6', status: 'FAILED' });
    expect(feedAlerts.map((a) => [a.code, a.severity])).toEqual([['FILL', 'info'], ['FILL_FAILED', 'warning']]);
    expect(feedAlerts[1]!.details?.position?.effective).toBe(sh(50));
  });

  it('sends a periodic digest instead when configured, and nothing for an idle interval', async () => {
    const { h, feedAlerts } = await setup({ fills: { mode: 'digest', digestIntervalSeconds: 60 }, dailySummary: { enabled: false } });
    h.snapshot({ [YES]: 0, '1002': 0 });
    h.fill({ tradeId: 'a', side: 'BUY', size: 10, price: '0.5' });
    h.fill({ tradeId: 'b', side: 'BUY', size: 5, price: '0.4' });
    h.fill({ tradeId: 'c', side: 'SELL', size: 2, price: '0.5', token: '1002' });
    expect(feedAlerts).toHaveLength(0);
    h.advance(60_000);
    expect(feedAlerts).toHaveLength(1);
    expect(feedAlerts[0]).toMatchObject({ code: 'FILL_DIGEST', message: '3 fills: BUY 15 / SELL 2 shares, notional 8' });
    expect(feedAlerts[0]!.details?.facts?.[0]).toEqual(['1001', '2 fills, net +15, effective 15']);
    h.advance(60_000);
    expect(feedAlerts).toHaveLength(1);
  });

  it('raises one reconnect-storm alert per storm and another once it calmed and came back', async () => {
    const { h, feedAlerts } = await setup({ reconnectStorm: { disconnects: 3, windowSeconds: 60 }, dailySummary: { enabled: false } });
    const blip = () => {
      h.connection('disconnected');
      h.advance(1000);
      h.connection('connected');
      h.advance(5000);
    };
    blip();
    blip();
    expect(feedAlerts.filter((a) => a.code === 'RECONNECT_STORM')).toHaveLength(0);
    blip();
    blip();
    blip();
    expect(feedAlerts.filter((a) => a.code === 'RECONNECT_STORM')).toHaveLength(1);
    expect(feedAlerts.find((a) => a.code === 'RECONNECT_STORM')!.message).toBe('user feed dropped 3 times within 1m 00s');
    h.advance(120_000);
    h.connection('connected');
    blip();
    blip();
    blip();
    expect(feedAlerts.filter((a) => a.code === 'RECONNECT_STORM')).toHaveLength(2);
  });

  it('raises a feed-gap alert with its reason', async () => {
    const { h, feedAlerts } = await setup({ dailySummary: { enabled: false } });
    h.gap('user');
    expect(feedAlerts.map((a) => a.code)).toContain('FEED_GAP');
    expect(feedAlerts.find((a) => a.code === 'FEED_GAP')!.message).toMatch(/^user feed gap: test gap/);
  });

  it('raises a discrepancy beyond tolerance with the numbers and the still-pending trade ids', async () => {
    const { h, feedAlerts } = await setup({ dailySummary: { enabled: false } });
    h.snapshot({ [YES]: 100 });
    h.fill({ tradeId: 'T-5', side: 'BUY', size: 10 });
    h.fill({ tradeId: 'T-6', side: 'BUY', size: 5 });
    h.snapshot({ [YES]: 80 });
    const d = feedAlerts.filter((a) => a.code === 'DISCREPANCY');
    expect(d).toHaveLength(1);
    expect(d[0]!.details?.position?.confirmed).toBe(sh(80));
    expect(d[0]!.severity).toBe('warning');
    h.snapshot({ [YES]: 80 });
    expect(feedAlerts.filter((a) => a.code === 'DISCREPANCY')).toHaveLength(1);
  });

  it('raises source failing once at the threshold and recovered once it answers', async () => {
    const { h, feedAlerts } = await setup({ sourceFailures: { consecutiveFailures: 2 }, dailySummary: { enabled: false } });
    const health = (n: number) => h.app.bus.publishSourceHealth({ source: 'chain', lastSuccessAt: undefined, lastAttemptAt: h.clock.now(), consecutiveFailures: n, lastLatencyMs: 5, lastError: 'chain: timeout after 5000 ms', servingFallback: false });
    health(1);
    health(2);
    health(3);
    health(0);
    health(0);
    expect(feedAlerts.map((a) => a.code)).toEqual(['SOURCE_FAILING', 'SOURCE_RECOVERED']);
    expect(feedAlerts[0]!.message).toBe('position source chain: 2 snapshots failed in a row, last: chain: timeout after 5000 ms');
  });

  it('polls venue heartbeats and raises failed / restored once each', async () => {
    let ok = true;
    const { h, feedAlerts } = await setup({ heartbeat: { checkSeconds: 5 }, dailySummary: { enabled: false } }, { venueHealth: () => ({ heartbeatOk: ok, lastError: 'HTTP 503' }) });
    h.advance(5000);
    ok = false;
    h.advance(15_000);
    ok = true;
    h.advance(5000);
    expect(feedAlerts.map((a) => [a.code, a.severity])).toEqual([['HEARTBEAT_FAILED', 'critical'], ['HEARTBEAT_RESTORED', 'info']]);
  });

  it('publishes the daily summary at the configured UTC time with fills, volume, PnL and time degraded or halted', async () => {
    const { h, feedAlerts } = await setup(
      { dailySummary: { atUtc: '06:00' }, fills: { mode: 'off' } },
      { summary: () => ({ realizedPnl: sh('12.5'), unrealizedPnl: sh('-3'), facts: [['Open orders', '4']] }) },
    );
    h.snapshot({ [YES]: 0 });
    h.fill({ tradeId: 'x1', side: 'BUY', size: 10, price: '0.5' });
    h.fill({ tradeId: 'x2', side: 'SELL', size: 4, price: '0.5' });
    h.connection('disconnected');
    h.advance(3_600_000);
    h.sourceError();
    h.advance(5 * 3_600_000 - 1);
    expect(feedAlerts.filter((a) => a.code === 'DAILY_SUMMARY')).toHaveLength(0);
    h.advance(1);
    const s = feedAlerts.filter((a) => a.code === 'DAILY_SUMMARY');
    expect(s).toHaveLength(1);
    const facts = Object.fromEntries(s[0]!.details!.facts!);
    expect(facts).toMatchObject({ Fills: '2 fills: BUY 10 / SELL 4 shares, notional 7', 'Feed disconnects': '1', 'Realized PnL': '12.5', 'Unrealized PnL': '-3', 'Open orders': '4' });
    expect(s[0]!.message).toBe('summary 2026-01-01 00:00 → 2026-01-01 06:00 UTC');
    expect(facts.Halted).not.toBe('0s');
    h.advance(86_400_000);
    expect(feedAlerts.filter((a) => a.code === 'DAILY_SUMMARY')).toHaveLength(2);
    expect(Object.fromEntries(feedAlerts.filter((a) => a.code === 'DAILY_SUMMARY')[1]!.details!.facts!).Fills).toBe('0 fills: BUY 0 / SELL 0 shares, notional 0');
  });

  it('keeps going when a lookup throws: the alert goes out without the numbers', async () => {
    const { h, feedAlerts } = await setup({ dailySummary: { enabled: false } }, { position: () => { throw new Error('lookup down'); } });
    h.fill({ tradeId: 'q', side: 'BUY', size: 1 });
    expect(feedAlerts).toHaveLength(1);
    expect(feedAlerts[0]!.details?.position).toBeUndefined();
    expect(h.logsMatching('alert feed: position lookup failed')).toHaveLength(1);
  });
});

describe('feed rules', () => {
  it.each<{ description: string; times: number[]; expectRaise: boolean[] }>([
    { description: 'three drops in the window start a storm once', times: [0, 10, 20, 30], expectRaise: [false, false, true, false] },
    { description: 'drops spread wider than the window never storm', times: [0, 70, 140, 210], expectRaise: [false, false, false, false] },
  ])('$description', ({ times, expectRaise }) => {
    let s = CALM;
    const raised = times.map((t) => {
      const r = stormStep(s, t * 1000, 3, 60_000);
      s = r.state;
      return r.raise;
    });
    expect(raised).toEqual(expectRaise);
  });

  it('a storm calms once the window holds fewer drops than the threshold', () => {
    let s = CALM;
    for (const t of [0, 1, 2]) s = stormStep(s, t, 3, 60_000).state;
    expect(s.inStorm).toBe(true);
    expect(stormCalmed(s, 30_000, 3, 60_000).inStorm).toBe(true);
    expect(stormCalmed(s, 60_001, 3, 60_000).inStorm).toBe(false);
  });

  it.each([
    ['00:00', START, START + 86_400_000],
    ['00:00', START - 1, START],
    ['06:30', START, START + 6.5 * 3_600_000],
    ['23:59', START + 23 * 3_600_000 + 59 * 60_000 + 1, START + 86_400_000 + 23 * 3_600_000 + 59 * 60_000],
  ])('the next %s after %i is %i', (hhmm, now, next) => expect(nextDailyAt(now, parseUtcTime(hhmm, 'x'))).toBe(next));

  it('rejects a bad time naming where', () => expect(() => parseUtcTime('24:00', 'alertFeed.dailySummary.atUtc')).toThrow(/alertFeed\.dailySummary\.atUtc/));

  it.each([[0, '0s'], [45_000, '45s'], [750_000, '12m 30s'], [7_500_000, '2h 05m']])('formats %i ms as %s', (ms, text) => expect(formatDuration(ms)).toBe(text));

  it('counts time per mode, the current mode up to now', () => {
    const m = new ModeClock('normal', 0);
    m.change('degraded', 1000);
    m.change('halted', 4000);
    expect(m.totals(10_000)).toEqual({ normal: 1000, degraded: 3000, halted: 6000 });
    m.reset(10_000);
    expect(m.totals(12_000)).toEqual({ normal: 0, degraded: 0, halted: 2000 });
  });

  it('config is strict and bounded, with working defaults', () => {
    expect(alertFeedConfigSchema.parse({})).toMatchObject({ fills: { mode: 'each' }, reconnectStorm: { disconnects: 5, windowSeconds: 300 }, dailySummary: { enabled: true, atUtc: '00:00' } });
    expect(alertFeedConfigSchema.safeParse({ fills: { mode: 'sometimes' } }).success).toBe(false);
    expect(alertFeedConfigSchema.safeParse({ reconnectStorm: { windowSeconds: 0 } }).success).toBe(false);
    expect(alertFeedConfigSchema.safeParse({ extra: 1 }).success).toBe(false);
    expect(alertFeedConfigSchema.safeParse({ dailySummary: { atUtc: '7:00' } }).success).toBe(false);
  });
});
