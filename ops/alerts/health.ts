/** Merging delivery health over several destinations of one sink. Pure. */
import type { SinkDeliveryHealth } from './alert-types.ts';

/** Failing if any destination fails (its error shown); counters summed. */
export function mergeHealth(parts: readonly SinkDeliveryHealth[]): SinkDeliveryHealth {
  const failing = parts.find((p) => p.state === 'failing');
  const sum = (f: (p: SinkDeliveryHealth) => number) => parts.reduce((n, p) => n + f(p), 0);
  return {
    state: failing ? 'failing' : 'ok',
    lastError: failing?.lastError ?? parts.find((p) => p.lastError !== undefined)?.lastError,
    consecutiveFailures: Math.max(0, ...parts.map((p) => p.consecutiveFailures)),
    sent: sum((p) => p.sent),
    queued: sum((p) => p.queued),
    dropped: { info: sum((p) => p.dropped.info), warning: sum((p) => p.dropped.warning), critical: sum((p) => p.dropped.critical) },
    deduplicated: sum((p) => p.deduplicated),
    rejected: sum((p) => p.rejected),
  };
}
