/**
 * Loads config.yaml: YAML → `${ENV}` interpolation → strict validation of the root and of every
 * plugin block against its kind's schema (nested ones too). All problems are reported together in
 * one ConfigError, each with its YAML path and what was expected. The result is deeply frozen.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, errorMessage } from '../errors.ts';
import type { PluginCategory, PluginDefinition } from '../plugin.ts';
import { interpolateEnv, type Issue } from './interpolate.ts';
import { rootSchema, type PluginConfig, type PolyquoteConfig } from './schema.ts';

export interface PluginLookup {
  find(category: PluginCategory, kind: string): PluginDefinition | undefined;
  kinds(category: PluginCategory): string[];
}

/** Reads and validates a config file. Throws ConfigError. */
export function loadConfigFile(file: string, registry: PluginLookup, env: NodeJS.ProcessEnv = process.env): PolyquoteConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ path: '', message: `expected a readable config file, got ${errorMessage(err)}` }], file);
  }
  return parseConfig(text, registry, { env, file, baseDir: path.dirname(path.resolve(file)) });
}

/** Validates config text. */
export function parseConfig(
  text: string,
  registry: PluginLookup,
  opts: { env?: NodeJS.ProcessEnv; file?: string; baseDir?: string; transform?: (raw: Record<string, unknown>) => Record<string, unknown> } = {},
): PolyquoteConfig {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    throw new ConfigError(doc.errors.map((e) => ({ path: e.linePos ? `line ${e.linePos[0].line}` : '', message: `invalid YAML: ${e.message.split('\n')[0]}` })), opts.file);
  }
  const raw = doc.toJS() ?? {};
  const issues: Issue[] = [];
  const interpolated = interpolateEnv(raw, opts.env ?? process.env, issues);
  // A caller may resolve values before validation (the embedded simulator's `embedded` endpoints).
  const data = opts.transform && interpolated && typeof interpolated === 'object' ? opts.transform(interpolated as Record<string, unknown>) : interpolated;
  // A value whose variable is missing was substituted with '': its schema complaint would only repeat that.
  const envIssues = issues.length;
  const unset = new Set(issues.map((i) => i.path));
  const fail = () => new ConfigError(issues.filter((i, n) => n < envIssues || !unset.has(i.path)), opts.file);
  const root = rootSchema.safeParse(data);
  if (!root.success) {
    issues.push(...zodIssues(root.error, []));
    throw fail();
  }
  const cfg = root.data as Record<string, any>;
  const check = (category: PluginCategory, block: PluginConfig | undefined, at: (string | number)[]) =>
    block === undefined ? undefined : validatePlugin(registry, category, block, at, issues);
  const out = {
    ...cfg,
    venue: check('venue', cfg.venue, ['venue']),
    positionSource: check('position-source', cfg.positionSource, ['positionSource']),
    reconciler: check('reconciler', cfg.reconciler, ['reconciler']),
    risk: {
      policies: cfg.risk.policies.map((p: PluginConfig, i: number) => check('risk-policy', p, ['risk', 'policies', i])),
      shadow: cfg.risk.shadow.map((s: { name: string; policies: PluginConfig[] }, j: number) => ({
        name: s.name, policies: s.policies.map((p, i) => check('risk-policy', p, ['risk', 'shadow', j, 'policies', i])),
      })),
      ...(cfg.risk.variants && {
        variants: {
          ...cfg.risk.variants,
          sets: Object.fromEntries((['A', 'B'] as const).map((v) => [v, cfg.risk.variants.sets[v].map((p: PluginConfig, i: number) => check('risk-policy', p, ['risk', 'variants', 'sets', v, i]))])),
        },
      }),
    },
    alerts: cfg.alerts.map((p: PluginConfig, i: number) => check('alert-sink', p, ['alerts', i])),
    ledger: check('ledger', cfg.ledger, ['ledger']),
    strategy: check('strategy', cfg.strategy, ['strategy']),
    baseDir: opts.baseDir ?? process.cwd(),
    file: opts.file,
  };
  const names = new Set<string>();
  cfg.risk.shadow.forEach((s: { name: string }, j: number) => {
    if (names.has(s.name)) issues.push({ path: `risk.shadow.${j}.name`, message: `expected a unique shadow set name, got a second ${JSON.stringify(s.name)}` });
    names.add(s.name);
  });
  const split = cfg.risk.variants?.split;
  if (split && Number(split.A) + Number(split.B) <= 0) issues.push({ path: 'risk.variants.split', message: 'expected a split with a positive total weight, got A = B = 0' });
  if (issues.length) throw fail();
  return deepFreeze(out) as PolyquoteConfig;
}

function validatePlugin(registry: PluginLookup, category: PluginCategory, block: PluginConfig, at: (string | number)[], issues: Issue[]): PluginConfig | undefined {
  const def = registry.find(category, block.kind);
  if (!def) {
    issues.push({ path: [...at, 'kind'].join('.'), message: `expected a ${category} kind (${registry.kinds(category).join(', ') || 'none registered'}), got ${JSON.stringify(block.kind)}` });
    return undefined;
  }
  const r = (def.configSchema as z.ZodType).safeParse(block);
  if (!r.success) {
    issues.push(...zodIssues(r.error, at));
    return undefined;
  }
  const value = r.data as PluginConfig;
  for (const n of def.nested ?? []) {
    const v = value[n.key];
    if (Array.isArray(v)) value[n.key] = v.map((b, i) => validatePlugin(registry, n.category, b as PluginConfig, [...at, n.key, i], issues));
    else if (v && typeof v === 'object') value[n.key] = validatePlugin(registry, n.category, v as PluginConfig, [...at, n.key], issues);
  }
  return value;
}

function zodIssues(error: z.ZodError, at: (string | number)[]): Issue[] {
  return error.issues.map((i) => {
    const p = [...at, ...i.path.map((x) => (typeof x === 'symbol' ? String(x) : x))].join('.');
    let message = i.message;
    if (i.code === 'unrecognized_keys') message = `unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    return { path: p, message };
  });
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}
