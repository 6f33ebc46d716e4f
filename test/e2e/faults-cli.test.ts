/**
 * The real CLI on a copy of config.yaml whose simulator block fails half the trades on the chain
 * and drops websockets now and then (the simulator's ws disconnectRate): the run survives, sees
 * FAILED trades and disconnects (its ledger), never submits a BUY over the limit, and cancels
 * everything on shutdown.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/config/load.ts';
import { PluginRegistry } from '../../plugins/registry.ts';
import { shippedRaw } from './embedded.ts';
import { micros, scratch, spawnCli, stopChild, type Child, readLedgerRecords } from './support.ts';

const s = scratch('faults-cli');
let child: Child | undefined;
afterAll(async () => {
  await stopChild(child, 'SIGKILL');
  s.cleanup();
});

describe('polyquote run with FAILED trades and forced disconnects (simulator block)', () => {
  it('survives, records them, and ends within its limits', async () => {
    const raw = shippedRaw();
    raw.simulator.lifecycle = { ...raw.simulator.lifecycle, failRate: 0.5, retryRate: 0, minedDelayMs: 500, confirmedDelayMs: 800 };
    raw.simulator.flow = { ...raw.simulator.flow, takerRatePerSecond: 3 };
    raw.simulator.faults = { ws: { disconnectRate: 0.01 } };
    const file = path.join(s.dir, 'faults.yaml');
    writeFileSync(file, stringify(raw));
    const summaryFile = path.join(s.dir, 'summary.json');
    child = spawnCli(['run', '--config', file, '--duration', '15', '--summary', summaryFile, '--view', 'json'], { cwd: s.dir, tmp: s.tmp });
    const { code } = await child.exited;
    expect(code, child.stderr.slice(-3000)).toBe(0);
    const line = child.lines().find((l) => l.kind === 'summary')!;
    expect(line).toBeDefined();
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as { ordersSubmitted: number; fills: number; failedFills: number; limitBreaches: number; tokens: Record<string, { conservativeExposure: string; limit: string }> };
    expect(summary.ordersSubmitted).toBeGreaterThan(0);
    expect(summary.failedFills).toBeGreaterThanOrEqual(1);
    expect(summary.limitBreaches).toBe(0);
    expect(line.ordersLeftOpen).toBe(0);
    for (const t of Object.values(summary.tokens)) expect(micros(t.conservativeExposure)).toBeLessThanOrEqual(micros(t.limit));

    const config = parseConfig(stringify({ ledger: raw.ledger }), new PluginRegistry(), { baseDir: s.dir, env: {} });
    const records = readLedgerRecords(config);
    // Forced disconnects happened and the feeds came back.
    const conn = records.filter((r) => r.type === 'connection');
    const drops = conn.filter((r) => r.payload.state === 'disconnected');
    expect(drops.length, 'disconnects in the ledger').toBeGreaterThanOrEqual(1);
    // (the last drop may come just before shutdown; the first one was followed by a reconnect)
    const firstDrop = drops[0]!;
    const trail = conn.map((r) => `${r.seq}:${String(r.payload.channel)}:${String(r.payload.state)}`).join(' ');
    expect(conn.some((r) => r.seq > firstDrop.seq && r.payload.state === 'connected' && r.payload.channel === firstDrop.payload.channel), trail).toBe(true);
    // FAILED trades were recorded as such.
    expect(records.some((r) => r.type === 'fill' && r.payload.status === 'FAILED')).toBe(true);
  }, 90_000);
});
