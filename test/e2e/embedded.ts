/**
 * The whole bot in the test process, built the way cli/run.ts builds it: the shipped config.yaml
 * (changed by the test, visibly), the exchange simulator with its anvil chain, App + RunStats.
 * Used where a test needs finer control than the CLI gives (faults at chosen moments, the engine's
 * view after settlement). Always `stop()` it.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml, stringify } from 'yaml';
import type { Address } from 'viem';
import { App } from '../../app/app.ts';
import { resolveEmbedded, type EmbeddedEndpoints } from '../../app/embedded.ts';
import { RunStats } from '../../app/run/run-stats.ts';
import { parseConfig } from '../../core/config/load.ts';
import { createLogger } from '../../core/logger.ts';
import { PluginRegistry } from '../../plugins/registry.ts';
import { Simulator } from '../../sim/simulator.ts';
import { chainBalances, control, SHIPPED_CONFIG } from './support.ts';

export type RawConfig = Record<string, any>;

export interface Embedded {
  readonly sim: Simulator;
  readonly app: App;
  readonly stats: RunStats;
  readonly ep: EmbeddedEndpoints;
  readonly controlUrl: string;
  control<T = unknown>(route: string, body?: unknown): Promise<T>;
  /** Outcome-token balances of the funder on the chain (anvil directly, no injected faults). */
  chain(tokenIds: readonly string[]): Promise<Map<string, bigint>>;
  stop(): Promise<void>;
}

/** The shipped config as a plain object, to be changed by a test. */
export function shippedRaw(): RawConfig {
  return parseYaml(readFileSync(SHIPPED_CONFIG, 'utf8')) as RawConfig;
}

export async function startEmbedded(raw: RawConfig, dir: string, opts: { trade?: boolean; prepare?: (raw: RawConfig, sim: Simulator) => void } = {}): Promise<Embedded> {
  raw.ledger = { ...raw.ledger, path: './data/ledger.sqlite' };
  const sim = await Simulator.start({ port: 0, config: raw.simulator ?? {} });
  let app: App | undefined;
  let stats: RunStats | undefined;
  try {
    opts.prepare?.(raw, sim);
    const account = sim.info.accounts[0]!;
    // The venue reads its key from the environment, as in `polyquote run` (anvil's public dev key).
    process.env.POLYQUOTE_PRIVATE_KEY = account.privateKey;
    const ep: EmbeddedEndpoints = {
      clobUrl: sim.info.clobUrl, userWsUrl: sim.info.userWsUrl, marketWsUrl: sim.info.marketWsUrl, dataApiUrl: sim.info.dataApiUrl, rpcUrl: sim.info.rpcUrl,
      markets: sim.info.markets.map((m) => m.conditionId), funder: account.address, collateral: sim.chain!.contracts.collateral, ctf: sim.chain!.contracts.ctf,
    };
    const config = parseConfig(stringify(raw), new PluginRegistry(), {
      env: { ...process.env, POLYQUOTE_PRIVATE_KEY: account.privateKey }, baseDir: dir, transform: (r) => resolveEmbedded(r, ep),
    });
    app = App.create(config, { logger: createLogger({ level: process.env.POLYQUOTE_E2E_LOG ?? 'silent' }) });
    await app.start();
    const a = app;
    stats = new RunStats(a.bus, a.engine, a.clock, a.market?.limit.bind(a.market) as never);
    if (opts.trade !== false) await a.startTrading();
    const controlUrl = sim.info.controlUrl;
    const s = stats;
    let stopped = false;
    return {
      sim, app: a, stats: s, ep, controlUrl,
      control: (route, body) => control(controlUrl, route, body),
      chain: (ids) => chainBalances(sim.chain!.anvilRpcUrl, ep.ctf as Address, ep.funder as Address, ids),
      async stop() {
        if (stopped) return;
        stopped = true;
        s.dispose();
        await a.dispose().catch(() => undefined);
        await sim.stop().catch(() => undefined);
      },
    };
  } catch (err) {
    stats?.dispose();
    await app?.dispose().catch(() => undefined);
    await sim.stop().catch(() => undefined);
    throw err;
  }
}
