/**
 * `embedded` values in a config: the shipped config.yaml runs the bot against the embedded
 * exchange simulator and its local anvil chain, with no keys and no network. `polyquote run`
 * starts the simulator first and every config value that reads `embedded` is replaced by the
 * simulator's endpoint for that key; the trading key is the simulator's funded dev account
 * (anvil's well-known key, never a real one), passed through the environment like any secret.
 */
export interface EmbeddedEndpoints {
  readonly clobUrl: string;
  readonly userWsUrl: string;
  readonly marketWsUrl: string;
  readonly dataApiUrl: string;
  readonly rpcUrl: string;
  readonly funder: string;
  readonly collateral: string;
  readonly ctf: string;
  /** Condition ids of the simulated markets (for `markets: embedded`). */
  readonly markets: readonly string[];
}

/** Which endpoint an `embedded` value stands for, by the key that holds it. */
const BY_KEY: Record<string, keyof EmbeddedEndpoints> = {
  clobUrl: 'clobUrl', userWsUrl: 'userWsUrl', marketWsUrl: 'marketWsUrl', dataApiUrl: 'dataApiUrl',
  rpcUrl: 'rpcUrl', url: 'dataApiUrl', funder: 'funder', collateral: 'collateral', contract: 'ctf', markets: 'markets',
};

/** Whether a raw config asks for the embedded simulator (a `simulator` block or any `embedded` value). */
export function wantsEmbedded(raw: unknown): boolean {
  if (!raw || typeof raw !== 'object') return false;
  if ('simulator' in raw && (raw as Record<string, unknown>).simulator) return true;
  let found = false;
  walk(raw, (_k, v) => {
    if (v === 'embedded') found = true;
    return v;
  });
  return found;
}

/** Replaces every `embedded` value whose key names an endpoint. Pure; other values are untouched. */
export function resolveEmbedded(raw: Record<string, unknown>, ep: EmbeddedEndpoints): Record<string, unknown> {
  return walk(raw, (k, v) => (v === 'embedded' && k !== undefined && BY_KEY[k] ? ep[BY_KEY[k]!] : v)) as Record<string, unknown>;
}

/** Endpoints that validate but lead nowhere: `check-config` of an embedded config without starting it. */
export const PLACEHOLDER_ENDPOINTS: EmbeddedEndpoints = {
  clobUrl: 'http://127.0.0.1:9', userWsUrl: 'ws://127.0.0.1:9/ws/user', marketWsUrl: 'ws://127.0.0.1:9/ws/market', dataApiUrl: 'http://127.0.0.1:9',
  rpcUrl: 'http://127.0.0.1:9', funder: '0x0000000000000000000000000000000000000001', collateral: '0x0000000000000000000000000000000000000002',
  ctf: '0x4D97DCd97eC945f40cF65F87097ACe5EA0476045',
  markets: ['0x0000000000000000000000000000000000000000000000000000000000000001'],
};

function walk(v: unknown, fn: (key: string | undefined, value: unknown) => unknown, key?: string): unknown {
  if (Array.isArray(v)) return v.map((x) => walk(x, fn, key));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = walk(x, fn, k);
    return out;
  }
  return fn(key, v);
}

/** A development key that validates (anvil's first public key): only for checking an embedded config. */
const PLACEHOLDER_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';

/**
 * Loads a config the way `run` would see it, without starting anything: `embedded` values get
 * endpoints that validate but lead nowhere, and the embedded key variable a development key.
 */
export function parseConfigForCheck(text: string, raw: unknown, parse: (env: NodeJS.ProcessEnv, transform?: (r: Record<string, unknown>) => Record<string, unknown>) => PolyquoteConfigLike): PolyquoteConfigLike {
  if (!wantsEmbedded(raw)) return parse(process.env);
  // Plugins read their secrets from the process environment when they are built.
  process.env.POLYQUOTE_PRIVATE_KEY ??= PLACEHOLDER_KEY;
  return parse(process.env, (r) => resolveEmbedded(r, PLACEHOLDER_ENDPOINTS));
}
type PolyquoteConfigLike = import('../core/config/schema.ts').PolyquoteConfig;
