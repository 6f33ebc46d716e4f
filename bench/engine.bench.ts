/**
 * Engine benchmarks: the cost of one inbound event on the hot path (ledger append + inventory +
 * orders + risk), end to end through Engine.ingest, with the in-memory and the SQLite ledger; and
 * crash recovery from a 1M-event SQLite ledger — time from App.start() to ready (checkpoint + tail),
 * next to a full replay of all 1M events without a checkpoint.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App } from '../app/app.ts';
import { VirtualClock } from '../core/clock.ts';
import { parseConfig } from '../core/config/load.ts';
import type { InboundEvent } from '../core/events.ts';
import { createLogger } from '../core/logger.ts';
import { PluginRegistry } from '../plugins/registry.ts';
import type { BenchResult } from './lib.ts';

const T0 = Date.UTC(2026, 0, 1);
const TOKENS = Array.from({ length: 50 }, (_, i) => (2n ** 255n + BigInt(i) * 7919n).toString());

/** A stream of realistic events: submit, order update, fill (with re-sends), snapshots confirming. */
export function* syntheticEvents(count: number): Generator<InboundEvent> {
  const confirmed = new Map(TOKENS.map((t) => [t, 1_000_000_000n]));
  const pending = new Map<string, bigint>();
  let at = T0;
  for (let i = 0; i < count; ) {
    // One order's five events share a token; orders rotate over the tokens.
    const token = TOKENS[Math.floor(i / 5) % TOKENS.length]!;
    at += 10;
    const step = i % 5;
    const orderId = `0xo${Math.floor(i / 5)}`;
    if (step === 0) yield { type: 'submit', at, orderId, tokenId: token, side: 'BUY', price: 520_000n, size: 10_000_000n };
    else if (step === 1) yield { type: 'order', at, orderId, tokenId: token, side: 'BUY', status: 'LIVE', originalSize: 10_000_000n, sizeMatched: 0n };
    else if (step === 2) {
      pending.set(token, (pending.get(token) ?? 0n) + 10_000_000n);
      yield { type: 'fill', at, tradeId: `t${i}`, orderId, tokenId: token, side: 'BUY', size: 10_000_000n, price: 520_000n, status: 'MATCHED' };
    } else if (step === 3) yield { type: 'order', at, orderId, status: 'MATCHED', sizeMatched: 10_000_000n };
    else {
      const p = pending.get(token) ?? 0n;
      confirmed.set(token, confirmed.get(token)! + p);
      pending.delete(token);
      yield { type: 'balance', at, source: 'chain', balances: new Map([[token, confirmed.get(token)!]]), block: BigInt(i) };
    }
    i++;
  }
}

function config(ledgerYaml: string, dir: string) {
  return parseConfig(`
reconciler: { kind: oldest-first, pendingFillTtlSeconds: 120 }
risk:
  policies:
    - { kind: conservative-limits, maxPositionShares: 1000000000 }
    - { kind: degrade, thresholdShares: 25, forSeconds: 30 }
    - { kind: hard-halt, sourceUnavailableSeconds: 300 }
alerts: []
ledger: ${ledgerYaml}
engine: { checkpointEverySeconds: 60 }
`, new PluginRegistry(), { baseDir: dir });
}

const silent = createLogger({ level: 'silent' });

async function ingestAll(app: App, clock: VirtualClock, events: Iterable<InboundEvent>, sampleEvery = 0): Promise<{ n: number; ms: number; lat: number[] }> {
  const lat: number[] = [];
  let n = 0;
  const t0 = performance.now();
  for (const e of events) {
    clock.advanceTo(e.at);
    if (sampleEvery && n % sampleEvery === 0) {
      const s = process.hrtime.bigint();
      app.engine.ingest(e);
      lat.push(Number(process.hrtime.bigint() - s) / 1000);
    } else app.engine.ingest(e);
    n++;
  }
  app.ledger.flush();
  return { n, ms: performance.now() - t0, lat };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

export async function run(): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pq-bench-engine-'));
  try {
    // The virtual clock runs 100× faster than wall time here, so the group-commit interval is set
    // long and batches close by size, as they would live at these rates (1000 events ≈ 5–50 ms).
    for (const [label, ledger] of [['memory', '{ kind: memory }'], ['sqlite', '{ kind: sqlite, path: ./hot.sqlite, groupCommit: { maxBatch: 1000, intervalMs: 60000 } }']] as const) {
      const clock = new VirtualClock(T0);
      const app = App.create(config(ledger, dir), { clock, logger: silent, withoutSources: true });
      await app.start();
      const r = await ingestAll(app, clock, syntheticEvents(300_000), 10);
      out.push({ name: `engine ingest, ${label} ledger`, value: Math.round((r.n / r.ms) * 1000), unit: 'events/s', note: `${r.n} events (submit, order, fill, order, snapshot), end to end` });
      out.push({ name: `engine ingest latency p50, ${label} ledger`, value: +pct(r.lat, 50).toFixed(2), unit: 'µs' });
      out.push({ name: `engine ingest latency p99, ${label} ledger`, value: +pct(r.lat, 99).toFixed(2), unit: 'µs', note: 'includes the group commit in the call that triggers it' });
      await app.dispose();
    }

    // A 1M-event ledger written by the engine itself, with its periodic checkpoints.
    const N = 1_000_000;
    const recCfg = config('{ kind: sqlite, path: ./recovery.sqlite, groupCommit: { maxBatch: 1000, intervalMs: 60000 } }', dir);
    {
      const clock = new VirtualClock(T0);
      const app = App.create(recCfg, { clock, logger: silent, withoutSources: true });
      await app.start();
      const r = await ingestAll(app, clock, syntheticEvents(N));
      out.push({ name: 'build 1M-event ledger through the engine', value: Math.round((r.n / r.ms) * 1000), unit: 'events/s' });
      // A crash, not a clean stop: no final checkpoint, so recovery replays the tail since the last periodic one.
      app.ledger.close();
    }
    {
      const clock = new VirtualClock(T0);
      const t0 = performance.now();
      const app = App.create(recCfg, { clock, logger: silent, withoutSources: true });
      await app.start();
      const ms = performance.now() - t0;
      out.push({ name: 'recovery to ready, 1M-event ledger (checkpoint + tail)', value: Math.round(ms), unit: 'ms', note: `replayed ${app.recovery?.replayed} events after checkpoint #${app.recovery?.fromCheckpointSeq}; target < 5000 ms` });
      await app.dispose();
    }
    {
      // The same ledger without checkpoints: the worst case, every event re-applied.
      const clock = new VirtualClock(T0);
      const copy = path.join(dir, 'nocp.sqlite');
      fs.copyFileSync(path.join(dir, 'recovery.sqlite'), copy);
      const Database = (await import('better-sqlite3')).default;
      const db = new Database(copy);
      db.exec('DELETE FROM checkpoints');
      db.close();
      const t0 = performance.now();
      const app = App.create(config('{ kind: sqlite, path: ./nocp.sqlite }', dir), { clock, logger: silent, withoutSources: true, readOnly: true });
      await app.start();
      const ms = performance.now() - t0;
      out.push({ name: 'full replay of 1M events without a checkpoint', value: Math.round(ms), unit: 'ms', note: `replayed ${app.recovery?.replayed}` });
      await app.dispose();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await run()) console.log(`${r.name}: ${r.value} ${r.unit}${r.note ? ` (${r.note})` : ''}`);
}
