import { afterEach, describe, expect, it } from 'vitest';
import type { AlertSink } from '../../../core/alerts.ts';
import type { AlertRaised } from '../../../core/events.ts';
import { alertFeedConfigSchema, createAlerting, type Alerting } from '../../../ops/alerts/index.ts';
import { telegramAlertSink, type TelegramSink } from '../../../plugins/alert-sink/telegram/index.ts';
import { configYaml, startApp, YES, type Harness } from '../../core/harness.ts';
import { runUntil, startFakeBotApi, type FakeBotApi } from './fake-bot-api.ts';

const ENV = 'PQ_TEST_E2E_BOT_TOKEN';
const TOKEN = '5150:e2e-FAKE-token-never-logged';
const LONG_TOKEN = '71321045679252212594626385532706912750332728571942532289631379312455583992563';
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
  delete process.env[ENV];
});

async function world() {
  const h: Harness = await startApp(configYaml());
  cleanup.push(() => h.dispose());
  const api: FakeBotApi = await startFakeBotApi(h.clock);
  cleanup.push(() => api.close());
  process.env[ENV] = TOKEN;
  const tg = telegramAlertSink.create(
    telegramAlertSink.configSchema.parse({ kind: 'telegram', botTokenEnv: ENV, chats: ['-1009'], apiBaseUrl: api.url, groupDelaySeconds: 0.5 }),
    { clock: h.clock, logger: h.app.logger.child({ plugin: 'alert-sink/telegram' }), configPath: 'alerts.1', identity: {}, baseDir: '.', createPlugin: () => { throw new Error('none'); } },
  ) as TelegramSink;
  const seen: AlertRaised[] = [];
  const rec: AlertSink = { kind: 'log', send: (a) => void seen.push(a) };
  const alerting: Alerting = createAlerting({
    bus: h.app.bus, sinks: [rec, tg], clock: h.clock, logger: h.app.logger, engine: h.engine,
    feed: alertFeedConfigSchema.parse({ dailySummary: { enabled: false } }),
  });
  alerting.start();
  cleanup.push(() => alerting.dispose());
  return { h, api, tg, seen, alerting };
}

describe('alerting end to end: engine → dispatcher → telegram (loopback Bot API)', () => {
  it('delivers fills, aged-out pending fills and the halt as phone messages with the numbers', async () => {
    const { h, api, tg, seen } = await world();
    h.snapshot({ [YES]: 100, [LONG_TOKEN]: 0 });
    h.fill({ tradeId: 'TR-1', orderId: 'OR-1', side: 'BUY', size: 10, price: '0.45', token: LONG_TOKEN });
    expect(await runUntil(h.clock, () => tg.health().sent >= 1, { stepMs: 50, maxVirtualMs: 60_000 })).toBe(true);
    const fill = api.delivered()[0]!.text;
    expect(fill).toContain('Fill · token 713210…2563');
    expect(fill).toContain('BUY 10 @ 0.45');
    expect(fill).toContain('Confirmed 0 · pending +10/0 · effective 10');
    expect(fill).toContain('Trades: TR-1');
    expect(fill).toContain(`Token: ${LONG_TOKEN}`);

    // No snapshot any more: the pending fill ages out (120 s TTL) and the source is declared unavailable (300 s).
    expect(await runUntil(h.clock, () => seen.some((a) => a.code === 'RISK_HALTED'), { stepMs: 1000, maxVirtualMs: 400_000 })).toBe(true);
    expect(await runUntil(h.clock, () => tg.health().queued === 0 && tg.health().sent === api.delivered().length && api.delivered().some((r) => r.text.includes('HALTED')), { stepMs: 500 })).toBe(true);
    const all = api.delivered().map((r) => r.text).join('\n---\n');
    expect(all).toMatch(/Pending fills aged out · token 713210…2563[\s\S]*trade ids TR-1[\s\S]*Confirmed 0 · pending 0\/0 · effective 0/);
    expect(all).toMatch(/🔴 HALTED[\s\S]*Reason: SOURCE_UNAVAILABLE/);
    expect(all).not.toContain(TOKEN);
    expect(JSON.stringify(h.logs())).not.toContain(TOKEN);
    expect(api.requests.every((r) => r.token === TOKEN)).toBe(true);
    // Every alert the log sink saw reached the chat exactly once (grouping may pack several per message).
    const codes = seen.map((a) => a.code);
    for (const c of new Set(codes)) {
      const inChat = (all.match(new RegExp(` · ${c}$`, 'gm')) ?? []).length;
      expect(inChat, c).toBe(codes.filter((x) => x === c).length);
    }
  });

  it('does not make the engine track a token it only saw in an alert', async () => {
    const { h, seen } = await world();
    h.app.bus.publishAlert({ type: 'alert', at: h.clock.now(), severity: 'warning', code: 'SOMETHING', message: 'about an unknown token', tokenId: '999' });
    expect(seen.at(-1)!.tokenId).toBe('999');
    expect(h.engine.tokenIds()).not.toContain('999');
  });

  it('a chat that keeps failing becomes a health state and one alert on the other sink; the engine goes on', async () => {
    const { h, api, seen, alerting } = await world();
    api.script.push(...Array.from({ length: 6 }, () => ({ kind: 'status' as const, status: 502 })));
    h.snapshot({ [YES]: 10 });
    h.fill({ tradeId: 'A', side: 'BUY', size: 1 });
    expect(await runUntil(h.clock, () => seen.some((a) => a.code === 'ALERT_SINK_FAILED'), { stepMs: 200, maxVirtualMs: 60_000 })).toBe(true);
    expect(alerting.health().find((s) => s.kind === 'telegram')).toMatchObject({ state: 'failing' });
    h.fill({ tradeId: 'B', side: 'BUY', size: 1 });
    expect(h.pos().pendingBuys).toBe(2_000_000n);
    expect(await runUntil(h.clock, () => seen.some((a) => a.code === 'ALERT_SINK_RECOVERED'), { stepMs: 1000, maxVirtualMs: 200_000 })).toBe(true);
    expect(seen.filter((a) => a.code === 'ALERT_SINK_FAILED')).toHaveLength(1);
    const texts = api.delivered().map((r) => r.text).join('\n');
    expect(texts).toContain('Trades: A');
    expect(texts).toContain('Trades: B');
  });
});
