/**
 * `kind: active-quoting` — quotes both sides of each configured market for maker rebates and
 * liquidity rewards: post-only, on the tick grid, a configured number of ticks from the best prices
 * or the mid, inside the reward band, sized and sided by the risk decision.
 */
import { z } from 'zod';
import { micros } from '../shared/config.ts';
import { definePlanningStrategy } from '../shared/define.ts';
import { ActiveQuotingStrategy } from './strategy.ts';

export { ActiveQuotingStrategy, planActiveQuoting, type ActiveQuotingOptions } from './strategy.ts';
export { computeQuotes, scaledSize, skewTicks, type Quote, type QuoteInput, type QuoteParams, type Quotes, type SizeFn } from './quote.ts';
export { freeToMerge, mergeable, mergeableFor, type MergePosition } from './mergeable.ts';

/** The `active-quoting` strategy plugin. `markets`: condition ids (the YES token), or { marketId, outcome } to quote the NO token or both. */
export const activeQuotingStrategy = definePlanningStrategy({
  kind: 'active-quoting',
  description: 'Two-sided post-only quotes around the best prices or the mid, inside reward bands, sized and sided by the risk decision',
  outcome: 'yes',
  fields: {
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
  },
  strategy: (cfg, options) => new ActiveQuotingStrategy({
    ...options,
    quote: {
      anchor: cfg.anchor, offsetTicks: cfg.offsetTicks, size: cfg.sizeShares, useRewards: cfg.rewards,
      skew: cfg.skew && { target: cfg.skew.targetShares, sharesPerTick: cfg.skew.sharesPerTick, maxTicks: cfg.skew.maxTicks },
    },
  }),
});

export const activeQuotingConfigSchema = activeQuotingStrategy.configSchema;
export type ActiveQuotingConfig = z.infer<typeof activeQuotingConfigSchema>;

export default activeQuotingStrategy;
