/** A/B risk variants: selection table, the engine acting on a token's variant, config and limits. */
import { describe, expect, it } from 'vitest';
import { App } from '../../app/app.ts';
import { parseMicros } from '../../core/amounts.ts';
import { VirtualClock } from '../../core/clock.ts';
import { parseConfig } from '../../core/config/load.ts';
import { ConfigError } from '../../core/errors.ts';
import { createMemoryLogger } from '../../core/logger.ts';
import type { RiskPolicy, TokenRiskInput } from '../../core/risk/policy.ts';
import { RiskEngine, type RiskInputs } from '../../core/risk/risk-engine.ts';
import { RiskVariants, selectVariant } from '../../core/risk/variants.ts';
import { worstByVariant } from '../../app/run/variant-stats.ts';
import { NORMAL } from '../../core/risk/decision.ts';
import { PluginRegistry } from '../../plugins/registry.ts';
import { abVariant } from '../../strategies/ab.ts';
import type { EngineOptions } from '../../core/engine/engine.ts';
import { TOKENS } from '../../core/tokens.ts';

const known = new Set(['A', 'B']);
const marketOf = new Map([['1', '0xaa'], ['2', '0xaa'], ['3', '0xbb']]);
const byMarket = (m: string) => (m === '0xaa' ? 'A' : 'B');

describe('selectVariant', () => {
  it.each<{ description: string; token: string; assign: ((m: string) => string) | undefined; expected: string | undefined }>([
    { description: 'variants off: no variant', token: '1', assign: undefined, expected: undefined },
    { description: 'market not known yet: no variant (base policies)', token: '9', assign: byMarket, expected: undefined },
    { description: 'YES token of market 0xaa', token: '1', assign: byMarket, expected: 'A' },
    { description: 'NO token follows its market', token: '2', assign: byMarket, expected: 'A' },
    { description: 'another market', token: '3', assign: byMarket, expected: 'B' },
  ])('$description', ({ token, assign, expected }) => {
    expect(selectVariant(token, marketOf, assign, known)).toBe(expected);
  });

  it('names an assignment outside the configured sets', () => {
    expect(() => selectVariant('1', marketOf, () => 'C', known)).toThrow(/market 0xaa returned "C", expected one of A, B/);
  });
});

/** A per-token policy that tags its verdict and counts its evaluations. */
function tagPolicy(tag: string, extra: Partial<RiskPolicy> = {}): RiskPolicy & { calls: number } {
  const p = {
    kind: `tag-${tag}`, calls: 0,
    evaluateToken(_i: TokenRiskInput) {
      p.calls++;
      return { verdict: { mode: 'degraded' as const, reasons: [tag] } };
    },
    ...extra,
  };
  return p;
}

function inputs(): RiskInputs {
  return {
    tokenInput: (tokenId) => ({ tokenId, confirmed: 0n, pendingBuys: 0n, pendingSells: 0n, effective: 0n, pendingOrderBuys: 0n, conservativeExposure: 0n, availableToSell: 0n, discrepancies: 0, now: 0, hasSnapshot: true }),
    globalInput: () => ({ now: 0, startedAt: 0, health: { mode: 'primary' } as never, lastAuthoritativeAt: 0, userFeedConnected: true, gapOpenSince: undefined, failedReconcileAttempts: 0 }),
    alert: () => undefined,
    engineVerdict: () => undefined,
    requestSnapshot: () => undefined,
  };
}

