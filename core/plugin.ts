/**
 * The plugin contract. A plugin is one folder exporting one definition; the registry
 * (plugins/registry.ts) lists them all explicitly, and config.yaml picks them by `kind`.
 */
import type { z } from 'zod';
import type { Clock } from './clock.ts';
import type { Logger } from './logger.ts';

export type PluginCategory =
  | 'venue'
  | 'position-source'
  | 'reconciler'
  | 'risk-policy'
  | 'alert-sink'
  | 'ledger'
  | 'strategy';

/** Core services a plugin factory may use. */
export interface PluginContext {
  readonly clock: Clock;
  /** A child logger already bound to `{ plugin: kind }`. */
  readonly logger: Logger;
  /** Where this plugin's config sits in the YAML, for error messages ("positionSource.sources.0"). */
  readonly configPath: string;
  /** Builds a nested plugin (a `fallback` source wrapping others); config must already be validated. */
  createPlugin<T>(category: PluginCategory, config: { kind: string }, configPath: string): T;
  /** Funder address and other run-wide identity, when configured. */
  readonly identity: { readonly funder?: `0x${string}` };
  /** Directory that relative paths in the config resolve against. */
  readonly baseDir: string;
}

export interface PluginDefinition<C extends { kind: string } = any, T = unknown> {
  readonly category: PluginCategory;
  readonly kind: string;
  /** One line for the config reference. */
  readonly description: string;
  /** Strict zod schema of the plugin's YAML block, including `kind`. */
  readonly configSchema: z.ZodType<C, any>;
  /**
   * Fields of this plugin's config that hold other plugins' configs (e.g. fallback's `sources`).
   * The config loader validates them against their own kinds' schemas, with their YAML paths; the
   * plugin's own schema should accept them loosely (`z.array(z.looseObject({ kind: z.string() }))`).
   */
  readonly nested?: readonly { readonly key: string; readonly category: PluginCategory }[];
  create(config: C, ctx: PluginContext): T;
}

/** Identity helper that keeps a definition's config type tied to its schema. */
export function definePlugin<S extends z.ZodType<{ kind: string }>, T>(def: {
  category: PluginCategory;
  kind: string;
  description: string;
  configSchema: S;
  nested?: readonly { readonly key: string; readonly category: PluginCategory }[];
  create(config: z.infer<S>, ctx: PluginContext): T;
}): PluginDefinition<z.infer<S>, T> {
  return def as unknown as PluginDefinition<z.infer<S>, T>;
}
