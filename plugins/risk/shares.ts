/** Shared config pieces of the risk policies. */
import { z } from 'zod';
import { parseNonNegativeMicros, type Micros } from '../../core/amounts.ts';

export const tokenIdKey = z.string().regex(/^\d{1,78}$/, 'a decimal uint256 token id');
export const shares = z.number().nonnegative();

/** A per-token override map, resolved to micros once at start-up. */
export function perToken(map: Record<string, number> | undefined, fallback: number, where: string): (tokenId: string) => Micros {
  const dflt = parseNonNegativeMicros(fallback, where);
  const m = new Map(Object.entries(map ?? {}).map(([k, v]) => [k, parseNonNegativeMicros(v, `${where}.${k}`)]));
  return (tokenId) => m.get(tokenId) ?? dflt;
}
