/**
 * The price grid: exact bigint arithmetic on micro-units. A tick is a positive micro amount that
 * divides 1 share (0.1, 0.01, 0.005, 0.0025, 0.001, 0.0001); valid prices are multiples of it in
 * [tick, 1 − tick]. BUY prices round down, SELL prices round up (never the aggressive way).
 */
import { MICROS_PER_UNIT, type Micros } from '../../core/amounts.ts';
import type { Side } from '../../core/events.ts';

/** Largest multiple of `tick` ≤ `price` (price ≥ 0). */
export function floorToTick(price: Micros, tick: Micros): Micros {
  const r = price % tick;
  return r === 0n ? price : r > 0n ? price - r : price - r - tick;
}

/** Smallest multiple of `tick` ≥ `price`. */
export function ceilToTick(price: Micros, tick: Micros): Micros {
  const r = price % tick;
  return r === 0n ? price : r > 0n ? price - r + tick : price - r;
}

/** Rounds a price the passive way for its side: BUY down, SELL up. */
export function roundPassive(side: Side, price: Micros, tick: Micros): Micros {
  return side === 'BUY' ? floorToTick(price, tick) : ceilToTick(price, tick);
}

/** Whether `price` is on the grid of `tick` and inside [tick, 1 − tick]. */
export function isValidPrice(price: Micros, tick: Micros): boolean {
  return price >= tick && price <= MICROS_PER_UNIT - tick && price % tick === 0n;
}

/** Whether a tick size can carry prices at all: positive and dividing one share. */
export function isUsableTick(tick: Micros | undefined): tick is Micros {
  return tick !== undefined && tick > 0n && tick < MICROS_PER_UNIT && MICROS_PER_UNIT % tick === 0n;
}

/** Size granularity of Polymarket orders: 2 decimals of a share. */
export const SIZE_STEP: Micros = 10_000n;

/** Rounds a size down to the order size granularity. */
export function floorSize(size: Micros): Micros {
  return size <= 0n ? 0n : size - (size % SIZE_STEP);
}

/** base × multiplier, rounded down to the size step (the multiplier is a risk factor in [0, 1]). */
export function scaledSize(base: Micros, multiplier: number): Micros {
  if (!(multiplier > 0)) return 0n;
  if (multiplier >= 1) return floorSize(base);
  return floorSize((base * BigInt(Math.round(multiplier * 1_000_000))) / 1_000_000n);
}

/**
 * The size to quote on a side whose resting orders the quote would replace: what sizeFor allowed
 * for a new order plus the remaining size of those orders (their reservation is released when they
 * are cancelled), never above `cap` (the multiplied size), and never above `room`, what a fresh
 * order could get once they are released (sizeFor never answers below 0, so `allowed + resting`
 * alone overshoots once the exposure passed the limit). Nothing resting: `allowed`, within `room`.
 */
export function countBack(allowed: Micros, resting: Micros, cap: Micros, room?: Micros): Micros {
  let size = allowed;
  if (resting > 0n) size = size + resting < cap ? size + resting : cap;
  if (room !== undefined) {
    const r = floorSize(room);
    if (r < size) size = r;
  }
  return size;
}
