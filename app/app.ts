/**
 * The composition root: the only place that registers services. Each run (and each test) gets a
 * fresh child container; `dispose()` stops timers, sources and sinks, writes a last checkpoint and
 * closes the ledger.
 */
import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import type { Subscription } from 'rxjs';
import type { AlertSink } from '../core/alerts.ts';
import { Bus } from '../core/bus.ts';
import { RecoveringClock, SystemClock, type Clock, type TimerHandle } from '../core/clock.ts';
import type { PluginConfig, PolyquoteConfig } from '../core/config/schema.ts';
import { Engine, type EngineOptions } from '../core/engine/engine.ts';
import { errorMessage, PolyquoteError } from '../core/errors.ts';
import { InventoryManager } from '../core/inventory/inventory-manager.ts';
import type { Reconciler } from '../core/inventory/reconciler.ts';
import type { Ledger } from '../core/ledger/ledger.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { OrderTracker } from '../core/orders/order-tracker.ts';
import type { PluginCategory, PluginContext } from '../core/plugin.ts';
import { PnlTracker } from '../core/pnl/pnl-tracker.ts';
import type { RiskPolicy } from '../core/risk/policy.ts';
import { RiskEngine, type ShadowSet } from '../core/risk/risk-engine.ts';
import type { PositionSource } from '../core/sources/position-source.ts';
import { SourceRunner } from '../core/sources/source-runner.ts';
import { recoverFromLedger, type RecoveryReport } from '../core/engine/recovery.ts';
import { TOKENS } from '../core/tokens.ts';
import { primarySourceKind } from '../core/config/primary-source.ts';
import { HealthRegistry } from '../core/health.ts';
import { Gateway } from '../core/orders/gateway.ts';
import { EngineMarketView } from '../core/engine/market-view.ts';
import { StrategyRunner } from '../core/strategy/runner.ts';
import { VenueReconciler } from '../core/venue/venue-reconciler.ts';
import { createAlerting, type Alerting } from '../ops/alerts/index.ts';
import { alertFeedConfigSchema } from '../ops/alerts/alert-feed-config.ts';
import { ConfigError } from '../core/errors.ts';
import type { Strategy } from '../core/strategy/strategy.ts';
import type { Venue } from '../core/venue/venue.ts';
import type { AlertRaised, InboundEvent } from '../core/events.ts';
import { PluginRegistry } from '../plugins/registry.ts';
import { buildRiskVariants } from './risk-variants.ts';

export interface AppOptions {
  /** Live runs default to the system clock (wrapped for recovery); replay passes a VirtualClock. */
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly registry?: PluginRegistry;
  /** Replace the configured ledger (replay uses an in-memory one). */
  readonly ledger?: PluginConfig;
  /** Do not start position-source polling (replay, tools). */
  readonly withoutSources?: boolean;
  /** Tools that only look (sources compare): no checkpoint is written on dispose. */
  readonly readOnly?: boolean;
  /** Do not build the venue and strategies (replay, tools). */
  readonly withoutTrading?: boolean;
  /** Replace the configured venue (tests: a venue double implementing the contract). */
  readonly venue?: Venue;
  /** Gateway lookups of unknown outcomes (tests shorten them). */
  readonly lookupDelaysMs?: readonly number[];
}

export type PluginBuilder = <T>(category: PluginCategory, cfg: PluginConfig, configPath: string) => T;

/** Instantiates validated plugin configs, giving each its context (nested plugins included). */
export function pluginBuilder(registry: PluginRegistry, config: PolyquoteConfig, clock: Clock, logger: Logger): PluginBuilder {
  const build: PluginBuilder = <T>(category: PluginCategory, cfg: PluginConfig, configPath: string): T => {
    const def = registry.find(category, cfg.kind);
    if (!def) throw new PolyquoteError('PLUGIN_UNKNOWN', `expected a registered ${category} kind, got ${JSON.stringify(cfg.kind)} at ${configPath}`);
    const ctx: PluginContext = {
      clock, logger: logger.child({ plugin: `${category}/${cfg.kind}` }), configPath, identity: config.identity, baseDir: config.baseDir,
      createPlugin: (cat, conf, p) => build(cat, conf as PluginConfig, p),
    };
    return def.create(cfg, ctx) as T;
  };
  return build;
}

function parseAlertFeed(raw: Record<string, unknown>) {
  const r = alertFeedConfigSchema.safeParse(raw);
  if (!r.success) throw new ConfigError(r.error.issues.map((i) => ({ path: ['alertFeed', ...i.path].join('.'), message: i.message })));
  return r.data;
}

export { combinedLimits } from './risk-variants.ts';

