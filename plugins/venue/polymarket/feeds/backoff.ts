/** Reconnect delays: jittered exponential backoff, pure, with an injectable (seedable) random source. */
import { seededRandom } from '../../../../core/random.ts';

export { seededRandom };

export interface BackoffOptions {
  /** Delay before the first retry, ms. */
  readonly initialMs: number;
  /** Ceiling of the delay, ms. */
  readonly maxMs: number;
  readonly factor: number;
  /** Relative jitter in [0, 1]: the delay is spread uniformly over ±jitter of its nominal value. */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.25 };

/** Delay before retry number `attempt` (0 = first retry); `random` returns values in [0, 1). */
export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number): number {
  const nominal = Math.min(opts.maxMs, opts.initialMs * opts.factor ** Math.min(attempt, 60));
  const spread = nominal * opts.jitter * (2 * random() - 1);
  return Math.max(0, Math.round(Math.min(opts.maxMs, nominal + spread)));
}

