/**
 * Token ids are the canonical decimal form of a uint256: no sign, no leading zero, at most 2^256 − 1.
 * One test for every reader (tape decoder, its fast path, the feed parsers).
 */
const UINT256_MAX = (1n << 256n) - 1n;
/** At most 77 digits: below 2^256 (≈ 1.16·10^77) without computing it. */
const SHORT = /^(0|[1-9]\d{0,76})$/;
const LONG = /^[1-9]\d{77}$/;

/** The last id that passed: a feed names the same few tokens over and over, and comparing is cheaper than the test. */
let lastValid = '';

export function isTokenId(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  if (v === lastValid) return true;
  if (SHORT.test(v) || (LONG.test(v) && BigInt(v) <= UINT256_MAX)) {
    lastValid = v;
    return true;
  }
  return false;
}
