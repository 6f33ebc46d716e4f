/**
 * Alerting for the composition root: the dispatcher (bus alerts → sinks, contained, with health)
 * and the alert feed (the alerts the engine does not raise), built together from the engine's
 * read side. `start()` before the ledger is opened, `dispose()` where App disposes its sinks.
 */
import type { AlertSink } from '../../core/alerts.ts';
import type { Micros } from '../../core/amounts.ts';
import type { Bus } from '../../core/bus.ts';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type { VenueHealth } from '../../core/venue/venue.ts';
import { AlertDispatcher, type SinkHealth } from './alert-dispatcher.ts';
import { alertFeedConfigSchema, type AlertFeedConfig } from './alert-feed-config.ts';
import { AlertFeed, type DaySummaryNumbers } from './alert-feed.ts';
import type { AlertPositionNumbers } from './alert-types.ts';

export { AlertDispatcher, type AlertDispatcherOptions, type SinkHealth } from './alert-dispatcher.ts';
export { AlertFeed, type AlertFeedDeps, type DaySummaryNumbers } from './alert-feed.ts';
export { alertFeedConfigSchema, type AlertFeedConfig } from './alert-feed-config.ts';
export { formatAlert, packAlerts, alertToJson, shortTokenId } from './format.ts';
export type { DetailedAlert, AlertDetails, AlertPositionNumbers, ReportingAlertSink, SinkDeliveryHealth } from './alert-types.ts';

/** The engine's read side alerting needs (the Engine class satisfies it). */
export interface AlertingEngineView {
  position(tokenId: string): AlertPositionNumbers;
  tokenIds(): string[];
  readonly pnl: { view(tokenId: string): { readonly realized: Micros; readonly unrealized: Micros } };
}

export interface AlertingOptions {
  readonly bus: Bus;
  readonly sinks: readonly AlertSink[];
  readonly clock: Clock;
  readonly logger: Logger;
  readonly engine?: AlertingEngineView;
  /** The feed's config (root config `alertFeed:`); defaults apply when absent. */
  readonly feed?: AlertFeedConfig;
  /** false: only dispatch the bus's alerts (no fill/summary/storm feed). Default true. */
  readonly withFeed?: boolean;
  readonly venueHealth?: () => Pick<VenueHealth, 'heartbeatOk' | 'lastError'> | undefined;
  readonly market?: (tokenId: string) => string | undefined;
}

export interface Alerting {
  readonly dispatcher: AlertDispatcher;
  readonly feed: AlertFeed | undefined;
  start(): void;
  health(): SinkHealth[];
  dispose(): Promise<void>;
}

/** PnL summed over every token the engine knows. */
export function pnlSummary(engine: AlertingEngineView): DaySummaryNumbers {
  let realizedPnl = 0n;
  let unrealizedPnl = 0n;
  for (const t of engine.tokenIds()) {
    const v = engine.pnl.view(t);
    realizedPnl += v.realized;
    unrealizedPnl += v.unrealized;
  }
  return { realizedPnl, unrealizedPnl };
}

/** Builds the dispatcher and the feed; nothing runs until `start()`. */
export function createAlerting(o: AlertingOptions): Alerting {
  const engine = o.engine;
  // engine.position() starts tracking a token it does not know: look up known tokens only.
  const position = engine ? (t: string) => (engine.tokenIds().includes(t) ? engine.position(t) : undefined) : undefined;
  const dispatcher = new AlertDispatcher(o.bus, o.sinks, o.clock, o.logger.child({ component: 'alerts' }), {
    ...(position && { position }), ...(o.market && { market: o.market }),
  });
  const feed = o.withFeed === false ? undefined : new AlertFeed({
    bus: o.bus, clock: o.clock, logger: o.logger.child({ component: 'alert-feed' }), config: o.feed ?? alertFeedConfigSchema.parse({}),
    ...(position && { position }), ...(engine && { summary: () => pnlSummary(engine) }), ...(o.venueHealth && { venueHealth: o.venueHealth }),
  });
  return {
    dispatcher,
    feed,
    start() {
      dispatcher.start();
      feed?.start();
    },
    health: () => dispatcher.health(),
    async dispose() {
      feed?.stop();
      await dispatcher.dispose();
    },
  };
}
