/** The top-level shape of config.yaml; plugin blocks are validated by their own kinds' schemas. */
import { z } from 'zod';
import { isTokenId } from '../tape-codec.ts';
import { seconds } from './units.ts';

const pluginBlock = z.looseObject({ kind: z.string({ error: 'expected a plugin block with a `kind`' }) });
const abWeight = z.union([z.number().nonnegative().finite(), z.string().regex(/^\d+(\.\d{1,6})?$/, 'a non-negative decimal weight')]);

export const rootSchema = z.strictObject({
  identity: z.strictObject({ funder: z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'a 0x-prefixed 20-byte address').optional() }).default({}),
  /** Token ids tracked from the start (sources sync them even before any fill). */
  tokens: z.array(z.string().refine(isTokenId, 'expected a canonical decimal uint256 token id (no leading zeros, below 2^256)')).default([]),
  engine: z.strictObject({
    dedupWindowSeconds: seconds(1, 30 * 86_400).default(86_400),
    checkpointEverySeconds: seconds(0.1, 86_400).default(60),
    sizeMatchedGraceSeconds: seconds(0, 86_400).default(5),
    /** REST reconciliation of orders and trades with the venue (also on every reconnect); 0 = only on reconnects. */
    venueReconcileSeconds: z.union([z.literal(0), seconds(1, 86_400)]).default(60),
  }).default({ dedupWindowSeconds: 86_400, checkpointEverySeconds: 60, sizeMatchedGraceSeconds: 5, venueReconcileSeconds: 60 }),
  log: z.strictObject({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info') }).default({ level: 'info' }),
  /** Prometheus /metrics and the status page (ops/http) of `polyquote run`; port 0 = any free port. */
  metrics: z.strictObject({
    enabled: z.boolean().default(true),
    host: z.string().min(1, 'a host name or IP address to listen on').default('127.0.0.1'),
    port: z.number().int('an integer port').min(0).max(65_535).default(9464),
  }).default({ enabled: true, host: '127.0.0.1', port: 9464 }),
  venue: pluginBlock.optional(),
  positionSource: pluginBlock.optional(),
  reconciler: pluginBlock.default({ kind: 'oldest-first' }),
  risk: z.strictObject({
    policies: z.array(pluginBlock).default([]),
    shadow: z.array(z.strictObject({ name: z.string().min(1), policies: z.array(pluginBlock) })).default([]),
    /** A/B: markets split between two per-token policy sets by a stable hash of the market id (strategies/ab.ts). */
    variants: z.strictObject({
      salt: z.string(),
      split: z.strictObject({ A: abWeight, B: abWeight }).default({ A: 1, B: 1 }),
      sets: z.strictObject({ A: z.array(pluginBlock), B: z.array(pluginBlock) }),
    }).optional(),
  }).default({ policies: [], shadow: [] }),
  alerts: z.array(pluginBlock).default([{ kind: 'log' }]),
  ledger: pluginBlock.default({ kind: 'memory' }),
  strategy: pluginBlock.optional(),
  /** The alert feed (fills, digests, reconnect storms, daily summary); validated by ops/alerts' schema. */
  alertFeed: z.looseObject({}).optional(),
  /** Capital recycling for `polyquote run` (validated by app/run/recycling-config.ts). */
  recycling: z.looseObject({}).optional(),
  /** The embedded exchange simulator `polyquote run` starts first (validated by the simulator's own schema). */
  simulator: z.looseObject({}).optional(),
});

export type PluginConfig = { kind: string } & Record<string, unknown>;

export interface RiskVariantsConfig {
  readonly salt: string;
  readonly split: { readonly A: number | string; readonly B: number | string };
  readonly sets: { readonly A: readonly PluginConfig[]; readonly B: readonly PluginConfig[] };
}

export interface PolyquoteConfig {
  readonly identity: { readonly funder?: `0x${string}` };
  readonly tokens: readonly string[];
  readonly engine: { readonly dedupWindowSeconds: number; readonly checkpointEverySeconds: number; readonly sizeMatchedGraceSeconds: number; readonly venueReconcileSeconds: number };
  readonly log: { readonly level: string };
  readonly metrics: { readonly enabled: boolean; readonly host: string; readonly port: number };
  readonly venue?: PluginConfig;
  readonly positionSource?: PluginConfig;
  readonly reconciler: PluginConfig;
  readonly risk: {
    readonly policies: readonly PluginConfig[];
    readonly shadow: readonly { name: string; policies: readonly PluginConfig[] }[];
    readonly variants?: RiskVariantsConfig;
  };
  readonly alerts: readonly PluginConfig[];
  readonly ledger: PluginConfig;
  readonly strategy?: PluginConfig;
  readonly simulator?: Record<string, unknown>;
  readonly alertFeed?: Record<string, unknown>;
  readonly recycling?: Record<string, unknown>;
  /** Directory of the config file: relative paths resolve against it. */
  readonly baseDir: string;
  readonly file: string | undefined;
}
