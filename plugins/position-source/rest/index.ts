/**
 * `kind: rest` — the Data API `/positions` endpoint: lagging, lossy, the fallback only.
 */
import { z } from 'zod';
import { definePlugin } from '../../../core/plugin.ts';
import type { PositionSource } from '../../../core/sources/position-source.ts';
import { resolveFunder } from '../chain/chain-source.ts';
import { addressSchema, secondsSchema } from '../support.ts';
import { RestSource } from './rest-source.ts';

export { RestSource, type RestSourceOptions } from './rest-source.ts';

export const restConfigSchema = z.strictObject({
  kind: z.literal('rest'),
  url: z.url({ protocol: /^https?$/, error: 'expected an http(s):// URL' }).default('https://data-api.polymarket.com'),
  funder: addressSchema.optional(),
  pageSize: z.number().int().min(1).max(500).default(500),
  maxPages: z.number().int().min(1).max(1000).default(20),
  intervalSeconds: secondsSchema.default(5),
  timeoutSeconds: secondsSchema.default(5),
});
export type RestConfig = z.infer<typeof restConfigSchema>;

/** The `rest` position-source plugin. */
export const restPositionSource = definePlugin({
  category: 'position-source',
  kind: 'rest',
  description: 'Funder positions from the Polymarket Data API (/positions, paginated); lags, use as fallback',
  configSchema: restConfigSchema,
  create(cfg, ctx): PositionSource {
    return new RestSource({
      name: 'rest',
      url: cfg.url,
      funder: resolveFunder(cfg.funder, ctx.identity.funder, ctx.configPath),
      pageSize: cfg.pageSize,
      maxPages: cfg.maxPages,
      pollIntervalMs: cfg.intervalSeconds * 1000,
      timeoutMs: cfg.timeoutSeconds * 1000,
      logger: ctx.logger,
    });
  },
});

export default restPositionSource;
