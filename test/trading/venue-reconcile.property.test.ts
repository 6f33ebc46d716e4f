import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TERMINAL_ORDER_STATUSES, type FillStatus, type OrderStatus } from '../../core/events.ts';
import type { FillReport, OrderStatusReport } from '../../core/venue/venue.ts';
import { fillKeyOf, reconcile, type LocalOrder, type ReconcileInput } from '../../core/venue/reconcile.ts';

const ORDERS = ['o1', 'o2', 'o3', 'o4'];
const fillStatus = fc.constantFrom<FillStatus>('MATCHED', 'RETRYING', 'MINED', 'CONFIRMED', 'FAILED');
const openStatus = fc.constantFrom<OrderStatus>('LIVE', 'DELAYED');
const size = fc.integer({ min: 1, max: 10 }).map((n) => BigInt(n) * 1_000_000n);

const state = fc.record({
  open: fc.array(fc.record({ id: fc.constantFrom(...ORDERS), originalSize: size, matched: fc.integer({ min: 0, max: 3 }).map((n) => BigInt(n) * 1_000_000n), status: openStatus }), { maxLength: 4 }),
  closed: fc.array(fc.tuple(fc.constantFrom(...ORDERS), fc.constantFrom<OrderStatus>('CANCELED', 'MATCHED')), { maxLength: 2 }),
  seen: fc.array(fc.tuple(fc.constantFrom('t1', 't2', 't3'), fc.constantFrom(...ORDERS), fillStatus), { maxLength: 6 }),
  venueOpen: fc.array(fc.record({ id: fc.constantFrom(...ORDERS), originalSize: size, sizeMatched: fc.integer({ min: 0, max: 5 }).map((n) => BigInt(n) * 1_000_000n), status: openStatus }), { maxLength: 4 }),
  trades: fc.array(fc.record({ tradeId: fc.constantFrom('t1', 't2', 't3'), orderId: fc.constantFrom(...ORDERS), size, status: fillStatus }), { maxLength: 8 }),
});

type State = typeof state extends fc.Arbitrary<infer T> ? T : never;

function build(s: State): ReconcileInput {
  const closed = new Map(s.closed);
  const openOrders = new Map<string, LocalOrder>();
  for (const o of s.open) if (!closed.has(o.id)) openOrders.set(o.id, { tokenId: '1', side: 'BUY', originalSize: o.originalSize, matched: o.matched, status: o.status });
  const venueOpen = new Map<string, OrderStatusReport>();
  for (const v of s.venueOpen) venueOpen.set(v.id, { orderId: v.id, tokenId: '1', side: 'BUY', price: 500_000n, originalSize: v.originalSize, sizeMatched: v.sizeMatched, status: v.status });
  const venueTrades: FillReport[] = s.trades.map((t) => ({ ...t, tokenId: '1', side: 'BUY', price: 500_000n, role: 'MAKER' }));
  return { at: 1, openOrders, closedOrders: closed, seenFills: new Map(s.seen.map(([t, o, st]) => [`${t}:${o}`, st])), venueOpenOrders: [...venueOpen.values()], venueTrades };
}

/** What the engine does with the events, in the small: fills mark keys seen, orders open or close. */
function applied(input: ReconcileInput): ReconcileInput {
  const r = reconcile(input);
  const seen = new Map(input.seenFills);
  const open = new Map(input.openOrders);
  const closed = new Map(input.closedOrders);
  for (const e of r.events) {
    if (e.type === 'fill') seen.set(fillKeyOf({ tradeId: e.tradeId!, orderId: e.orderId }), e.status);
    else if (TERMINAL_ORDER_STATUSES.has(e.status)) { open.delete(e.orderId); closed.set(e.orderId, e.status); }
    else open.set(e.orderId, { tokenId: e.tokenId!, side: e.side!, originalSize: e.originalSize!, matched: e.sizeMatched!, status: e.status });
  }
  return { ...input, seenFills: seen, openOrders: open, closedOrders: closed };
}

describe('reconcile properties', () => {
  it('converges: once its events are applied, the same reports give no event and the same lookups', () => {
    fc.assert(fc.property(state, (s) => {
      const first = build(s);
      const r1 = reconcile(first);
      const r2 = reconcile(applied(first));
      expect(r2.events).toEqual([]);
      expect(r2.toLookUp.sort()).toEqual(r1.toLookUp.sort());
    }), { seed: 777, numRuns: 400 });
  });

  it('never emits an order event for an order closed here, and never books a fill key twice', () => {
    fc.assert(fc.property(state, (s) => {
      const input = build(s);
      const r = reconcile(input);
      for (const e of r.events) if (e.type === 'order') expect(input.closedOrders!.has(e.orderId)).toBe(false);
      const keys = r.events.filter((e) => e.type === 'fill').map((e) => fillKeyOf({ tradeId: e.tradeId!, orderId: e.orderId }));
      expect(new Set(keys).size).toBe(keys.length);
    }), { seed: 778, numRuns: 400 });
  });
});
