/**
 * Quote computation for active quoting: pure, plain bigint arithmetic, no allocation beyond the
 * result, no logging (it runs on every book update).
 *
 * Invariants (property-tested):
 *  - every price is on the tick grid and inside [tick, 1 − tick];
 *  - a BUY is strictly below the best ask, a SELL strictly above the best bid (post-only never
 *    crosses), and a BUY is strictly below our own SELL;
 *  - no side the risk decision disallows, nothing at all when halted;
 *  - a size is never above what `sizeFor` allowed plus the remaining size of our own resting orders
 *    of that side, which the quote would replace (their reservation is released when they are
 *    cancelled; the executor re-asks sizeFor after the cancels), nor above the multiplied size,
 *    nor above what a fresh order could get once those orders are released (`buyRoom` for a BUY,
 *    `sellable` for a SELL), and never below the market's minimum order size; a BUY never costs
 *    more than `buyBudget`. So a resting order larger than this size is one the risk layer would no
 *    longer allow, and the diff replaces it.
 *
 * Pricing, per side: anchor (best bid/ask, or the mid) ± offsetTicks, rounded passively; pulled
 * inside the reward band (|price − mid| < rewards.maxSpread) when rewards are on; then widened by the
 * decision's extraTicks (risk wins over rewards) and shifted by the inventory skew; then kept behind
 * the opposite best price and clamped into [tick, 1 − tick]; a side that still cannot be valid is
 * skipped.
 */
import { MICROS_PER_UNIT, type Micros } from '../../core/amounts.ts';
import type { Side } from '../../core/events.ts';
import type { RiskDecision } from '../../core/risk/decision.ts';
import { ceilToTick, countBack, floorSize, floorToTick, isUsableTick, scaledSize } from '../shared/grid.ts';

export { scaledSize };

export type Anchor = 'best' | 'mid';

export interface SkewParams {
  /** Effective position the skew steers towards. */
  readonly target: Micros;
  /** One tick of shift per this many shares away from the target. */
  readonly sharesPerTick: Micros;
  /** Largest shift, in ticks. */
  readonly maxTicks: number;
}

/** The configured shape of the quotes (from the strategy's config). */
export interface QuoteParams {
  readonly anchor: Anchor;
  readonly offsetTicks: number;
  readonly size: Micros;
  /** Fit the market's reward band and minimum size when it pays liquidity rewards. */
  readonly useRewards: boolean;
  readonly skew: SkewParams | undefined;
}

/** The market state a quote is computed from (read from the market view by the shell). */
export interface QuoteInput {
  readonly bestBid: Micros | undefined;
  readonly bestAsk: Micros | undefined;
  readonly tick: Micros | undefined;
  readonly minOrderSize: Micros;
  readonly rewards: { readonly maxSpread: Micros; readonly minSize: Micros } | undefined;
  readonly decision: RiskDecision;
  /** position.effective, for the skew. */
  readonly effective: Micros;
  /** Shares a new SELL may offer: availableToSell less SELLs still being cancelled. */
  readonly sellable: Micros;
  /** Remaining size of our own live BUYs on the token (not cancel-requested). */
  readonly restingBuy: Micros;
  /** Remaining size of our own live SELLs on the token (not cancel-requested). */
  readonly restingSell: Micros;
  /**
   * Collateral a BUY on this token may spend (available pUSD plus what our own live BUYs on it
   * reserve, since a replacement releases that), or undefined when the collateral is not known.
   */
  readonly buyBudget?: Micros | undefined;
  /**
   * Room the position limit leaves a BUY on this token once our own live BUYs on it are released
   * (limit − conservative exposure + restingBuy; may be negative), or undefined when no limit
   * applies. sizeFor's answer never goes below 0, so the count-back alone would keep a resting BUY
   * larger than a fresh order could be once the exposure passed the limit.
   */
  readonly buyRoom?: Micros | undefined;
}

/** gateway.sizeFor bound to one token. */
export type SizeFn = (side: Side, wanted: Micros) => Micros;

export interface Quote {
  readonly side: Side;
  readonly price: Micros;
  readonly size: Micros;
  /** What was asked of sizeFor: the executor re-asks with it right before sending. */
  readonly wanted: Micros;
}

/** Why a token gets no quotes at all (undefined when the sides were priced, even if none was valid). */
export type NoQuoteReason = 'halted' | 'no-tick' | 'empty-book' | 'crossed-book' | undefined;

export interface Quotes {
  readonly buy: Quote | undefined;
  readonly sell: Quote | undefined;
  readonly reason: NoQuoteReason;
}

