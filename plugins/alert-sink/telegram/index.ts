/**
 * `kind: telegram` — alerts as Bot API messages to one or more chats. The bot token comes from the
 * environment variable named by `botTokenEnv` (the config loader checks it is set and redacts it);
 * it is never logged and never part of an error text.
 */
import { z } from 'zod';
import type { AlertSink } from '../../../core/alerts.ts';
import { PolyquoteError } from '../../../core/errors.ts';
import { registerSecret } from '../../../core/logger.ts';
import { definePlugin } from '../../../core/plugin.ts';
import { TelegramSink } from './telegram-sink.ts';

export { TelegramSink, isGroupChat, type TelegramSinkOptions } from './telegram-sink.ts';
export { TelegramClient, telegramOutcome } from './telegram-client.ts';

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name');
const chatId = z.union([
  z.string().regex(/^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31})$/, 'expected a numeric chat id ("-100…") or a @channelusername'),
  z.number().int().safe().transform((n) => String(n)),
]);
const seconds = (max: number) => z.number().positive().finite().max(max);

export const telegramConfigSchema = z.strictObject({
  kind: z.literal('telegram'),
  botTokenEnv: envName,
  chats: z.array(chatId).min(1).max(20),
  apiBaseUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s):// URL' }).default('https://api.telegram.org'),
  minSeverity: z.enum(['info', 'warning', 'critical']).default('info'),
  /** Identical alerts within this window are sent once (counted); 0 disables. */
  dedupWindowSeconds: z.number().min(0).max(86_400).default(300),
  /** Wait after the first alert of a burst so the burst leaves as one message. */
  groupDelaySeconds: z.number().min(0).max(60).default(1),
  chatIntervalSeconds: seconds(600).default(1),
  groupChatIntervalSeconds: seconds(600).default(3),
  maxQueue: z.number().int().min(1).max(10_000).default(200),
  timeoutSeconds: seconds(120).default(10),
  initialBackoffSeconds: seconds(600).default(1),
  maxBackoffSeconds: seconds(3600).default(60),
  /** Consecutive failed attempts before the sink reports itself failing. */
  failAfterAttempts: z.number().int().min(1).max(100).default(3),
  /** At shutdown, keep sending what is queued for up to this long. */
  flushOnDisposeSeconds: z.number().min(0).max(60).default(3),
}).refine((c) => c.maxBackoffSeconds >= c.initialBackoffSeconds, { message: 'expected maxBackoffSeconds ≥ initialBackoffSeconds', path: ['maxBackoffSeconds'] });
export type TelegramConfig = z.infer<typeof telegramConfigSchema>;

export const telegramAlertSink = definePlugin({
  category: 'alert-sink',
  kind: 'telegram',
  description: 'Telegram Bot API messages to chats: deduplicated, grouped, rate-limited per chat, retried; never blocks the engine.',
  configSchema: telegramConfigSchema,
  create(cfg, ctx): AlertSink {
    const token = process.env[cfg.botTokenEnv];
    if (!token) {
      throw new PolyquoteError('CONFIG_SECRET_MISSING', `expected environment variable ${cfg.botTokenEnv} (the Telegram bot token) to be set, got nothing at ${ctx.configPath}.botTokenEnv`, { errorClass: 'fatal' });
    }
    registerSecret(token);
    return new TelegramSink({
      apiBaseUrl: cfg.apiBaseUrl, botToken: token, chats: cfg.chats, minSeverity: cfg.minSeverity, clock: ctx.clock, logger: ctx.logger,
      timeoutMs: cfg.timeoutSeconds * 1000, dedupWindowMs: cfg.dedupWindowSeconds * 1000, groupDelayMs: cfg.groupDelaySeconds * 1000,
      chatIntervalMs: cfg.chatIntervalSeconds * 1000, groupChatIntervalMs: cfg.groupChatIntervalSeconds * 1000, globalIntervalMs: 1000 / 30,
      maxQueue: cfg.maxQueue, initialBackoffMs: cfg.initialBackoffSeconds * 1000, maxBackoffMs: cfg.maxBackoffSeconds * 1000,
      failAfterAttempts: cfg.failAfterAttempts, flushOnDisposeMs: cfg.flushOnDisposeSeconds * 1000,
    });
  },
});

export default telegramAlertSink;
