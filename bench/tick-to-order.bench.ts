/**
 * Tick-to-order: the embedded simulator (sim/simulator.ts, real anvil chain) and a real App running
 * the bot as `polyquote run` wires it (config.yaml: polymarket venue, chain + REST sources,
 * active-quoting), in one process on loopback. Measured from the moment the simulator's server socket
 * sends a market frame (book / price_change, wrapping ws's send) to the moment the signed POST
 * /order(s) reaches the simulator's HTTP server ('request' event): the first order after each frame,
 * within 500 ms, counts. The simulator is not modified; both marks are performance.now() in-process.
 *
 * The bench drives the market itself, so that every frame it causes needs a re-quote: the
 * simulator's own makers and takers are off; a maker of the bench (a funded simulator account, not
 * the bot's) holds a post-only ladder on each market's YES token and moves one best price per step
 * by one tick (a new order one tick inside, or the cancel of the best order: one exchange call, so
 * one price_change frame). The strategy quotes one tick behind the best prices (offset 1, tolerance
 * 0, rewards band off), so each move is a cancel and one new order. A step waits for that order (at
 * most 500 ms) and for the market to be quiet, so the bot's own frames (its cancel, its new order)
 * never count as the frame an order answers, and the pace stays within the venue's rate budget (one
 * order and one cancel per step, far below the 32 orders/s the signer bucket allows). Only frames
 * of the bench's moves are paired. Bounded: 200 orders or 45 s of trading (PQ_T2O_SECONDS).
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
import { MICROS_PER_UNIT } from '../core/amounts.ts';
import type { OrderInput, SimMarket } from '../sim/exchange/types.ts';
import { Simulator } from '../sim/simulator.ts';
import { latencyStats, type BenchResult } from './lib.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MAX_SAMPLES = 200;
const MAX_SECONDS = Number(process.env.PQ_T2O_SECONDS ?? 45);
const WINDOW_MS = 500;
/** Quiet time before each move: the bot's answer to the previous one has settled. */
const QUIET_MS = 25;
const LEVEL_SIZE = 50n * MICROS_PER_UNIT;

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
  raw.simulator = { ...raw.simulator, flow: { ...raw.simulator?.flow, enabled: false }, ws: { arrayFrameRate: 0 } };
  raw.alerts = [];
  raw.log = { level: 'silent' };
  delete raw.risk.shadow;
  raw.strategy = { ...raw.strategy, anchor: 'best', offsetTicks: 1, toleranceTicks: 0, rewards: false };
  const sim = await Simulator.start({ port: 0, config: raw.simulator });
  const frames: number[] = [];
  const posts: number[] = [];
  /** Frames sent while the bench's move was being applied (the frames the orders answer). */
  const moves: number[] = [];
  let moving = false;
  let lastFrameAt = 0;
  let postWaiter: (() => void) | undefined;
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
      if (this._isServer && typeof d === 'string' && (d.includes('"event_type":"price_change"') || d.includes('"event_type":"book"'))) {
        const now = performance.now();
        frames.push(now);
        lastFrameAt = now;
        if (moving) moves.push(now);
      }
      return origSend.apply(this, args);
    };
    (sim as unknown as { server: Server }).server.prependListener('request', (req: IncomingMessage) => {
      if (req.method === 'POST' && (req.url === '/order' || req.url === '/orders')) {
        posts.push(performance.now());
        postWaiter?.();
      }
    });
    const maker = new BenchMaker(sim, sim.info.accounts[1]!.address);
    maker.open();
    app = App.create(config, { logger: createLogger({ level: 'silent' }), ledger: { kind: 'memory' } });
    await app.start();
    await app.startTrading();
    const started = performance.now();
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    // The bot's first quotes on the standing ladders, before any move counts.
    while (posts.length < 2 * sim.engine.markets().length && performance.now() - started < MAX_SECONDS * 1000) await sleep(50);
    for (let step = 0; pairFirstOrders(moves, posts, WINDOW_MS).length < MAX_SAMPLES && performance.now() - started < MAX_SECONDS * 1000; step++) {
      while (performance.now() - lastFrameAt < QUIET_MS) await sleep(QUIET_MS);
      const answered = new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, WINDOW_MS);
        postWaiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      moving = true;
      try {
        maker.move(step);
      } finally {
        moving = false;
      }
      await answered;
      postWaiter = undefined;
    }
    await app.stopTrading({ confirmTimeoutMs: 3000 });
  } finally {
    proto.send = origSend;
    restoreEnv();
    await app?.dispose().catch(() => undefined);
    await sim.stop().catch(() => undefined);
  }
  const samples = pairFirstOrders(moves, posts, WINDOW_MS).slice(0, MAX_SAMPLES);
  const s = latencyStats(samples);
  const note = `${samples.length} orders (first after a move's frame, ≤ ${WINDOW_MS} ms) of ${posts.length} posts; ${moves.length} moves of the best bid/ask by the bench, ${frames.length} market frames in all; one process, loopback, anvil chain; whole run ${((performance.now() - t0) / 1000).toFixed(0)} s`;
  return [
    { name: 'market frame sent → signed POST /order received, p50', value: Number(s.p50.toFixed(2)), unit: 'ms', runs: 1, note },
    { name: 'market frame sent → signed POST /order received, p99', value: Number(s.p99.toFixed(2)), unit: 'ms', runs: 1, note: 'one run of up to 200 orders (each order a sample)' },
    { name: 'market frame sent → signed POST /order received, max', value: Number(s.max.toFixed(2)), unit: 'ms', runs: 1 },
  ];
}

