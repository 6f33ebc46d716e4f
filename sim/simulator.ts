/**
 * The embedded Polymarket exchange, in-process: `Simulator.start(options)` starts the chain
 * (a real anvil through SimChain, or an in-memory ledger for fast tests), the matching engine,
 * the trade lifecycle, the REST/websocket server on 127.0.0.1 and the simulated market flow, and
 * returns the same info object `polyquote sim` prints. `stop()` frees all of it.
 */
import { createServer, type Server } from 'node:http';
import { keccak256, toHex } from 'viem';
import { parseMicros } from '../core/amounts.ts';
import { EXCHANGE_V2, NEG_RISK_EXCHANGE_V2, SimChain, devAccount, marketIdsFor, type SimChainAccount } from './chain/sim-chain.ts';
import { parseSimConfig, type SimConfig, type SimConfigInput } from './config.ts';
import { BalanceBook, COLLATERAL } from './exchange/balances.ts';
import { ExchangeEngine } from './exchange/engine.ts';
import { TradeLifecycle } from './exchange/lifecycle.ts';
import { MemorySettlement, type Settlement } from './exchange/settlement.ts';
import type { SimMarket } from './exchange/types.ts';
import { FaultPlan } from './faults.ts';
import { Prng } from './prng.ts';
import { MarketFlow } from './flow/market-flow.ts';
import type { ServerContext } from './server/context.ts';
import { restHandler } from './server/rest.ts';
import { ApiKeys, Heartbeats, RestartWindow } from './server/sessions.ts';
import { WsChannels } from './server/ws.ts';

const NEG_RISK_ADAPTER = '0xd91E80cF2E7be2e162c6513ceD06f1dD0dA35296';
/** Anvil dev accounts 0..8 are traders; 9 is the chain's operator. */
const TRADER_ACCOUNTS = 9;

export interface SimulatorOptions {
  /** 0 or undefined: any free port. */
  readonly port?: number;
  readonly config?: SimConfigInput;
  /** 'chain' (default): real anvil; 'memory': balances in memory, no rpcUrl (unit tests). */
  readonly settlement?: 'chain' | 'memory';
  readonly now?: () => number;
}

export interface SimInfo {
  readonly clobUrl: string;
  readonly userWsUrl: string;
  readonly marketWsUrl: string;
  readonly dataApiUrl: string;
  readonly rpcUrl: string;
  readonly chainId: 137;
  readonly markets: readonly { conditionId: string; tokens: readonly [string, string]; tickSize: string; negRisk: boolean; minOrderSize: string }[];
  readonly accounts: readonly SimChainAccount[];
  /** The loopback control endpoint (faults in, ground truth out). */
  readonly controlUrl: string;
}

