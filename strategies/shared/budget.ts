/**
 * Rate-budget gating of an order plan. Pure.
 *
 * Priorities: cancels that take risk off (withdrawing a side, cancelling extra orders) come first and
 * may use the reserve; new quotes need one order outside the reserve; a replacement needs its
 * cancels and one order outside the reserve, or it is deferred whole (the old order keeps resting —
 * never a cancel without its replacement when the budget is short).
 */
import type { RateBudget } from '../../core/venue/venue.ts';
import type { OrderPlan, SidePlan } from './diff.ts';

export interface Allowance {
  readonly orders: number;
  readonly cancels: number;
}

export interface GatedPlan {
  readonly plan: OrderPlan;
  readonly cost: Allowance;
  /** Sides whose work was put off for lack of budget. */
  readonly deferred: number;
}

/** What the budget leaves for us: remaining less requests we already have in flight, never negative. */
export function allowance(budget: RateBudget, inflight: Allowance): Allowance {
  return {
    orders: Math.max(0, Math.floor(budget.orders.remaining) - inflight.orders),
    cancels: Math.max(0, Math.floor(budget.cancels.remaining) - inflight.cancels),
  };
}

/** Trims a plan to the budget. */
export function gatePlan(plan: OrderPlan, available: Allowance, reserve: Allowance): GatedPlan {
  let orders = 0;
  let cancels = 0;
  let deferred = 0;
  const out: Record<'buy' | 'sell', SidePlan> = { buy: plan.buy, sell: plan.sell };
  // 1. Risk-reducing cancels, reserve included.
  for (const k of ['buy', 'sell'] as const) {
    const s = out[k];
    if ((s.action === 'withdraw' || s.action === 'keep') && s.cancel.length > 0) {
      if (cancels + s.cancel.length <= available.cancels) cancels += s.cancel.length;
      else {
        out[k] = { ...s, action: s.action === 'keep' ? 'keep' : 'deferred', cancel: [] };
        deferred++;
      }
    }
  }
  // 2. New quotes, then 3. replacements, outside the reserve.
  const freeOrders = available.orders - reserve.orders;
  const freeCancels = available.cancels - reserve.cancels;
  for (const action of ['new', 'replace'] as const) {
    for (const k of ['buy', 'sell'] as const) {
      const s = out[k];
      if (s.action !== action) continue;
      if (orders + 1 <= freeOrders && cancels + s.cancel.length <= (s.cancel.length ? freeCancels : available.cancels)) {
        orders += 1;
        cancels += s.cancel.length;
      } else {
        out[k] = { side: s.side, action: 'deferred', keep: undefined, cancel: [], place: undefined };
        deferred++;
      }
    }
  }
  return { plan: { tokenId: plan.tokenId, buy: out.buy, sell: out.sell }, cost: { orders, cancels }, deferred };
}
