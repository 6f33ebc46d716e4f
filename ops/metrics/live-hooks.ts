/**
 * The live bot's hooks into the metrics: what the bus does not carry, read from the trading objects.
 *
 * - local order refusals (admission, risk, venue health, rate budget) by reason: the gateway's
 *   `submit` answers `refused` with a code and never ledgers them, so its answers are observed
 *   here; venue rejections are `order` REJECTED updates and already counted from the bus;
 * - at each scrape: rate-limit budget left (`venue.rateBudget()`), quote age (the newest open
 *   order's `submittedAt` per token and side), venue feed states, heartbeat and back-off windows
 *   (`venue.health()`), strategy states and component health.
 */
import type { ComponentHealth } from '../../core/health.ts';
import type { SubmitResult } from '../../core/strategy/strategy.ts';
import type { OrderIntent, RateBudget, VenueHealth } from '../../core/venue/venue.ts';
import type { PolyquoteMetrics } from './metrics.ts';
import { freshestQuotes, rateSamples, type OpenOrderLike } from './trading.ts';

/** What the hooks read; `tradingSurface(app)` (start.ts) builds it from an App. */
export interface TradingSurface {
  now(): number;
  venueHealth(): VenueHealth | undefined;
  rateBudget(): RateBudget | undefined;
  openOrders(): readonly OpenOrderLike[];
  strategyStates(): readonly { name: string; state: string }[];
  components(): readonly ComponentHealth[];
}

/** The one gateway method observed (the order gateway's `submit`). */
export interface Submitter {
  submit(intent: OrderIntent): Promise<SubmitResult>;
}

/**
 * Counts the gateway's local refusals by token and reason. Patches this instance's `submit`
 * (every caller, strategies included, goes through it); the returned function restores it.
 */
export function observeRefusals(gateway: Submitter, metrics: Pick<PolyquoteMetrics, 'recordOrderRejected'>): () => void {
  const own = Object.prototype.hasOwnProperty.call(gateway, 'submit');
  const original = gateway.submit;
  const patched = async (intent: OrderIntent): Promise<SubmitResult> => {
    const r = await original.call(gateway, intent);
    if (r.kind === 'refused') {
      try {
        metrics.recordOrderRejected(intent.tokenId, r.code);
      } catch {
        // metrics never break an order path
      }
    }
    return r;
  };
  gateway.submit = patched;
  return () => {
    if (gateway.submit !== patched) return;
    if (own) gateway.submit = original;
    else delete (gateway as { submit?: unknown }).submit;
  };
}

/** Registers the scrape-time collector; returns its removal. */
export function attachTradingMetrics(metrics: PolyquoteMetrics, s: TradingSurface): () => void {
  let quoted = new Set<string>();
  return metrics.addCollector(() => {
    const now = s.now();
    const budget = s.rateBudget();
    if (budget) {
      for (const r of rateSamples(budget)) {
        metrics.recordRateLimit(r.bucket, r.remaining);
        metrics.trading.capacity(r.bucket, r.capacity);
      }
    }
    const fresh = freshestQuotes(s.openOrders());
    for (const q of fresh.values()) metrics.recordQuote(q.tokenId, q.side, q.at);
    for (const key of quoted) {
      if (fresh.has(key)) continue;
      const [tokenId, side] = key.split('|') as [string, 'BUY' | 'SELL'];
      metrics.clearQuote(tokenId, side);
    }
    quoted = new Set(fresh.keys());
    metrics.trading.venue(s.venueHealth(), now);
    metrics.trading.strategiesAndComponents(s.strategyStates(), s.components());
  });
}
