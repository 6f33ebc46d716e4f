/**
 * `kind: fallback` — wraps other position sources and serves from the first that answers; answers
 * from any but the first are marked degraded.
 */
import { z } from 'zod';
import { definePlugin } from '../../../core/plugin.ts';
import type { PositionSource } from '../../../core/sources/position-source.ts';
import { secondsSchema } from '../support.ts';
import { seconds } from '../../../core/config/units.ts';
import { FallbackSource } from './fallback-source.ts';

export { FallbackSource, type FallbackSourceOptions } from './fallback-source.ts';

export const fallbackConfigSchema = z.strictObject({
  kind: z.literal('fallback'),
  /** Nested source configs, primary first; each is validated by the loader against its own kind. */
  sources: z.array(z.looseObject({ kind: z.string() })).min(1, 'expected at least one nested source'),
  /** Default: the primary's interval. */
  intervalSeconds: secondsSchema.optional(),
  /** Default: the sum of the nested sources' timeouts. */
  timeoutSeconds: secondsSchema.optional(),
  /** 0 = try the primary on every fetch; otherwise skip a failed primary for this long. */
  primaryRetrySeconds: seconds(0).default(0),
});
export type FallbackConfig = z.infer<typeof fallbackConfigSchema>;

/** The `fallback` position-source plugin. */
export const fallbackPositionSource = definePlugin({
  category: 'position-source',
  kind: 'fallback',
  description: 'Serves from the first nested position source that answers; fallback answers are marked degraded',
  configSchema: fallbackConfigSchema,
  nested: [{ key: 'sources', category: 'position-source' }],
  create(cfg, ctx): PositionSource {
    const sources = cfg.sources.map((s, i) => ctx.createPlugin<PositionSource>('position-source', s, `${ctx.configPath}.sources.${i}`));
    return new FallbackSource({
      name: 'fallback',
      sources,
      clock: ctx.clock,
      logger: ctx.logger,
      ...(cfg.intervalSeconds !== undefined ? { pollIntervalMs: cfg.intervalSeconds * 1000 } : {}),
      ...(cfg.timeoutSeconds !== undefined ? { timeoutMs: cfg.timeoutSeconds * 1000 } : {}),
      primaryRetryMs: cfg.primaryRetrySeconds * 1000,
    });
  },
});

export default fallbackPositionSource;
