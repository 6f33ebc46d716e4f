/**
 * A/B assignment of markets: a stable hash of the market id picks the variant, the same in every
 * process and Node version (sha256 of salt, NUL, id; first 8 bytes big-endian as an unsigned bigint,
 * modulo the total weight). Weights are exact decimals (50/50, 1/3, 0.3/0.7), reduced to lowest
 * terms first, so 50/50, 1/1 and 0.5/0.5 assign every market alike. The lead maps variants to
 * risk-policy sets.
 */
import { createHash } from 'node:crypto';
import { parseNonNegativeMicros } from '../core/amounts.ts';
import { PolyquoteError } from '../core/errors.ts';

export type Variant = 'A' | 'B';

export interface AbOptions {
  readonly salt: string;
  readonly split: { readonly A: number | string; readonly B: number | string };
}

/** The variant of a market. Condition ids are compared in lower case ("0xAB…" = "0xab…"). */
export function abVariant(marketId: string, opts: AbOptions): Variant {
  if (typeof marketId !== 'string' || marketId.trim() === '') {
    throw new PolyquoteError('AB_MARKET_INVALID', `expected a market id, got ${JSON.stringify(marketId)} at abVariant`);
  }
  let a = parseNonNegativeMicros(opts.split.A, 'abVariant split.A');
  let b = parseNonNegativeMicros(opts.split.B, 'abVariant split.B');
  if (a + b === 0n) throw new PolyquoteError('AB_SPLIT_INVALID', 'expected a split with a positive total weight, got A = B = 0 at abVariant split');
  const g = gcd(a, b);
  a /= g;
  b /= g;
  const total = a + b;
  const digest = createHash('sha256').update(`${opts.salt}\u0000${marketId.trim().toLowerCase()}`, 'utf8').digest();
  return digest.readBigUInt64BE(0) % total < a ? 'A' : 'B';
}

function gcd(x: bigint, y: bigint): bigint {
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}
