/**
 * Strategy plugins from a plan: `definePlanningStrategy` builds the plugin definition (config
 * schema with the shared fields, `create`) of a strategy that is a plan function plus its own config
 * fields. Every such strategy is configured with
 *
 *   kind, markets (condition ids or { marketId, outcome }), <its own fields>,
 *   toleranceTicks, maxAgeSeconds, refillBelowPercent, budgetReserve
 *
 * and gets the whole lifecycle (market resolution, per-token cycles, diff policy, rate-budget gate,
 * executor, stop) from `MarketStrategy` (shell.ts).
 */
import { z } from 'zod';
import type { PluginDefinition } from '../../core/plugin.ts';
import type { Strategy } from '../../core/strategy/strategy.ts';
import { budgetReserve, replaceFields } from './config.ts';
import type { OrderPlan } from './diff.ts';
import { marketChoice, type Outcome } from './markets.ts';
import { PlannedStrategy, type MarketStrategyOptions, type TokenView } from './shell.ts';

/** The strict schema of a planning strategy's block: `kind`, `markets`, its own fields, then the shared ones. */
export function planningConfigSchema<K extends string, S extends z.ZodRawShape>(kind: K, outcome: Outcome, fields: S) {
  return z.strictObject({
    kind: z.literal(kind),
    /** Condition ids (with `outcome` as the default outcome), or { marketId, outcome }. */
    markets: z.array(marketChoice(outcome)).min(1).max(1000),
    ...fields,
    ...replaceFields,
    budgetReserve,
  });
}

/** A parsed planning-strategy config. */
export type PlanningConfig<K extends string, S extends z.ZodRawShape> = z.output<ReturnType<typeof planningConfigSchema<K, S>>>;

/** The shared options (markets, diff policy, reserve) of a parsed config. */
export function planningOptions(cfg: {
  readonly markets: MarketStrategyOptions['markets'];
  readonly toleranceTicks: number;
  readonly maxAgeSeconds: number;
  readonly refillBelowPercent: number;
  readonly budgetReserve: MarketStrategyOptions['reserve'];
}): MarketStrategyOptions {
  return {
    markets: cfg.markets,
    diff: { toleranceTicks: cfg.toleranceTicks, maxAgeMs: cfg.maxAgeSeconds * 1000, refillBelowPercent: cfg.refillBelowPercent },
    reserve: cfg.budgetReserve,
  };
}

interface Common<K extends string, S extends z.ZodRawShape> {
  readonly kind: K;
  /** One line for the config reference. */
  readonly description: string;
  /** What a bare condition id in `markets` quotes (default 'yes'). */
  readonly outcome?: Outcome;
  /** The strategy's own config fields (zod), between `markets` and the shared fields. */
  readonly fields: S;
}

/** A strategy that is a plan function: the plan of one token from its view and the parsed config. */
export interface PlanDefinition<K extends string, S extends z.ZodRawShape> extends Common<K, S> {
  plan(t: TokenView, cfg: PlanningConfig<K, S>): OrderPlan | undefined;
}

/** A strategy with a class of its own (a `MarketStrategy` subclass, e.g. for diagnostics). */
export interface ClassDefinition<K extends string, S extends z.ZodRawShape> extends Common<K, S> {
  strategy(cfg: PlanningConfig<K, S>, options: MarketStrategyOptions): Strategy;
}

/** The plugin definition of a planning strategy (list it in plugins/registry.ts). */
export function definePlanningStrategy<K extends string, S extends z.ZodRawShape>(
  def: PlanDefinition<K, S> | ClassDefinition<K, S>,
): PluginDefinition<PlanningConfig<K, S> & { kind: K }, Strategy> {
  const configSchema = planningConfigSchema(def.kind, def.outcome ?? 'yes', def.fields);
  return {
    category: 'strategy',
    kind: def.kind,
    description: def.description,
    // The schema's output is PlanningConfig<K, S>; TypeScript cannot see it while K and S are open.
    configSchema: configSchema as unknown as z.ZodType<PlanningConfig<K, S> & { kind: K }>,
    create(cfg: PlanningConfig<K, S> & { kind: K }): Strategy {
      const options = planningOptions(cfg as unknown as Parameters<typeof planningOptions>[0]);
      if ('plan' in def) return new PlannedStrategy(def.kind, options, (t) => def.plan(t, cfg));
      return def.strategy(cfg, options);
    },
  };
}
