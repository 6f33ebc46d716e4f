/** Wires metrics, the status feed and the HTTP server onto a running App: what the live bot calls. */
import type { App } from '../../app/app.ts';
import { appSource } from '../metrics/app-source.ts';
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

/** Call after `App.create` (before or after `start`); close before `app.dispose()`. */
export async function startOps(app: App, cfg: OpsConfig = {}): Promise<RunningOps> {
  const source = appSource(app);
  const metrics = new PolyquoteMetrics(source, cfg);
  metrics.instrumentLedger(app.ledger);
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
        status.dispose();
        metrics.dispose();
      },
    };
  } catch (err) {
    status.dispose();
    metrics.dispose();
    throw err;
  }
}
