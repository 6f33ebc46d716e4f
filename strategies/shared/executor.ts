/**
 * Carries a gated plan out through the gateway: cancels first (awaited), then the new quotes, each
 * re-sized with gateway.sizeFor at the moment it is sent. A replacement whose old order the venue
 * did not confirm cancelled is not placed (it may still rest: no double exposure). Requests in
 * flight are counted against the rate budget until they settle.
 */
import type { Micros } from '../../core/amounts.ts';
import { errorMessage } from '../../core/errors.ts';
import type { StrategyContext } from '../../core/strategy/strategy.ts';
import { allowance, type Allowance } from './budget.ts';
import type { OrderPlan, SidePlan } from './diff.ts';

export interface ExecutionResult {
  readonly cancelled: number;
  readonly submitted: number;
  readonly refused: number;
  readonly skipped: number;
}

export class PlanExecutor {
  private inflightOrders = 0;
  private inflightCancels = 0;

  /** `stopped` is asked before each submit: nothing new is placed once the strategy is stopping. */
  constructor(private readonly ctx: StrategyContext, private readonly stopped: () => boolean = () => false) {}

  /** What the rate budget leaves, less what we have in flight. */
  allowance(): Allowance {
    return allowance(this.ctx.gateway.rateBudget(), { orders: this.inflightOrders, cancels: this.inflightCancels });
  }

  /** Runs a plan. The cost is counted in flight synchronously, before the first await. */
  async run(plan: OrderPlan, minSize: Micros): Promise<ExecutionResult> {
    const { gateway, logger } = this.ctx;
    const ids = [...plan.buy.cancel, ...plan.sell.cancel];
    const places = [plan.buy, plan.sell].filter((s): s is SidePlan & { place: NonNullable<SidePlan['place']> } => s.place !== undefined);
    this.inflightCancels += ids.length;
    this.inflightOrders += places.length;
    let cancelled = 0;
    let submitted = 0;
    let refused = 0;
    let skipped = 0;
    const notCancelled = new Set<string>();
    {
      if (ids.length > 0) {
        try {
          const out = await gateway.cancel(ids);
          cancelled = out.canceled.length;
          for (const id of ids) if (!out.canceled.includes(id)) notCancelled.add(id);
          if (Object.keys(out.notCanceled).length > 0) logger.debug({ token: plan.tokenId, notCanceled: out.notCanceled }, 'cancel not confirmed');
        } catch (err) {
          for (const id of ids) notCancelled.add(id);
          logger.warn({ token: plan.tokenId, err: errorMessage(err) }, 'cancel failed');
        } finally {
          this.inflightCancels -= ids.length;
        }
      }
      await Promise.all(places.map(async (s) => {
        try {
          if (this.stopped() || s.cancel.some((id) => notCancelled.has(id))) {
            skipped++;
            return;
          }
          const q = s.place;
          // Re-asked with the pre-multiplier request: fills may have landed while the cancels ran.
          const allowed = gateway.sizeFor(q.side, plan.tokenId, q.wanted ?? q.size);
          const size = allowed < q.size ? allowed : q.size;
          if (size <= 0n || size < minSize) {
            skipped++;
            return;
          }
          const r = await gateway.submit({
            tokenId: plan.tokenId, side: q.side, price: q.price, size, orderType: 'GTC', postOnly: true, origin: this.ctx.name,
          });
          if (r.kind === 'submitted') submitted++;
          else {
            refused++;
            logger.debug({ token: plan.tokenId, side: q.side, code: r.code, reason: r.reason }, 'submit refused');
          }
        } catch (err) {
          refused++;
          logger.warn({ token: plan.tokenId, side: s.side, err: errorMessage(err) }, 'submit failed');
        } finally {
          this.inflightOrders -= 1;
        }
      }));
    }
    return { cancelled, submitted, refused, skipped };
  }
}
