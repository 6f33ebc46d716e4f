/**
 * Ingest: recorded-shape user-channel frames (the ws_user_* fixtures as templates, ids varied) →
 * parseUserFrame (JSON.parse + validation + attribution) → Engine.ingest (ledger append to a real
 * SQLite file with group commit, inventory, orders, risk). Frames/s and per-frame latency
 * p50/p99/p99.9/max (the p99.9 and max include the group commit: the "commit stall"), beside a bare
 * JSON.parse loop over the same frame texts in the same run (the ratio: target ≥ 0.5).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App } from '../app/app.ts';
import { parseConfig } from '../core/config/load.ts';
import type { InboundEvent } from '../core/events.ts';
import { createLogger } from '../core/logger.ts';
import { parseUserFrame, type UserFrameContext } from '../plugins/venue/polymarket/feeds/user-channel.ts';
import { PluginRegistry } from '../plugins/registry.ts';
import { FIXTURE_DIR } from '../test/support/fixture-dir.ts';
import { latencyStats, medianOfRuns, pause, type BenchResult } from './lib.ts';

export const FUNDER = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';
export const API_KEY = '00000000-0000-0000-0000-000000000002';
const OTHER = '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc';
const FIXTURES = FIXTURE_DIR;
export const BENCH_TOKENS = Array.from({ length: 20 }, (_, i) => (2n ** 255n + BigInt(i) * 104729n).toString());

type Json = Record<string, unknown>;

function template(name: string): Json {
  const file = path.join(FIXTURES, name);
  // The fixtures are the shapes; the bench still runs without them, on the same shapes inlined below.
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
  return {};
}

const hex64 = (n: number, salt: string) => `0x${salt}${n.toString(16).padStart(64 - salt.length, '0')}`;

export interface UserTape {
  /** Frame texts in arrival order, and between them the events the engine gets from elsewhere (submits, snapshots). */
  readonly items: ({ kind: 'frame'; text: string } | { kind: 'event'; event: InboundEvent })[];
  readonly frames: string[];
  readonly ourOrders: Set<string>;
}

/**
 * One order's life per 6 frames: PLACEMENT, trade MATCHED (we are one of two makers), UPDATE,
 * trade MINED, trade CONFIRMED, CANCELLATION of the rest; the gateway's submit before it and a chain
 * snapshot of every token each 50 orders (absorbing the fills) between them.
 */
export function userTape(orders: number, t0: number): UserTape {
  const place = template('ws_user_order_placement.json');
  const update = template('ws_user_order_update.json');
  const cancel = template('ws_user_order_cancellation.json');
  const trade = template('ws_user_trade.json');
  const items: UserTape['items'] = [];
  const frames: string[] = [];
  const ourOrders = new Set<string>();
  const confirmed = new Map(BENCH_TOKENS.map((t) => [t, 1_000_000_000n]));
  const frame = (o: Json) => {
    const text = JSON.stringify(o);
    frames.push(text);
    items.push({ kind: 'frame', text });
  };
  let at = t0;
  for (let k = 0; k < orders; k++) {
    const token = BENCH_TOKENS[k % BENCH_TOKENS.length]!;
    const orderId = hex64(k, 'a1');
    const tradeId = `trade-${hex64(k, 'b2').slice(-32)}`;
    ourOrders.add(orderId);
    const price = (0.3 + (k % 40) / 100).toFixed(2);
    const ts = () => String((at += 3));
    items.push({ kind: 'event', event: { type: 'submit', at, orderId, tokenId: token, side: 'BUY', price: BigInt(Math.round(Number(price) * 100)) * 10_000n, size: 100_000_000n } });
    const order = { asset_id: token, id: orderId, maker_address: FUNDER, owner: API_KEY, order_owner: API_KEY, original_size: '100.0', price, side: 'BUY', created_at: ts() };
    frame({ ...place, ...order, event_type: 'order', type: 'PLACEMENT', status: 'LIVE', size_matched: '0.0', associate_trades: null, timestamp: ts() });
    const tradeBase = {
      ...trade, event_type: 'trade', id: tradeId, asset_id: token, side: 'SELL', price, size: '40.0', owner: '00000000-0000-0000-0000-0000000000ff',
      trade_owner: '00000000-0000-0000-0000-0000000000ff', maker_address: OTHER, trader_side: 'MAKER', taker_order_id: hex64(k, 'c3'),
      maker_orders: [
        { asset_id: token, fee_rate_bps: '0', maker_address: FUNDER, matched_amount: '25.0000', order_id: orderId, outcome: 'Yes', owner: API_KEY, price, side: 'BUY' },
        { asset_id: token, fee_rate_bps: '0', maker_address: OTHER, matched_amount: '15.0000', order_id: hex64(k, 'd4'), outcome: 'Yes', owner: '00000000-0000-0000-0000-0000000000ee', price, side: 'BUY' },
      ],
    };
    frame({ ...tradeBase, status: 'MATCHED', timestamp: ts(), match_time: String(at) });
    frame({ ...update, ...order, event_type: 'order', type: 'UPDATE', status: 'LIVE', size_matched: '25.0', associate_trades: [tradeId], timestamp: ts() });
    frame({ ...tradeBase, status: 'MINED', timestamp: ts(), match_time: String(at) });
    frame({ ...tradeBase, status: 'CONFIRMED', timestamp: ts(), match_time: String(at) });
    frame({ ...cancel, ...order, event_type: 'order', type: 'CANCELLATION', status: 'CANCELED', size_matched: '25.0', associate_trades: [tradeId], timestamp: ts() });
    confirmed.set(token, confirmed.get(token)! + 25_000_000n);
    if (k % 50 === 49) items.push({ kind: 'event', event: { type: 'balance', at: (at += 3), source: 'chain', balances: new Map(confirmed), block: BigInt(k) } });
  }
  return { items, frames, ourOrders };
}

