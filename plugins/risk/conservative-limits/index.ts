/** Buys checked against conservative exposure, sells against available-to-sell. */
import { z } from 'zod';
import { definePlugin } from '../../../core/plugin.ts';
import type { PositionLimits, RiskPolicy } from '../../../core/risk/policy.ts';
import { perToken, shares, tokenIdKey } from '../shares.ts';

export interface LimitsPolicy extends RiskPolicy {
  readonly limits: PositionLimits;
}

export const conservativeLimits = definePlugin({
  category: 'risk-policy',
  kind: 'conservative-limits',
  description: 'Blocks BUYs once conservative exposure reaches the limit and SELLs with nothing available to sell.',
  configSchema: z.strictObject({
    kind: z.literal('conservative-limits'),
    maxPositionShares: shares,
    perMarketMaxPositionShares: z.record(tokenIdKey, shares).optional(),
  }),
  create(config): LimitsPolicy {
    const limitFor = perToken(config.perMarketMaxPositionShares, config.maxPositionShares, 'conservative-limits.maxPositionShares');
    return {
      kind: 'conservative-limits',
      limits: { limitFor },
      evaluateToken(i) {
        const sides: ('BUY' | 'SELL')[] = [];
        const reasons: string[] = [];
        if (i.conservativeExposure < limitFor(i.tokenId)) sides.push('BUY');
        else reasons.push('LIMIT_REACHED');
        if (i.availableToSell > 0n) sides.push('SELL');
        else reasons.push('NOTHING_TO_SELL');
        return { verdict: { allowedSides: sides, reasons } };
      },
    };
  },
});