export class App {
  readonly engine: Engine;
  readonly bus: Bus;
  readonly ledger: Ledger;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly source: PositionSource | undefined;
  readonly health = new HealthRegistry();
  readonly venue: Venue | undefined;
  readonly gateway: Gateway | undefined;
  readonly market: EngineMarketView | undefined;
  readonly strategies: readonly { name: string; strategy: Strategy }[];
  private strategyRunner: StrategyRunner | undefined;
  venueReconciler: VenueReconciler | undefined;
  private tradingStarted = false;
  private runner: SourceRunner | undefined;
  private readonly sinks: AlertSink[];
  alerting: Alerting | undefined;
  private readonly subs: Subscription[] = [];
  private checkpointTimer: TimerHandle | undefined;
  private started = false;
  /** start() completed (recovery included): only then may dispose() write a checkpoint. */
  private ready = false;
  private disposed = false;
  recovery: RecoveryReport | undefined;

  private constructor(readonly config: PolyquoteConfig, readonly container: DependencyContainer, private readonly opts: AppOptions) {
    this.clock = container.resolve<Clock>(TOKENS.Clock);
    this.logger = container.resolve<Logger>(TOKENS.Logger);
    this.bus = container.resolve<Bus>(TOKENS.Bus);
    this.ledger = container.resolve<Ledger>(TOKENS.Ledger);
    this.engine = container.resolve<Engine>(TOKENS.Engine);
    this.sinks = container.resolve<AlertSink[]>(TOKENS.AlertSinks);
    this.source = container.isRegistered(TOKENS.PositionSource) ? container.resolve<PositionSource>(TOKENS.PositionSource) : undefined;
    this.containFailures();
    const trading = opts.withoutTrading ? undefined : (opts.venue ?? (config.venue ? container.resolve<() => Venue>(TOKENS.VenueFactory)() : undefined));
    this.venue = trading;
    const strategies: { name: string; strategy: Strategy }[] = [];
    if (trading) {
      const alert = (a: Omit<AlertRaised, 'type' | 'at'>) => this.bus.publishAlert({ type: 'alert', at: this.clock.now(), ...a });
      this.gateway = new Gateway(this.engine, trading, this.clock, this.logger.child({ component: 'gateway' }), { alert, ...(opts.lookupDelaysMs && { lookupDelaysMs: opts.lookupDelaysMs }) });
      this.market = new EngineMarketView(this.engine, () => trading.markets(), container.resolve<EngineOptions>(TOKENS.EngineOptions).limitFor);
      if (config.strategy) strategies.push({ name: config.strategy.kind, strategy: container.resolve<() => Strategy>(TOKENS.StrategyFactory)() });
    }
    this.strategies = strategies;
  }

  /** A throwing timer or subscriber becomes an alert and a health state; the engine goes on. */
  private containFailures(): void {
    const report = (component: string) => (err: unknown) => {
      const message = errorMessage(err);
      this.logger.error({ component, err: message }, `${component} threw; contained`);
      this.health.set(component, 'failing', this.clock.now(), message);
      this.bus.publishAlert({ type: 'alert', at: this.clock.now(), severity: 'warning', code: component === 'timer' ? 'TIMER_FAILED' : 'SUBSCRIBER_FAILED', message: `a ${component} callback threw and was contained: ${message}` });
    };
    if ('onTimerError' in this.clock) (this.clock as { onTimerError: ((e: unknown) => void) | undefined }).onTimerError = report('timer');
    this.subs.push(this.bus.subscriberErrors$.subscribe(report('subscriber')));
  }

  /** The venue's sink: every inbound event through the engine; only the gateway writes submits and cancels. */
  private venueSink = (e: InboundEvent): void => {
    if (e.type === 'submit' || e.type === 'cancel') {
      this.logger.error({ type: e.type }, 'venue tried to write a submit or cancel event: refused (only the gateway writes them)');
      return;
    }
    this.engine.ingest(e);
  };

