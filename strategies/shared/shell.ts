/**
 * The stateful shells shared by the planning strategies, so that a strategy is a plan function plus
 * its config and copies no lifecycle code.
 *
 * `PlanningStrategy`: per token, compute a plan (synchronously, from the market view), gate it by
 * the rate budget and run it. One cycle per token at a time; an event arriving while a token's cycle
 * is in flight marks it dirty and it runs once more afterwards. Book, order and fill events re-plan
 * their token at once; ticks re-plan every token (ages, halts).
 *
 * `MarketStrategy` (on top): resolves the configured markets to the venue's tokens (waiting for the
 * ones the venue does not list yet, re-tried on every tick), reads per cycle what every plan needs
 * (live market metadata, the usable tick, the top of book, our open orders and what they hold) into
 * a `TokenView`, asks `planToken` for the token's order plan and gates it with the configured
 * reserve. `PlannedStrategy` is a `MarketStrategy` whose plan is a plain function.
 */
import type { Micros } from '../../core/amounts.ts';
import { eventTokenId, type SequencedEvent, type Side } from '../../core/events.ts';
import type { MarketView, OpenOrderView, Strategy, StrategyContext, TopOfBook } from '../../core/strategy/strategy.ts';
import type { MarketInfo } from '../../core/venue/venue.ts';
import { gatePlan, type Allowance, type GatedPlan } from './budget.ts';
import { isIdle, restingOf, type DiffPolicy, type OrderPlan, type Resting } from './diff.ts';
import { PlanExecutor } from './executor.ts';
import { countBack, floorSize, isUsableTick, scaledSize } from './grid.ts';
import { resolveMarkets, type MarketChoice } from './markets.ts';

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

/** What every market strategy is configured with (see shared/config.ts for the YAML side). */
export interface MarketStrategyOptions {
  readonly markets: readonly MarketChoice[];
  readonly diff: DiffPolicy;
  /** Rate budget left for risk-reducing cancels. */
  readonly reserve: Allowance;
}

/** One token as a plan sees it, read from the market view at the start of the cycle. */
export interface TokenView {
  readonly tokenId: string;
  readonly now: number;
  /** Market metadata, read live (reward minimum, tick); the one resolved at start if the venue dropped it. */
  readonly info: MarketInfo;
  /** The usable tick: the book's (it follows tick-size changes), else the market's. */
  readonly tick: Micros;
  readonly top: TopOfBook;
  /** Our open orders on the token, as the engine knows them. */
  readonly open: readonly OpenOrderView[];
  /** What those orders hold. */
  readonly resting: Resting;
  /** The whole read-only view, for anything else (position, decision, collateral, limit, cost). */
  readonly market: MarketView;
  /** gateway.sizeFor bound to this token. */
  sizeFor(side: Side, wanted: Micros): Micros;
  /** The configured replacement policy, for diffOrders / diffSide. */
  readonly policy: DiffPolicy;
}

/**
 * The size to quote on one side of a token, as a replacement of our resting orders of that side
 * would be sized: gateway.sizeFor, our resting orders counted back (capped at the multiplied size)
 * and bounded by what a fresh order could get once they are released (BUY: the limit less the
 * conservative exposure plus our resting BUYs; SELL: available-to-sell less SELLs being cancelled);
 * 0 below the market minimum. A resting order larger than this is replaced by the diff; one that
 * uses up the limit itself is kept. (Collateral is not counted: the executor re-asks sizeFor.)
 */
export function quoteSize(t: TokenView, side: Side, wanted: Micros): Micros {
  const m = t.market;
  const d = m.decision(t.tokenId);
  if (d.mode === 'halted' || !d.allowedSides.includes(side) || wanted <= 0n) return 0n;
  const p = m.position(t.tokenId);
  let size: Micros;
  if (side === 'BUY') {
    const limit = m.limit(t.tokenId);
    size = countBack(t.sizeFor('BUY', wanted), t.resting.buy, scaledSize(wanted, d.sizeMultiplier), limit === undefined ? undefined : limit - p.conservativeExposure + t.resting.buy);
  } else {
    const sellable = floorSize(p.availableToSell - t.resting.cancellingSell);
    const w = wanted < sellable ? wanted : sellable;
    if (w <= 0n) return 0n;
    const allowed = t.sizeFor('SELL', w);
    size = countBack(allowed < w ? allowed : w, t.resting.sell, scaledSize(w, d.sizeMultiplier));
  }
  return size > 0n && size >= t.info.minOrderSize ? size : 0n;
}

/** A token's plan (undefined: nothing to do this cycle, e.g. no usable data). */
export type TokenPlanner = (t: TokenView) => OrderPlan | undefined;

interface TokenSlot {
  info: MarketInfo;
  readonly sizeFor: (side: Side, wanted: Micros) => Micros;
}

export abstract class MarketStrategy extends PlanningStrategy {
  private readonly slots = new Map<string, TokenSlot>();
  private tokenList: string[] = [];
  private unresolved: MarketChoice[] = [];

  constructor(protected readonly options: MarketStrategyOptions) {
    super();
  }

  /** The order plan of one token, before the rate-budget gate. */
  protected abstract planToken(t: TokenView): OrderPlan | undefined;

  protected tokens(): readonly string[] {
    return this.tokenList;
  }

  protected tracks(tokenId: string): boolean {
    return this.slots.has(tokenId);
  }

  protected prepare(ctx: StrategyContext): void {
    this.slots.clear();
    this.tokenList = [];
    this.unresolved = [...this.options.markets];
    this.resolve(ctx);
  }

  protected override beforeTick(): void {
    if (this.unresolved.length > 0) this.resolve(this.ctx);
  }

  private resolve(ctx: StrategyContext): void {
    const { tokens, unresolved } = resolveMarkets(ctx.market.markets(), this.unresolved);
    for (const { tokenId, info } of tokens) {
      if (this.slots.has(tokenId)) continue;
      const gateway = ctx.gateway;
      this.slots.set(tokenId, { info, sizeFor: (side, wanted) => gateway.sizeFor(side, tokenId, wanted) });
      this.tokenList.push(tokenId);
    }
    if (unresolved.length > 0 && (unresolved.length !== this.unresolved.length || this.tokenList.length === 0)) {
      ctx.logger.warn({ waiting: unresolved.map((m) => m.marketId) }, 'configured markets not known to the venue yet');
    }
    this.unresolved = unresolved;
  }

  protected plan(tokenId: string, now: number, available: Allowance): { gated: GatedPlan; minSize: Micros } | undefined {
    const slot = this.slots.get(tokenId);
    if (!slot) return undefined;
    const market = this.ctx.market;
    const info = market.market(tokenId) ?? slot.info;
    slot.info = info;
    const top = market.top(tokenId);
    const tick = isUsableTick(top.tickSize) ? top.tickSize : info.tickSize;
    if (!isUsableTick(tick)) return undefined;
    const open = market.openOrders(tokenId);
    const plan = this.planToken({
      tokenId, now, info, tick, top, open, resting: restingOf(open), market, sizeFor: slot.sizeFor, policy: this.options.diff,
    });
    if (!plan) return undefined;
    return { gated: gatePlan(plan, available, this.options.reserve), minSize: info.minOrderSize };
  }
}

/** A market strategy whose plan is a plain function of the token view. */
export class PlannedStrategy extends MarketStrategy {
  constructor(readonly kind: string, options: MarketStrategyOptions, private readonly planner: TokenPlanner) {
    super(options);
  }

  protected planToken(t: TokenView): OrderPlan | undefined {
    return this.planner(t);
  }
}
