/**
 * A/B risk variants: markets split between named per-token policy sets by a stable assignment of
 * the market id (the assignment function is given, e.g. strategies/ab.ts' abVariant). The token →
 * market map comes from the venue's market list; until a token's market is known it has no
 * variant and the base `risk.policies` apply. Global policies are never replaced.
 *
 * Pure selection (`selectVariant`) plus a small cache (`RiskVariants`): a lookup is O(1) once a
 * market is assigned, so evaluating a token stays O(policies).
 */
import type { RiskPolicy } from './policy.ts';

export interface VariantSet {
  readonly name: string;
  readonly policies: readonly RiskPolicy[];
}

/** Assigns a market to a variant name (must return one of the configured set names). */
export type VariantAssigner = (marketId: string) => string;

export interface MarketTokens {
  readonly marketId: string;
  readonly tokens: readonly string[];
}

/**
 * The variant of a token: undefined when variants are off or its market is not known yet.
 * Pure: `marketOf` is the token → market map, `assign` the market → variant function.
 */
export function selectVariant(
  tokenId: string,
  marketOf: ReadonlyMap<string, string>,
  assign: VariantAssigner | undefined,
  known: ReadonlySet<string>,
): string | undefined {
  if (!assign) return undefined;
  const market = marketOf.get(tokenId);
  if (market === undefined) return undefined;
  const v = assign(market);
  if (!known.has(v)) throw new Error(`A/B assignment of market ${market} returned ${JSON.stringify(v)}, expected one of ${[...known].join(', ')}`);
  return v;
}

export class RiskVariants {
  private readonly sets = new Map<string, VariantSet>();
  private readonly marketOf = new Map<string, string>();
  private readonly variantOf = new Map<string, string | undefined>();
  /** Incremented when the token → market map changes (callers re-evaluate then). */
  version = 0;

  constructor(sets: readonly VariantSet[] = [], private readonly assign?: VariantAssigner) {
    for (const s of sets) this.sets.set(s.name, s);
    if (sets.length > 0 && !assign) throw new Error('RiskVariants: variant sets need an assignment function');
  }

  /** A RiskVariants that never selects anything (variants not configured). */
  static none(): RiskVariants {
    return new RiskVariants();
  }

  get enabled(): boolean {
    return this.sets.size > 0;
  }

  get names(): string[] {
    return [...this.sets.keys()];
  }

  setsList(): VariantSet[] {
    return [...this.sets.values()];
  }

  /** Learns which market each token belongs to; returns the tokens whose variant changed. */
  assignMarkets(markets: readonly MarketTokens[]): string[] {
    if (!this.enabled) return [];
    const changed: string[] = [];
    for (const m of markets) {
      for (const t of m.tokens) {
        if (this.marketOf.get(t) === m.marketId) continue;
        this.marketOf.set(t, m.marketId);
        const before = this.variantOf.get(t);
        this.variantOf.delete(t);
        if (this.variant(t) !== before) changed.push(t);
      }
    }
    if (changed.length) this.version++;
    return changed;
  }

  /** The variant name of a token (undefined: base policies apply). */
  variant(tokenId: string): string | undefined {
    if (!this.enabled) return undefined;
    if (this.variantOf.has(tokenId)) return this.variantOf.get(tokenId);
    const v = selectVariant(tokenId, this.marketOf, this.assign, new Set(this.sets.keys()));
    // Only known markets are cached: an unknown token may learn its market later.
    if (v !== undefined) this.variantOf.set(tokenId, v);
    return v;
  }

  /** The per-token policies acted on for a token: its variant's set, or `base`. */
  policiesFor(tokenId: string, base: readonly RiskPolicy[]): readonly RiskPolicy[] {
    const v = this.variant(tokenId);
    return v === undefined ? base : this.sets.get(v)!.policies;
  }

  /** Tokens whose market is known, with their variant. */
  assignedTokens(): [string, string][] {
    return [...this.marketOf.keys()].flatMap((t) => {
      const v = this.variant(t);
      return v === undefined ? [] : [[t, v] as [string, string]];
    });
  }
}
