/**
 * Feed-gap halt (seed 002 phase 6): after a reconnect or gap, if the forced snapshot fails N times,
 * halt; while halted, ask for a recovery snapshot every interval; recover when one arrives.
 */
import { z } from 'zod';
import { seconds } from '../../../core/config/units.ts';
import { definePlugin } from '../../../core/plugin.ts';
import type { RiskPolicy } from '../../../core/risk/policy.ts';

export const feedGapHaltPolicy = definePlugin({
  category: 'risk-policy',
  kind: 'feed-gap-halt',
  description: 'Halts after N failed reconcile attempts following a feed gap; retries periodically; recovers by itself.',
  configSchema: z.strictObject({
    kind: z.literal('feed-gap-halt'),
    reconcileAttempts: z.number().int().positive().default(3),
    recoveryIntervalSeconds: seconds(0.001).default(30),
  }),
  create(config): RiskPolicy {
    const everyMs = config.recoveryIntervalSeconds * 1000;
    return {
      kind: 'feed-gap-halt',
      evaluateGlobal(g) {
        if (g.gapOpenSince === undefined || g.failedReconcileAttempts < config.reconcileAttempts) return {};
        // Recovery attempts fall on a fixed grid from the gap, so replay asks at the same times.
        const next = g.gapOpenSince + Math.floor((g.now - g.gapOpenSince) / everyMs + 1) * everyMs;
        return {
          verdict: { mode: 'halted', reasons: ['WS_GAP_UNRESOLVED'] },
          recheckAt: next,
          requestSnapshot: `feed gap unresolved after ${g.failedReconcileAttempts} attempts`,
        };
      },
    };
  },
});
