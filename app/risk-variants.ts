/**
 * Builds the A/B risk variants of `risk.variants` (markets split by strategies/ab.ts' stable hash
 * of the market id) and the position-limit lookup that follows them: a token of variant A is
 * limited by A's limit policies, a token whose market is not known yet by the base ones.
 */
import type { Micros } from '../core/amounts.ts';
import type { PolyquoteConfig } from '../core/config/schema.ts';
import { ConfigError } from '../core/errors.ts';
import type { RiskPolicy } from '../core/risk/policy.ts';
import { RiskVariants } from '../core/risk/variants.ts';
import { abVariant } from '../strategies/ab.ts';
import type { PluginBuilder } from './app.ts';

type LimitFn = (tokenId: string) => Micros;

/** The tightest limit any of the policies declares for a token (undefined when none declares limits). */
export function combinedLimits(policies: readonly RiskPolicy[]): LimitFn | undefined {
  const declared = policies.flatMap((p) => (p.limits ? [p.limits] : []));
  if (declared.length === 0) return undefined;
  if (declared.length === 1) return (t) => declared[0]!.limitFor(t);
  return (t) => declared.reduce((m, l) => {
    const v = l.limitFor(t);
    return v < m ? v : m;
  }, declared[0]!.limitFor(t));
}

export function buildRiskVariants(config: PolyquoteConfig, build: PluginBuilder, base: readonly RiskPolicy[]): { variants: RiskVariants; limitFor: LimitFn | undefined } {
  const baseLimit = combinedLimits(base);
  const v = config.risk.variants;
  if (!v) return { variants: RiskVariants.none(), limitFor: baseLimit };
  const sets = (['A', 'B'] as const).map((name) => ({
    name, policies: v.sets[name].map((p, i) => build<RiskPolicy>('risk-policy', p, `risk.variants.sets.${name}.${i}`)),
  }));
  const limits = new Map<string, LimitFn | undefined>(sets.map((s) => [s.name, combinedLimits(s.policies) ?? baseLimit]));
  const anyLimit = baseLimit !== undefined || [...limits.values()].some((l) => l !== undefined);
  if (anyLimit) {
    const missing = [...limits].filter(([, l]) => l === undefined).map(([n]) => n);
    const where = [...(baseLimit ? [] : ['risk.policies']), ...missing.map((n) => `risk.variants.sets.${n}`)];
    if (where.length) throw new ConfigError(where.map((path) => ({ path, message: 'expected a position-limit policy (e.g. conservative-limits): other policy sets declare limits, so every token needs one' })), config.file);
  }
  const variants = new RiskVariants(sets, (marketId) => abVariant(marketId, { salt: v.salt, split: v.split }));
  if (!anyLimit) return { variants, limitFor: undefined };
  const limitFor: LimitFn = (t) => {
    const name = variants.variant(t);
    return (name === undefined ? baseLimit : limits.get(name))!(t);
  };
  return { variants, limitFor };
}