export function benchConfig(ledgerYaml: string, dir: string) {
  return parseConfig(`
reconciler: { kind: oldest-first, pendingFillTtlSeconds: 120 }
risk:
  policies:
    - { kind: conservative-limits, maxPositionShares: 100000000 }
    - { kind: degrade, thresholdShares: 60, forSeconds: 20 }
    - { kind: hard-halt, sourceUnavailableSeconds: 300 }
alerts: []
ledger: ${ledgerYaml}
engine: { checkpointEverySeconds: 3600 }
`, new PluginRegistry(), { baseDir: dir });
}

const ORDERS = 10_000; // 60k frames per run

/** Who we are to the parser: the tape's orders, our API key and funder. */
const frameContext = (tape: UserTape): UserFrameContext => ({ ourOrderIds: (id) => tape.ourOrders.has(id), apiKey: API_KEY, funder: FUNDER, now: Date.now() });

/** Drives the tape through parseUserFrame and the app's engine; per-frame latency samples. */
async function drive(tape: UserTape, app: App): Promise<{ secs: number; lat: Float64Array; events: number }> {
  const ctx = frameContext(tape);
  const lat = new Float64Array(tape.frames.length);
  let n = 0;
  let events = 0;
  let problems = 0;
  const engine = app.engine;
  const t = process.hrtime.bigint();
  for (const item of tape.items) {
    if (item.kind === 'event') {
      engine.ingest({ ...item.event, at: Date.now() } as InboundEvent);
      continue;
    }
    const s = process.hrtime.bigint();
    (ctx as { now: number }).now = Date.now();
    const r = parseUserFrame(item.text, ctx);
    for (const e of r.events) engine.ingest(e);
    lat[n++] = Number(process.hrtime.bigint() - s) / 1000;
    events += r.events.length;
    problems += r.problems.length;
  }
  app.ledger.flush();
  const secs = Number(process.hrtime.bigint() - t) / 1e9;
  if (problems > 0) throw new Error(`ingest bench: ${problems} parse problems (the generated frames are wrong)`);
  return { secs, lat, events };
}