const NONE_HALTED: Quotes = Object.freeze({ buy: undefined, sell: undefined, reason: 'halted' });
const NONE_TICK: Quotes = Object.freeze({ buy: undefined, sell: undefined, reason: 'no-tick' });
const NONE_EMPTY: Quotes = Object.freeze({ buy: undefined, sell: undefined, reason: 'empty-book' });
const NONE_CROSSED: Quotes = Object.freeze({ buy: undefined, sell: undefined, reason: 'crossed-book' });

/** The two quotes of one token. */
export function computeQuotes(p: QuoteParams, i: QuoteInput, sizeFor: SizeFn): Quotes {
  const d = i.decision;
  if (d.mode === 'halted' || d.allowedSides.length === 0) return NONE_HALTED;
  const tick = i.tick;
  if (!isUsableTick(tick)) return NONE_TICK;
  const bid = i.bestBid;
  const ask = i.bestAsk;
  if (bid === undefined && ask === undefined) return NONE_EMPTY;
  if (bid !== undefined && ask !== undefined && bid >= ask) return NONE_CROSSED;
  const mid = bid !== undefined && ask !== undefined ? (bid + ask) / 2n : undefined;
  const maxPrice = MICROS_PER_UNIT - tick;
  const offset = BigInt(p.offsetTicks) * tick;
  const extra = BigInt(d.extraTicks > 0 ? Math.floor(d.extraTicks) : 0) * tick;
  const shift = skewTicks(p.skew, i.effective) * tick;
  const band = p.useRewards && i.rewards !== undefined && i.rewards.maxSpread > 0n && mid !== undefined ? i.rewards.maxSpread : 0n;
  let base = p.size > i.minOrderSize ? p.size : i.minOrderSize;
  if (p.useRewards && i.rewards !== undefined && i.rewards.minSize > base) base = i.rewards.minSize;

  let buy: Quote | undefined;
  const buyRef = p.anchor === 'mid' ? mid : bid;
  if (buyRef !== undefined && allows(d, 'BUY')) {
    let px = floorToTick(buyRef - offset, tick);
    if (band > 0n) {
      const lo = ceilToTick(mid! - band + 1n, tick);
      if (px < lo) px = lo;
    }
    px = px - extra - shift;
    if (ask !== undefined && px >= ask) px = floorToTick(ask - 1n, tick);
    if (px > maxPrice) px = maxPrice;
    if (px < tick) px = tick;
    if (ask === undefined || px < ask) {
      let size = countBack(sizeFor('BUY', base), i.restingBuy, scaledSize(base, d.sizeMultiplier), i.buyRoom);
      if (i.buyBudget !== undefined) {
        const affordable = i.buyBudget > 0n ? floorSize((i.buyBudget * MICROS_PER_UNIT) / px) : 0n;
        if (affordable < size) size = affordable;
      }
      if (size >= i.minOrderSize && size > 0n) buy = { side: 'BUY', price: px, size, wanted: base };
    }
  }

  let sell: Quote | undefined;
  const sellRef = p.anchor === 'mid' ? mid : ask;
  if (sellRef !== undefined && allows(d, 'SELL')) {
    let px = ceilToTick(sellRef + offset, tick);
    if (band > 0n) {
      const hi = floorToTick(mid! + band - 1n, tick);
      if (px > hi) px = hi;
    }
    px = px + extra - shift;
    if (bid !== undefined && px <= bid) px = ceilToTick(bid + 1n, tick);
    if (px > maxPrice) px = maxPrice;
    if (px < tick) px = tick;
    const sellable = floorSize(i.sellable);
    const wanted = base < sellable ? base : sellable;
    if ((bid === undefined || px > bid) && wanted >= i.minOrderSize && wanted > 0n) {
      const allowed = sizeFor('SELL', wanted);
      const size = countBack(allowed < wanted ? allowed : wanted, i.restingSell, scaledSize(wanted, d.sizeMultiplier));
      if (size >= i.minOrderSize && size > 0n) sell = { side: 'SELL', price: px, size, wanted };
    }
  }

  // Our own BUY must stay below our own SELL (a mid anchor with no offset would put them together).
  if (buy !== undefined && sell !== undefined && buy.price >= sell.price) {
    const px = sell.price - tick;
    buy = px >= tick ? { side: 'BUY', price: px, size: buy.size, wanted: buy.wanted } : undefined;
  }
  return { buy, sell, reason: undefined };
}

function allows(d: RiskDecision, side: Side): boolean {
  const s = d.allowedSides;
  return s[0] === side || s[1] === side;
}

/** Ticks of skew: (effective − target) / sharesPerTick, truncated, within ±maxTicks. Long → positive. */
export function skewTicks(skew: SkewParams | undefined, effective: Micros): bigint {
  if (skew === undefined || skew.sharesPerTick <= 0n || skew.maxTicks <= 0) return 0n;
  const t = (effective - skew.target) / skew.sharesPerTick;
  const max = BigInt(Math.floor(skew.maxTicks));
  return t > max ? max : t < -max ? -max : t;
}
