/**
 * `kind: inventory-unwind` — works inventory down only: one resting post-only SELL per token at or
 * above the average cost plus a markup in ticks; never buys.
 */
import { z } from 'zod';
import { definePlugin } from '../../core/plugin.ts';
import type { Strategy } from '../../core/strategy/strategy.ts';
import { budgetReserve, micros, replaceFields } from '../shared/config.ts';
import { marketChoice } from '../shared/markets.ts';
import { InventoryUnwindStrategy } from './strategy.ts';

export { InventoryUnwindStrategy, type InventoryUnwindOptions } from './strategy.ts';
export { planUnwind, unwindFloor, unwindQuote, type UnwindInput, type UnwindParams } from './plan.ts';

export const inventoryUnwindConfigSchema = z.strictObject({
  kind: z.literal('inventory-unwind'),
  /** Condition ids (both outcome tokens by default), or { marketId, outcome }. */
  markets: z.array(marketChoice('both')).min(1).max(1000),
  markupTicks: z.number().int().min(0).max(100).default(1),
  /** Rest at the best ask when it is above the floor (instead of at the floor). */
  joinAsk: z.boolean().default(false),
  maxOrderShares: micros('0', '1000000', { exclusiveMin: true }).optional(),
  ...replaceFields,
  budgetReserve,
});
export type InventoryUnwindConfig = z.infer<typeof inventoryUnwindConfigSchema>;

/** The `inventory-unwind` strategy plugin. */
export const inventoryUnwindStrategy = definePlugin({
  category: 'strategy',
  kind: 'inventory-unwind',
  description: 'Sells inventory down, one post-only SELL per token at or above average cost plus a markup; never buys',
  configSchema: inventoryUnwindConfigSchema,
  create(cfg): Strategy {
    return new InventoryUnwindStrategy({
      markets: cfg.markets,
      unwind: { markupTicks: cfg.markupTicks, joinAsk: cfg.joinAsk, maxOrderSize: cfg.maxOrderShares },
      diff: { toleranceTicks: cfg.toleranceTicks, maxAgeMs: cfg.maxAgeSeconds * 1000, refillBelowPercent: cfg.refillBelowPercent },
      reserve: cfg.budgetReserve,
    });
  },
});

export default inventoryUnwindStrategy;
