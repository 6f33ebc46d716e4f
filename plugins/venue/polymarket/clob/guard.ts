/**
 * Trading guard: what the venue told us about itself. 429 → back off for Retry-After; 425 (the
 * matching engine restarting) and 503 (trading disabled / cancel-only) → back off, and after a 425
 * only post-only orders go out for two minutes. Cancels are never held back by the guard (they are
 * what the venue accepts during those windows). Pure state on an injected clock.
 */
import type { Clock } from '../../../../core/clock.ts';

export const POST_ONLY_WINDOW_MS = 120_000;
export const DEFAULT_BACKOFF_MS = { 425: 5_000, 429: 2_000, 503: 10_000 } as const;

export type Refusal = { readonly code: string; readonly reason: string };

export class TradingGuard {
  backoffUntil: number | undefined;
  postOnlyUntil: number | undefined;
  lastError: string | undefined;

  constructor(private readonly clock: Pick<Clock, 'now'>) {}

  /** Records an answer status that asks us to slow down; `retryAt` from Retry-After when given. */
  onStatus(status: number, retryAt: number | undefined, detail: string): void {
    const now = this.clock.now();
    if (status !== 425 && status !== 429 && status !== 503) return;
    const until = retryAt ?? now + DEFAULT_BACKOFF_MS[status];
    this.backoffUntil = Math.max(this.backoffUntil ?? 0, until);
    if (status === 425) this.postOnlyUntil = Math.max(this.postOnlyUntil ?? 0, until + POST_ONLY_WINDOW_MS, now + POST_ONLY_WINDOW_MS);
    this.lastError = detail;
  }

  /** Why orders cannot go out now (`allPostOnly`: every order of the request is post-only), if they cannot. */
  refuseOrders(allPostOnly: boolean): Refusal | undefined {
    const now = this.clock.now();
    if (this.backoffUntil !== undefined && now < this.backoffUntil) {
      return { code: 'BACKOFF_ACTIVE', reason: `the venue asked us to back off until ${new Date(this.backoffUntil).toISOString()} (${this.lastError ?? ''})` };
    }
    if (this.postOnlyUntil !== undefined && now < this.postOnlyUntil && !allPostOnly) {
      return { code: 'POST_ONLY_WINDOW', reason: `only post-only orders are accepted until ${new Date(this.postOnlyUntil).toISOString()} (after a matching-engine restart)` };
    }
    return undefined;
  }

  active(): { backoffUntil?: number; postOnlyUntil?: number } {
    const now = this.clock.now();
    return {
      ...(this.backoffUntil !== undefined && now < this.backoffUntil ? { backoffUntil: this.backoffUntil } : {}),
      ...(this.postOnlyUntil !== undefined && now < this.postOnlyUntil ? { postOnlyUntil: this.postOnlyUntil } : {}),
    };
  }
}
