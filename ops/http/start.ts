/** Wires metrics, the status feed and the HTTP server onto a running App: what the live bot calls. */
import type { App } from '../../app/app.ts';
import { appSource } from '../metrics/app-source.ts';
import { attachTradingMetrics, observeRefusals, type TradingSurface } from '../metrics/live-hooks.ts';
import { PolyquoteMetrics, type MetricsOptions } from '../metrics/metrics.ts';
import { startOpsServer, type OpsServer } from './server.ts';
import { StatusFeed } from './status.ts';

export interface OpsConfig extends MetricsOptions {
  readonly host?: string;
  readonly port?: number;
  readonly pushEveryMs?: number;
}

export interface RunningOps {
  readonly metrics: PolyquoteMetrics;
  readonly status: StatusFeed;
  readonly server: OpsServer;
  close(): Promise<void>;
}

/** The trading objects of an App as the scrape-time hooks read them (all optional: replay has none). */
export function tradingSurface(app: App): TradingSurface {
  return {
    now: () => app.clock.now(),
    venueHealth: () => app.venue?.health(),
    rateBudget: () => app.venue?.rateBudget(),
    openOrders: () => app.engine.orders.openOrders(),
    strategyStates: () => app.strategyStates(),
    components: () => app.health.all(),
  };
}

/** Call after `App.create` (before `startTrading`, so every refusal is counted); close before `app.dispose()`. */
export async function startOps(app: App, cfg: OpsConfig = {}): Promise<RunningOps> {
  const source = appSource(app);
  const metrics = new PolyquoteMetrics(source, cfg);
  metrics.instrumentLedger(app.ledger);
  const detachTrading = attachTradingMetrics(metrics, tradingSurface(app));
  const unobserve = app.gateway ? observeRefusals(app.gateway, metrics) : () => undefined;
  const status = new StatusFeed(source);
  try {
    const server = await startOpsServer({
      metrics, status, logger: app.logger.child({ component: 'ops-http' }),
      ...(cfg.host !== undefined && { host: cfg.host }), ...(cfg.port !== undefined && { port: cfg.port }), ...(cfg.pushEveryMs !== undefined && { pushEveryMs: cfg.pushEveryMs }),
    });
    return {
      metrics, status, server,
      close: async () => {
        await server.close();
        unobserve();
        detachTrading();
        status.dispose();
        metrics.dispose();
      },
    };
  } catch (err) {
    unobserve();
    detachTrading();
    status.dispose();
    metrics.dispose();
    throw err;
  }
}
