/**
 * Pure decisions of a delivery queue, table-tested: which queued alert a full queue drops, how long
 * to back off after a failure, and the dedup key of an alert.
 */
import type { AlertSeverity } from '../../core/events.ts';
import { SEVERITY_RANK, type DetailedAlert } from './alert-types.ts';

/**
 * Index of the item to drop when a queue holding `queued` (oldest first) receives `incoming`:
 * the oldest of the lowest severity present, the incoming one counting as the newest. Returns
 * `queued.length` when the incoming item itself is the one to drop.
 */
export function evictionIndex(queued: readonly AlertSeverity[], incoming: AlertSeverity): number {
  let lowest = SEVERITY_RANK[incoming];
  let index = queued.length;
  for (let i = queued.length - 1; i >= 0; i--) {
    const r = SEVERITY_RANK[queued[i]!];
    if (r <= lowest) {
      lowest = r;
      index = i;
    }
  }
  return index;
}

export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
}

/** Delay before attempt `failures + 1` after `failures` consecutive failures (≥ 1): exponential, capped. */
export function backoffDelayMs(failures: number, o: BackoffOptions): number {
  const n = Math.max(1, failures);
  return Math.min(o.maxMs, o.initialMs * o.factor ** (n - 1));
}

/**
 * Alerts with the same key within the dedup window are one alert repeated: same code, token and
 * text, and the same underlying event (trade ids, event key) when they name one. Position numbers
 * are left out on purpose: a halt repeated with moved numbers is still the same halt.
 */
export function dedupKey(a: DetailedAlert): string {
  const d = a.details;
  return [a.code, a.tokenId ?? '', a.message, d?.eventKey ?? '', d?.tradeIds?.join(',') ?? ''].join('\u0000');
}