async function once(tape: UserTape, dir: string, run: number): Promise<Record<string, number>> {
  const frames = tape.frames.length;
  // Baseline: the bare JSON.parse loop over the same texts.
  let sink = 0;
  let t = process.hrtime.bigint();
  for (const f of tape.frames) sink += (JSON.parse(f) as Json).timestamp ? 1 : 0;
  const bareSecs = Number(process.hrtime.bigint() - t) / 1e9;
  if (sink !== frames) throw new Error('frames without timestamps');

  // Where the time goes, each stage measured in the same run: the parser alone (JSON.parse,
  // validation, attribution); the SQLite ledger's share of the engine thread, timed inside its
  // append() in a second pass (buffering, hand-off to the writer thread, waits for commits); the
  // engine is the rest (dedup, inventory, orders, risk, the ledger record's encoding).
  const ctx = frameContext(tape);
  t = process.hrtime.bigint();
  for (const f of tape.frames) sink += parseUserFrame(f, ctx).events.length;
  const parseSecs = Number(process.hrtime.bigint() - t) / 1e9;

  const logger = createLogger({ level: 'silent' });
  const config = (file: string) => benchConfig(`{ kind: sqlite, path: ${file}, groupCommit: { maxBatch: 1000, intervalMs: 20 } }`, dir);
  const app = App.create(config(`./ingest-${run}.sqlite`), { logger, withoutSources: true });
  await app.start();
  const { secs, lat, events } = await drive(tape, app);
  await app.dispose();

  const timed = App.create(config(`./ingest-${run}-timed.sqlite`), { logger, withoutSources: true });
  await timed.start();
  const ledger = timed.ledger;
  const append = ledger.append.bind(ledger);
  let inLedger = 0n;
  ledger.append = (r) => {
    const s = process.hrtime.bigint();
    try {
      append(r);
    } finally {
      inLedger += process.hrtime.bigint() - s;
    }
  };
  await drive(tape, timed);
  await timed.dispose();
  const ledgerSecs = Number(inLedger) / 1e9;
  const l = latencyStats(lat);
  const us = (x: number) => (x * 1e6) / frames;
  return {
    fps: frames / secs, bare: frames / bareSecs, p50: l.p50, p99: l.p99, p999: l.p999, max: l.max, eventsPerFrame: events / frames,
    usJson: us(bareSecs), usFields: us(parseSecs - bareSecs), usEngine: us(secs - parseSecs - ledgerSecs), usSqlite: us(ledgerSecs), usAll: us(secs),
  };
}

export async function run(): Promise<BenchResult[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pq-bench-ingest-'));
  try {
    const tape = userTape(ORDERS, Date.now());
    const note = `${tape.frames.length} user frames (placement, trade MATCHED/MINED/CONFIRMED as one of two makers, update, cancellation) over ${BENCH_TOKENS.length} tokens, SQLite ledger (WAL, group commit 1000/20 ms)`;
    return await medianOfRuns(3, async (i) => {
      const r = await once(tape, dir, i);
      await pause(20);
      return r;
    }, [
      { key: 'fps', name: 'user frames → parse → attribution → engine → SQLite ledger', unit: 'frames/s', baselineKey: 'bare', better: 'higher', note: `${note}; ratio to the bare JSON.parse loop (target ≥ 0.5)` },
      { key: 'bare', name: 'bare JSON.parse loop over the same frames (baseline)', unit: 'frames/s' },
      { key: 'p50', name: 'ingest latency per frame p50', unit: 'µs' },
      { key: 'p99', name: 'ingest latency per frame p99', unit: 'µs' },
      { key: 'p999', name: 'ingest latency per frame p99.9 (commit stall)', unit: 'µs', note: 'includes the group commit in the frame that triggers it' },
      { key: 'max', name: 'ingest latency per frame max (commit stall)', unit: 'µs' },
      { key: 'eventsPerFrame', name: 'engine events per frame', unit: 'events' },
      { key: 'usAll', name: 'per frame, whole path', unit: 'µs', note: 'the inverse of the figure: the four stages below add up to it' },
      { key: 'usJson', name: 'per frame: JSON.parse', unit: 'µs', note: 'the baseline loop' },
      { key: 'usFields', name: 'per frame: validation and attribution (parseUserFrame beyond JSON.parse)', unit: 'µs' },
      { key: 'usEngine', name: 'per frame: engine (dedup, inventory, orders, risk, ledger record encoding)', unit: 'µs', note: 'the whole path less the other three stages' },
      { key: 'usSqlite', name: 'per frame: SQLite ledger on the engine thread (buffer, hand-off to the writer thread, waits)', unit: 'µs', note: 'timed inside append() in a second pass of the same run; for a ratio of 0.5 the three stages after JSON.parse must fit in one more JSON.parse' },
    ], 1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await run()) console.log(JSON.stringify(r));
}
