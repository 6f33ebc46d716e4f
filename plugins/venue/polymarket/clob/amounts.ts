/**
 * Order amounts for Polymarket V2 orders, exact in bigint micro-units.
 *
 * Rules (protocol doc §3, and the official client's `getOrderRawAmounts` + `ROUNDING_CONFIG`):
 * - the tick size fixes the decimals of price / size / amount (0.1→1/2/3, 0.01→2/2/4, 0.005→3/2/5,
 *   0.0025→4/2/6, 0.001→3/2/5, 0.0001→4/2/6);
 * - the price must lie in [tick, 1 − tick] (checked on the price as given, like the official client),
 *   then is rounded half-up to the price decimals (the client's `roundNormal`, whose `+ EPSILON`
 *   makes exact halves round up) — it is NOT snapped to the tick grid (0.0035 passes at tick 0.0025);
 * - the size is rounded down to 2 decimals;
 * - amount = size × price. With the decimals above the exact product never has more decimals than
 *   the amount allows, so no further rounding happens here. The official client computes it in
 *   doubles and "heals" the float error with roundUp(amount+4 dp) then roundDown(amount dp): that
 *   agrees with the exact product up to about 200,000 shares (measured: no mismatch in 300,000
 *   samples per tick at ≤ 200,000 shares; beyond ~400,000 shares at 6-amount-decimal ticks and
 *   ~5,000,000 elsewhere it drops one unit). We stay exact; `ORACLE_AGREEMENT_MAX_SIZE` records the
 *   bound the conformance test proves.
 * - BUY: makerAmount = amount (collateral), takerAmount = size (shares); SELL: the reverse; both in
 *   6-decimal base units, which is exactly the Micros value.
 */
import { formatMicros, type Micros } from '../../../../core/amounts.ts';
import { PolyquoteError } from '../../../../core/errors.ts';
import type { Side } from '../../../../core/events.ts';

/** Decimals allowed for price, size and amount at one tick size. */
export interface RoundingConfig {
  readonly price: number;
  readonly size: number;
  readonly amount: number;
}

/** The tick sizes the venue uses, as the decimal strings it sends. */
export type TickSize = '0.1' | '0.01' | '0.005' | '0.0025' | '0.001' | '0.0001';

export const ROUNDING: Readonly<Record<TickSize, RoundingConfig>> = {
  '0.1': { price: 1, size: 2, amount: 3 },
  '0.01': { price: 2, size: 2, amount: 4 },
  '0.005': { price: 3, size: 2, amount: 5 },
  '0.0025': { price: 4, size: 2, amount: 6 },
  '0.001': { price: 3, size: 2, amount: 5 },
  '0.0001': { price: 4, size: 2, amount: 6 },
};

export const TICK_SIZES: readonly TickSize[] = Object.keys(ROUNDING) as TickSize[];

/** Sizes up to this (micros) are proven identical to the official client's float arithmetic. */
export const ORACLE_AGREEMENT_MAX_SIZE: Micros = 200_000_000_000n;

const ONE: Micros = 1_000_000n;

/** The tick size as its canonical string; throws naming `where` when it is not a venue tick. */
export function tickSizeOf(tick: Micros, where = 'tick size'): TickSize {
  const text = formatMicros(tick) as TickSize;
  if (!(text in ROUNDING)) {
    throw new PolyquoteError('TICK_SIZE_INVALID', `expected one of ${TICK_SIZES.join(', ')}, got ${formatMicros(tick)} at ${where}`);
  }
  return text;
}

/** The rounding decimals for a tick size given as micros. */
export function roundingFor(tick: Micros): RoundingConfig {
  return ROUNDING[tickSizeOf(tick)];
}

/** Rounds micros to `decimals` (≤ 6), half away from zero for positive values (half-up). */
export function roundHalfUp(value: Micros, decimals: number): Micros {
  const unit = 10n ** BigInt(6 - decimals);
  return ((value + unit / 2n) / unit) * unit;
}

/** Rounds non-negative micros down to `decimals` (≤ 6). */
export function roundDown(value: Micros, decimals: number): Micros {
  const unit = 10n ** BigInt(6 - decimals);
  return (value / unit) * unit;
}

/** True when `price` is a whole number of ticks. */
export function isOnTick(price: Micros, tick: Micros): boolean {
  return tick > 0n && price % tick === 0n;
}

export interface OrderAmounts {
  /** The price as signed (rounded to the price decimals). */
  readonly price: Micros;
  /** The size as signed (rounded down to 2 decimals). */
  readonly size: Micros;
  /** 6-decimal base units, as signed and posted. */
  readonly makerAmount: bigint;
  readonly takerAmount: bigint;
}

/**
 * makerAmount/takerAmount for a limit order, exactly as the official client computes them (see the
 * file comment). Throws PRICE_OUT_OF_RANGE, SIZE_INVALID or TICK_SIZE_INVALID naming `where`.
 */
export function orderAmounts(side: Side, price: Micros, size: Micros, tick: Micros, where = 'order'): OrderAmounts {
  const rc = ROUNDING[tickSizeOf(tick, `${where}.tickSize`)];
  if (price < tick || price > ONE - tick) {
    throw new PolyquoteError(
      'PRICE_OUT_OF_RANGE',
      `expected a price in [${formatMicros(tick)}, ${formatMicros(ONE - tick)}], got ${formatMicros(price)} at ${where}.price`,
    );
  }
  if (size <= 0n) throw new PolyquoteError('SIZE_INVALID', `expected a positive size, got ${formatMicros(size)} at ${where}.size`);
  const p = roundHalfUp(price, rc.price);
  const s = roundDown(size, rc.size);
  if (s === 0n) {
    throw new PolyquoteError('SIZE_INVALID', `expected a size of at least 0.01 after rounding down to 2 decimals, got ${formatMicros(size)} at ${where}.size`);
  }
  // Exact: s is a multiple of 10^4 micros and p of 10^2, so s·p is a whole number of 10^6 — and it has
  // size + price decimals, which equals the amount decimals of every tick (see the file comment).
  const amount = (s * p) / ONE;
  return side === 'BUY'
    ? { price: p, size: s, makerAmount: amount, takerAmount: s }
    : { price: p, size: s, makerAmount: s, takerAmount: amount };
}
