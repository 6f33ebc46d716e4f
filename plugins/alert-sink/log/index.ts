/** Writes every alert to the log at a level matching its severity. */
import { z } from 'zod';
import type { AlertSink } from '../../../core/alerts.ts';
import { definePlugin } from '../../../core/plugin.ts';

export const logAlertSink = definePlugin({
  category: 'alert-sink',
  kind: 'log',
  description: 'Logs alerts (warn for warnings, error for critical).',
  configSchema: z.strictObject({ kind: z.literal('log'), minSeverity: z.enum(['info', 'warning', 'critical']).default('info') }),
  create(config, ctx): AlertSink {
    const rank = { info: 0, warning: 1, critical: 2 } as const;
    return {
      kind: 'log',
      send(a) {
        if (rank[a.severity] < rank[config.minSeverity]) return;
        const level = a.severity === 'critical' ? 'error' : a.severity === 'warning' ? 'warn' : 'info';
        ctx.logger[level]({ alert: a.code, tokenId: a.tokenId, reasons: a.reasons }, a.message);
      },
    };
  },
});
