/**
 * The stateful shell shared by the planning strategies: per token, compute a plan (synchronously,
 * from the market view), gate it by the rate budget and run it. One cycle per token at a time; an
 * event arriving while a token's cycle is in flight marks it dirty and it runs once more afterwards.
 * Book, order and fill events re-plan their token at once; ticks re-plan every token (ages, halts).
 */
import type { Micros } from '../../core/amounts.ts';
import { eventTokenId, type SequencedEvent } from '../../core/events.ts';
import type { Strategy, StrategyContext } from '../../core/strategy/strategy.ts';
import type { Allowance, GatedPlan } from './budget.ts';
import { isIdle } from './diff.ts';
import { PlanExecutor } from './executor.ts';

const REPLAN_ON: ReadonlySet<string> = new Set(['book', 'book_delta', 'order', 'fill', 'balance']);

export abstract class PlanningStrategy implements Strategy {
  abstract readonly kind: string;
  private context: StrategyContext | undefined;
  private executor: PlanExecutor | undefined;
  private readonly busy = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly running = new Set<Promise<unknown>>();
  private stopped = false;
  /** An error thrown by a re-plan that ran after an await: rethrown to the runner on its next call. */
  private failure: unknown;

  protected get ctx(): StrategyContext {
    if (!this.context) throw new Error(`${this.kind}: used before start()`);
    return this.context;
  }

  /** Tokens worked on now. */
  protected abstract tokens(): readonly string[];
  /** Whether a token is one of ours. */
  protected abstract tracks(tokenId: string): boolean;
  /** Called once at start, before the first cycle. */
  protected abstract prepare(ctx: StrategyContext): void;
  /** The gated plan of one token (undefined: nothing to do), with the minimum order size to send. */
  protected abstract plan(tokenId: string, now: number, available: Allowance): { gated: GatedPlan; minSize: Micros } | undefined;
  /** Called on every tick before the cycles (e.g. to resolve markets that were not known yet). */
  protected beforeTick(_now: number): void {}

  start(ctx: StrategyContext): void {
    this.context = ctx;
    this.executor = new PlanExecutor(ctx, () => this.stopped);
    this.stopped = false;
    this.prepare(ctx);
    const now = ctx.clock.now();
    for (const t of this.tokens()) this.cycle(t, now);
  }

  onEvent(se: SequencedEvent): void {
    this.rethrow();
    if (this.stopped || !this.context || !REPLAN_ON.has(se.event.type)) return;
    const now = this.ctx.clock.now();
    const token = eventTokenId(se.event);
    if (token !== undefined) {
      if (this.tracks(token)) this.cycle(token, now);
    } else if (se.event.type === 'balance') {
      for (const t of this.tokens()) if (se.event.balances.has(t)) this.cycle(t, now);
    }
  }

  onTick(now: number): void {
    this.rethrow();
    if (this.stopped || !this.context) return;
    this.beforeTick(now);
    for (const t of this.tokens()) this.cycle(t, now);
  }

  /** Stops planning; resolves once the cycles in flight are done (none submits after this). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.dirty.clear();
    await this.settled();
  }

  /** Settles once every cycle in flight has finished (tests, orderly shutdown). */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  private rethrow(): void {
    if (this.failure === undefined) return;
    const err = this.failure;
    this.failure = undefined;
    throw err;
  }

  private cycle(tokenId: string, now: number): void {
    if (this.stopped) return;
    if (this.busy.has(tokenId)) {
      this.dirty.add(tokenId);
      return;
    }
    const executor = this.executor!;
    const planned = this.plan(tokenId, now, executor.allowance());
    if (!planned || isIdle(planned.gated.plan)) return;
    this.busy.add(tokenId);
    const p = executor.run(planned.gated.plan, planned.minSize).finally(() => {
      this.busy.delete(tokenId);
      this.running.delete(p);
      if (this.dirty.delete(tokenId) && !this.stopped) {
        try {
          this.cycle(tokenId, this.ctx.clock.now());
        } catch (err) {
          this.failure ??= err;
          this.ctx.logger.error({ token: tokenId, err: String(err) }, 'strategy failed while re-planning');
        }
      }
    });
    this.running.add(p);
  }
}
