/** Pure parts (label bounds, reason codes, snapshot diffs, utilisation) and the record… methods. */
import { Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { SequencedEvent } from '../../../core/events.ts';
import type { MetricsSource } from '../../../ops/metrics/source.ts';
import type { SourceHealth } from '../../../core/sources/position-source.ts';
import type { PendingFill } from '../../../core/inventory/tracked-position.ts';
import { appSource } from '../../../ops/metrics/app-source.ts';
import { BoundedLabel, normaliseReason } from '../../../ops/metrics/labels.ts';
import { PolyquoteMetrics } from '../../../ops/metrics/metrics.ts';
import { diffPositions, type PositionLike } from '../../../ops/metrics/position-diff.ts';
import { utilisationPct } from '../../../ops/http/status.ts';
import { NO, sh, startApp, YES, type Harness } from '../../core/harness.ts';
import { parseProm, value } from './fixture.ts';

describe('normaliseReason', () => {
  it.each([
    ['not enough balance / allowance', 'NOT_ENOUGH_BALANCE_ALLOWANCE'],
    ['INVALID_ORDER_MIN_TICK_SIZE', 'INVALID_ORDER_MIN_TICK_SIZE'],
    ["  couldn't be fully filled  ", 'COULDN_T_BE_FULLY_FILLED'],
    ['', 'UNKNOWN'],
    ['///', 'UNKNOWN'],
    [undefined, 'UNKNOWN'],
    ['x'.repeat(100), 'X'.repeat(48)],
    ['a'.repeat(47) + ' b', 'A'.repeat(47)],
  ])('%j → %s', (raw, code) => {
    expect(normaliseReason(raw)).toBe(code);
  });
});

describe('BoundedLabel', () => {
  it('keeps the first cap values and folds the rest into "other", counting them', () => {
    const l = new BoundedLabel('token', 2, ['a']);
    expect(['a', 'b', 'c', 'b', 'd'].map((v) => l.value(v))).toEqual(['a', 'b', 'other', 'b', 'other']);
    expect(l.overflowed).toBe(2);
    expect(l.size).toBe(2);
  });
  it('rejects a cap that is not a positive integer', () => {
    expect(() => new BoundedLabel('x', 0)).toThrow(/positive integer cap for label x/);
  });
});

const fill = (key: string, side: 'BUY' | 'SELL', size: number, at = 0): PendingFill => ({
  key, tradeId: key, orderId: undefined, side, size: sh(size), originalSize: sh(size), price: sh('0.5'), firstSeenAt: at, status: 'MATCHED',
});
const view = (confirmed: number, confirmedAt: number | undefined, pending: PendingFill[], discrepancies = 0): PositionLike => ({
  tokenId: '1', confirmed: sh(confirmed), confirmedAt, pendingFills: pending, discrepancies,
});

describe('diffPositions', () => {
  it.each([
    { name: 'no snapshot yet', prev: undefined, next: view(0, undefined, [fill('a', 'BUY', 5)]), want: undefined },
    { name: 'a fill, no snapshot', prev: view(10, 1, []), next: view(10, 1, [fill('a', 'BUY', 5)]), want: undefined },
    { name: 'first snapshot', prev: view(0, undefined, [fill('a', 'BUY', 5)]), next: view(10, 2, [fill('a', 'BUY', 5)]), want: { outcome: 'baseline', absorbedBuys: 0n, absorbedSells: 0n, unexplained: 0n, discrepancies: 0 } },
    { name: 'unchanged', prev: view(10, 1, []), next: view(10, 2, []), want: { outcome: 'unchanged', absorbedBuys: 0n, absorbedSells: 0n, unexplained: 0n, discrepancies: 0 } },
    { name: 'partial absorption', prev: view(10, 1, [fill('a', 'BUY', 5), fill('b', 'BUY', 5)]), next: view(17, 2, [{ ...fill('b', 'BUY', 5), size: sh(3) }]), want: { outcome: 'absorbed', absorbedBuys: sh(7), absorbedSells: 0n, unexplained: 0n, discrepancies: 0 } },
    { name: 'both sides', prev: view(10, 1, [fill('a', 'BUY', 5), fill('s', 'SELL', 2)]), next: view(13, 2, []), want: { outcome: 'absorbed', absorbedBuys: sh(5), absorbedSells: sh(2), unexplained: 0n, discrepancies: 0 } },
    { name: 'discrepancy', prev: view(10, 1, [fill('a', 'BUY', 5)]), next: view(40, 2, [], 1), want: { outcome: 'discrepancy', absorbedBuys: sh(5), absorbedSells: 0n, unexplained: sh(25), discrepancies: 1 } },
    { name: 'move against pending', prev: view(10, 1, [fill('a', 'BUY', 5)]), next: view(4, 2, [fill('a', 'BUY', 5)], 1), want: { outcome: 'discrepancy', absorbedBuys: 0n, absorbedSells: 0n, unexplained: sh(-6), discrepancies: 1 } },
  ])('$name', ({ prev, next, want }) => {
    const d = diffPositions(prev, next);
    if (want === undefined) expect(d).toBeUndefined();
    else expect(d).toMatchObject(want);
  });
});

describe('utilisationPct', () => {
  it.each([
    [sh(50), sh(200), '25.0'],
    [sh('0.000001'), sh(3), '0.0'],
    [sh(1), sh(3), '33.3'],
    [sh(250), sh(200), '125.0'],
    [sh(-10), sh(200), '-5.0'],
    [sh(1), 0n, null],
  ])('%s / %s → %s', (e, l, want) => {
    expect(utilisationPct(e, l)).toBe(want);
  });
});

describe('record… methods', () => {
  let h: Harness | undefined;
  let metrics: PolyquoteMetrics | undefined;
  afterEach(async () => {
    metrics?.dispose();
    await h?.dispose();
  });

  it('rate limits, quote ages, rejects and ledger timings appear with bounded labels', async () => {
    h = await startApp();
    metrics = new PolyquoteMetrics(appSource(h.app), { maxReasons: 12, defaultMetrics: false });
    metrics.recordRateLimit('post_order', 42);
    metrics.recordQuote(YES, 'BUY', h.clock.now(), 'variant-b');
    h.advance(2500);
    metrics.recordOrderRejected(YES, 'INVALID_ORDER_MIN_TICK_SIZE', 'variant-b');
    for (let i = 0; i < 30; i++) metrics.recordOrderRejected(YES, `made up reason ${i}`);
    metrics.recordLedgerCommit(0.002);
    let s = parseProm(await metrics.scrape());
    expect(value(s, 'polyquote_rate_limit_remaining', { bucket: 'post_order' })).toBe(42);
    expect(value(s, 'polyquote_quote_age_seconds', { token: YES, side: 'BUY', variant: 'variant-b' })).toBe(2.5);
    expect(value(s, 'polyquote_orders_rejected_total', { reason: 'INVALID_ORDER_MIN_TICK_SIZE', variant: 'variant-b' })).toBe(1);
    const reasons = new Set(s.filter((x) => x.name === 'polyquote_orders_rejected_total').map((x) => x.labels.reason));
    // the cap counts the 9 catalog reasons: 2 more fit, the rest fold into "other"
    expect(reasons.size).toBe(4);
    expect(reasons.has('other')).toBe(true);
    expect(value(s, 'polyquote_metrics_label_overflow_total', { label: 'reason' })).toBeGreaterThan(0);
    expect(value(s, 'polyquote_ledger_commit_seconds_count')).toBe(1);
    metrics.clearQuote(YES, 'BUY', 'variant-b');
    s = parseProm(await metrics.scrape());
    expect(value(s, 'polyquote_quote_age_seconds', { token: YES, side: 'BUY', variant: 'variant-b' })).toBeUndefined();
  });

  it('counts halts and transitions from the live risk stream', async () => {
    h = await startApp();
    metrics = new PolyquoteMetrics(appSource(h.app), { defaultMetrics: false });
    h.snapshot({ [YES]: 10 });
    h.snapshot({ [YES]: -5 }); // an impossible balance halts the token
    const s = parseProm(await metrics.scrape());
    const d = h.engine.risk.decisionFor(YES);
    expect(d.mode).toBe('halted');
    expect(value(s, 'polyquote_halts_total', { token: YES })).toBe(1);
    expect(value(s, 'polyquote_risk_transitions_total', { token: YES, mode: 'halted' })).toBe(1);
    expect(value(s, 'polyquote_risk_reason_active', { set: 'live', token: YES, reason: 'IMPOSSIBLE_BALANCE' })).toBe(1);
  });
});

describe('containment', () => {
  let h: Harness | undefined;
  let metrics: PolyquoteMetrics | undefined;
  afterEach(async () => {
    metrics?.dispose();
    await h?.dispose();
  });

  it('a token that cannot be read, or a malformed stream value, never breaks a scrape or the engine', async () => {
    h = await startApp();
    const real = appSource(h.app);
    const events = new Subject<SequencedEvent>();
    const source: MetricsSource = {
      ...real, events$: events,
      position: (t) => (t === NO ? (() => { throw new Error('unreadable'); })() : real.position(t)),
    };
    metrics = new PolyquoteMetrics(source, { defaultMetrics: false });
    h.snapshot({ [YES]: 4, [NO]: 2 });
    expect(() => events.next(null as unknown as SequencedEvent)).not.toThrow();
    const s = parseProm(await metrics.scrape());
    expect(value(s, 'polyquote_position_confirmed_shares', { token: YES })).toBe(4);
    expect(value(s, 'polyquote_position_confirmed_shares', { token: NO })).toBeUndefined();
    expect(value(s, 'polyquote_metrics_errors_total')).toBe(2);
  });
});

describe('source latency', () => {
  let h: Harness | undefined;
  let metrics: PolyquoteMetrics | undefined;
  afterEach(async () => {
    metrics?.dispose();
    await h?.dispose();
  });

  it('observes each successful attempt once, from the source health stream', async () => {
    h = await startApp();
    const health = new Subject<SourceHealth>();
    metrics = new PolyquoteMetrics({ ...appSource(h.app), sourceHealth$: health }, { defaultMetrics: false });
    const base: SourceHealth = { source: 'chain', lastSuccessAt: 1, lastAttemptAt: 1, consecutiveFailures: 0, lastLatencyMs: 40, lastError: undefined, servingFallback: false };
    health.next(base);
    health.next(base); // the same attempt published again
    health.next({ ...base, lastAttemptAt: 2, consecutiveFailures: 1, lastError: 'timeout' }); // a failure: no latency
    health.next({ ...base, lastSuccessAt: 3, lastAttemptAt: 3, lastLatencyMs: 700 });
    const s = parseProm(await metrics.scrape());
    expect(value(s, 'polyquote_source_latency_seconds_count')).toBe(2);
    expect(value(s, 'polyquote_source_latency_seconds_sum')).toBeCloseTo(0.74, 9);
    expect(value(s, 'polyquote_source_latency_seconds_bucket', { le: '0.05' })).toBe(1);
    expect(value(s, 'polyquote_source_latency_seconds_bucket', { le: '1' })).toBe(2);
  });
});
