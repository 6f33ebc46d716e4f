import { describe, expect, it } from 'vitest';
import type { AlertSeverity } from '../../../core/events.ts';
import { backoffDelayMs, dedupKey, evictionIndex } from '../../../ops/alerts/delivery-policy.ts';
import type { DetailedAlert } from '../../../ops/alerts/alert-types.ts';
import { alertTitle, alertToJson, formatAlert, packAlerts, shortTokenId, truncateText } from '../../../ops/alerts/format.ts';

const TOKEN = '71321045679252212594626385532706912750332728571942532289631379312455583992563';
const AT = Date.UTC(2026, 11, 1, 9, 31, 5);

describe('formatAlert', () => {
  it('renders a halt with the market, the numbers, the reason and the full token id', () => {
    const a: DetailedAlert = {
      type: 'alert', at: AT, severity: 'critical', code: 'RISK_HALTED', tokenId: TOKEN,
      message: `token ${TOKEN} halted: IMPOSSIBLE_BALANCE`, reasons: ['IMPOSSIBLE_BALANCE'],
      details: { market: 'Will it rain in Paris on 2 Dec?', position: { confirmed: 120_000_000n, pendingBuys: 10_500_000n, pendingSells: 0n, effective: 130_500_000n, pendingOrderBuys: 5_000_000n }, tradeIds: ['t-1', 't-2'] },
    };
    expect(formatAlert(a)).toBe([
      '🔴 HALTED · token 713210…2563',
      'Market: Will it rain in Paris on 2 Dec?',
      'token 713210…2563 halted: IMPOSSIBLE_BALANCE',
      'Reason: IMPOSSIBLE_BALANCE',
      'Confirmed 120 · pending +10.5/0 · effective 130.5',
      'Open BUY orders reserve 5',
      'Trades: t-1, t-2',
      `Token: ${TOKEN}`,
      '09:31:05 UTC · RISK_HALTED',
    ].join('\n'));
  });

  it('renders a global alert without token lines, and sells as negative pending', () => {
    const text = formatAlert({
      type: 'alert', at: AT, severity: 'info', code: 'SOURCE_PRIMARY_RESTORED', message: 'primary chain source answering again',
      details: { position: { confirmed: 3n, pendingBuys: 0n, pendingSells: 2_000_000n, effective: -1_999_997n }, facts: [['Latency', '120 ms']] },
    });
    expect(text).toBe('🟢 Primary source back\nprimary chain source answering again\nConfirmed 0.000003 · pending 0/-2 · effective -1.999997\nLatency: 120 ms\n09:31:05 UTC · SOURCE_PRIMARY_RESTORED');
  });

  it('caps long trade id lists', () => {
    const text = formatAlert({ type: 'alert', at: AT, severity: 'warning', code: 'PENDING_AGED_OUT', message: 'aged', details: { tradeIds: Array.from({ length: 13 }, (_, i) => `t${i}`) } });
    expect(text).toContain('Trades: t0, t1, t2, t3, t4, t5, t6, t7, t8, t9 (+3 more)');
  });

  it.each([
    ['RISK_DEGRADED', 'Degraded'],
    ['ALERT_SINK_FAILED', 'Alert sink failing'],
    ['SOMETHING_NEW', 'Something new'],
    ['', 'Alert'],
  ])('titles %s as %s', (code, title) => expect(alertTitle(code)).toBe(title));

  it.each([
    ['12345', '12345'],
    ['123456789012', '123456789012'],
    ['1234567890123', '123456…0123'],
  ])('shortens token %s to %s', (id, short) => expect(shortTokenId(id)).toBe(short));
});

