/**
 * Capital recycling: how many YES+NO pairs can be merged back into collateral. Pure; the lead's
 * engine executes merges.
 *
 * Only shares that are confirmed (on chain), not spent by pending SELL fills, not pending BUY fills
 * (not yet on chain) and not promised to resting SELL orders count. Per token:
 *   free = min(confirmed − pendingSells, availableToSell) − Σ remaining of open SELL orders
 * (an order whose cancel is in flight still holds its shares until the venue confirms it), and the
 * mergeable amount is the smaller of the two, or 0 when it is under `minMerge`.
 */
import type { Micros } from '../../core/amounts.ts';
import type { PositionView } from '../../core/engine/views.ts';
import { TERMINAL_ORDER_STATUSES, type OrderStatus } from '../../core/events.ts';
import type { MarketView, OpenOrderView } from '../../core/strategy/strategy.ts';
import type { MarketInfo } from '../../core/venue/venue.ts';

export type MergePosition = Pick<PositionView, 'confirmed' | 'pendingSells' | 'availableToSell'>;

const NONE: readonly OpenOrderView[] = [];

/** Shares of one token free to merge. */
export function freeToMerge(position: MergePosition, openOrders: readonly OpenOrderView[] = NONE): Micros {
  const settled = position.confirmed - position.pendingSells;
  let free = settled < position.availableToSell ? settled : position.availableToSell;
  for (const o of openOrders) {
    if (o.side === 'SELL' && o.remaining > 0n && !TERMINAL_ORDER_STATUSES.has(o.status as OrderStatus)) free -= o.remaining;
  }
  return free > 0n ? free : 0n;
}

/** The common amount of YES and NO that can be merged now (0 below `minMerge`). */
export function mergeable(
  yesPosition: MergePosition, noPosition: MergePosition, minMerge: Micros,
  openOrders: { readonly yes?: readonly OpenOrderView[]; readonly no?: readonly OpenOrderView[] } = {},
): Micros {
  const yes = freeToMerge(yesPosition, openOrders.yes);
  const no = freeToMerge(noPosition, openOrders.no);
  const amount = yes < no ? yes : no;
  return amount > 0n && amount >= minMerge ? amount : 0n;
}

/** mergeable() for one market, read from the market view. */
export function mergeableFor(market: MarketView, info: MarketInfo, minMerge: Micros): Micros {
  const [yes, no] = info.tokens;
  return mergeable(market.position(yes), market.position(no), minMerge, { yes: market.openOrders(yes), no: market.openOrders(no) });
}
