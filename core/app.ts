/**
 * The composition root: the only place that registers services. Each run (and each test) gets a
 * fresh child container; `dispose()` stops timers, sources and sinks, writes a last checkpoint and
 * closes the ledger.
 */
import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import type { Subscription } from 'rxjs';
import type { AlertSink } from './alerts.ts';
import { Bus } from './bus.ts';
import { RecoveringClock, SystemClock, type Clock, type TimerHandle } from './clock.ts';
import type { PluginConfig, PolyquoteConfig } from './config/schema.ts';
import { Engine, type EngineOptions } from './engine/engine.ts';
import { errorMessage, PolyquoteError } from './errors.ts';
import { InventoryManager } from './inventory/inventory-manager.ts';
import type { Reconciler } from './inventory/reconciler.ts';
import type { Ledger } from './ledger/ledger.ts';
import { createLogger, type Logger } from './logger.ts';
import { OrderTracker } from './orders/order-tracker.ts';
import type { PluginCategory, PluginContext } from './plugin.ts';
import { PnlTracker } from './pnl/pnl-tracker.ts';
import type { RiskPolicy } from './risk/policy.ts';
import { RiskEngine, type ShadowSet } from './risk/risk-engine.ts';
import type { PositionSource } from './sources/position-source.ts';
import { SourceRunner } from './sources/source-runner.ts';
import { recoverFromLedger, type RecoveryReport } from './engine/recovery.ts';
import { TOKENS } from './tokens.ts';
import { primarySourceKind } from './config/primary-source.ts';
import { PluginRegistry } from '../plugins/registry.ts';

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

export class App {
  readonly engine: Engine;
  readonly bus: Bus;
  readonly ledger: Ledger;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly source: PositionSource | undefined;
  private runner: SourceRunner | undefined;
  private readonly sinks: AlertSink[];
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
  }

  /** Builds the object graph from a validated config. Nothing runs until `start()`. */
  static create(config: PolyquoteConfig, opts: AppOptions = {}): App {
    const c = rootContainer.createChildContainer();
    const registry = opts.registry ?? new PluginRegistry();
    const clock = opts.clock ?? new RecoveringClock(new SystemClock());
    const logger = opts.logger ?? createLogger({ level: config.log.level });
    const build = pluginBuilder(registry, config, clock, logger);
    const limitsPolicy = (ps: RiskPolicy[]) => ps.find((p): p is RiskPolicy & { limitFor(t: string): bigint } => 'limitFor' in p);
    const policies = config.risk.policies.map((p, i) => build<RiskPolicy>('risk-policy', p, `risk.policies.${i}`));
    const shadows: ShadowSet[] = config.risk.shadow.map((s, j) => ({
      name: s.name, policies: s.policies.map((p, i) => build<RiskPolicy>('risk-policy', p, `risk.shadow.${j}.policies.${i}`)),
    }));
    const engineOptions: EngineOptions = {
      sizeMatchedGraceMs: config.engine.sizeMatchedGraceSeconds * 1000,
      limitFor: limitsPolicy(policies)?.limitFor,
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
    c.register(TOKENS.EngineOptions, { useValue: engineOptions });
    c.register(TOKENS.Ledger, { useValue: build<Ledger>('ledger', opts.ledger ?? config.ledger, 'ledger') });
    c.registerSingleton(TOKENS.InventoryManager, InventoryManager);
    c.registerSingleton(TOKENS.OrderTracker, OrderTracker);
    c.registerSingleton(TOKENS.RiskEngine, RiskEngine);
    c.registerSingleton(TOKENS.PnlTracker, PnlTracker);
    c.registerSingleton(TOKENS.Engine, Engine);
    c.register(TOKENS.AlertSinks, { useValue: config.alerts.map((a, i) => build<AlertSink>('alert-sink', a, `alerts.${i}`)) });
    if (config.positionSource && !opts.withoutSources) {
      c.register(TOKENS.PositionSource, { useValue: build<PositionSource>('position-source', config.positionSource, 'positionSource') });
    }
    return new App(config, c, opts);
  }

  /** Opens the ledger, recovers state from it, then starts sources, sinks and checkpoints. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const sink of this.sinks) {
      this.subs.push(this.bus.alerts$.subscribe((a) => {
        // A failing sink is contained here: it is logged, it never breaks the alert stream.
        Promise.resolve().then(() => sink.send(a)).catch((err) => this.logger.error({ sink: sink.kind, err: errorMessage(err) }, 'alert sink failed'));
      }));
    }
    const { lastSeq } = this.ledger.open();
    if (lastSeq > 0) {
      this.recovery = recoverFromLedger(this.engine, this.ledger, this.clock, this.logger);
    } else {
      this.engine.evaluateAll();
    }
    if (this.source) {
      this.runner = new SourceRunner({
        source: this.source, clock: this.clock, logger: this.logger.child({ component: 'source-runner' }),
        tokenIds: () => [...new Set([...this.config.tokens, ...this.engine.tokenIds()])],
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
    this.checkpointTimer?.cancel();
    this.runner?.stop();
    for (const s of this.subs) s.unsubscribe();
    await this.source?.dispose();
    for (const sink of this.sinks) await sink.dispose?.();
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
