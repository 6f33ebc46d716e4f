/**
 * A PluginContext for position-source tests: memory logger, injected clock, an identity, and a
 * createPlugin that validates and builds the four position-source kinds (without the app registry).
 */
import { SystemClock, type Clock } from '../../core/clock.ts';
import { createMemoryLogger } from '../../core/logger.ts';
import type { PluginCategory, PluginContext, PluginDefinition } from '../../core/plugin.ts';
import { chainPositionSource } from '../../plugins/position-source/chain/index.ts';
import { chainEventsPositionSource } from '../../plugins/position-source/chain-events/index.ts';
import { fallbackPositionSource } from '../../plugins/position-source/fallback/index.ts';
import { restPositionSource } from '../../plugins/position-source/rest/index.ts';

export const SOURCE_PLUGINS: readonly PluginDefinition[] = [chainPositionSource, restPositionSource, chainEventsPositionSource, fallbackPositionSource];

export interface TestSourceContext extends PluginContext {
  /** Lines logged through this context (all plugins built from it share the logger). */
  lines(): Record<string, unknown>[];
}

/** Builds a context; `funder` becomes the run identity's funder. */
export function sourceContext(opts: { funder?: `0x${string}`; clock?: Clock; configPath?: string } = {}): TestSourceContext {
  const { logger, lines } = createMemoryLogger('debug');
  const make = (configPath: string): TestSourceContext => ({
    clock: opts.clock ?? new SystemClock(),
    logger,
    configPath,
    identity: opts.funder ? { funder: opts.funder } : {},
    baseDir: process.cwd(),
    lines,
    createPlugin<T>(category: PluginCategory, config: { kind: string }, path: string): T {
      const def = SOURCE_PLUGINS.find((d) => d.category === category && d.kind === config.kind);
      if (!def) throw new Error(`no ${category} plugin of kind ${config.kind}`);
      return def.create(def.configSchema.parse(config), { ...make(path), logger: logger.child({ plugin: config.kind }) }) as T;
    },
  });
  return make(opts.configPath ?? 'positionSource');
}

/** Validates `config` against the plugin of its kind and builds it. */
export function buildSource<T>(ctx: TestSourceContext, config: { kind: string } & Record<string, unknown>): T {
  return ctx.createPlugin<T>('position-source', config, ctx.configPath);
}