describe('RiskVariants and the RiskEngine', () => {
  const markets = [{ marketId: '0xaa', tokens: ['1', '2'] }, { marketId: '0xbb', tokens: ['3', '4'] }];

  it('acts on the base policies until a market is known, then on its variant set only', () => {
    const base = tagPolicy('BASE');
    const a = tagPolicy('A');
    const b = tagPolicy('B');
    const variants = new RiskVariants([{ name: 'A', policies: [a] }, { name: 'B', policies: [b] }], byMarket);
    const engine = new RiskEngine(new VirtualClock(), createMemoryLogger().logger, [base], [], variants);
    engine.connect(inputs());
    expect(engine.evaluateToken('1').reasons).toEqual(['BASE']);
    expect(engine.variantOf('1')).toBeUndefined();
    const changed = engine.assignMarkets(markets);
    expect(changed.sort()).toEqual(['1', '2', '3', '4']);
    // The evaluated token was re-evaluated at once with its variant's set.
    expect(engine.decisionFor('1').reasons).toEqual(['A']);
    base.calls = 0;
    a.calls = 0;
    b.calls = 0;
    expect(engine.evaluateToken('3').reasons).toEqual(['B']);
    expect(engine.evaluateToken('2').reasons).toEqual(['A']);
    expect({ base: base.calls, a: a.calls, b: b.calls }).toEqual({ base: 0, a: 1, b: 1 });
    expect(engine.variantOf('4')).toBe('B');
    expect(engine.evaluateToken('99').reasons).toEqual(['BASE']);
    // Learning the same markets again changes nothing.
    expect(engine.assignMarkets(markets)).toEqual([]);
  });

  it('keeps the global policies the base ones and exports each variant set state', () => {
    const global = { kind: 'g', evaluateGlobal: () => ({ verdict: { mode: 'halted' as const, reasons: ['G'] } }), exportState: () => 'g-state' };
    const variantGlobal = { kind: 'vg', evaluateGlobal: () => ({ verdict: { mode: 'halted' as const, reasons: ['NEVER'] } }), exportState: () => 'a-state' };
    const variants = new RiskVariants([{ name: 'A', policies: [variantGlobal] }, { name: 'B', policies: [] }], () => 'A');
    const engine = new RiskEngine(new VirtualClock(), createMemoryLogger().logger, [global], [], variants);
    engine.connect(inputs());
    expect(engine.evaluateGlobal().reasons).toEqual(['G']);
    expect(engine.exportState().variants).toEqual({ A: ['a-state'], B: [] });
  });

  it('without variants exports no variants key and selects nothing', () => {
    const engine = new RiskEngine(new VirtualClock(), createMemoryLogger().logger, [], [], RiskVariants.none());
    expect(engine.assignMarkets(markets)).toEqual([]);
    expect(engine.variantOf('1')).toBeUndefined();
    expect(engine.exportState().variants).toBeUndefined();
  });

  it('worstByVariant takes the worst mode per variant, skipping tokens without one', () => {
    const byToken = new Map([
      ['1', NORMAL], ['2', { ...NORMAL, mode: 'degraded' as const }], ['3', { ...NORMAL, mode: 'halted' as const }], ['9', { ...NORMAL, mode: 'halted' as const }],
    ]);
    const v = (t: string) => ({ '1': 'A', '2': 'A', '3': 'B' } as Record<string, string>)[t];
    expect(Object.fromEntries(worstByVariant(byToken, v))).toEqual({ A: 'degraded', B: 'halted' });
  });
});

const yaml = (variants: string) => `
ledger: { kind: memory }
risk:
  policies:
    - { kind: conservative-limits, maxPositionShares: 100 }
  variants:
${variants}
`;

describe('risk.variants config', () => {
  const registry = new PluginRegistry();

  it('names a bad policy inside a variant set with its path', () => {
    const text = yaml('    salt: s\n    sets:\n      A: [{ kind: conservative-limits, maxPositionShares: 50 }]\n      B: [{ kind: no-such-policy }]');
    expect(() => parseConfig(text, registry, { env: {} })).toThrow(/risk\.variants\.sets\.B\.0\.kind/);
  });

  it('rejects a zero split and unknown keys', () => {
    expect(() => parseConfig(yaml('    salt: s\n    split: { A: 0, B: 0 }\n    sets: { A: [], B: [] }'), registry, { env: {} })).toThrow(/risk\.variants\.split/);
    expect(() => parseConfig(yaml('    salt: s\n    sets: { A: [], B: [], C: [] }'), registry, { env: {} })).toThrow(ConfigError);
  });

  it('limits each token by its variant set, and by the base set before its market is known', () => {
    const text = yaml('    salt: ab-test\n    split: { A: 1, B: 1 }\n    sets:\n      A: [{ kind: conservative-limits, maxPositionShares: 50 }]\n      B: [{ kind: conservative-limits, maxPositionShares: 70 }]');
    const app = App.create(parseConfig(text, registry, { env: {} }), { clock: new VirtualClock(), logger: createMemoryLogger().logger, withoutSources: true, withoutTrading: true });
    // Find one market id of each variant with the real hash.
    const ids = Array.from({ length: 40 }, (_, i) => `0x${i.toString(16).padStart(64, '0')}`);
    const mA = ids.find((m) => abVariant(m, { salt: 'ab-test', split: { A: 1, B: 1 } }) === 'A')!;
    const mB = ids.find((m) => abVariant(m, { salt: 'ab-test', split: { A: 1, B: 1 } }) === 'B')!;
    const limitFor = app.container.resolve<EngineOptions>(TOKENS.EngineOptions).limitFor!;
    expect(app.engine.risk.variants.enabled).toBe(true);
    expect(limitFor('11')).toBe(parseMicros('100', 'limit'));
    app.engine.risk.assignMarkets([{ marketId: mA, tokens: ['11', '12'] }, { marketId: mB, tokens: ['21', '22'] }]);
    expect(app.engine.risk.variantOf('12')).toBe('A');
    expect(limitFor('12')).toBe(parseMicros('50', 'limit'));
    expect(limitFor('21')).toBe(parseMicros('70', 'limit'));
    expect(limitFor('99')).toBe(parseMicros('100', 'limit'));
  });

  it('requires a limit policy in every set once any set declares limits', () => {
    const text = `
ledger: { kind: memory }
risk:
  variants:
    salt: s
    sets:
      A: [{ kind: conservative-limits, maxPositionShares: 50 }]
      B: []
`;
    expect(() => App.create(parseConfig(text, registry, { env: {} }), { clock: new VirtualClock(), logger: createMemoryLogger().logger, withoutSources: true, withoutTrading: true }))
      .toThrow(/risk\.policies[\s\S]*risk\.variants\.sets\.B/);
  });
});
