/** Resolving configured markets (condition ids + outcome) to the venue's tokens. Pure. */
import { z } from 'zod';
import type { MarketInfo } from '../../core/venue/venue.ts';
import { marketId } from './config.ts';

export type Outcome = 'yes' | 'no' | 'both';

export interface MarketChoice {
  readonly marketId: string;
  readonly outcome: Outcome;
}

/** A configured market: a condition id, or { marketId, outcome }. */
export function marketChoice(defaultOutcome: Outcome) {
  return z.union([
    marketId.transform((id): MarketChoice => ({ marketId: id, outcome: defaultOutcome })),
    z.strictObject({ marketId, outcome: z.enum(['yes', 'no', 'both']).default(defaultOutcome) }),
  ]);
}

export interface ResolvedToken {
  readonly tokenId: string;
  readonly info: MarketInfo;
}

/** The tokens of the chosen markets the venue knows, and the choices it does not know yet. */
export function resolveMarkets(known: readonly MarketInfo[], wanted: readonly MarketChoice[]): { tokens: ResolvedToken[]; unresolved: MarketChoice[] } {
  const byId = new Map(known.map((k) => [k.marketId.toLowerCase(), k]));
  const tokens: ResolvedToken[] = [];
  const unresolved: MarketChoice[] = [];
  const seen = new Set<string>();
  for (const m of wanted) {
    const info = byId.get(m.marketId.toLowerCase());
    if (!info) {
      unresolved.push(m);
      continue;
    }
    const picked = m.outcome === 'yes' ? [info.tokens[0]] : m.outcome === 'no' ? [info.tokens[1]] : info.tokens;
    for (const tokenId of picked) {
      if (seen.has(tokenId)) continue;
      seen.add(tokenId);
      tokens.push({ tokenId, info });
    }
  }
  return { tokens, unresolved };
}
