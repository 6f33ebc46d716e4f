/** Shared config pieces of the risk policies. */
import { z } from 'zod';
import { parseNonNegativeMicros, type Micros } from '../../core/amounts.ts';
import { isTokenId, MAX_AMOUNT } from '../../core/tape-codec.ts';

export const tokenIdKey = z.string().refine(isTokenId, 'expected a canonical decimal uint256 token id (no leading zeros, below 2^256)');
/** A share amount the engine can hold exactly: non-negative, at most 6 decimals, within range. */
export const shares = z.number().nonnegative().superRefine((v, ctx) => {
  try {
    if (parseNonNegativeMicros(v, 'value') > MAX_AMOUNT) ctx.addIssue({ code: 'custom', message: `expected at most ${MAX_AMOUNT / 1_000_000n} shares, got ${v}` });
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message.replace(/ at value$/, '') });
  }
});

/** A per-token override map, resolved to micros once at start-up. */
export function perToken(map: Record<string, number> | undefined, fallback: number, where: string): (tokenId: string) => Micros {
  const dflt = parseNonNegativeMicros(fallback, where);
  const m = new Map(Object.entries(map ?? {}).map(([k, v]) => [k, parseNonNegativeMicros(v, `${where}.${k}`)]));
  return (tokenId) => m.get(tokenId) ?? dflt;
}
