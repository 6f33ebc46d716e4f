/**
 * `kind: chain-events` — chain balances pushed from the funder's ERC-1155 transfer logs, with the full
 * chain read as the safety-net poll that corrects any missed event.
 */
import { z } from 'zod';
import { definePlugin } from '../../../core/plugin.ts';
import type { PositionSource } from '../../../core/sources/position-source.ts';
import { chainConfigFields, chainOptionsFromConfig, resolveFunder } from '../chain/chain-source.ts';
import { ChainEventsSource } from './chain-events-source.ts';

export { ChainEventsSource } from './chain-events-source.ts';

export const chainEventsConfigSchema = z.strictObject({
  kind: z.literal('chain-events'),
  ...chainConfigFields,
  /** How often http transports poll for new logs (ws transports get them pushed). */
  eventPollingIntervalMs: z.number().int().min(10).max(2_000_000_000).default(1000),
});
export type ChainEventsConfig = z.infer<typeof chainEventsConfigSchema>;

/** The `chain-events` position-source plugin. */
export const chainEventsPositionSource = definePlugin({
  category: 'position-source',
  kind: 'chain-events',
  description: 'Chain balances updated from TransferSingle/TransferBatch logs of the funder, with a full chain read as safety-net poll',
  configSchema: chainEventsConfigSchema,
  create(cfg, ctx): PositionSource {
    const funder = resolveFunder(cfg.funder, ctx.identity.funder, ctx.configPath);
    return new ChainEventsSource({
      ...chainOptionsFromConfig(cfg, funder, 'chain-events', ctx.logger),
      eventPollingIntervalMs: cfg.eventPollingIntervalMs,
    });
  },
});

export default chainEventsPositionSource;