describe('packAlerts', () => {
  const item = (message: string, severity: AlertSeverity = 'info', repeats = 0) => ({ alert: { type: 'alert', at: AT, severity, code: 'FILL', message } as DetailedAlert, repeats });

  it('sends one alert as is and several under a header naming the worst severity', () => {
    expect(packAlerts([item('one')])).toEqual({ count: 1, text: formatAlert(item('one').alert) });
    const p = packAlerts([item('a'), item('b', 'warning'), item('c')]);
    expect(p.count).toBe(3);
    expect(p.text.split('\n')[0]).toBe('🟠 3 alerts');
  });

  it('takes only the prefix that fits and cuts an oversized single alert', () => {
    const items = Array.from({ length: 30 }, (_, i) => item(`${'z'.repeat(400)} ${i}`));
    const p = packAlerts(items, 4096);
    expect(p.count).toBeGreaterThan(1);
    expect(p.count).toBeLessThan(30);
    expect(p.text.length).toBeLessThanOrEqual(4096);
    expect(p.text).toContain(` ${p.count - 1}\n`);
    const big = packAlerts([item('q'.repeat(5000)), item('small')], 4096);
    expect(big.count).toBe(1);
    expect(big.text.length).toBe(4096);
    expect(big.text.endsWith('… (truncated)')).toBe(true);
  });

  it('notes repeats', () => {
    expect(packAlerts([item('again', 'info', 1)]).text).toContain('(repeated 1 more time)');
  });

  it('truncateText leaves short text alone', () => expect(truncateText('abc', 3)).toBe('abc'));
});

describe('delivery policy', () => {
  it.each<{ description: string; queued: AlertSeverity[]; incoming: AlertSeverity; expected: number }>([
    { description: 'oldest info goes first', queued: ['warning', 'info', 'critical', 'info'], incoming: 'warning', expected: 1 },
    { description: 'with no info queued, the oldest warning', queued: ['critical', 'warning', 'warning'], incoming: 'critical', expected: 1 },
    { description: 'an incoming info drops the oldest queued info, not itself', queued: ['critical', 'info'], incoming: 'info', expected: 1 },
    { description: 'an incoming info is dropped when only higher severities wait', queued: ['critical', 'warning'], incoming: 'info', expected: 2 },
    { description: 'all critical: the oldest critical', queued: ['critical', 'critical'], incoming: 'critical', expected: 0 },
  ])('$description', ({ queued, incoming, expected }) => expect(evictionIndex(queued, incoming)).toBe(expected));

  it.each([
    [1, 1000], [2, 2000], [3, 4000], [6, 30_000], [50, 30_000], [0, 1000],
  ])('backs off %i failures by %i ms', (failures, ms) => expect(backoffDelayMs(failures, { initialMs: 1000, maxMs: 30_000, factor: 2 })).toBe(ms));
});

describe('dedupKey', () => {
  const base: DetailedAlert = { type: 'alert', at: AT, severity: 'info', code: 'FILL', message: 'BUY 1 @ 0.5', tokenId: '9' };
  it.each<{ description: string; other: DetailedAlert; same: boolean }>([
    { description: 'a later copy is a repeat', other: { ...base, at: AT + 1000 }, same: true },
    { description: 'moved position numbers are still a repeat', other: { ...base, details: { position: { confirmed: 1n, pendingBuys: 0n, pendingSells: 0n, effective: 1n } } }, same: true },
    { description: 'another trade id is another alert', other: { ...base, details: { tradeIds: ['T2'] } }, same: false },
    { description: 'another event key is another alert', other: { ...base, details: { eventKey: 'synth:1' } }, same: false },
    { description: 'another token is another alert', other: { ...base, tokenId: '10' }, same: false },
    { description: 'another code is another alert', other: { ...base, code: 'FILL_FAILED' }, same: false },
  ])('$description', ({ other, same }) => expect(dedupKey(other) === dedupKey(base)).toBe(same));
});

describe('alertToJson', () => {
  it('carries amounts as decimal strings and the phone text', () => {
    const j = alertToJson({ type: 'alert', at: AT, severity: 'warning', code: 'FILL', message: 'm', tokenId: '5', details: { position: { confirmed: 1n, pendingBuys: 0n, pendingSells: 0n, effective: 1_500_000n } } });
    expect(j).toMatchObject({ time: '2026-12-01T09:31:05.000Z', tokenId: '5', details: { position: { confirmed: '0.000001', effective: '1.5' } } });
    expect(JSON.parse(JSON.stringify(j))).toEqual(j);
  });
});
