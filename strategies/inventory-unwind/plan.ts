/**
 * Inventory unwind: one resting SELL per token at or above the average cost plus a markup, never a
 * BUY. Pure.
 *
 * floor = ceil(averageCost to the grid) + (markupTicks + decision.extraTicks) ticks; the price is the
 * floor, or (joinAsk) the best ask when that is higher, and always above the best bid (post-only).
 * Nothing when halted, when SELLs are not allowed, when the cost is unknown (no proof of "at or above
 * cost"), or when the floor is above 1 − tick. A resting SELL below the current floor is never kept,
 * whatever the tolerance.
 */
import { MICROS_PER_UNIT, type Micros } from '../../core/amounts.ts';
import type { RiskDecision } from '../../core/risk/decision.ts';
import type { OpenOrderView } from '../../core/strategy/strategy.ts';
import { diffSide, isLive, type DesiredQuote, type DiffPolicy, type OrderPlan, type SidePlan } from '../shared/diff.ts';
import { ceilToTick, countBack, floorSize, isUsableTick, scaledSize } from '../shared/grid.ts';

export interface UnwindParams {
  readonly markupTicks: number;
  readonly joinAsk: boolean;
  /** Largest SELL, in micro-shares; undefined = the whole available inventory. */
  readonly maxOrderSize: Micros | undefined;
}

export interface UnwindInput {
  readonly averageCost: Micros | undefined;
  readonly bestBid: Micros | undefined;
  readonly bestAsk: Micros | undefined;
  readonly tick: Micros | undefined;
  readonly minOrderSize: Micros;
  readonly decision: RiskDecision;
  /** availableToSell less SELLs still being cancelled. */
  readonly sellable: Micros;
  /** Remaining size of our own live SELLs on the token: counted back, as in active quoting. */
  readonly restingSell: Micros;
}

/** The lowest acceptable price, or undefined when none can be proven. */
export function unwindFloor(p: UnwindParams, i: UnwindInput): Micros | undefined {
  if (i.averageCost === undefined || i.averageCost < 0n || !isUsableTick(i.tick)) return undefined;
  const extra = i.decision.extraTicks > 0 ? Math.floor(i.decision.extraTicks) : 0;
  const floor = ceilToTick(i.averageCost, i.tick) + BigInt(p.markupTicks + extra) * i.tick;
  return floor < i.tick ? i.tick : floor;
}

/** The SELL to rest, if any. */
export function unwindQuote(p: UnwindParams, i: UnwindInput, sizeFor: (wanted: Micros) => Micros): DesiredQuote | undefined {
  const d = i.decision;
  if (d.mode === 'halted' || !d.allowedSides.includes('SELL')) return undefined;
  const floor = unwindFloor(p, i);
  if (floor === undefined) return undefined;
  const tick = i.tick!;
  let price = floor;
  if (p.joinAsk && i.bestAsk !== undefined) {
    const ask = ceilToTick(i.bestAsk, tick);
    if (ask > price) price = ask;
  }
  if (i.bestBid !== undefined && price <= i.bestBid) price = ceilToTick(i.bestBid + 1n, tick);
  if (price > MICROS_PER_UNIT - tick) return undefined;
  let wanted = floorSize(i.sellable);
  if (p.maxOrderSize !== undefined && p.maxOrderSize < wanted) wanted = floorSize(p.maxOrderSize);
  if (wanted <= 0n || wanted < i.minOrderSize) return undefined;
  const allowed = sizeFor(wanted);
  const size = countBack(allowed < wanted ? allowed : wanted, i.restingSell, scaledSize(wanted, d.sizeMultiplier));
  if (size <= 0n || size < i.minOrderSize) return undefined;
  return { side: 'SELL', price, size, wanted };
}

const NO_BUYS: SidePlan = Object.freeze({ side: 'BUY', action: 'none', keep: undefined, cancel: Object.freeze([]) as readonly string[], place: undefined });

/** The plan of one token: the SELL side only (BUY orders are not this strategy's business). */
export function planUnwind(
  tokenId: string, desired: DesiredQuote | undefined, floor: Micros | undefined, open: readonly OpenOrderView[],
  tick: Micros, now: number, policy: DiffPolicy,
): OrderPlan {
  // Orders under the floor must go: they would sell below cost.
  const acceptable = floor === undefined ? open : open.filter((o) => o.side !== 'SELL' || (o.price !== undefined && o.price >= floor));
  let sell = diffSide('SELL', desired, acceptable, tick, now, policy);
  const under = open.filter((o) => o.side === 'SELL' && isLive(o) && !acceptable.includes(o)).map((o) => o.orderId);
  if (under.length > 0) {
    const action = sell.action === 'none' ? 'withdraw' : sell.action === 'new' ? 'replace' : sell.action;
    sell = { ...sell, action, cancel: [...sell.cancel, ...under] };
  }
  return { tokenId, buy: NO_BUYS, sell };
}
