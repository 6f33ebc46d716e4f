import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../core/clock.ts';
import type { AlertRaised } from '../../../core/events.ts';
import { createMemoryLogger } from '../../../core/logger.ts';
import { TelegramSink, type TelegramSinkOptions } from '../../../plugins/alert-sink/telegram/index.ts';
import { runFor, runUntil, startFakeBotApi, type FakeBotApi } from './fake-bot-api.ts';

const TOKEN = '7777777:FAKE-bot-token-SecretValue_xyz';
const T0 = Date.UTC(2026, 11, 1, 9, 0, 0);
const servers: FakeBotApi[] = [];
const sinks: TelegramSink[] = [];
afterEach(async () => {
  for (const s of sinks.splice(0)) await s.dispose();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

let n = 0;
function alert(over: Partial<AlertRaised> = {}): AlertRaised {
  n++;
  return { type: 'alert', at: T0, severity: 'warning', code: 'RISK_DEGRADED', message: `overall degraded: DRIFT #${n}`, reasons: ['DRIFT'], ...over };
}

async function setup(over: Partial<TelegramSinkOptions> = {}) {
  const clock = new VirtualClock(T0);
  const api = await startFakeBotApi(clock);
  servers.push(api);
  const mem = createMemoryLogger('debug');
  const sink = new TelegramSink({
    apiBaseUrl: api.url, botToken: TOKEN, chats: ['1001'], minSeverity: 'info', clock, logger: mem.logger, timeoutMs: 2000,
    dedupWindowMs: 0, groupDelayMs: 0, chatIntervalMs: 1000, groupChatIntervalMs: 3000, globalIntervalMs: 1000 / 30,
    maxQueue: 50, initialBackoffMs: 1000, maxBackoffMs: 30_000, failAfterAttempts: 3, ...over,
  });
  sinks.push(sink);
  return { clock, api, sink, lines: mem.lines };
}

describe('telegram sink against a loopback Bot API', () => {
  it('sends a formatted message to every chat with the token in the path and link previews off', async () => {
    const { clock, api, sink } = await setup({ chats: ['1001', '-100200300'] });
    sink.send(alert({ severity: 'critical', code: 'RISK_HALTED', message: 'overall halted: SOURCE_UNAVAILABLE', reasons: ['SOURCE_UNAVAILABLE'] }));
    expect(await runUntil(clock, () => sink.health().sent === 2, { stepMs: 20 })).toBe(true);
    expect(api.requests.map((r) => r.chat).sort()).toEqual(['-100200300', '1001']);
    for (const r of api.requests) {
      expect(r.token).toBe(TOKEN);
      expect(r.disablePreview).toBe(true);
      expect(r.text).toContain('HALTED');
      expect(r.text).toContain('Reason: SOURCE_UNAVAILABLE');
    }
    expect(sink.health()).toMatchObject({ state: 'ok', sent: 2, queued: 0 });
  });

  it('returns from send synchronously without waiting on the network', async () => {
    const { clock, api, sink } = await setup({ maxQueue: 10_000 });
    api.script.push({ kind: 'slow', delayMs: 500 });
    const alerts = Array.from({ length: 2100 }, () => alert({ severity: 'info' }));
    const results: unknown[] = [];
    // The median of 21 batches stays meaningful on a loaded machine (a descheduled batch is an outlier).
    const batchMs: number[] = [];
    for (let b = 0; b < 21; b++) {
      const t = performance.now();
      for (let i = 0; i < 100; i++) results.push(sink.send(alerts[b * 100 + i]!));
      batchMs.push(performance.now() - t);
    }
    expect(results.every((r) => r === undefined)).toBe(true);
    const medianPerSendMs = [...batchMs].sort((x, y) => x - y)[10]! / 100;
    expect(medianPerSendMs).toBeLessThan(0.1);
    expect(sink.health().queued).toBe(2100);
    expect(api.requests).toHaveLength(0);
    clock.advanceBy(0);
    expect(await runUntil(clock, () => api.requests.length >= 1, { stepMs: 20 })).toBe(true);
  });

  it('spaces messages to one chat by its interval and groups what queued up meanwhile, in order', async () => {
    const { clock, api, sink } = await setup();
    sink.send(alert({ message: 'first' }));
    expect(await runUntil(clock, () => api.delivered().length === 1, { stepMs: 20 })).toBe(true);
    const firstAt = api.requests[0]!.at;
    for (const m of ['second', 'third', 'fourth']) sink.send(alert({ message: m }));
    expect(await runUntil(clock, () => sink.health().sent === 4, { stepMs: 20 })).toBe(true);
    expect(api.requests).toHaveLength(2);
    const grouped = api.requests[1]!;
    expect(grouped.at - firstAt).toBeGreaterThanOrEqual(1000 - 50);
    expect(grouped.text).toMatch(/^🟠 3 alerts/);
    const pos = ['second', 'third', 'fourth'].map((m) => grouped.text.indexOf(m));
    expect(pos.every((p) => p >= 0)).toBe(true);
    expect([...pos].sort((a, b) => a - b)).toEqual(pos);
    expect(sink.health().sent).toBe(4);
  });

  it('groups a synchronous burst into one message after the group delay', async () => {
    const { clock, api, sink } = await setup({ groupDelayMs: 1000 });
    for (let i = 0; i < 5; i++) sink.send(alert({ message: `burst ${i}` }));
    await runFor(clock, 3000, 20);
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]!.text).toMatch(/^🟠 5 alerts/);
    expect(api.requests[0]!.at - T0).toBeGreaterThanOrEqual(1000);
  });

  it('honours a 429 retry_after and delivers once, without reporting the sink failing', async () => {
    const { clock, api, sink } = await setup();
    api.script.push({ kind: 'status', status: 429, retryAfter: 5 });
    sink.send(alert({ message: 'throttled one' }));
    expect(await runUntil(clock, () => api.delivered().length === 1, { stepMs: 50 })).toBe(true);
    expect(api.requests.map((r) => r.answer)).toEqual(['status', 'ok']);
    expect(api.requests[1]!.at - api.requests[0]!.at).toBeGreaterThanOrEqual(5000 - 100);
    await runFor(clock, 10_000, 100);
    expect(api.delivered()).toHaveLength(1);
    expect(sink.health()).toMatchObject({ state: 'ok', sent: 1 });
  });

  it('holds only the throttled chat; the other chat keeps going', async () => {
    const { clock, api, sink } = await setup({ chats: ['1', '2'] });
    api.script.push((chat) => (chat === '1' ? { kind: 'status', status: 429, retryAfter: 30 } : undefined));
    sink.send(alert({ message: 'a' }));
    expect(await runUntil(clock, () => api.delivered('2').length === 1, { stepMs: 20 })).toBe(true);
    sink.send(alert({ message: 'b' }));
    expect(await runUntil(clock, () => api.delivered('2').length === 2, { stepMs: 20 })).toBe(true);
    expect(api.delivered('1')).toHaveLength(0);
    expect(await runUntil(clock, () => api.delivered('1').length === 1, { stepMs: 200 })).toBe(true);
    expect(api.delivered('1')[0]!.text).toMatch(/2 alerts[\s\S]*\ba\b[\s\S]*\bb\b/);
  });

  it('retries 5xx answers and dropped connections with growing backoff, nothing lost or sent twice', async () => {
    const { clock, api, sink } = await setup();
    api.script.push({ kind: 'status', status: 502 }, { kind: 'drop' }, { kind: 'status', status: 500 });
    sink.send(alert({ message: 'must arrive' }));
    expect(await runUntil(clock, () => api.delivered().length === 1, { stepMs: 50 })).toBe(true);
    expect(api.requests.map((r) => r.answer)).toEqual(['status', 'drop', 'status', 'ok']);
    const gaps = api.requests.slice(1).map((r, i) => r.at - api.requests[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(1000 - 100);
    expect(gaps[1]).toBeGreaterThanOrEqual(2000 - 100);
    expect(gaps[2]).toBeGreaterThanOrEqual(4000 - 100);
    await runFor(clock, 60_000, 1000);
    expect(api.delivered()).toHaveLength(1);
    expect(sink.health()).toMatchObject({ state: 'ok', sent: 1, consecutiveFailures: 0 });
  });

  it('reports failing after persistent failures and ok again once a message goes through', async () => {
    const { clock, api, sink } = await setup({ failAfterAttempts: 2 });
    const changes: string[] = [];
    sink.onHealthChange((h) => changes.push(`${h.state}:${h.lastError ?? ''}`));
    api.script.push({ kind: 'status', status: 503 }, { kind: 'status', status: 503 }, { kind: 'status', status: 503 });
    sink.send(alert());
    expect(await runUntil(clock, () => changes.length === 1, { stepMs: 50 })).toBe(true);
    expect(changes[0]).toMatch(/^failing:telegram sendMessage to chat 1001: HTTP 503/);
    expect(await runUntil(clock, () => changes.length === 2, { stepMs: 100 })).toBe(true);
    expect(changes[1]).toMatch(/^ok:/);
    expect(api.delivered()).toHaveLength(1);
  });

  it('keeps order behind a slow answer and never sends a message twice', async () => {
    const { clock, api, sink } = await setup({ chatIntervalMs: 1 });
    api.script.push({ kind: 'slow', delayMs: 1500 });
    sink.send(alert({ message: 'slow one' }));
    await runUntil(clock, () => api.requests.length === 1, { stepMs: 5 });
    sink.send(alert({ message: 'after slow' }));
    await runFor(clock, 100, 5);
    expect(api.requests).toHaveLength(1);
    expect(await runUntil(clock, () => api.requests.length === 2, { stepMs: 5 })).toBe(true);
    await runFor(clock, 5000, 100);
    expect(api.requests.map((r) => r.text.includes('after slow'))).toEqual([false, true]);
    expect(api.requests[0]!.text).toContain('slow one');
  });

  it('deduplicates identical alerts within the window and sends them again after it', async () => {
    const { clock, api, sink } = await setup({ dedupWindowMs: 60_000, groupDelayMs: 500 });
    const same = alert({ message: 'same thing' });
    sink.send(same);
    sink.send({ ...same });
    sink.send({ ...same, at: T0 + 10 });
    expect(await runUntil(clock, () => api.delivered().length === 1, { stepMs: 50 })).toBe(true);
    expect(api.requests[0]!.text).toContain('(repeated 2 more times)');
    sink.send({ ...same });
    await runFor(clock, 5000, 100);
    expect(api.requests).toHaveLength(1);
    expect(sink.health().deduplicated).toBe(3);
    await runFor(clock, 60_000, 1000);
    sink.send({ ...same });
    expect(await runUntil(clock, () => api.delivered().length === 2, { stepMs: 50 })).toBe(true);
  });

  it('drops the oldest info alerts first when the queue is full, and counts them', async () => {
    const { clock, api, sink } = await setup({ maxQueue: 5 });
    api.script.push({ kind: 'status', status: 429, retryAfter: 60 });
    sink.send(alert({ severity: 'info', message: 'info-0' }));
    await runUntil(clock, () => api.requests.length === 1, { stepMs: 20 });
    await runFor(clock, 200, 20);
    sink.send(alert({ severity: 'warning', message: 'warn-1' }));
    sink.send(alert({ severity: 'info', message: 'info-2' }));
    sink.send(alert({ severity: 'critical', message: 'crit-3' }));
    sink.send(alert({ severity: 'info', message: 'info-4' }));
    sink.send(alert({ severity: 'warning', message: 'warn-5' }));
    sink.send(alert({ severity: 'info', message: 'info-6' }));
    sink.send(alert({ severity: 'info', message: 'info-7' }));
    expect(sink.health()).toMatchObject({ queued: 5, dropped: { info: 3, warning: 0, critical: 0 } });
    expect(await runUntil(clock, () => api.delivered().length === 1, { stepMs: 500 })).toBe(true);
    const text = api.delivered()[0]!.text;
    const kept = ['warn-1', 'crit-3', 'warn-5', 'info-6', 'info-7'];
    for (const m of ['info-0', 'info-2', 'info-4']) expect(text).not.toContain(m);
    const pos = kept.map((m) => text.indexOf(m));
    expect(pos.every((p) => p >= 0)).toBe(true);
    expect([...pos].sort((a, b) => a - b)).toEqual(pos);
    expect(text).toMatch(/^🔴 5 alerts/);
  });

  it('filters by minimum severity', async () => {
    const { clock, api, sink } = await setup({ minSeverity: 'warning' });
    sink.send(alert({ severity: 'info', message: 'quiet' }));
    sink.send(alert({ severity: 'warning', message: 'loud' }));
    expect(await runUntil(clock, () => api.delivered().length === 1, { stepMs: 20 })).toBe(true);
    await runFor(clock, 3000, 100);
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]!.text).toContain('loud');
    expect(api.requests[0]!.text).not.toContain('quiet');
  });

  it('refuses for good on a 4xx such as a bot kicked from the chat, and says so without the token', async () => {
    const { clock, api, sink, lines } = await setup();
    api.script.push({ kind: 'status', status: 403, description: 'Forbidden: bot was kicked from the group chat' });
    sink.send(alert());
    expect(await runUntil(clock, () => sink.health().state === 'failing', { stepMs: 20 })).toBe(true);
    await runFor(clock, 30_000, 1000);
    expect(api.requests).toHaveLength(1);
    expect(sink.health()).toMatchObject({ rejected: 1, sent: 0 });
    expect(sink.health().lastError).toContain('Forbidden: bot was kicked');
    expect(JSON.stringify(lines())).toContain('alert delivery refused');
  });

  it('never puts the bot token in a log line or an error, whatever goes wrong', async () => {
    const { clock, api, sink, lines } = await setup({ timeoutMs: 100, failAfterAttempts: 1 });
    api.script.push(
      { kind: 'drop' }, { kind: 'status', status: 500 }, { kind: 'slow', delayMs: 400 },
      { kind: 'status', status: 401, description: 'Unauthorized' }, { kind: 'raw', status: 200, body: 'not json' },
    );
    for (let i = 0; i < 5; i++) sink.send(alert({ message: `m${i}` }));
    expect(await runUntil(clock, () => sink.health().rejected === 5, { stepMs: 100 })).toBe(true);
    sink.send(alert({ message: 'one more' }));
    expect(await runUntil(clock, () => sink.health().rejected === 6, { stepMs: 100 })).toBe(true);
    expect(api.requests.map((r) => r.answer)).toEqual(['drop', 'status', 'slow', 'status', 'raw']);
    const everything = JSON.stringify(lines()) + JSON.stringify(sink.health()) + JSON.stringify(sink.chatHealth());
    expect(lines().length).toBeGreaterThan(3);
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain('FAKE-bot-token');
    expect(everything).not.toContain(api.url);
  });

  it('on dispose sends what is still queued, in real time, then stops', async () => {
    const { api, sink } = await setup({ groupDelayMs: 600_000, flushOnDisposeMs: 3000, chatIntervalMs: 20 });
    for (const m of ['last-1', 'last-2', 'last-3']) sink.send(alert({ message: m }));
    expect(api.requests).toHaveLength(0);
    await sink.dispose();
    expect(api.delivered()).toHaveLength(1);
    expect(api.delivered()[0]!.text).toMatch(/3 alerts[\s\S]*last-1[\s\S]*last-2[\s\S]*last-3/);
    expect(sink.health()).toMatchObject({ sent: 3, queued: 0 });
    sink.send(alert({ message: 'after dispose' }));
    expect(sink.health().queued).toBe(0);
  });

  it('gives up flushing at dispose on a failure and counts the rest as dropped', async () => {
    const { api, sink } = await setup({ groupDelayMs: 600_000, flushOnDisposeMs: 3000 });
    api.script.push({ kind: 'status', status: 500 });
    sink.send(alert({ message: 'doomed' }));
    const t = Date.now();
    await sink.dispose();
    expect(Date.now() - t).toBeLessThan(2000);
    expect(api.requests).toHaveLength(1);
    expect(sink.health()).toMatchObject({ sent: 0, queued: 0, dropped: { warning: 1 } });
  });

  it('keeps each message within Telegram\u2019s 4096 characters', async () => {
    const { clock, api, sink } = await setup();
    sink.send(alert({ message: 'x'.repeat(5000) }));
    for (let i = 0; i < 40; i++) sink.send(alert({ message: `${'y'.repeat(300)} ${i}` }));
    await runFor(clock, 30_000, 100);
    expect(api.requests.length).toBeGreaterThan(2);
    for (const r of api.requests) expect(r.text.length).toBeLessThanOrEqual(4096);
    expect(sink.health()).toMatchObject({ sent: 41, queued: 0 });
  });
});
