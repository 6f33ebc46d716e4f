/**
 * Order admission against position limits. Pure: the breakdown is returned so callers can log it.
 *   BUY:  confirmed + pending fill buys + pending order buys + new ≤ limit   (conservative exposure)
 *   SELL: new ≤ confirmed + pending fill buys − pending fill sells           (available to sell)
 */
import { formatMicros, type Micros } from '../amounts.ts';
import type { Side } from '../events.ts';

export interface ExposureBreakdown {
  readonly confirmed: Micros;
  readonly pendingFillBuys: Micros;
  readonly pendingFillSells: Micros;
  readonly pendingOrderBuys: Micros;
}

export interface AdmissionCheck {
  readonly allowed: boolean;
  readonly side: Side;
  readonly size: Micros;
  /** Exposure (BUY) or remaining inventory (SELL) after the order. */
  readonly projected: Micros;
  /** The bound it was checked against. */
  readonly limit: Micros;
  /** Largest size that would pass (0 if none). */
  readonly maxAllowed: Micros;
  readonly breakdown: ExposureBreakdown;
}

/** Checks a BUY against the conservative exposure limit. */
export function checkBuy(b: ExposureBreakdown, size: Micros, limit: Micros): AdmissionCheck {
  const exposure = b.confirmed + b.pendingFillBuys + b.pendingOrderBuys;
  const projected = exposure + size;
  const room = limit - exposure;
  return { allowed: size > 0n && projected <= limit, side: 'BUY', size, projected, limit, maxAllowed: room > 0n ? room : 0n, breakdown: b };
}

/** Checks a SELL against what is available to sell. */
export function checkSell(b: ExposureBreakdown, size: Micros): AdmissionCheck {
  const available = b.confirmed + b.pendingFillBuys - b.pendingFillSells;
  return { allowed: size > 0n && size <= available, side: 'SELL', size, projected: available - size, limit: available, maxAllowed: available > 0n ? available : 0n, breakdown: b };
}

/** Shrinks an order to what the limit allows (0 when nothing is allowed). */
export function adjustedSize(check: AdmissionCheck): Micros {
  return check.size < check.maxAllowed ? check.size : check.maxAllowed;
}

/** "confirmed=… + pending_fills=… + pending_orders=… + new=… = … > limit" — the log line of a blocked order. */
export function describeCheck(c: AdmissionCheck): string {
  const f = formatMicros;
  const b = c.breakdown;
  if (c.side === 'BUY') {
    return `confirmed=${f(b.confirmed)} + pending_fills=${f(b.pendingFillBuys)} + pending_orders=${f(b.pendingOrderBuys)} + new=${f(c.size)} = ${f(c.projected)} ${c.allowed ? '<=' : '>'} limit ${f(c.limit)}`;
  }
  return `new=${f(c.size)} ${c.allowed ? '<=' : '>'} available_to_sell ${f(c.limit)} (confirmed=${f(b.confirmed)} + pending_fill_buys=${f(b.pendingFillBuys)} - pending_fill_sells=${f(b.pendingFillSells)})`;
}
