/**
 * `kind: inventory-unwind` — works inventory down only: one resting post-only SELL per token at or
 * above the average cost plus a markup in ticks; never buys.
 */
import { z } from 'zod';
import { micros } from '../shared/config.ts';
import { definePlanningStrategy } from '../shared/define.ts';
import { InventoryUnwindStrategy } from './strategy.ts';

export { InventoryUnwindStrategy, planInventoryUnwind, type InventoryUnwindOptions } from './strategy.ts';
export { planUnwind, unwindFloor, unwindQuote, type UnwindInput, type UnwindParams } from './plan.ts';

/** The `inventory-unwind` strategy plugin. `markets`: condition ids (both outcome tokens), or { marketId, outcome }. */
export const inventoryUnwindStrategy = definePlanningStrategy({
  kind: 'inventory-unwind',
  description: 'Sells inventory down, one post-only SELL per token at or above average cost plus a markup; never buys',
  outcome: 'both',
  fields: {
    markupTicks: z.number().int().min(0).max(100).default(1),
    /** Rest at the best ask when it is above the floor (instead of at the floor). */
    joinAsk: z.boolean().default(false),
    maxOrderShares: micros('0', '1000000', { exclusiveMin: true }).optional(),
  },
  strategy: (cfg, options) => new InventoryUnwindStrategy({
    ...options,
    unwind: { markupTicks: cfg.markupTicks, joinAsk: cfg.joinAsk, maxOrderSize: cfg.maxOrderShares },
  }),
});

export const inventoryUnwindConfigSchema = inventoryUnwindStrategy.configSchema;
export type InventoryUnwindConfig = z.infer<typeof inventoryUnwindConfigSchema>;

export default inventoryUnwindStrategy;
