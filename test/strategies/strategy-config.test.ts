import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config/load.ts';
import { ConfigError } from '../../core/errors.ts';
import { PluginRegistry } from '../../plugins/registry.ts';
import { MARKET_ID } from './doubles.ts';

const registry = new PluginRegistry();

function issues(yaml: string): { path: string; message: string }[] {
  try {
    parseConfig(yaml, registry);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).issues];
  }
  throw new Error('expected the config to be rejected');
}

describe('strategy blocks in config.yaml', () => {
  it('validates an active-quoting block through the config loader, exact from YAML numbers', () => {
    const cfg = parseConfig(`
strategy:
  kind: active-quoting
  markets: ["${MARKET_ID}", { marketId: "${MARKET_ID.replace('ab', 'cd')}", outcome: both }]
  sizeShares: 12.5
  anchor: mid
  skew: { sharesPerTick: "0.1", maxTicks: 2 }
`, registry);
    expect(cfg.strategy).toMatchObject({ kind: 'active-quoting', sizeShares: 12_500_000n, anchor: 'mid', skew: { sharesPerTick: 100_000n, targetShares: 0n, maxTicks: 2 } });
    expect(Object.isFrozen(cfg.strategy)).toBe(true);
  });

  it('validates an inventory-unwind block', () => {
    const cfg = parseConfig(`strategy: { kind: inventory-unwind, markets: ["${MARKET_ID}"], markupTicks: 3 }`, registry);
    expect(cfg.strategy).toMatchObject({ kind: 'inventory-unwind', markupTicks: 3, joinAsk: false, markets: [{ marketId: MARKET_ID, outcome: 'both' }] });
  });

  it('names every bad field by its YAML path', () => {
    const found = issues(`
strategy:
  kind: active-quoting
  markets: ["0x1234"]
  sizeShares: 0.0000001
  offsetTicks: -1
  maxAgeSeconds: 0
  colour: red
`);
    const paths = found.map((i) => i.path).sort();
    expect(paths).toEqual(['strategy', 'strategy.markets.0', 'strategy.maxAgeSeconds', 'strategy.offsetTicks', 'strategy.sizeShares'].sort());
    expect(found.find((i) => i.path === 'strategy.sizeShares')!.message).toMatch(/at most 6 decimals/);
    expect(found.find((i) => i.path === 'strategy')!.message).toMatch(/colour/);
  });

  it('lists the strategy kinds when the kind is unknown', () => {
    const [issue] = issues('strategy: { kind: market-maker }');
    expect(issue!.path).toBe('strategy.kind');
    expect(issue!.message).toMatch(/active-quoting, inventory-unwind/);
  });
});
