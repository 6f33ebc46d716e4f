/**
 * `polyquote run --config <file> [--duration <s>] [--summary <file>]`: the whole bot — venue,
 * position sources, engine, ledger, strategy, alert sinks. With a `simulator` block (or `embedded`
 * endpoints) in the config it first starts the embedded exchange and its local anvil chain.
 *
 * Start-up: recover from the ledger, reconcile with the venue and take a fresh snapshot before the
 * first quote. Ctrl-C / SIGTERM: cancel every resting order, wait (bounded) for the venue to
 * confirm, flush the ledger, exit 0; a second Ctrl-C exits at once. One engine per funder.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import pino from 'pino';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { App } from '../app/app.ts';
import { resolveEmbedded, wantsEmbedded, type EmbeddedEndpoints } from '../app/embedded.ts';
import { setAsideEarlierWorld } from '../app/run/embedded-ledger.ts';
import { RunStats } from '../app/run/run-stats.ts';
import { renderView, shortToken, type TokenRow } from '../app/run/view.ts';
import { FunderLock } from '../app/run/funder-lock.ts';
import { CapitalRecycler } from '../app/run/capital-recycler.ts';
import { parseRecycling } from '../app/run/recycling-config.ts';
import { parseMicros } from '../core/amounts.ts';
import { parseConfig } from '../core/config/load.ts';
import { ConfigError, PolyquoteError, errorMessage } from '../core/errors.ts';
import { createLogger } from '../core/logger.ts';
import { startOps, type RunningOps } from '../ops/http/start.ts';
import type { PluginRegistry } from '../plugins/registry.ts';
import { Simulator } from '../sim/simulator.ts';

export async function runCommand(args: string[], registry: PluginRegistry, usage: (msg: string) => number): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' }, duration: { type: 'string' }, summary: { type: 'string' }, view: { type: 'string' } }, strict: true });
  if (!values.config) return usage('run needs --config');
  const duration = values.duration === undefined ? undefined : Number(values.duration);
  if (duration !== undefined && (!Number.isFinite(duration) || duration <= 0 || duration > 30 * 86_400)) return usage(`--duration expects seconds > 0, got ${JSON.stringify(values.duration)}`);
  let text: string;
  try {
    text = readFileSync(values.config, 'utf8');
  } catch (err) {
    throw new ConfigError([{ path: '', message: `expected a readable config file, got ${errorMessage(err)}` }], values.config);
  }
  const baseDir = path.dirname(path.resolve(values.config));
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch {
    raw = undefined; // parseConfig reports the YAML error with its line.
  }
  let sim: Simulator | undefined;
  const env = { ...process.env };
  let endpoints: EmbeddedEndpoints | undefined;
  if (wantsEmbedded(raw)) {
    const simConfig = (raw as { simulator?: Record<string, unknown> }).simulator ?? {};
    process.stderr.write('starting the embedded exchange simulator and its local anvil chain…\n');
    sim = await Simulator.start({ port: 0, config: simConfig as never });
    const account = sim.info.accounts[0]!;
    endpoints = {
      clobUrl: sim.info.clobUrl, userWsUrl: sim.info.userWsUrl, marketWsUrl: sim.info.marketWsUrl, dataApiUrl: sim.info.dataApiUrl, rpcUrl: sim.info.rpcUrl,
      markets: sim.info.markets.map((m) => m.conditionId),
      funder: account.address, collateral: sim.chain?.contracts.collateral ?? '0x0000000000000000000000000000000000000000', ctf: sim.chain?.contracts.ctf ?? '0x4D97DCd97eC945f40cF65F87097ACe5EA0476045',
    };
    // The simulator's funded account is one of anvil's public development keys, never a real one.
    process.env.POLYQUOTE_PRIVATE_KEY ??= account.privateKey;
    env.POLYQUOTE_PRIVATE_KEY = process.env.POLYQUOTE_PRIVATE_KEY;
  }
  const ep = endpoints;
  let app: App | undefined;
  let ops: RunningOps | undefined;
  let lock: FunderLock | undefined;
  let stopping: Promise<number> | undefined;
  const stopSim = async () => {
    await sim?.stop().catch(() => undefined);
  };
  try {
    const config = parseConfig(text, registry, { env, file: values.config, baseDir, ...(ep && { transform: (r) => resolveEmbedded(r, ep) }) });
    const rc = config.recycling ? parseRecycling(config.recycling, values.config) : undefined;
    if (!config.venue) throw new ConfigError([{ path: 'venue', message: 'expected a venue block: run trades on a venue (use replay or ingest for tapes)' }], values.config);
    // Only when the venue is the embedded exchange is the ledger's world gone with the last run.
    if (sim && config.ledger.kind === 'sqlite' && (config.venue as { clobUrl?: unknown } | undefined)?.clobUrl === sim.info.clobUrl) {
      const file = (config.ledger as { path?: unknown }).path;
      const moved = typeof file === 'string' ? setAsideEarlierWorld(path.resolve(baseDir, file)) : undefined;
      if (moved) process.stderr.write(`the embedded simulator is a new world: the earlier run's ledger is kept at ${moved}\n`);
    }
    const funder = config.identity.funder ?? '0x0';
    lock = FunderLock.acquire(funder, String((config.venue as { clobUrl?: unknown }).clobUrl ?? config.venue.kind));
    const tty = process.stdout.isTTY === true && values.view !== 'json';
    const logger = createLogger({ level: config.log.level, ...(tty && { destination: logFile(baseDir) }) });
    app = App.create(config, { logger });
    const a = app;
    // Metrics and the status page before any event flows (counters start at zero, gauges read live).
    if (config.metrics.enabled) {
      ops = await startOps(a, { host: config.metrics.host, port: config.metrics.port });
      process.stderr.write(`status page: ${ops.server.url} (Prometheus: ${ops.server.url}metrics)\n`);
    }
    await a.start();
    const stats = new RunStats(a.bus, a.engine, a.clock, a.market?.limit.bind(a.market) as never);
    const startedAt = Date.now();
    const render = () => {
      const rows: TokenRow[] = [];
      for (const m of a.venue?.markets() ?? []) {
        m.tokens.forEach((t, i) => {
          const p = a.engine.position(t);
          const top = a.market!.top(t);
          const pnl = a.engine.pnl.view(t);
          rows.push({
            tokenId: t, label: `${m.marketId.slice(0, 8)} ${i === 0 ? 'YES' : 'NO '}`, bestBid: top.bestBid, bestAsk: top.bestAsk, orders: a.market!.openOrders(t),
            confirmed: p.confirmed, pendingBuys: p.pendingBuys, pendingSells: p.pendingSells, effective: p.effective, exposure: p.conservativeExposure,
            limit: a.market!.limit(t), decision: a.engine.risk.decisionFor(t), realized: pnl.realized, unrealized: pnl.unrealized,
          });
        });
      }
      const c = a.engine.collateral();
      return renderView({
        now: Date.now(), startedAt, rows, collateral: c, venue: a.venue?.health(),
        counts: { submitted: stats.ordersSubmitted, canceled: stats.ordersCanceled, fills: stats.fills, breaches: stats.limitBreaches },
        alerts: stats.recentAlerts, strategies: a.strategyStates(),
      });
    };
    const view = setInterval(() => {
      if (tty) process.stdout.write(`\x1b[H\x1b[2J${render()}\n`);
      else process.stdout.write(`${JSON.stringify({ at: new Date().toISOString(), kind: 'status', ...compact(stats.summary()) })}\n`);
    }, 1000);
    let stopRecycler: () => Promise<void> = async () => {};
    const finish = async (reason: string): Promise<number> => {
      clearInterval(view);
      await stopRecycler(); // a merge in flight is sent and recorded before anything closes
      process.stderr.write(`\nstopping (${reason}): cancelling resting orders…\n`);
      const stopped = await a.stopTrading({ confirmTimeoutMs: 5000 });
      const summary = stats.summary();
      stats.dispose();
      await ops?.close();
      await a.dispose();
      lock?.release();
      await stopSim();
      process.stdout.write(`${JSON.stringify({ kind: 'summary', ...summary, cancelsOnShutdown: stopped.canceled, ordersLeftOpen: stopped.stillOpen })}\n`);
      if (values.summary) writeFileSync(values.summary, `${JSON.stringify(summary, null, 2)}\n`);
      return 0;
    };
    const onSignal = (sig: string) => {
      if (stopping) {
        process.stderr.write('second signal: exiting at once\n');
        process.exit(130);
      }
      stopping = finish(sig);
    };
    process.on('SIGINT', () => onSignal('SIGINT'));
    process.on('SIGTERM', () => onSignal('SIGTERM'));
    await a.startTrading();
    let recycler: CapitalRecycler | undefined;
    if (rc) {
      const key = process.env[rc.privateKeyEnv];
      if (rc.enabled && !key) a.logger.warn({ privateKeyEnv: rc.privateKeyEnv }, 'capital recycling off: the private key variable is not set');
      if (rc.enabled && key && a.venue && a.market) {
        recycler = new CapitalRecycler(a.engine, a.venue, a.market, a.clock, a.logger.child({ component: 'recycler' }), {
          rpcUrl: rc.rpcUrl, chainId: rc.chainId, ctf: rc.contract as `0x${string}`, collateral: rc.collateral as `0x${string}`, privateKey: key as `0x${string}`,
          minShares: parseMicros(rc.minShares, 'recycling.minShares'), keepShares: parseMicros(rc.keepShares, 'recycling.keepShares'), intervalMs: rc.intervalSeconds * 1000,
        });
        recycler.start();
        a.logger.info({ minShares: rc.minShares, keepShares: rc.keepShares, intervalSeconds: rc.intervalSeconds }, 'capital recycling on');
        stopRecycler = () => recycler?.stop() ?? Promise.resolve();
      }
    }
    process.stderr.write(`trading: ${a.strategies.map((s) => s.name).join(', ') || 'no strategy'} on ${(a.venue?.markets() ?? []).map((m) => shortToken(m.marketId)).join(', ')}\n`);
    if (duration !== undefined) {
      await new Promise((r) => setTimeout(r, duration * 1000));
      if (!stopping) stopping = finish(`--duration ${duration}s`);
    } else {
      await new Promise<void>((resolve) => {
        const keepAlive = setInterval(() => stopping && (clearInterval(keepAlive), resolve()), 200);
      });
    }
    return await stopping!;
  } catch (err) {
    await ops?.close().catch(() => undefined);
    await app?.dispose().catch(() => undefined);
    lock?.release();
    await stopSim();
    if (err instanceof PolyquoteError || err instanceof ConfigError) throw err;
    throw err;
  }
}

function compact(s: ReturnType<RunStats['summary']>) {
  const { tokens, ...rest } = s;
  return { ...rest, tokens: Object.fromEntries(Object.entries(tokens).map(([k, v]) => [shortToken(k), `${v.confirmed}/${v.effective} ${v.mode}`])) };
}

/** With the live view on the terminal, JSON logs go to data/polyquote.log beside the config. */
function logFile(baseDir: string) {
  const dir = path.join(baseDir, 'data');
  mkdirSync(dir, { recursive: true });
  return pino.destination({ dest: path.join(dir, 'polyquote.log'), sync: false, mkdir: true });
}
