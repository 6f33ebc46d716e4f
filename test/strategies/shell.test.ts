/** quoteSize: the size a replacement of our resting orders of a side would get (shared/shell.ts). */
import { describe, expect, it } from 'vitest';
import { formatMicros } from '../../core/amounts.ts';
import type { PositionView } from '../../core/engine/views.ts';
import type { RiskDecision } from '../../core/risk/decision.ts';
import type { OpenOrderView } from '../../core/strategy/strategy.ts';
import { restingOf } from '../../strategies/shared/diff.ts';
import { quoteSize, type TokenView } from '../../strategies/shared/shell.ts';
import { harness, M, marketInfo, order, position, YES } from './doubles.ts';

function view(over: { position?: Partial<PositionView>; limit?: string; decision?: RiskDecision; open?: OpenOrderView[]; net?: boolean }): TokenView {
  const t = harness();
  t.market.positions.set(YES, position(YES, over.position));
  if (over.limit !== undefined) t.market.limits.set(YES, M(over.limit));
  if (over.decision) t.market.decisions.set(YES, over.decision);
  t.market.orders = over.open ?? [];
  t.gateway.sellsCountResting = over.net ?? false;
  const open = t.market.openOrders(YES);
  return {
    tokenId: YES, now: 0, info: marketInfo(), tick: M('0.01'), top: t.market.top(YES), open, resting: restingOf(open), market: t.market,
    sizeFor: (side, wanted) => t.gateway.sizeFor(side, YES, wanted), policy: { toleranceTicks: 1, maxAgeMs: 60_000, refillBelowPercent: 50 },
  };
}

const half: RiskDecision = { mode: 'degraded', reasons: ['X'], sizeMultiplier: 0.5, allowedSides: ['BUY', 'SELL'], extraTicks: 0 };
const buy10 = order({ orderId: 'b', side: 'BUY' });
const sell10 = order({ orderId: 's', side: 'SELL' });

describe('quoteSize', () => {
  it.each([
    { description: 'BUY, nothing resting, no limit', side: 'BUY' as const, v: {}, size: '10' },
    { description: 'BUY within the limit room', side: 'BUY' as const, v: { limit: '6' }, size: '6' },
    { description: 'BUY whose resting order uses up the limit itself: counted back', side: 'BUY' as const, v: { limit: '10', position: { pendingOrderBuys: M(10) }, open: [buy10] }, size: '10' },
    { description: 'BUY with exposure past the limit: only the room left once ours is released', side: 'BUY' as const, v: { limit: '15', position: { confirmed: M(8), pendingOrderBuys: M(10) }, open: [buy10] }, size: '7' },
    { description: 'BUY counted back but never above the multiplied size', side: 'BUY' as const, v: { decision: half, position: { pendingOrderBuys: M(10) }, open: [buy10] }, size: '5' },
    { description: 'SELL of what is available', side: 'SELL' as const, v: { position: { confirmed: M(7) } }, size: '7' },
    { description: 'SELL net of SELLs still being cancelled', side: 'SELL' as const, v: { position: { confirmed: M(12) }, open: [order({ orderId: 'c', side: 'SELL', originalSize: M(4), cancelRequestedAt: 1 })] }, size: '8' },
    { description: 'SELL whose resting order is netted out by the gateway: counted back', side: 'SELL' as const, v: { position: { confirmed: M(10) }, open: [sell10], net: true }, size: '10' },
    { description: 'SELL after available-to-sell shrank below the resting order', side: 'SELL' as const, v: { position: { confirmed: M(10), pendingSells: M(4) }, open: [sell10], net: true }, size: '6' },
    { description: 'under the market minimum: 0', side: 'SELL' as const, v: { position: { confirmed: M(4) } }, size: '0' },
    { description: 'side not allowed: 0', side: 'BUY' as const, v: { decision: { ...half, allowedSides: ['SELL'] } as RiskDecision }, size: '0' },
    { description: 'halted: 0', side: 'SELL' as const, v: { decision: { ...half, mode: 'halted' } as RiskDecision, position: { confirmed: M(10) } }, size: '0' },
  ])('$description', ({ side, v, size }) => {
    expect(formatMicros(quoteSize(view(v), side, M(10)))).toBe(size);
  });
});