  /**
   * Connects the venue, waits for the first authoritative snapshot (so nothing is quoted on an
   * unknown inventory), then starts the strategies. Resolves once they are started.
   */
  async startTrading(opts: { snapshotTimeoutMs?: number } = {}): Promise<void> {
    if (!this.venue || !this.gateway || !this.market || this.tradingStarted) return;
    this.tradingStarted = true;
    await this.venue.connect(this.venueSink, {
      tokenIds: this.trackedTokens(),
      knownOrderIds: () => this.engine.orders.openOrders().map((o) => o.orderId),
      isOurOrder: (id) => this.engine.orders.get(id) !== undefined || this.engine.orders.isClosed(id),
    });
    // A/B: once the venue's markets are known, each token is evaluated with its market's variant.
    if (this.engine.risk.assignMarkets(this.venue.markets()).length) this.engine.evaluateAll();
    this.venueReconciler = new VenueReconciler(this.engine, this.venue, this.bus, this.clock, this.logger.child({ component: 'venue-reconciler' }), {
      everyMs: this.config.engine.venueReconcileSeconds * 1000,
    });
    // Start-up: what happened at the venue while we were away is ingested before the first quote.
    await this.venueReconciler.run('start-up');
    this.venueReconciler.start();
    await this.waitForSnapshot(opts.snapshotTimeoutMs ?? 30_000);
    this.strategyRunner = new StrategyRunner(this.bus, this.gateway, this.market, this.clock, this.logger.child({ component: 'strategies' }), this.health, {
      alert: (a) => this.bus.publishAlert({ type: 'alert', at: this.clock.now(), ...a }),
    });
    await this.strategyRunner.start(this.strategies);
  }

