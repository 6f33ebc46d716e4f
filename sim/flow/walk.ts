/**
 * Pure pieces of the simulated market: the fair price's seeded random walk, the makers' ladder
 * around it, and a taker's order. Prices leave as tick-aligned bigint micro-units; the walk itself
 * is a float because it is a model, not money.
 */
import { MICROS_PER_UNIT, type Micros } from '../../core/amounts.ts';
import type { Prng } from '../prng.ts';

/** One step of the walk, kept inside [0.03, 0.97]. */
export function stepFair(fair: number, volatility: number, rng: Prng): number {
  return Math.min(0.97, Math.max(0.03, fair + rng.normal() * volatility));
}

/** The nearest tick-aligned price to `p`, clamped to [tick, 1 − tick]. */
export function snap(p: number, tick: Micros): Micros {
  const ticks = BigInt(Math.round((p * Number(MICROS_PER_UNIT)) / Number(tick)));
  const v = ticks * tick;
  return v < tick ? tick : v > MICROS_PER_UNIT - tick ? MICROS_PER_UNIT - tick : v;
}

export interface Quote {
  /** In YES terms: a bid or an ask at this YES price. */
  readonly bid: boolean;
  readonly yesPrice: Micros;
  readonly size: Micros;
}

/** A maker's ladder: `levels` bids below and asks above fair, starting `halfSpreadTicks` away. */
export function ladder(fair: number, tick: Micros, levels: number, halfSpreadTicks: number, size: Micros): Quote[] {
  const mid = snap(fair, tick);
  const out: Quote[] = [];
  for (let k = 0; k < levels; k++) {
    const d = BigInt(halfSpreadTicks + k) * tick;
    if (mid - d >= tick) out.push({ bid: true, yesPrice: mid - d, size });
    if (mid + d <= MICROS_PER_UNIT - tick) out.push({ bid: false, yesPrice: mid + d, size });
  }
  return out;
}

/** A taker's size: exponential around the mean, at least 1 share, rounded down to 2 decimals. */
export function takerSize(mean: number, rng: Prng): Micros {
  const shares = Math.max(1, rng.exponential(mean));
  return (BigInt(Math.floor(shares * 100)) * MICROS_PER_UNIT) / 100n;
}
