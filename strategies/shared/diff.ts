/**
 * The order diff: desired quotes vs the open orders the engine knows (market.openOrders), never the
 * strategy's own memory. Pure.
 *
 * Per side, among our live orders (open status, remaining > 0, no cancel requested yet — an order
 * whose cancel is in flight is neither counted nor cancelled again):
 *  - nothing desired → cancel them all ('withdraw');
 *  - one order fits the desired quote → keep it, cancel the others ('keep');
 *  - none fits → cancel them all and place the quote ('replace', or 'new' when there were none).
 * An order fits when it is on the current tick grid (a tick-size change re-grids), within
 * `toleranceTicks` of the desired price, younger than `maxAgeMs`, and its *remaining* size is
 * between `refillBelowPercent` of the desired size and the desired size itself.
 *
 * Sizes are asymmetric on purpose. The desired size is what the order would be sized to now (the
 * strategy's target, bounded by gateway.sizeFor and by what a fresh order could get once ours are
 * released), so an order larger than it, by even one size step, is exposure the risk layer no longer
 * allows (a multiplier drop, a shrinking limit room or available-to-sell) and is replaced; there is
 * no tolerance above. An order smaller than it only under-uses the allowance and stays until drained
 * below `refillBelowPercent` (0 = never refilled for size).
 */
import { mulMicros, type Micros } from '../../core/amounts.ts';
import { TERMINAL_ORDER_STATUSES, type OrderStatus, type Side } from '../../core/events.ts';
import type { OpenOrderView } from '../../core/strategy/strategy.ts';

export interface DesiredQuote {
  readonly side: Side;
  readonly price: Micros;
  readonly size: Micros;
  /** The size asked of gateway.sizeFor (before the risk multiplier), when it differs from `size`. */
  readonly wanted?: Micros;
}

export interface DiffPolicy {
  readonly toleranceTicks: number;
  readonly maxAgeMs: number;
  /** 0–100: replace an order once its remaining size is below this share of the desired size. */
  readonly refillBelowPercent: number;
}

export type SideAction = 'none' | 'keep' | 'new' | 'replace' | 'withdraw' | 'deferred';

export interface SidePlan {
  readonly side: Side;
  readonly action: SideAction;
  /** The order kept in place ('keep'). */
  readonly keep: string | undefined;
  readonly cancel: readonly string[];
  readonly place: DesiredQuote | undefined;
}

export interface OrderPlan {
  readonly tokenId: string;
  readonly buy: SidePlan;
  readonly sell: SidePlan;
}

const NOTHING: readonly string[] = Object.freeze([]);

/** Whether the engine's order counts as resting: open status, something left, no cancel asked. */
export function isLive(o: OpenOrderView): boolean {
  return o.cancelRequestedAt === undefined && o.remaining > 0n && !TERMINAL_ORDER_STATUSES.has(o.status as OrderStatus);
}

/** Whether the engine's order is still open with a cancel in flight (its size is still committed). */
export function isCancelling(o: OpenOrderView): boolean {
  return o.cancelRequestedAt !== undefined && o.remaining > 0n && !TERMINAL_ORDER_STATUSES.has(o.status as OrderStatus);
}

/** What our orders of one token hold: live remaining sizes per side, and SELLs still being cancelled. */
export interface Resting {
  /** Remaining size of our live BUYs. */
  readonly buy: Micros;
  /** price × remaining of our live BUYs: the collateral they reserve. */
  readonly buyCost: Micros;
  /** Remaining size of our live SELLs. */
  readonly sell: Micros;
  /** Remaining size of our SELLs whose cancel is in flight (their shares are still promised). */
  readonly cancellingSell: Micros;
}

/** Sums what the engine's open orders of one token hold (see `Resting`). */
export function restingOf(open: readonly OpenOrderView[]): Resting {
  let buy = 0n;
  let buyCost = 0n;
  let sell = 0n;
  let cancellingSell = 0n;
  for (const o of open) {
    if (o.side === 'BUY') {
      if (isLive(o)) {
        buy += o.remaining;
        if (o.price !== undefined) buyCost += mulMicros(o.price, o.remaining);
      }
    } else if (isLive(o)) sell += o.remaining;
    else if (isCancelling(o)) cancellingSell += o.remaining;
  }
  return { buy, buyCost, sell, cancellingSell };
}

/** Whether a resting order may stand for the desired quote. */
export function fits(o: OpenOrderView, q: DesiredQuote, tick: Micros, now: number, policy: DiffPolicy): boolean {
  if (o.price === undefined || o.price % tick !== 0n) return false;
  const off = o.price > q.price ? o.price - q.price : q.price - o.price;
  if (off > BigInt(policy.toleranceTicks) * tick) return false;
  if (now - o.submittedAt >= policy.maxAgeMs) return false;
  if (o.remaining > q.size) return false;
  return o.remaining * 100n >= q.size * BigInt(policy.refillBelowPercent);
}

/** The plan for one side. */
export function diffSide(
  side: Side, desired: DesiredQuote | undefined, open: readonly OpenOrderView[], tick: Micros, now: number, policy: DiffPolicy,
): SidePlan {
  let keep: OpenOrderView | undefined;
  let keepOff = 0n;
  let live = 0;
  for (const o of open) {
    if (o.side !== side || !isLive(o)) continue;
    live++;
    if (desired !== undefined && fits(o, desired, tick, now, policy)) {
      const off = o.price! > desired.price ? o.price! - desired.price : desired.price - o.price!;
      if (keep === undefined || off < keepOff) {
        keep = o;
        keepOff = off;
      }
    }
  }
  if (live === 0) {
    return desired === undefined
      ? { side, action: 'none', keep: undefined, cancel: NOTHING, place: undefined }
      : { side, action: 'new', keep: undefined, cancel: NOTHING, place: desired };
  }
  const cancel: string[] = [];
  for (const o of open) if (o.side === side && o !== keep && isLive(o)) cancel.push(o.orderId);
  if (desired === undefined) return { side, action: 'withdraw', keep: undefined, cancel, place: undefined };
  if (keep !== undefined) return { side, action: 'keep', keep: keep.orderId, cancel, place: undefined };
  return { side, action: 'replace', keep: undefined, cancel, place: desired };
}

/** The plan for one token: both sides against its open orders. */
export function diffOrders(
  tokenId: string,
  desired: { readonly buy: DesiredQuote | undefined; readonly sell: DesiredQuote | undefined },
  open: readonly OpenOrderView[], tick: Micros, now: number, policy: DiffPolicy,
): OrderPlan {
  return {
    tokenId,
    buy: diffSide('BUY', desired.buy, open, tick, now, policy),
    sell: diffSide('SELL', desired.sell, open, tick, now, policy),
  };
}

/** Whether a plan asks for nothing. */
export function isIdle(plan: OrderPlan): boolean {
  return plan.buy.cancel.length === 0 && plan.sell.cancel.length === 0 && plan.buy.place === undefined && plan.sell.place === undefined;
}
