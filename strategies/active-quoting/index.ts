/**
 * `kind: active-quoting` — quotes both sides of each configured market for maker rebates and
 * liquidity rewards: post-only, on the tick grid, a configured number of ticks from the best prices
 * or the mid, inside the reward band, sized and sided by the risk decision.
 */
import { z } from 'zod';
import { definePlugin } from '../../core/plugin.ts';
import type { Strategy } from '../../core/strategy/strategy.ts';
import { budgetReserve, micros, replaceFields } from '../shared/config.ts';
import { marketChoice } from '../shared/markets.ts';
import { ActiveQuotingStrategy } from './strategy.ts';

export { ActiveQuotingStrategy, type ActiveQuotingOptions } from './strategy.ts';
export { computeQuotes, scaledSize, skewTicks, type Quote, type QuoteInput, type QuoteParams, type Quotes, type SizeFn } from './quote.ts';
export { freeToMerge, mergeable, mergeableFor, type MergePosition } from './mergeable.ts';

export const activeQuotingConfigSchema = z.strictObject({
  kind: z.literal('active-quoting'),
  /** Condition ids, or { marketId, outcome } to quote the NO token or both. */
  markets: z.array(marketChoice('yes')).min(1).max(1000),
  /** Shares per quote before the risk multiplier (raised to the market / reward minimum). */
  sizeShares: micros('0', '1000000', { exclusiveMin: true }),
  anchor: z.enum(['best', 'mid']).default('best'),
  offsetTicks: z.number().int().min(0).max(100).default(1),
  /** Fit the market's reward band and minimum size when it pays liquidity rewards. */
  rewards: z.boolean().default(true),
  skew: z.strictObject({
    targetShares: micros('-1000000', '1000000').default(0n),
    sharesPerTick: micros('0', '1000000', { exclusiveMin: true }),
    maxTicks: z.number().int().min(1).max(100),
  }).optional(),
  ...replaceFields,
  budgetReserve,
});
export type ActiveQuotingConfig = z.infer<typeof activeQuotingConfigSchema>;

/** The `active-quoting` strategy plugin. */
export const activeQuotingStrategy = definePlugin({
  category: 'strategy',
  kind: 'active-quoting',
  description: 'Two-sided post-only quotes around the best prices or the mid, inside reward bands, sized and sided by the risk decision',
  configSchema: activeQuotingConfigSchema,
  create(cfg): Strategy {
    return new ActiveQuotingStrategy({
      markets: cfg.markets,
      quote: {
        anchor: cfg.anchor, offsetTicks: cfg.offsetTicks, size: cfg.sizeShares, useRewards: cfg.rewards,
        skew: cfg.skew && { target: cfg.skew.targetShares, sharesPerTick: cfg.skew.sharesPerTick, maxTicks: cfg.skew.maxTicks },
      },
      diff: { toleranceTicks: cfg.toleranceTicks, maxAgeMs: cfg.maxAgeSeconds * 1000, refillBelowPercent: cfg.refillBelowPercent },
      reserve: cfg.budgetReserve,
    });
  },
});

export default activeQuotingStrategy;
