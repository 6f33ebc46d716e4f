/**
 * Degrade instead of halt (seed 003 §4): when |effective − confirmed| stays over a threshold for a
 * duration, quote smaller, only on the inventory-reducing side, wider; recover by itself. While the
 * snapshots come from a fallback source, tighten quoting overall.
 */
import { z } from 'zod';
import { seconds } from '../../../core/config/units.ts';
import { absMicros } from '../../../core/amounts.ts';
import { definePlugin } from '../../../core/plugin.ts';
import type { RiskPolicy } from '../../../core/risk/policy.ts';
import { perToken, shares, tokenIdKey } from '../shares.ts';

export const degradePolicy = definePlugin({
  category: 'risk-policy',
  kind: 'degrade',
  description: 'Drift over a threshold for a duration → smaller size, reducing side only, wider quotes; recovers by itself.',
  configSchema: z.strictObject({
    kind: z.literal('degrade'),
    thresholdShares: shares,
    perMarketThresholdShares: z.record(tokenIdKey, shares).optional(),
    forSeconds: seconds(0).default(30),
    sizeMultiplier: z.number().min(0).max(1).default(0.5),
    extraTicks: z.number().int().nonnegative().default(1),
    fallbackSizeMultiplier: z.number().min(0).max(1).default(0.5),
    fallbackExtraTicks: z.number().int().nonnegative().default(1),
  }),
  create(config): RiskPolicy {
    const thresholdFor = perToken(config.perMarketThresholdShares, config.thresholdShares, 'degrade.thresholdShares');
    const forMs = config.forSeconds * 1000;
    // tokenId → time the drift first went over the threshold.
    const driftSince = new Map<string, number>();
    return {
      kind: 'degrade',
      evaluateToken(i) {
        const drift = absMicros(i.effective - i.confirmed);
        if (drift <= thresholdFor(i.tokenId)) {
          driftSince.delete(i.tokenId);
          return {};
        }
        const since = driftSince.get(i.tokenId) ?? i.now;
        driftSince.set(i.tokenId, since);
        if (i.now - since < forMs) return { recheckAt: since + forMs };
        return { verdict: { mode: 'degraded', reasons: ['DRIFT'], sizeMultiplier: config.sizeMultiplier, allowedSides: ['SELL'], extraTicks: config.extraTicks } };
      },
      evaluateGlobal(g) {
        if (!g.health.servingFallback) return {};
        return { verdict: { mode: 'degraded', reasons: ['SOURCE_FALLBACK'], sizeMultiplier: config.fallbackSizeMultiplier, extraTicks: config.fallbackExtraTicks } };
      },
      exportState: () => Object.fromEntries(driftSince),
      importState(s) {
        driftSince.clear();
        for (const [k, v] of Object.entries(s as Record<string, number>)) driftSince.set(k, v);
      },
    };
  },
});
