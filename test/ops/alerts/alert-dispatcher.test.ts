import { afterEach, describe, expect, it } from 'vitest';
import type { AlertSink } from '../../../core/alerts.ts';
import { Bus } from '../../../core/bus.ts';
import { VirtualClock } from '../../../core/clock.ts';
import type { AlertRaised } from '../../../core/events.ts';
import { createMemoryLogger, registerSecret } from '../../../core/logger.ts';
import { AlertDispatcher } from '../../../ops/alerts/alert-dispatcher.ts';
import type { DetailedAlert } from '../../../ops/alerts/alert-types.ts';
import { TelegramSink } from '../../../plugins/alert-sink/telegram/index.ts';
import { runUntil, startFakeBotApi, type FakeBotApi } from './fake-bot-api.ts';

const T0 = Date.UTC(2026, 11, 1, 9);
const servers: FakeBotApi[] = [];
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const alert = (code: string, over: Partial<AlertRaised> = {}): AlertRaised => ({ type: 'alert', at: T0, severity: 'warning', code, message: `${code} happened`, ...over });

/** A sink that records what it got; `fail` makes it throw (or reject, when `async`). */
function recorder(kind = 'rec', mode: { fail?: boolean; async?: boolean; never?: boolean } = {}) {
  const got: DetailedAlert[] = [];
  const sink: AlertSink & { got: DetailedAlert[]; mode: typeof mode } = {
    kind, got, mode,
    send(a) {
      if (mode.never) return new Promise<void>(() => undefined);
      if (mode.fail) {
        if (mode.async) return Promise.reject(new Error(`${kind} exploded`));
        throw new Error(`${kind} exploded`);
      }
      got.push(a as DetailedAlert);
      return mode.async ? Promise.resolve() : undefined;
    },
  };
  return sink;
}

