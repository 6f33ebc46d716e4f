/**
 * `kind: webhook` — alerts as JSON POSTs, HMAC-signed when `secretEnv` names a key, retried with
 * backoff. The URL is given inline (`url`) or, when it carries a token, by `urlEnv`.
 */
import { z } from 'zod';
import type { AlertSink } from '../../../core/alerts.ts';
import { PolyquoteError } from '../../../core/errors.ts';
import { registerSecret } from '../../../core/logger.ts';
import { definePlugin } from '../../../core/plugin.ts';
import { WebhookSink } from './webhook-sink.ts';

export { WebhookSink, webhookSignature, webhookOutcome, retryAfterMs, SIGNATURE_HEADER, TIMESTAMP_HEADER, DELIVERY_HEADER, type WebhookSinkOptions } from './webhook-sink.ts';

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name');
const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s):// URL' });
const seconds = (max: number) => z.number().positive().finite().max(max);

export const webhookConfigSchema = z
  .strictObject({
    kind: z.literal('webhook'),
    url: httpUrl.optional(),
    urlEnv: envName.optional(),
    secretEnv: envName.optional(),
    minSeverity: z.enum(['info', 'warning', 'critical']).default('info'),
    dedupWindowSeconds: z.number().min(0).max(86_400).default(0),
    minIntervalSeconds: z.number().min(0).max(600).default(0),
    maxQueue: z.number().int().min(1).max(100_000).default(500),
    timeoutSeconds: seconds(120).default(10),
    initialBackoffSeconds: seconds(600).default(1),
    maxBackoffSeconds: seconds(3600).default(60),
    failAfterAttempts: z.number().int().min(1).max(100).default(3),
    /** At shutdown, keep sending what is queued for up to this long. */
    flushOnDisposeSeconds: z.number().min(0).max(60).default(3),
  })
  .refine((c) => (c.url === undefined) !== (c.urlEnv === undefined), { message: 'expected exactly one of url or urlEnv', path: ['url'] })
  .refine((c) => c.maxBackoffSeconds >= c.initialBackoffSeconds, { message: 'expected maxBackoffSeconds ≥ initialBackoffSeconds', path: ['maxBackoffSeconds'] });
export type WebhookConfig = z.infer<typeof webhookConfigSchema>;

function secretFromEnv(name: string, what: string, at: string): string {
  const v = process.env[name];
  if (!v) throw new PolyquoteError('CONFIG_SECRET_MISSING', `expected environment variable ${name} (${what}) to be set, got nothing at ${at}`, { errorClass: 'fatal' });
  registerSecret(v);
  return v;
}

export const webhookAlertSink = definePlugin({
  category: 'alert-sink',
  kind: 'webhook',
  description: 'JSON POST per alert, optionally HMAC-signed (x-polyquote-signature), retried with backoff; never blocks the engine.',
  configSchema: webhookConfigSchema,
  create(cfg, ctx): AlertSink {
    let url = cfg.url;
    if (cfg.urlEnv) {
      url = secretFromEnv(cfg.urlEnv, 'the webhook URL', `${ctx.configPath}.urlEnv`);
      if (!httpUrl.safeParse(url).success) throw new PolyquoteError('CONFIG_INVALID', `expected environment variable ${cfg.urlEnv} to hold an http(s):// URL at ${ctx.configPath}.urlEnv`, { errorClass: 'fatal' });
    }
    const secret = cfg.secretEnv ? secretFromEnv(cfg.secretEnv, 'the webhook signing secret', `${ctx.configPath}.secretEnv`) : undefined;
    return new WebhookSink({
      url: url!, ...(secret && { secret }), minSeverity: cfg.minSeverity, clock: ctx.clock, logger: ctx.logger,
      timeoutMs: cfg.timeoutSeconds * 1000, dedupWindowMs: cfg.dedupWindowSeconds * 1000, minIntervalMs: cfg.minIntervalSeconds * 1000,
      maxQueue: cfg.maxQueue, initialBackoffMs: cfg.initialBackoffSeconds * 1000, maxBackoffMs: cfg.maxBackoffSeconds * 1000,
      failAfterAttempts: cfg.failAfterAttempts, flushOnDisposeMs: cfg.flushOnDisposeSeconds * 1000,
    });
  },
});

export default webhookAlertSink;