/**
 * The bench's maker: on each market's YES token, bids from 3 ticks below the fair price down and
 * asks from 3 ticks above it up (4 levels each). A move changes one best price by one tick: per
 * market, the bid and the ask take turns, each stepping in, in, out, out (in: a new order one tick
 * inside the best; out: the cancel of the best order), so the spread breathes between 6 and 2 ticks.
 */
class BenchMaker {
  private readonly owner = '00000000-0000-4000-8000-0000000b3ac4';
  private readonly stacks = new Map<string, { bids: string[]; asks: string[]; bid: bigint; ask: bigint }>();
  private n = 0;

  constructor(private readonly sim: Simulator, private readonly address: string) {}

  private get markets(): readonly SimMarket[] {
    return this.sim.engine.markets();
  }

  open(): void {
    for (const [i, m] of this.markets.entries()) {
      const fair = BigInt(Math.round(((this.sim.context.config.markets[i]?.fairPrice ?? 0.5) * Number(MICROS_PER_UNIT)) / Number(m.tickSize))) * m.tickSize;
      const st = { bids: [] as string[], asks: [] as string[], bid: fair - 3n * m.tickSize, ask: fair + 3n * m.tickSize };
      for (let k = 3n; k >= 0n; k--) st.bids.push(this.place(m, 'BUY', st.bid - k * m.tickSize));
      for (let k = 3n; k >= 0n; k--) st.asks.push(this.place(m, 'SELL', st.ask + k * m.tickSize));
      this.stacks.set(m.conditionId, st);
    }
  }

  /** Step `step` of the walk: one market, one side, one tick. */
  move(step: number): void {
    const m = this.markets[step % this.markets.length]!;
    const k = Math.floor(step / this.markets.length);
    const st = this.stacks.get(m.conditionId)!;
    const bidSide = k % 2 === 0;
    const inward = Math.floor(k / 2) % 4 < 2;
    const t = m.tickSize;
    if (bidSide && inward) st.bids.push(this.place(m, 'BUY', (st.bid += t)));
    else if (!bidSide && inward) st.asks.push(this.place(m, 'SELL', (st.ask -= t)));
    else {
      const id = (bidSide ? st.bids : st.asks).pop()!;
      const why = this.sim.engine.cancel(this.owner, id, Date.now());
      if (why) throw new Error(`bench maker: cancel of ${id} refused: ${why}`);
      if (bidSide) st.bid -= t;
      else st.ask += t;
    }
  }

  private place(m: SimMarket, side: 'BUY' | 'SELL', price: bigint): string {
    const id = `0x${(++this.n).toString(16).padStart(64, 'b')}`;
    const order: OrderInput = {
      id, owner: this.owner, maker: this.address.toLowerCase(), signer: this.address.toLowerCase(), tokenId: m.tokens[0],
      side, price, size: LEVEL_SIZE, orderType: 'GTC', postOnly: true, expiration: 0,
    };
    const r = this.sim.engine.submit(order, Date.now());
    if (!r.ok) throw new Error(`bench maker: ${side} at ${price} refused: ${JSON.stringify(r)}`);
    return id;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await run()) console.log(JSON.stringify(r));
  process.exit(0);
}