function setup(sinks: AlertSink[], options?: ConstructorParameters<typeof AlertDispatcher>[4]) {
  const bus = new Bus();
  const clock = new VirtualClock(T0);
  const mem = createMemoryLogger('debug');
  const d = new AlertDispatcher(bus, sinks, clock, mem.logger, options);
  d.start();
  cleanups.push(() => d.dispose(), () => bus.complete());
  return { bus, clock, d, lines: mem.lines };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('AlertDispatcher', () => {
  it('hands every bus alert to every sink, in order', () => {
    const a = recorder('a');
    const b = recorder('b');
    const { bus } = setup([a, b]);
    for (const c of ['ONE', 'TWO', 'THREE']) bus.publishAlert(alert(c));
    expect(a.got.map((x) => x.code)).toEqual(['ONE', 'TWO', 'THREE']);
    expect(b.got.map((x) => x.code)).toEqual(['ONE', 'TWO', 'THREE']);
  });

  it('contains a throwing sink: the stream goes on and the others hear of it once, then of its recovery', () => {
    const bad = recorder('bad', { fail: true });
    const a = recorder('a');
    const b = recorder('b');
    const { bus, d, lines } = setup([a, bad, b]);
    bus.publishAlert(alert('FIRST'));
    bus.publishAlert(alert('SECOND'));
    bus.publishAlert(alert('THIRD'));
    for (const s of [a, b]) expect(s.got.map((x) => x.code)).toEqual(['FIRST', 'ALERT_SINK_FAILED', 'SECOND', 'THIRD']);
    expect(a.got[1]!.message).toBe('alert sink bad is failing: bad exploded');
    expect(d.health().map((h) => [h.name, h.state])).toEqual([['a', 'ok'], ['bad', 'failing'], ['b', 'ok']]);
    expect(d.health()[1]).toMatchObject({ lastError: 'bad exploded', sendFailures: 3 });
    expect(lines().filter((l) => l.msg === 'alert sink failed')).toHaveLength(3);
    bad.mode.fail = false;
    bus.publishAlert(alert('FOURTH'));
    expect(a.got.map((x) => x.code).slice(-2)).toEqual(['FOURTH', 'ALERT_SINK_RECOVERED']);
    expect(bad.got.map((x) => x.code)).toEqual(['FOURTH']);
    expect(d.health()[1]!.state).toBe('ok');
  });

  it('contains a rejecting async sink the same way', async () => {
    const bad = recorder('bad', { fail: true, async: true });
    const a = recorder('a');
    const { bus, d } = setup([bad, a]);
    bus.publishAlert(alert('X'));
    bus.publishAlert(alert('Y'));
    await flush();
    expect(a.got.map((x) => x.code)).toEqual(['X', 'Y', 'ALERT_SINK_FAILED']);
    expect(d.health()[0]).toMatchObject({ state: 'failing', sendFailures: 2 });
  });

  it('never waits on a sink whose send never settles', () => {
    const stuck = recorder('stuck', { never: true });
    const a = recorder('a');
    const { bus } = setup([stuck, a]);
    for (let i = 0; i < 100; i++) bus.publishAlert(alert(`A${i}`));
    expect(a.got).toHaveLength(100);
  });

  it('names sinks of the same kind by index and keeps secrets out of alert texts', () => {
    const secret = 'sk_live_dispatcher_secret_999';
    registerSecret(secret);
    const bad: AlertSink = { kind: 'webhook', send: () => { throw new Error(`POST failed with key ${secret}`); } };
    const ok = recorder('webhook');
    const { bus, d, lines } = setup([bad, ok]);
    bus.publishAlert(alert('X'));
    expect(d.health().map((h) => h.name)).toEqual(['webhook#0', 'webhook#1']);
    expect(ok.got[1]!.message).toBe('alert sink webhook#0 is failing: POST failed with key [REDACTED]');
    expect(JSON.stringify(lines()) + JSON.stringify(d.health())).not.toContain(secret);
    bus.publishAlert(alert('LEDGER_FAILED', { message: `ledger write failed: open ${secret}.db` }));
    expect(ok.got.at(-1)!.message).toBe('ledger write failed: open [REDACTED].db');
  });

  it('passes a malformed alert on with a known severity rather than losing it', () => {
    const a = recorder('a');
    const { bus } = setup([a]);
    bus.publishAlert({ ...alert('ODD'), severity: 'loud' as never, message: 42 as never });
    expect(a.got[0]).toMatchObject({ code: 'ODD', severity: 'warning', message: '42' });
  });

  it('attaches the token position and market to alerts that carry none', () => {
    const a = recorder('a');
    const { bus } = setup([a], {
      position: (t) => (t === '77' ? { confirmed: 5_000_000n, pendingBuys: 1_000_000n, pendingSells: 0n, effective: 6_000_000n } : undefined),
      market: (t) => (t === '77' ? 'Rain in Paris?' : undefined),
    });
    bus.publishAlert(alert('RISK_HALTED', { tokenId: '77' }));
    bus.publishAlert(alert('RISK_HALTED', { tokenId: '88' }));
    bus.publishAlert({ ...alert('FILL', { tokenId: '77' }), details: { position: { confirmed: 1n, pendingBuys: 0n, pendingSells: 0n, effective: 1n } } } as DetailedAlert);
    expect(a.got[0]!.details).toEqual({ position: { confirmed: 5_000_000n, pendingBuys: 1_000_000n, pendingSells: 0n, effective: 6_000_000n }, market: 'Rain in Paris?' });
    expect(a.got[1]!.details).toBeUndefined();
    expect(a.got[2]!.details!.position!.confirmed).toBe(1n);
  });

  it('turns a telegram sink whose chat keeps failing into a health state and one alert on the others', async () => {
    const clock = new VirtualClock(T0);
    const api = await startFakeBotApi(clock);
    servers.push(api);
    const tg = new TelegramSink({
      apiBaseUrl: api.url, botToken: '999:dispatcher-test-token', chats: ['1'], minSeverity: 'info', clock, timeoutMs: 1000,
      dedupWindowMs: 0, groupDelayMs: 0, chatIntervalMs: 1000, groupChatIntervalMs: 3000, globalIntervalMs: 10, maxQueue: 50,
      initialBackoffMs: 1000, maxBackoffMs: 4000, failAfterAttempts: 3,
    });
    const other = recorder('log');
    const bus = new Bus();
    const d = new AlertDispatcher(bus, [tg, other], clock, createMemoryLogger().logger);
    d.start();
    cleanups.push(() => d.dispose(), () => bus.complete());
    api.script.push(...Array.from({ length: 4 }, () => ({ kind: 'status' as const, status: 500 })));
    bus.publishAlert(alert('RISK_HALTED', { severity: 'critical' }));
    expect(await runUntil(clock, () => other.got.some((a) => a.code === 'ALERT_SINK_FAILED'), { stepMs: 50 })).toBe(true);
    expect(d.health()[0]).toMatchObject({ name: 'telegram', state: 'failing', queued: 1 });
    expect(d.health()[0]!.lastError).toMatch(/HTTP 500/);
    expect(await runUntil(clock, () => other.got.some((a) => a.code === 'ALERT_SINK_RECOVERED'), { stepMs: 100 })).toBe(true);
    expect(other.got.map((a) => a.code)).toEqual(['RISK_HALTED', 'ALERT_SINK_FAILED', 'ALERT_SINK_RECOVERED']);
    expect(api.delivered()).toHaveLength(1);
    expect(api.delivered()[0]!.text).toContain('HALTED');
    expect(d.health()[0]).toMatchObject({ state: 'ok', sent: 1 });
  });

  it('stops forwarding after dispose and disposes every sink, containing failures', async () => {
    const a = recorder('a');
    let disposed = 0;
    const boom: AlertSink = { kind: 'boom', send: () => undefined, dispose: () => { disposed++; throw new Error('dispose boom'); } };
    const { bus, d, lines } = setup([boom, { ...a, dispose: () => void disposed++ }]);
    await d.dispose();
    bus.publishAlert(alert('LATE'));
    expect(a.got).toHaveLength(0);
    expect(disposed).toBe(2);
    expect(lines().some((l) => l.msg === 'alert sink dispose failed')).toBe(true);
  });
});
