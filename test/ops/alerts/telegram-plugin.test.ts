import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../core/clock.ts';
import { parseConfig } from '../../../core/config/load.ts';
import { ConfigError, PolyquoteError } from '../../../core/errors.ts';
import { createMemoryLogger } from '../../../core/logger.ts';
import type { PluginContext } from '../../../core/plugin.ts';
import { telegramAlertSink, telegramOutcome, TelegramSink } from '../../../plugins/alert-sink/telegram/index.ts';
import { PluginRegistry } from '../../../plugins/registry.ts';
import { runUntil, startFakeBotApi, type FakeBotApi } from './fake-bot-api.ts';

const ENV_NAME = 'PQ_TEST_TELEGRAM_TOKEN_PLUGIN';
const TOKEN = '424242:AAplugin-fake-TOKEN-value';
const servers: FakeBotApi[] = [];
afterEach(async () => {
  delete process.env[ENV_NAME];
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const yaml = (alerts: string) => `
tokens: ["1001"]
reconciler: { kind: oldest-first }
alerts: ${alerts}
ledger: { kind: memory }
`;

function issues(text: string, env: NodeJS.ProcessEnv): { path: string; message: string }[] {
  try {
    parseConfig(text, new PluginRegistry(), { env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).issues];
  }
  throw new Error('expected a ConfigError');
}

function context(clock: VirtualClock, logger: PluginContext['logger']): PluginContext {
  return {
    clock, logger, configPath: 'alerts.1', identity: {}, baseDir: process.cwd(),
    createPlugin: () => {
      throw new Error('no nested plugins');
    },
  };
}

describe('telegram plugin', () => {
  it('is registered, validates its block with defaults, and sends through the configured API base', async () => {
    process.env[ENV_NAME] = TOKEN;
    const clock = new VirtualClock(Date.UTC(2026, 11, 1));
    const api = await startFakeBotApi(clock);
    servers.push(api);
    const cfg = parseConfig(yaml(`[ { kind: log }, { kind: telegram, botTokenEnv: ${ENV_NAME}, chats: ["-1001234", 555], apiBaseUrl: "${api.url}" } ]`), new PluginRegistry(), { env: process.env });
    const block = cfg.alerts[1]!;
    expect(block).toMatchObject({ kind: 'telegram', chats: ['-1001234', '555'], minSeverity: 'info', dedupWindowSeconds: 300, maxQueue: 200 });
    const { logger, lines } = createMemoryLogger('debug');
    const sink = telegramAlertSink.create(block as never, context(clock, logger));
    expect(sink).toBeInstanceOf(TelegramSink);
    sink.send({ type: 'alert', at: clock.now(), severity: 'critical', code: 'LEDGER_FAILED', message: `ledger write failed (token ${TOKEN} pasted by mistake)` });
    expect(await runUntil(clock, () => (sink as TelegramSink).health().sent === 2, { stepMs: 50 })).toBe(true);
    expect(api.requests.map((r) => r.chat).sort()).toEqual(['-1001234', '555']);
    logger.error({ err: `something with ${TOKEN}` }, 'a line that quotes the token');
    expect(JSON.stringify(lines())).not.toContain(TOKEN);
    await sink.dispose?.();
  });

  it('rejects bad blocks with their YAML paths', () => {
    const env = { [ENV_NAME]: TOKEN };
    const bad = issues(yaml(`[ { kind: telegram, botTokenEnv: ${ENV_NAME}, chats: [], timeoutSeconds: 0, apiBaseUrl: "ftp://x", extra: 1 } ]`), env);
    const paths = bad.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['alerts.0.chats', 'alerts.0.timeoutSeconds', 'alerts.0.apiBaseUrl', 'alerts.0']));
    expect(bad.find((i) => i.path === 'alerts.0')!.message).toContain('"extra"');
    const chat = issues(yaml(`[ { kind: telegram, botTokenEnv: ${ENV_NAME}, chats: ["not a chat"] } ]`), env);
    expect(chat[0]).toMatchObject({ path: 'alerts.0.chats.0' });
    const backoff = issues(yaml(`[ { kind: telegram, botTokenEnv: ${ENV_NAME}, chats: ["1"], initialBackoffSeconds: 10, maxBackoffSeconds: 5 } ]`), env);
    expect(backoff[0]).toMatchObject({ path: 'alerts.0.maxBackoffSeconds' });
  });

  it('refuses to start without its token, naming the variable but no value', () => {
    const missing = issues(yaml(`[ { kind: telegram, botTokenEnv: ${ENV_NAME}, chats: ["1"] } ]`), {});
    expect(missing[0]).toMatchObject({ path: 'alerts.0.botTokenEnv' });
    const { logger } = createMemoryLogger();
    const block = telegramAlertSink.configSchema.parse({ kind: 'telegram', botTokenEnv: ENV_NAME, chats: ['1'] });
    expect(() => telegramAlertSink.create(block, context(new VirtualClock(0), logger))).toThrow(PolyquoteError);
    expect(() => telegramAlertSink.create(block, context(new VirtualClock(0), logger))).toThrow(/PQ_TEST_TELEGRAM_TOKEN_PLUGIN.*alerts\.1\.botTokenEnv/);
  });
});

describe('telegramOutcome', () => {
  const cases: { description: string; status: number; body: unknown; expected: unknown }[] = [
    { description: 'ok answer is sent', status: 200, body: { ok: true, result: {} }, expected: { kind: 'sent' } },
    { description: '200 without ok:true is refused', status: 200, body: { ok: false }, expected: { kind: 'rejected' } },
    { description: '429 honours retry_after in ms', status: 429, body: { ok: false, error_code: 429, parameters: { retry_after: 7 } }, expected: { kind: 'retry', throttled: true, retryAfterMs: 7000 } },
    { description: '429 caps an absurd retry_after', status: 429, body: { ok: false, parameters: { retry_after: 1e9 } }, expected: { kind: 'retry', retryAfterMs: 3_600_000 } },
    { description: '429 without parameters still throttles', status: 429, body: { ok: false }, expected: { kind: 'retry', throttled: true } },
    { description: '5xx retries', status: 502, body: undefined, expected: { kind: 'retry' } },
    { description: '400 is refused', status: 400, body: { ok: false, description: 'Bad Request: chat not found' }, expected: { kind: 'rejected' } },
    { description: 'a migrated group names its new chat id', status: 400, body: { ok: false, description: 'Bad Request: group chat was upgraded to a supergroup chat', parameters: { migrate_to_chat_id: -1001234567890 } }, expected: { kind: 'rejected', error: expect.stringContaining('put chat -1001234567890 in the config') } },
    { description: '401 is refused', status: 401, body: { ok: false, description: 'Unauthorized' }, expected: { kind: 'rejected' } },
  ];
  it.each(cases)('$description', ({ status, body, expected }) => {
    expect(telegramOutcome(status, body as never, '42')).toMatchObject(expected as object);
  });
  it('names the chat and the answer in its error text', () => {
    const r = telegramOutcome(400, { ok: false, description: 'Bad Request: chat not found' }, '-100777');
    expect(r).toMatchObject({ error: 'telegram sendMessage to chat -100777: HTTP 400 Bad Request: chat not found' });
  });
});
