/** Builds a real App (memory ledger, VirtualClock, memory logger) and feeds it events in shares. */
import { parseMicros, type Micros } from '../../core/amounts.ts';
import { App } from '../../app/app.ts';
import { VirtualClock } from '../../core/clock.ts';
import { parseConfig } from '../../core/config/load.ts';
import type { AlertRaised, FillStatus, OrderStatus, Side, SourceKindName } from '../../core/events.ts';
import { createMemoryLogger } from '../../core/logger.ts';
import { PluginRegistry } from '../../plugins/registry.ts';

export const YES = '1001';
export const NO = '1002';

/** Shares (decimal string or number) → micros. */
export const sh = (v: string | number): Micros => parseMicros(typeof v === 'number' ? v : v, 'test');

export const START = Date.parse('2026-01-01T00:00:00.000Z');

/** A config with every built-in risk policy; pieces can be replaced. */
export function configYaml(opts: { policies?: string; shadow?: string; reconciler?: string } = {}): string {
  return [
    `reconciler: ${opts.reconciler ?? '{ kind: oldest-first, pendingFillTtlSeconds: 120, toleranceShares: 0.01 }'}`,
    'risk:',
    '  policies:',
    opts.policies ??
      [
        '    - { kind: conservative-limits, maxPositionShares: 100 }',
        '    - { kind: degrade, thresholdShares: 25, forSeconds: 30, sizeMultiplier: 0.5, extraTicks: 1 }',
        '    - { kind: hard-halt, sourceUnavailableSeconds: 300 }',
      ].join('\n'),
    ...(opts.shadow ? ['  shadow:', opts.shadow] : []),
    'alerts: []',
    'ledger: { kind: memory }',
    'log: { level: silent }',
  ].join('\n');
}

export interface FillInput {
  tradeId?: string;
  orderId?: string;
  token?: string;
  side: Side;
  size: string | number;
  price?: string | number;
  status?: FillStatus;
}

export type Harness = Awaited<ReturnType<typeof startApp>>;

/** Starts an app on a virtual clock at START; events are stamped with the clock's time. */
export async function startApp(yaml: string = configYaml(), opts: { logLevel?: Parameters<typeof createMemoryLogger>[0] } = {}) {
  const config = parseConfig(yaml, new PluginRegistry());
  const clock = new VirtualClock(START);
  const mem = createMemoryLogger(opts.logLevel ?? 'debug');
  const app = App.create(config, { clock, ledger: { kind: 'memory' }, withoutSources: true, logger: mem.logger });
  const alerts: AlertRaised[] = [];
  const snapshotRequests: string[] = [];
  app.bus.alerts$.subscribe((a) => alerts.push(a));
  app.bus.snapshotRequests$.subscribe((r) => snapshotRequests.push(r));
  await app.start();
  const engine = app.engine;
  const now = () => clock.now();
  const h = {
    app,
    engine,
    clock,
    alerts,
    snapshotRequests,
    /** Parsed log lines so far. */
    logs: () => mem.lines(),
    /** Log lines whose message contains `text`. */
    logsMatching: (text: string) => mem.lines().filter((l) => String(l.msg).includes(text)),
    advance: (ms: number) => clock.advanceBy(ms),
    fill(f: FillInput) {
      return engine.ingest({
        type: 'fill', at: now(), tokenId: f.token ?? YES, side: f.side, size: sh(f.size), price: sh(f.price ?? '0.5'), status: f.status ?? 'MATCHED',
        ...(f.tradeId !== undefined && { tradeId: f.tradeId }), ...(f.orderId !== undefined && { orderId: f.orderId }),
      });
    },
    snapshot(balances: Record<string, string | number>, opts: { block?: number; degraded?: boolean; source?: SourceKindName } = {}) {
      return engine.ingest({
        type: 'balance', at: now(), source: opts.source ?? 'chain', balances: new Map(Object.entries(balances).map(([k, v]) => [k, sh(v)])),
        ...(opts.block !== undefined && { block: BigInt(opts.block) }), ...(opts.degraded !== undefined && { degraded: opts.degraded }),
      });
    },
    submit(orderId: string, side: Side, size: string | number, token = YES, price: string | number = '0.5') {
      return engine.ingest({ type: 'submit', at: now(), orderId, tokenId: token, side, size: sh(size), price: sh(price) });
    },
    cancel(orderId: string) {
      return engine.ingest({ type: 'cancel', at: now(), orderId });
    },
    order(orderId: string, status: OrderStatus, opts: { sizeMatched?: string | number; originalSize?: string | number; token?: string; side?: Side } = {}) {
      return engine.ingest({
        type: 'order', at: now(), orderId, status,
        ...(opts.sizeMatched !== undefined && { sizeMatched: sh(opts.sizeMatched) }),
        ...(opts.originalSize !== undefined && { originalSize: sh(opts.originalSize) }),
        ...(opts.token !== undefined && { tokenId: opts.token }), ...(opts.side !== undefined && { side: opts.side }),
      });
    },
    sourceError(error = 'timeout', source = 'chain') {
      return engine.ingest({ type: 'source_error', at: now(), source, error });
    },
    connection(state: 'connected' | 'disconnected', channel: 'user' | 'market' = 'user') {
      return engine.ingest({ type: 'connection', at: now(), channel, state });
    },
    gap(channel: 'user' | 'market' = 'user') {
      return engine.ingest({ type: 'gap', at: now(), channel, reason: 'test gap' });
    },
    pos: (token = YES) => engine.position(token),
    keys: (token = YES) => engine.position(token).pendingFills.map((f) => f.key),
    dispose: () => app.dispose(),
  };
  return h;
}
