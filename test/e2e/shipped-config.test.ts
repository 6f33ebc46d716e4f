/**
 * The shipped config.yaml, unmodified, boots the whole bot through the real CLI against the
 * embedded simulator, trades for a few seconds and shuts down cleanly with a consistent summary.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { micros, scratch, SHIPPED_CONFIG, spawnCli, stopChild, type Child } from './support.ts';

const s = scratch('shipped');
let child: Child | undefined;
afterAll(async () => {
  await stopChild(child, 'SIGKILL');
  s.cleanup();
});

interface TokenSummary { confirmed: string; effective: string; pendingFills: number; pendingOrderBuys: string; conservativeExposure: string; limit: string | null; mode: string }

describe('polyquote run --config config.yaml (as shipped)', () => {
  it('boots on the embedded simulator, quotes, and ends with a consistent summary', async () => {
    const config = path.join(s.dir, 'config.yaml');
    copyFileSync(SHIPPED_CONFIG, config); // byte for byte: its ledger path (./data) resolves in the scratch dir
    expect(readFileSync(config, 'utf8')).toBe(readFileSync(SHIPPED_CONFIG, 'utf8'));
    // A ledger left by an earlier embedded run (here: bytes no ledger could open) belongs to a world
    // that is gone: the run must set it aside, unchanged, and start on a new one.
    mkdirSync(path.join(s.dir, 'data'), { recursive: true });
    writeFileSync(path.join(s.dir, 'data', 'ledger.sqlite'), 'an earlier world');
    const summaryFile = path.join(s.dir, 'summary.json');
    child = spawnCli(['run', '--config', config, '--duration', '12', '--summary', summaryFile, '--view', 'json'], { cwd: s.dir, tmp: s.tmp });
    const { code } = await child.exited;
    expect(code, child.stderr.slice(-3000)).toBe(0);
    const lines = child.lines();
    const status = lines.filter((l) => l.kind === 'status');
    expect(status.length).toBeGreaterThanOrEqual(5);
    const summaryLine = lines.find((l) => l.kind === 'summary') as Record<string, unknown> & { tokens: Record<string, TokenSummary> };
    expect(summaryLine).toBeDefined();
    expect(existsSync(summaryFile)).toBe(true);
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as typeof summaryLine;
    expect(summary.tokens).toEqual(summaryLine.tokens);
    expect(summary.ordersSubmitted).toBeGreaterThan(0);
    expect(summary.limitBreaches).toBe(0);
    expect(summaryLine.ordersLeftOpen).toBe(0);
    // Graceful shutdown cancelled what was resting.
    expect(summaryLine.ordersCanceled as number).toBeGreaterThanOrEqual(summaryLine.cancelsOnShutdown as number);
    expect(child.stderr).toMatch(/trading: active-quoting on/);
    const tokens = Object.entries(summary.tokens);
    expect(tokens.length).toBeGreaterThanOrEqual(2); // the YES token of each of the two markets at least
    for (const [id, t] of tokens) {
      expect(id).toMatch(/^\d{10,78}$/);
      expect(t.limit).toBe('1200');
      expect(micros(t.pendingOrderBuys)).toBe(0n); // nothing left resting
      expect(micros(t.conservativeExposure)).toBeLessThanOrEqual(micros('1200'));
      // The embedded dev account is funded with outcome tokens: a confirmed balance came from the chain.
      expect(micros(t.confirmed)).toBeGreaterThan(0n);
      if (t.pendingFills === 0) expect(t.effective).toBe(t.confirmed);
    }
    // The ledger was written beside the config; the earlier one kept beside it, byte for byte.
    expect(existsSync(path.join(s.dir, 'data', 'ledger.sqlite'))).toBe(true);
    const kept = readdirSync(path.join(s.dir, 'data')).filter((f) => /^ledger\.\d{4}-\d\d-\d\dT[\d-]+Z\.sqlite$/.test(f));
    expect(kept).toHaveLength(1);
    expect(readFileSync(path.join(s.dir, 'data', kept[0]!), 'utf8')).toBe('an earlier world');
    expect(child.stderr).toContain(`the earlier run's ledger is kept at ${path.join(s.dir, 'data', kept[0]!)}`);
  }, 90_000);
});
