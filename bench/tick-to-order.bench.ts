/**
 * Tick-to-order: the embedded simulator (sim/simulator.ts, real anvil chain) and a real App running
 * the bot as `polyquote run` wires it (config.yaml: polymarket venue, chain + REST sources,
 * active-quoting), in one process on loopback. Measured from the moment the simulator's server socket
 * sends a market frame (book / price_change, wrapping ws's send) to the moment the signed POST
 * /order(s) reaches the simulator's HTTP server ('request' event): the first order after each frame,
 * within 500 ms, counts. The simulator is not modified; both marks are performance.now() in-process.
 * Taker flow is off so orders follow book moves (the fair-price walk of the simulated makers); the
 * strategy joins the best prices (offset 0, tolerance 0) so book moves re-quote. Bounded: 200 orders
 * or 45 s of trading (PQ_T2O_SECONDS). The pairing is by time, not by cause: an order is counted
 * against the last frame before it when no other order came in between.
 */
import fs from 'node:fs';
import type { IncomingMessage, Server } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { parse as parseYaml, stringify } from 'yaml';
import { App } from '../app/app.ts';
import { resolveEmbedded, type EmbeddedEndpoints } from '../app/embedded.ts';
import { parseConfig } from '../core/config/load.ts';
import { createLogger } from '../core/logger.ts';
import { PluginRegistry } from '../plugins/registry.ts';
import { Simulator } from '../sim/simulator.ts';
import { latencyStats, type BenchResult } from './lib.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MAX_SAMPLES = 200;
const MAX_SECONDS = Number(process.env.PQ_T2O_SECONDS ?? 45);
const WINDOW_MS = 500;

/** Frames sent and orders received, as (time) marks; the pairing rule in one pure function. */
export function pairFirstOrders(frames: readonly number[], posts: readonly number[], windowMs: number): number[] {
  const out: number[] = [];
  let f = 0;
  let lastPost = -Infinity;
  for (const p of posts) {
    while (f + 1 < frames.length && frames[f + 1]! <= p) f++;
    const t = frames[f];
    if (t !== undefined && t <= p && lastPost < t && p - t <= windowMs) out.push(p - t);
    lastPost = p;
  }
  return out;
}

export async function run(): Promise<BenchResult[]> {
  const raw = parseYaml(fs.readFileSync(path.join(ROOT, 'config.yaml'), 'utf8')) as Record<string, any>;
  raw.simulator = { ...raw.simulator, flow: { ...raw.simulator?.flow, takerRatePerSecond: 0, tickMs: 200, volatility: 0.02 }, ws: { arrayFrameRate: 0 } };
  raw.alerts = [];
  raw.log = { level: 'silent' };
  delete raw.risk.shadow;
  raw.strategy = { ...raw.strategy, offsetTicks: 0, toleranceTicks: 0 };
  const sim = await Simulator.start({ port: 0, config: raw.simulator });
  const frames: number[] = [];
  const posts: number[] = [];
  const proto = WebSocket.prototype as unknown as { send: (...a: unknown[]) => void };
  const origSend = proto.send;
  let app: App | undefined;
  let restoreEnv = () => {};
  const t0 = performance.now();
  try {
    const account = sim.info.accounts[0]!;
    const ep: EmbeddedEndpoints = {
      clobUrl: sim.info.clobUrl, userWsUrl: sim.info.userWsUrl, marketWsUrl: sim.info.marketWsUrl, dataApiUrl: sim.info.dataApiUrl, rpcUrl: sim.info.rpcUrl,
      markets: sim.info.markets.map((m) => m.conditionId), funder: account.address,
      collateral: sim.chain?.contracts.collateral ?? '0x0000000000000000000000000000000000000000', ctf: sim.chain?.contracts.ctf ?? '0x4D97DCd97eC945f40cF65F87097ACe5EA0476045',
    };
    // The simulator's funded dev key (the venue plugin reads its key from the environment, as `polyquote run` sets it).
    const hadKey = 'POLYQUOTE_PRIVATE_KEY' in process.env;
    process.env.POLYQUOTE_PRIVATE_KEY ??= account.privateKey;
    restoreEnv = () => {
      if (!hadKey) delete process.env.POLYQUOTE_PRIVATE_KEY;
    };
    const config = parseConfig(stringify(raw), new PluginRegistry(), {
      env: { ...process.env }, baseDir: ROOT, transform: (r) => resolveEmbedded(r, ep),
    });
    // Instrumentation, observation only: market frames leaving server sockets, order posts arriving.
    proto.send = function (this: { _isServer?: boolean }, ...args: unknown[]) {
      const d = args[0];
      if (this._isServer && typeof d === 'string' && (d.includes('"event_type":"price_change"') || d.includes('"event_type":"book"'))) frames.push(performance.now());
      return origSend.apply(this, args);
    };
    (sim as unknown as { server: Server }).server.prependListener('request', (req: IncomingMessage) => {
      if (req.method === 'POST' && (req.url === '/order' || req.url === '/orders')) posts.push(performance.now());
    });
    app = App.create(config, { logger: createLogger({ level: 'silent' }), ledger: { kind: 'memory' } });
    await app.start();
    await app.startTrading();
    const started = performance.now();
    while (pairFirstOrders(frames, posts, WINDOW_MS).length < MAX_SAMPLES && performance.now() - started < MAX_SECONDS * 1000) {
      await new Promise((r) => setTimeout(r, 250));
    }
    await app.stopTrading({ confirmTimeoutMs: 3000 });
  } finally {
    proto.send = origSend;
    restoreEnv();
    await app?.dispose().catch(() => undefined);
    await sim.stop().catch(() => undefined);
  }
  const samples = pairFirstOrders(frames, posts, WINDOW_MS).slice(0, MAX_SAMPLES);
  const s = latencyStats(samples);
  const note = `${samples.length} orders (first after a frame, ≤ ${WINDOW_MS} ms) of ${posts.length} posts, ${frames.length} market frames; one process, loopback, anvil chain; whole run ${((performance.now() - t0) / 1000).toFixed(0)} s`;
  return [
    { name: 'market frame sent → signed POST /order received, p50', value: Number(s.p50.toFixed(2)), unit: 'ms', runs: 1, note },
    { name: 'market frame sent → signed POST /order received, p99', value: Number(s.p99.toFixed(2)), unit: 'ms', runs: 1, note: 'one run of up to 200 orders (each order a sample)' },
    { name: 'market frame sent → signed POST /order received, max', value: Number(s.max.toFixed(2)), unit: 'ms', runs: 1 },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await run()) console.log(JSON.stringify(r));
  process.exit(0);
}