export class Simulator {
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly info: SimInfo,
    readonly context: ServerContext,
    private readonly server: Server,
    private readonly ws: WsChannels,
    private readonly flow: MarketFlow | undefined,
    private readonly timer: NodeJS.Timeout,
    readonly chain: SimChain | undefined,
  ) {}

  get engine(): ExchangeEngine {
    return this.context.engine;
  }

  /** Stops the simulated makers and takers (their resting orders stay); the exchange runs on. */
  stopFlow(): void {
    this.flow?.stop();
  }

  static async start(options: SimulatorOptions = {}): Promise<Simulator> {
    const config = parseSimConfig(options.config ?? {});
    const now = options.now ?? Date.now;
    const mode = options.settlement ?? 'chain';
    let chain: SimChain | undefined;
    try {
      const { markets, settlement, accounts } = mode === 'chain' ? await (async () => {
        chain = await SimChain.start({ seed: numericSeed(config.seed), accounts: TRADER_ACCOUNTS, markets: config.markets.map((m) => ({ question: m.question, negRisk: m.negRisk })) });
        const c = chain;
        const s: Settlement = {
          settle: async (ops) => ({ transactionHash: (await c.settle(ops as Parameters<SimChain['settle']>[0])).txHashes[0] ?? '' }),
          balanceOf: (o, t) => c.balanceOf(o as `0x${string}`, t),
          collateralOf: (o) => c.collateralOf(o as `0x${string}`),
        };
        return { markets: c.markets.map((m, i) => simMarket(config, i, m.conditionId, m.tokens)), settlement: s, accounts: c.accounts };
      })() : memoryChain(config);
      const balances = new BalanceBook();
      for (const a of accounts) {
        balances.set(a.address, COLLATERAL, await settlement.collateralOf(a.address));
        for (const m of markets) for (const t of m.tokens) balances.set(a.address, t, await settlement.balanceOf(a.address, t));
      }
      const engine = new ExchangeEngine({
        markets, seed: config.seed, failRate: config.lifecycle.failRate, retryRate: config.lifecycle.retryRate,
        gtdMinLifetimeSeconds: config.gtd.minLifetimeSeconds, gtdEarlySeconds: config.gtd.earlySeconds, balances,
      });
      const lifecycle = new TradeLifecycle(engine, settlement, config.lifecycle, now);
      const server = createServer();
      let ws: WsChannels | undefined;
      const ctx: ServerContext = {
        config, engine, lifecycle, keys: new ApiKeys(`polyquote-sim/${config.seed}`), heartbeats: new Heartbeats(config.heartbeat.timeoutMs, ((r) => () => r.uuid())(Prng.for(config.seed, 'heartbeat-ids'))),
        restart: new RestartWindow(), faults: new FaultPlan(config.seed, config.faults), now, lastTrade: new Map(), funderOfKey: new Map(),
        addresses: { exchange: EXCHANGE_V2, negRiskExchange: NEG_RISK_EXCHANGE_V2, spenders: [EXCHANGE_V2, NEG_RISK_EXCHANGE_V2, NEG_RISK_ADAPTER] },
        runtime: { positionsLagMs: config.positions.lagMs },
        hooks: {
          setChainFaults: (f) => {
            if (!chain) throw new Error('no chain in memory mode');
            chain.setFaults(f as Parameters<SimChain['setFaults']>[0]);
          },
          disconnectAll: () => ws?.disconnectAll() ?? 0,
          resolveMarket: (cid, winner) => {
            const ids = engine.cancelWhere((o) => o.conditionId === cid, now(), 'CANCELED_MARKET_RESOLVED');
            ws?.marketResolved(cid, winner);
            return ids;
          },
        },
      };
      engine.on((e) => {
        if (e.type === 'last_trade') ctx.lastTrade.set(e.tokenId, e.price);
      });
      server.on('request', restHandler(ctx));
      ws = new WsChannels(ctx, server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
      });
      const port = (server.address() as { port: number }).port;
      const base = `http://127.0.0.1:${port}`;
      const userAccounts = accounts.slice(0, config.accounts.count);
      const flow = config.flow.enabled ? new MarketFlow(engine, config, accounts.slice(config.accounts.count), now) : undefined;
      const timer = setInterval(() => {
        const t = now();
        engine.expire(t);
        for (const key of ctx.heartbeats.expired(t)) engine.cancelWhere((o) => o.owner === key, t);
      }, 250);
      timer.unref();
      flow?.start();
      const info: SimInfo = {
        clobUrl: base, userWsUrl: `ws://127.0.0.1:${port}/ws/user`, marketWsUrl: `ws://127.0.0.1:${port}/ws/market`, dataApiUrl: base,
        rpcUrl: chain?.rpcUrl ?? '', chainId: 137, controlUrl: `${base}/_control`,
        markets: markets.map((m, i) => ({ conditionId: m.conditionId, tokens: m.tokens, tickSize: config.markets[i]!.tickSize, negRisk: m.negRisk, minOrderSize: config.markets[i]!.minOrderSize })),
        accounts: userAccounts.map((a) => ({ address: a.address, privateKey: a.privateKey })),
      };
      return new Simulator(info, ctx, server, ws, flow, timer, chain);
    } catch (e) {
      await chain?.stop();
      throw e;
    }
  }

  /** Stops flow, timers, sockets, the server and the chain; idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.flow?.stop();
      clearInterval(this.timer);
      this.context.lifecycle.stop();
      await this.ws.close();
      this.server.closeAllConnections();
      await new Promise<void>((resolve) => this.server.close(() => resolve()));
      await this.chain?.stop();
    })();
    return this.stopping;
  }
}

function simMarket(config: SimConfig, i: number, conditionId: string, tokens: readonly [string, string]): SimMarket {
  const c = config.markets[i]!;
  const M = (v: string, where: string) => parseMicros(v, `sim config markets[${i}].${where}`);
  return {
    conditionId: conditionId.toLowerCase(), question: c.question, tokens, negRisk: c.negRisk, tickSize: M(c.tickSize, 'tickSize'), minOrderSize: M(c.minOrderSize, 'minOrderSize'),
    rewardsMaxSpread: M(c.rewardsMaxSpread, 'rewardsMaxSpread'), rewardsMinSize: M(c.rewardsMinSize, 'rewardsMinSize'), rewardsDailyRate: M(c.rewardsDailyRate, 'rewardsDailyRate'),
  };
}

/** Markets, accounts and balances without a chain: the ids SimChain would give, the same funding. */
function memoryChain(config: SimConfig): { markets: SimMarket[]; settlement: Settlement; accounts: SimChainAccount[] } {
  const markets = config.markets.map((m, i) => {
    const ids = marketIdsFor(m.question);
    return simMarket(config, i, ids.conditionId, ids.tokens);
  });
  const settlement = new MemorySettlement(new Map(markets.map((m) => [m.conditionId, m.tokens] as const)));
  const accounts = Array.from({ length: TRADER_ACCOUNTS }, (_, i) => devAccount(i));
  for (const a of accounts) settlement.fund(a.address, 100_000_000_000n, markets.flatMap((m) => m.tokens.map((t) => [t, 1_000_000_000n] as const)));
  return { markets, settlement, accounts };
}

function numericSeed(seed: string | number): number {
  if (typeof seed === 'number' && Number.isSafeInteger(seed)) return seed;
  return Number.parseInt(keccak256(toHex(String(seed))).slice(2, 14), 16);
}