  /** Stops strategies, cancels every resting order and waits (bounded) for the venue to confirm. */
  async stopTrading(opts: { confirmTimeoutMs?: number } = {}): Promise<{ canceled: number; stillOpen: number }> {
    await this.strategyRunner?.stop();
    this.venueReconciler?.stop();
    await this.venueReconciler?.idle();
    if (!this.gateway || !this.venue) return { canceled: 0, stillOpen: 0 };
    let canceled = 0;
    try {
      const out = await this.gateway.cancelAll();
      canceled = out.canceled.length;
    } catch (err) {
      this.logger.error({ err: errorMessage(err) }, 'cancel-all on shutdown failed');
    }
    const deadline = this.clock.now() + (opts.confirmTimeoutMs ?? 5000);
    while (this.engine.orders.openOrders().length > 0 && this.clock.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await this.gateway.drain();
    return { canceled, stillOpen: this.engine.orders.openOrders().length };
  }

  strategyStates(): { name: string; state: string }[] {
    return this.strategyRunner?.states() ?? [];
  }

  private trackedTokens(): string[] {
    const fromVenue = this.venue?.markets().flatMap((m) => [...m.tokens]) ?? [];
    return [...new Set([...this.config.tokens, ...fromVenue, ...this.engine.tokenIds()])];
  }

  private waitForSnapshot(timeoutMs: number): Promise<void> {
    const ready = () => this.engine.sourceHealth.lastSuccessAt !== undefined && !this.engine.risk.global.reasons.includes('AWAITING_SNAPSHOT');
    if (ready() || !this.source) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        sub.unsubscribe();
        clearTimeout(timer);
        resolve();
      };
      const sub = this.bus.balances$.subscribe(() => queueMicrotask(() => ready() && done()));
      const timer = setTimeout(() => {
        this.logger.warn({ timeoutMs }, 'no authoritative snapshot yet: strategies start, the engine keeps them halted or limited until one arrives');
        done();
      }, timeoutMs);
      timer.unref?.();
    });
  }

  /** Builds the object graph from a validated config. Nothing runs until `start()`. */
  static create(config: PolyquoteConfig, opts: AppOptions = {}): App {
    const c = rootContainer.createChildContainer();
    const registry = opts.registry ?? new PluginRegistry();
    const clock = opts.clock ?? new RecoveringClock(new SystemClock());
    const logger = opts.logger ?? createLogger({ level: config.log.level });
    const build = pluginBuilder(registry, config, clock, logger);
    const policies = config.risk.policies.map((p, i) => build<RiskPolicy>('risk-policy', p, `risk.policies.${i}`));
    const shadows: ShadowSet[] = config.risk.shadow.map((s, j) => ({
      name: s.name, policies: s.policies.map((p, i) => build<RiskPolicy>('risk-policy', p, `risk.shadow.${j}.policies.${i}`)),
    }));
    const { variants, limitFor } = buildRiskVariants(config, build, policies);
    const engineOptions: EngineOptions = {
      sizeMatchedGraceMs: config.engine.sizeMatchedGraceSeconds * 1000, limitFor,
      primarySource: primarySourceKind(config.positionSource),
    };
    c.register(TOKENS.Config, { useValue: config });
    c.register(TOKENS.Clock, { useValue: clock });
    c.register(TOKENS.Logger, { useValue: logger });
    c.register(TOKENS.PluginRegistry, { useValue: registry });
    c.registerSingleton(TOKENS.Bus, Bus);
    c.register(TOKENS.Reconciler, { useValue: build<Reconciler>('reconciler', config.reconciler, 'reconciler') });
    c.register(TOKENS.DedupWindowMs, { useValue: config.engine.dedupWindowSeconds * 1000 });
    c.register(TOKENS.RiskPolicies, { useValue: policies });
    c.register(TOKENS.ShadowSets, { useValue: shadows });
    c.register(TOKENS.RiskVariants, { useValue: variants });
    c.register(TOKENS.EngineOptions, { useValue: engineOptions });
    c.register(TOKENS.Ledger, { useValue: build<Ledger>('ledger', opts.ledger ?? config.ledger, 'ledger') });
    c.registerSingleton(TOKENS.InventoryManager, InventoryManager);
    c.registerSingleton(TOKENS.OrderTracker, OrderTracker);
    c.registerSingleton(TOKENS.RiskEngine, RiskEngine);
    c.registerSingleton(TOKENS.PnlTracker, PnlTracker);
    c.registerSingleton(TOKENS.Engine, Engine);
    // Replays and tools never page anyone: only the log sinks of the config are built for them.
    const sinkConfigs = opts.withoutTrading && !opts.venue ? config.alerts.filter((a) => a.kind === 'log') : config.alerts;
    c.register(TOKENS.AlertSinks, { useValue: sinkConfigs.map((a) => build<AlertSink>('alert-sink', a, `alerts.${config.alerts.indexOf(a)}`)) });
    if (config.venue && !opts.withoutTrading && !opts.venue) {
      const venueCfg = config.venue;
      c.register(TOKENS.VenueFactory, { useValue: () => build<Venue>('venue', venueCfg, 'venue') });
    }
    if (config.strategy && !opts.withoutTrading) {
      const strategyCfg = config.strategy;
      c.register(TOKENS.StrategyFactory, { useValue: () => build<Strategy>('strategy', strategyCfg, 'strategy') });
    }
    if (config.positionSource && !opts.withoutSources) {
      c.register(TOKENS.PositionSource, { useValue: build<PositionSource>('position-source', config.positionSource, 'positionSource') });
    }
    return new App(config, c, opts);
  }

  /** Opens the ledger, recovers state from it, then starts sources, sinks and checkpoints. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    // Alert sinks behind one dispatcher: a failing sink is a health state and an alert on the others.
    this.alerting = createAlerting({
      bus: this.bus, sinks: this.sinks, clock: this.clock, logger: this.logger, engine: this.engine,
      withFeed: this.config.alertFeed !== undefined, ...(this.config.alertFeed && { feed: parseAlertFeed(this.config.alertFeed) }),
      ...(this.venue && { venueHealth: () => this.venue!.health() }),
    });
    this.alerting.start();
    const { lastSeq } = this.ledger.open();
    if (lastSeq > 0) {
      this.recovery = recoverFromLedger(this.engine, this.ledger, this.clock, this.logger);
    } else {
      this.engine.evaluateAll();
    }
    if (this.source) {
      this.runner = new SourceRunner({
        source: this.source, clock: this.clock, logger: this.logger.child({ component: 'source-runner' }),
        tokenIds: () => this.trackedTokens(),
        sink: (e) => {
          this.engine.ingest(e);
          if (this.runner) this.bus.publishSourceHealth(this.runner.health());
        },
      });
      this.subs.push(this.bus.snapshotRequests$.subscribe((reason) => this.runner?.requestSnapshot(reason)));
      this.runner.start();
      if (lastSeq > 0) this.runner.requestSnapshot('restart: reconcile before quoting');
    }
    this.checkpointTimer = this.clock.every(this.config.engine.checkpointEverySeconds * 1000, () => this.checkpoint());
    this.ready = true;
  }

  /** Flushes the ledger and writes a checkpoint of the current state. */
  checkpoint(): void {
    if (this.engine.ledgerFailure) return;
    try {
      this.ledger.flush();
      this.ledger.writeCheckpoint({ seq: this.engine.lastSeq, at: this.clock.now(), state: this.engine.exportState() });
    } catch (err) {
      this.logger.error({ err: errorMessage(err) }, 'checkpoint failed');
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.strategyRunner?.stop();
    this.venueReconciler?.stop();
    await this.gateway?.drain();
    await this.venue?.dispose();
    this.checkpointTimer?.cancel();
    this.runner?.stop();
    for (const s of this.subs) s.unsubscribe();
    await this.source?.dispose();
    await this.alerting?.dispose();
    if (this.ready && this.engine.lastSeq > 0 && !this.opts.readOnly) this.checkpoint();
    this.engine.dispose();
    try {
      this.ledger.close();
    } catch (err) {
      this.logger.error({ err: errorMessage(err) }, 'ledger close failed');
    }
    this.bus.complete();
    this.container.clearInstances();
  }
}
