/**
 * Loads config.yaml: YAML → `${ENV}` interpolation → strict validation of the root and of every
 * plugin block against its kind's schema (nested ones too). All problems are reported together in
 * one ConfigError, each with its YAML path and what was expected. The result is deeply frozen.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, parseDocument, visit } from 'yaml';
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
  const forbidden = forbiddenKeys(doc, text);
  if (forbidden.length) throw new ConfigError(forbidden, opts.file);
  let raw: unknown;
  try {
    // An alias bomb (aliases of aliases) stops here, at yaml's alias budget, as a config error.
    raw = doc.toJS({ maxAliasCount: 1000 }) ?? {};
  } catch (err) {
    throw new ConfigError([{ path: '', message: `invalid YAML: ${errorMessage(err).split('\n')[0]}` }], opts.file);
  }
  const issues: Issue[] = [];
  const interpolated = interpolateEnv(raw, opts.env ?? process.env, issues);
  // A caller may resolve values before validation (the embedded simulator's `embedded` endpoints).
  const data = opts.transform && interpolated && typeof interpolated === 'object' ? opts.transform(interpolated as Record<string, unknown>) : interpolated;
  // A value whose variable is missing was substituted with '': its schema complaint would only repeat that.
  const envIssues = issues.length;
  const unset = new Set(issues.map((i) => i.path));
  const fail = () => new ConfigError(issues.filter((i, n) => n < envIssues || !unset.has(i.path)), opts.file);
  const root = rootSchema.safeParse(data);
  // Root problems do not hide plugin ones: the plugin blocks are checked as far as they can be found.
  if (!root.success) issues.push(...zodIssues(root.error, []));
  const cfg = (root.success ? root.data : salvage(data)) as Record<string, any>;
  const check = (category: PluginCategory, block: PluginConfig | undefined, at: (string | number)[]) =>
    !isBlock(block) ? undefined : validatePlugin(registry, category, block, at, issues);
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  const out = {
    ...cfg,
    venue: check('venue', cfg.venue, ['venue']),
    positionSource: check('position-source', cfg.positionSource, ['positionSource']),
    reconciler: check('reconciler', cfg.reconciler, ['reconciler']),
    risk: {
      policies: list(cfg.risk?.policies).map((p, i) => check('risk-policy', p as PluginConfig, ['risk', 'policies', i])),
      shadow: list(cfg.risk?.shadow).map((s, j) => ({
        name: (s as { name?: string })?.name, policies: list((s as { policies?: unknown })?.policies).map((p, i) => check('risk-policy', p as PluginConfig, ['risk', 'shadow', j, 'policies', i])),
      })),
      // A config that failed the root schema is salvaged as it is: every part may be missing or of any type.
      ...(cfg.risk?.variants && typeof cfg.risk.variants === 'object' && {
        variants: {
          ...cfg.risk.variants,
          sets: Object.fromEntries((['A', 'B'] as const).map((v) => [v, list(cfg.risk.variants.sets?.[v]).map((p, i) => check('risk-policy', p as PluginConfig, ['risk', 'variants', 'sets', v, i]))])),
        },
      }),
    },
    alerts: list(cfg.alerts).map((p, i) => check('alert-sink', p as PluginConfig, ['alerts', i])),
    ledger: check('ledger', cfg.ledger, ['ledger']),
    strategy: check('strategy', cfg.strategy, ['strategy']),
    baseDir: opts.baseDir ?? process.cwd(),
    file: opts.file,
  };
  if (!root.success) throw fail();
  checkFunders(out.positionSource, cfg.identity?.funder, ['positionSource'], issues);
  const names = new Set<string>();
  list(cfg.risk.shadow).forEach((s, j) => {
    if (!s || typeof s !== 'object') return;
    const name = (s as { name: string }).name;
    if (names.has(name)) issues.push({ path: `risk.shadow.${j}.name`, message: `expected a unique shadow set name, got a second ${JSON.stringify(name)}` });
    names.add(name);
  });
  const split = cfg.risk.variants?.split;
  if (split && Number(split.A) + Number(split.B) <= 0) issues.push({ path: 'risk.variants.split', message: 'expected a split with a positive total weight, got A = B = 0' });
  if (issues.length) throw fail();
  return deepFreeze(out) as unknown as PolyquoteConfig;
}

const isBlock = (v: unknown): v is PluginConfig => !!v && typeof v === 'object' && !Array.isArray(v) && typeof (v as { kind?: unknown }).kind === 'string';

/** The parts of an invalid root that can still be read (so plugin blocks get their own check). */
function salvage(data: unknown): Record<string, unknown> {
  return data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
}

/** Keys that would reach an object's prototype machinery are refused outright, wherever they are. */
function forbiddenKeys(doc: ReturnType<typeof parseDocument>, text: string): Issue[] {
  const found: Issue[] = [];
  visit(doc, {
    Pair(_key, pair, path) {
      const k = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (k === '__proto__' || k === 'constructor' || k === 'prototype') {
        const keys = path.filter((n) => !isMap(n)).map((n) => (isScalar((n as { key?: unknown }).key) ? String(((n as { key: { value: unknown } }).key).value) : '')).filter(Boolean);
        const offset = isScalar(pair.key) && pair.key.range ? pair.key.range[0] : 0;
        const line = text.slice(0, offset).split('\n').length;
        found.push({ path: [...keys, k].join('.'), message: `expected an ordinary key, got ${JSON.stringify(k)} at line ${line} (refused: it would reach object prototypes)` });
      }
    },
  });
  return found;
}

/** Position sources that read balances need a funder: their own or the run identity's. */
function checkFunders(block: PluginConfig | undefined, identity: unknown, at: (string | number)[], issues: Issue[]): void {
  if (!block) return;
  if (block.kind === 'fallback') {
    (block.sources as (PluginConfig | undefined)[] | undefined)?.forEach((b, i) => checkFunders(b, identity, [...at, 'sources', i], issues));
    return;
  }
  if ((block.kind === 'chain' || block.kind === 'chain-events') && !block.funder && !identity) {
    issues.push({ path: [...at, 'funder'].join('.'), message: 'expected a funder address here or in identity.funder (the wallet that holds the tokens), got none' });
  }
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
