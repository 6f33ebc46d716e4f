/**
 * Runs strategies: starts them with their context, hands them every engine event in ledger order
 * and a periodic tick. A strategy that throws is stopped, its orders are cancelled, and it becomes
 * an alert and a health state; the engine and the other strategies go on.
 */
import type { Subscription } from 'rxjs';
import type { Bus } from '../bus.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import { errorMessage } from '../errors.ts';
import type { AlertRaised } from '../events.ts';
import type { HealthRegistry } from '../health.ts';
import type { Logger } from '../logger.ts';
import type { Gateway } from '../orders/gateway.ts';
import type { MarketView, OrderGateway, Strategy } from './strategy.ts';

export interface StrategyRunnerOptions {
  readonly tickMs?: number;
  readonly alert: (a: Omit<AlertRaised, 'type' | 'at'>) => void;
}

interface Running {
  readonly name: string;
  readonly strategy: Strategy;
  state: 'starting' | 'running' | 'stopped' | 'failed';
}

export class StrategyRunner {
  private readonly running: Running[] = [];
  private sub: Subscription | undefined;
  private ticker: TimerHandle | undefined;

  constructor(
    private readonly bus: Bus,
    private readonly gateway: Gateway,
    private readonly market: MarketView,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly health: HealthRegistry,
    private readonly options: StrategyRunnerOptions,
  ) {}

  /** Starts each strategy (after recovery and the first fresh snapshot). */
  async start(strategies: readonly { name: string; strategy: Strategy }[]): Promise<void> {
    for (const { name, strategy } of strategies) {
      const r: Running = { name, strategy, state: 'starting' };
      this.running.push(r);
      const gateway = this.scopedGateway(name);
      try {
        await strategy.start({ clock: this.clock, logger: this.logger.child({ strategy: name }), gateway, market: this.market, name });
        r.state = 'running';
        this.health.set(`strategy:${name}`, 'ok', this.clock.now());
      } catch (err) {
        await this.fail(r, err);
      }
    }
    this.sub = this.bus.events$.subscribe((e) => {
      for (const r of this.running) {
        if (r.state !== 'running' || !r.strategy.onEvent) continue;
        try {
          r.strategy.onEvent(e);
        } catch (err) {
          void this.fail(r, err);
        }
      }
    });
    this.ticker = this.clock.every(this.options.tickMs ?? 1000, () => this.tick());
  }

  /** Names and states, for status pages and tests. */
  states(): { name: string; state: Running['state'] }[] {
    return this.running.map((r) => ({ name: r.name, state: r.state }));
  }

  tick(): void {
    const now = this.clock.now();
    for (const r of this.running) {
      if (r.state !== 'running' || !r.strategy.onTick) continue;
      try {
        r.strategy.onTick(now);
      } catch (err) {
        void this.fail(r, err);
      }
    }
  }

  /** Stops every strategy (shutdown); the caller cancels resting orders. */
  async stop(): Promise<void> {
    this.ticker?.cancel();
    this.sub?.unsubscribe();
    for (const r of this.running) {
      if (r.state !== 'running') continue;
      r.state = 'stopped';
      try {
        await r.strategy.stop();
      } catch (err) {
        this.logger.error({ strategy: r.name, err: errorMessage(err) }, 'strategy failed while stopping');
      }
      this.health.set(`strategy:${r.name}`, 'stopped', this.clock.now());
    }
  }

  private async fail(r: Running, err: unknown): Promise<void> {
    if (r.state === 'failed') return;
    r.state = 'failed';
    const message = errorMessage(err);
    this.logger.error({ strategy: r.name, err: message }, 'strategy failed: stopped, its orders are being cancelled');
    this.health.set(`strategy:${r.name}`, 'failing', this.clock.now(), message);
    this.options.alert({ severity: 'critical', code: 'STRATEGY_FAILED', message: `strategy ${r.name} threw (${message}): stopped and its orders cancelled; the engine goes on` });
    try {
      await r.strategy.stop();
    } catch {
      // Already failed; its stop() failing changes nothing.
    }
    try {
      await this.gateway.cancelAll(r.name);
    } catch (e) {
      this.logger.error({ strategy: r.name, err: errorMessage(e) }, "cancelling a failed strategy's orders failed");
    }
  }

  /** The gateway as one strategy sees it: its orders carry its name, and a failed strategy can send nothing. */
  private scopedGateway(name: string): OrderGateway {
    const g = this.gateway;
    const alive = () => this.running.find((r) => r.name === name)?.state !== 'failed';
    return {
      submit: (intent) => (alive() ? g.submit({ ...intent, origin: name }) : Promise.resolve({ kind: 'refused', code: 'STRATEGY_STOPPED', reason: `strategy ${name} was stopped` })),
      cancel: (ids) => g.cancel(ids),
      cancelAll: () => g.cancelAll(name),
      sizeFor: (side, tokenId, wanted, price) => g.sizeFor(side, tokenId, wanted, price),
      rateBudget: () => g.rateBudget(),
    };
  }
}
