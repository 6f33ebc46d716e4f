/**
 * Order sizing, exact: the risk decision's size multiplier, the limits' room, the size grid and
 * the market minimum, applied in one place so that no strategy can get it wrong. Pure.
 */
import { MICROS_PER_UNIT, type Micros } from '../amounts.ts';

/** Polymarket sizes have 2 decimals: one step is 0.01 share. */
export const SIZE_STEP: Micros = 10_000n;

/**
 * A decision's multiplier (a number such as 0.5) as exact micro-units. Multipliers come from
 * configuration with at most 6 decimals (the schemas say so); the shortest decimal form of the
 * double is read digit by digit, so 0.1 is 100000 exactly.
 */
export function multiplierMicros(m: number): Micros {
  if (!Number.isFinite(m) || m <= 0) return 0n;
  if (m >= 1) return MICROS_PER_UNIT;
  const text = m.toFixed(6);
  const [, frac = ''] = text.split('.');
  return BigInt(frac.padEnd(6, '0').slice(0, 6));
}

export interface SizingInput {
  readonly wanted: Micros;
  /** The risk decision's multiplier (1 = as wanted, 0 = nothing). */
  readonly multiplier: number;
  /** Largest size the limits allow now (conservative exposure for BUY, available-to-sell for SELL). */
  readonly room: Micros;
  readonly minSize: Micros;
  readonly step?: Micros;
}

/** wanted × multiplier, capped by the room, rounded down to the step; below the minimum → 0. */
export function sizeOrder(i: SizingInput): Micros {
  if (i.wanted <= 0n) return 0n;
  const step = i.step ?? SIZE_STEP;
  let s = (i.wanted * multiplierMicros(i.multiplier)) / MICROS_PER_UNIT;
  if (s > i.room) s = i.room;
  s -= s % step;
  return s < i.minSize || s <= 0n ? 0n : s;
}

/** Rounds a price to the tick grid: BUY down, SELL up (never more aggressive than asked). */
export function roundToTick(price: Micros, tick: Micros, side: 'BUY' | 'SELL'): Micros {
  const r = price % tick;
  if (r === 0n) return price;
  return side === 'BUY' ? price - r : price - r + tick;
}
