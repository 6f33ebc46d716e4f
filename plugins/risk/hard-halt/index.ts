/** Hard halt, kept only for what degrading cannot absorb: no authoritative balance for too long, or impossible balances. */
import { z } from 'zod';
import { seconds } from '../../../core/config/units.ts';
import { parseNonNegativeMicros } from '../../../core/amounts.ts';
import { definePlugin } from '../../../core/plugin.ts';
import type { RiskPolicy } from '../../../core/risk/policy.ts';

export const hardHaltPolicy = definePlugin({
  category: 'risk-policy',
  kind: 'hard-halt',
  description: 'Halts when the authoritative source has been unavailable too long, or a balance is negative or impossible.',
  configSchema: z.strictObject({
    kind: z.literal('hard-halt'),
    sourceUnavailableSeconds: seconds(0.001).default(300),
    negativeToleranceShares: z.number().nonnegative().default(0.01),
  }),
  create(config): RiskPolicy {
    const limitMs = config.sourceUnavailableSeconds * 1000;
    const tolerance = parseNonNegativeMicros(config.negativeToleranceShares, 'hard-halt.negativeToleranceShares');
    return {
      kind: 'hard-halt',
      evaluateGlobal(g) {
        const since = g.lastAuthoritativeAt ?? g.startedAt;
        if (g.now - since >= limitMs) return { verdict: { mode: 'halted', reasons: ['SOURCE_UNAVAILABLE'] } };
        return { recheckAt: since + limitMs };
      },
      evaluateToken(i) {
        if (i.confirmed < 0n || i.effective < -tolerance || i.availableToSell < -tolerance) {
          return { verdict: { mode: 'halted', reasons: ['IMPOSSIBLE_BALANCE'] } };
        }
        return {};
      },
    };
  },
});
