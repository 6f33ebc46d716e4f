/**
 * Through configuration alone, with the real CLI: the second strategy (inventory-unwind) in place
 * of active-quoting, and the markets split between two risk-policy sets (risk.variants). The bot
 * only ever sells, and the summary reports each variant on its own tokens.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config/load.ts';
import { PluginRegistry } from '../../plugins/registry.ts';
import { marketIdsFor } from '../../sim/chain/sim-chain.ts';
import { parseSimConfig } from '../../sim/config.ts';
import { abVariant } from '../../strategies/ab.ts';
import type { VariantSummary } from '../../app/run/variant-stats.ts';
import { shippedRaw } from './embedded.ts';
import { scratch, spawnCli, stopChild, type Child, readLedgerRecords } from './support.ts';

const s = scratch('unwind');
let child: Child | undefined;
afterAll(async () => {
  await stopChild(child, 'SIGKILL');
  s.cleanup();
});

describe('inventory-unwind and the A/B split, by config through the CLI', () => {
  it('sells only and reports variants A and B separately', async () => {
    const raw = shippedRaw();
    raw.simulator.flow = { ...raw.simulator.flow, takerRatePerSecond: 2 };
    raw.strategy = { kind: 'inventory-unwind', markets: 'embedded', markupTicks: 1, joinAsk: true, maxOrderShares: '15' };
    // The simulator's market ids depend on their questions only: pick a salt that splits them.
    const ids = parseSimConfig(raw.simulator).markets.map((m) => marketIdsFor(m.question).conditionId);
    const split = { A: 1, B: 1 };
    const salt = Array.from({ length: 64 }, (_, i) => `unwind-${i}`).find((x) => new Set(ids.map((id) => abVariant(id, { salt: x, split }))).size === 2)!;
    raw.risk.variants = {
      salt, split,
      sets: {
        A: [{ kind: 'conservative-limits', maxPositionShares: 1200 }, { kind: 'degrade', thresholdShares: 60, forSeconds: 20 }],
        B: [{ kind: 'conservative-limits', maxPositionShares: 1150 }, { kind: 'degrade', thresholdShares: 20, forSeconds: 10, sizeMultiplier: 0.25, extraTicks: 2 }],
      },
    };
    const file = path.join(s.dir, 'unwind.yaml');
    writeFileSync(file, stringify(raw));
    const summaryFile = path.join(s.dir, 'summary.json');
    child = spawnCli(['run', '--config', file, '--duration', '10', '--summary', summaryFile, '--view', 'json'], { cwd: s.dir, tmp: s.tmp });
    const { code } = await child.exited;
    expect(code, child.stderr.slice(-3000)).toBe(0);
    expect(child.stderr).toMatch(/trading: inventory-unwind on/);
    expect(existsSync(summaryFile)).toBe(true);
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as { ordersSubmitted: number; fills: number; limitBreaches: number; tokens: Record<string, { variant?: string; limit: string | null }>; variants: Record<string, VariantSummary> };
    expect(summary.ordersSubmitted).toBeGreaterThan(0);
    expect(summary.limitBreaches).toBe(0);

    // A/B: both variants, disjoint tokens, every token with its variant and that variant's limit.
    expect(Object.keys(summary.variants).sort()).toEqual(['A', 'B']);
    const a = summary.variants.A!;
    const b = summary.variants.B!;
    expect(a.tokens.length).toBeGreaterThan(0);
    expect(b.tokens.length).toBeGreaterThan(0);
    expect(a.tokens.filter((t) => b.tokens.includes(t))).toEqual([]);
    for (const [t, row] of Object.entries(summary.tokens)) {
      expect(row.variant).toBe(a.tokens.includes(t) ? 'A' : 'B');
      expect(row.limit).toBe(row.variant === 'A' ? '1200' : '1150');
    }
    expect(a.ordersSubmitted + b.ordersSubmitted).toBe(summary.ordersSubmitted);
    expect(a.fills + b.fills).toBe(summary.fills);

    // inventory-unwind never buys: every order the bot submitted (its ledger) is a SELL.
    const config = parseConfig(stringify({ ledger: raw.ledger }), new PluginRegistry(), { baseDir: s.dir, env: {} });
    const records = readLedgerRecords(config);
    const submits = records.filter((r) => r.type === 'submit');
    expect(submits.length).toBe(summary.ordersSubmitted);
    expect(submits.map((r) => r.payload.side).filter((side) => side !== 'SELL')).toEqual([]);
  }, 90_000);
});
