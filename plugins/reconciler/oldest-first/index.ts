/** The default reconciler: direction-aware, oldest first, partial reduction of the boundary fill. */
import { z } from 'zod';
import { seconds } from '../../../core/config/units.ts';
import { parseNonNegativeMicros } from '../../../core/amounts.ts';
import { reconcilePending } from '../../../core/inventory/reconcile.ts';
import type { Reconciler } from '../../../core/inventory/reconciler.ts';
import { definePlugin } from '../../../core/plugin.ts';

export const oldestFirstReconciler = definePlugin({
  category: 'reconciler',
  kind: 'oldest-first',
  description: 'Absorbs pending fills in the direction of the balance move, oldest first (architecture.md).',
  configSchema: z.strictObject({
    kind: z.literal('oldest-first'),
    pendingFillTtlSeconds: seconds(0.001).default(120),
    toleranceShares: z.number().nonnegative().default(0.01),
  }),
  create(config): Reconciler {
    const tolerance = parseNonNegativeMicros(config.toleranceShares, 'reconciler.toleranceShares');
    return {
      kind: 'oldest-first',
      pendingFillTtlMs: config.pendingFillTtlSeconds * 1000,
      tolerance,
      reconcile: (oldConfirmed, newConfirmed, pending, totals) => reconcilePending(oldConfirmed, newConfirmed, pending, tolerance, totals),
    };
  },
});
