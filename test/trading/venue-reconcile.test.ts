import { describe, expect, it } from 'vitest';
import type { FillReported, FillStatus, OrderStatus, OrderUpdated } from '../../core/events.ts';
import type { FillReport, OrderStatusReport } from '../../core/venue/venue.ts';
import {
  fillKeyOf, fillStatusMovesForward, reconcile, screenFeedEvent, type KnownOrder, type LocalOrder, type ReconcileInput,
} from '../../core/venue/reconcile.ts';

const AT = 5_000;
const TOK = '1001';
const local = (over: Partial<LocalOrder> = {}): LocalOrder => ({ tokenId: TOK, side: 'BUY', originalSize: 10_000_000n, matched: 0n, status: 'LIVE', ...over });
const report = (orderId: string, over: Partial<OrderStatusReport> = {}): OrderStatusReport => ({
  orderId, tokenId: TOK, side: 'BUY', price: 500_000n, originalSize: 10_000_000n, sizeMatched: 0n, status: 'LIVE', ...over,
});
const trade = (tradeId: string, orderId: string, over: Partial<FillReport> = {}): FillReport => ({
  tradeId, orderId, tokenId: TOK, side: 'BUY', size: 4_000_000n, price: 500_000n, status: 'MATCHED', role: 'MAKER', ...over,
});
const input = (over: Partial<ReconcileInput>): ReconcileInput => ({ at: AT, openOrders: new Map(), seenFills: new Map(), venueOpenOrders: [], venueTrades: [], ...over });

type Row = {
  description: string;
  in: Partial<ReconcileInput>;
  /** Compact expectations: 'fill <key> <status>' and 'order <id> <status> <sizeMatched?>'. */
  events: string[];
  toLookUp: string[];
  evidence: string[];
};
const compact = (e: FillReported | OrderUpdated) => (e.type === 'fill' ? `fill ${fillKeyOf({ tradeId: e.tradeId!, orderId: e.orderId })} ${e.status}` : `order ${e.orderId} ${e.status} ${e.sizeMatched ?? '-'}`);

describe('reconcile: feed state against REST reports', () => {
  const rows: Row[] = [
    { description: 'everything agrees: nothing to do', in: { openOrders: new Map([['o1', local()]]), venueOpenOrders: [report('o1')], seenFills: new Map([['t1:o1', 'MATCHED']]), venueTrades: [trade('t1', 'o1')] }, events: [], toLookUp: [], evidence: [] },
    { description: 'a fill we never saw becomes a fill', in: { openOrders: new Map([['o1', local({ matched: 0n })]]), venueOpenOrders: [report('o1', { sizeMatched: 4_000_000n })], venueTrades: [trade('t1', 'o1')] }, events: ['fill t1:o1 MATCHED', 'order o1 LIVE 4000000'], toLookUp: [], evidence: ['missed_fill', 'size_matched_moved'] },
    { description: 'a known fill whose status moved forward is re-sent with the new status', in: { seenFills: new Map([['t1:o1', 'MATCHED']]), venueTrades: [trade('t1', 'o1', { status: 'CONFIRMED' })] }, events: ['fill t1:o1 CONFIRMED'], toLookUp: [], evidence: ['fill_status_moved'] },
    { description: 'a stale REST status never moves a fill back', in: { seenFills: new Map([['t1:o1', 'MINED']]), venueTrades: [trade('t1', 'o1', { status: 'MATCHED' })] }, events: [], toLookUp: [], evidence: [] },
    { description: 'a terminal fill is never changed; a contradiction is evidence', in: { seenFills: new Map([['t1:o1', 'CONFIRMED']]), venueTrades: [trade('t1', 'o1', { status: 'FAILED' })] }, events: [], toLookUp: [], evidence: ['fill_status_conflict'] },
    { description: 'FAILED after RETRYING moves forward', in: { seenFills: new Map([['t1:o1', 'RETRYING']]), venueTrades: [trade('t1', 'o1', { status: 'FAILED' })] }, events: ['fill t1:o1 FAILED'], toLookUp: [], evidence: ['fill_status_moved'] },
    { description: 'the same trade twice in the REST pages counts once, most advanced status', in: { venueTrades: [trade('t1', 'o1'), trade('t1', 'o1', { status: 'MINED' }), trade('t1', 'o1')], closedOrders: new Map([['o1', 'MATCHED']]) }, events: ['fill t1:o1 MINED'], toLookUp: [], evidence: ['missed_fill', 'late_trade_after_terminal'] },
    { description: 'two of our orders in one trade are two fills', in: { openOrders: new Map([['o1', local()], ['o2', local()]]), venueOpenOrders: [report('o1'), report('o2')], seenFills: new Map([['t1:o1', 'MATCHED']]), venueTrades: [trade('t1', 'o1'), trade('t1', 'o2')] }, events: ['fill t1:o2 MATCHED'], toLookUp: [], evidence: ['missed_fill'] },
    { description: 'open here, gone at the venue, trades fill it: MATCHED', in: { openOrders: new Map([['o1', local({ matched: 4_000_000n })]]), seenFills: new Map([['t1:o1', 'MATCHED']]), venueTrades: [trade('t1', 'o1'), trade('t2', 'o1', { size: 6_000_000n })] }, events: ['fill t2:o1 MATCHED', 'order o1 MATCHED 10000000'], toLookUp: [], evidence: ['missed_fill', 'missed_order_update'] },
    { description: 'open here, gone at the venue, trades do not explain it: look it up', in: { openOrders: new Map([['o1', local()]]), seenFills: new Map([['t1:o1', 'MATCHED']]), venueTrades: [trade('t1', 'o1')] }, events: [], toLookUp: ['o1'], evidence: ['open_order_missing'] },
    { description: 'a FAILED trade does not count toward filling an order', in: { openOrders: new Map([['o1', local({ originalSize: 4_000_000n })]]), seenFills: new Map([['t1:o1', 'FAILED']]), venueTrades: [trade('t1', 'o1', { status: 'FAILED' })] }, events: [], toLookUp: ['o1'], evidence: ['open_order_missing'] },
    { description: 'an open venue order unknown here is adopted', in: { venueOpenOrders: [report('o9', { sizeMatched: 1_000_000n })] }, events: ['order o9 LIVE 1000000'], toLookUp: [], evidence: ['adopted_open_order'] },
    { description: 'a venue open order we closed is not reopened, only looked up', in: { closedOrders: new Map<string, OrderStatus>([['o1', 'CANCELED']]), venueOpenOrders: [report('o1')] }, events: [], toLookUp: ['o1'], evidence: ['closed_order_reported_open'] },
    { description: 'a trade after the order was canceled books the fill, makes no order event', in: { closedOrders: new Map<string, OrderStatus>([['o1', 'CANCELED']]), venueTrades: [trade('t1', 'o1')] }, events: ['fill t1:o1 MATCHED'], toLookUp: [], evidence: ['missed_fill', 'late_trade_after_terminal'] },
    { description: 'a trade for an order known nowhere is booked and flagged', in: { venueTrades: [trade('t1', 'oX', { role: 'TAKER' })] }, events: ['fill t1:oX MATCHED'], toLookUp: [], evidence: ['missed_fill', 'fill_for_unknown_order'] },
    { description: 'a status change at the venue (DELAYED → LIVE) is an order event', in: { openOrders: new Map([['o1', local({ status: 'DELAYED' })]]), venueOpenOrders: [report('o1')] }, events: ['order o1 LIVE 0'], toLookUp: [], evidence: ['missed_order_update'] },
    { description: 'a venue behind us on size matched changes nothing', in: { openOrders: new Map([['o1', local({ matched: 4_000_000n })]]), venueOpenOrders: [report('o1')] }, events: [], toLookUp: [], evidence: [] },
  ];
  it.each(rows)('$description', (row) => {
    const r = reconcile(input(row.in));
    expect(r.events.map(compact)).toEqual(row.events);
    expect(r.toLookUp).toEqual(row.toLookUp);
    expect(r.evidence.map((e) => e.kind)).toEqual(row.evidence);
    for (const e of r.events) expect(e.at).toBe(AT);
  });

  it('carries the report values into the events exactly', () => {
    const r = reconcile(input({
      venueTrades: [trade('t1', 'o1', { tokenId: '7', side: 'SELL', size: 1_234_567n, price: 123_456n, status: 'MINED', venueAt: 42 })],
      venueOpenOrders: [report('o2', { tokenId: '8', side: 'SELL', price: 990_000n, reason: 'x', venueAt: 43 })],
    }));
    expect(r.events).toEqual([
      { type: 'fill', at: AT, tradeId: 't1', orderId: 'o1', tokenId: '7', side: 'SELL', size: 1_234_567n, price: 123_456n, status: 'MINED', venueAt: 42 },
      { type: 'order', at: AT, orderId: 'o2', tokenId: '8', side: 'SELL', status: 'LIVE', originalSize: 10_000_000n, sizeMatched: 0n, price: 990_000n, reason: 'x', venueAt: 43 },
    ]);
  });
});

describe('fillStatusMovesForward', () => {
  const all: FillStatus[] = ['MATCHED', 'RETRYING', 'MINED', 'CONFIRMED', 'FAILED'];
  it.each([
    ['MATCHED', ['RETRYING', 'MINED', 'CONFIRMED', 'FAILED']], ['RETRYING', ['MINED', 'CONFIRMED', 'FAILED']], ['MINED', ['CONFIRMED', 'FAILED']], ['CONFIRMED', []], ['FAILED', []],
  ] as const)('from %s only to %j', (from, to) => {
    expect(all.filter((s) => fillStatusMovesForward(from, s))).toEqual(to);
  });
});

describe('screenFeedEvent: feed events must not resurrect or invent orders', () => {
  const fill: FillReported = { type: 'fill', at: 1, tradeId: 't1', orderId: 'o1', tokenId: TOK, side: 'BUY', size: 1n, price: 1n, status: 'MATCHED' };
  const upd = (status: OrderStatus): OrderUpdated => ({ type: 'order', at: 1, orderId: 'o1', status });
  const open: KnownOrder = { state: 'open' };
  const canceled: KnownOrder = { state: 'closed', status: 'CANCELED' };
  it.each([
    { description: 'fill of an open order', e: fill, known: open, accept: true, evidence: undefined },
    { description: 'trade after the terminal update: booked, flagged', e: fill, known: canceled, accept: true, evidence: 'late_trade_after_terminal' },
    { description: 'fill of an unknown order: booked, flagged', e: fill, known: undefined, accept: true, evidence: 'fill_for_unknown_order' },
    { description: 'update of an open order', e: upd('MATCHED'), known: open, accept: true, evidence: undefined },
    { description: 'LIVE update after CANCELED is refused', e: upd('LIVE'), known: canceled, accept: false, evidence: 'update_after_terminal' },
    { description: 'a repeat of the terminal update is dropped quietly', e: upd('CANCELED'), known: canceled, accept: false, evidence: undefined },
    { description: 'an update for an unknown order is refused and flagged', e: upd('LIVE'), known: undefined, accept: false, evidence: 'update_for_unknown_order' },
  ])('$description', ({ e, known, accept, evidence }) => {
    const r = screenFeedEvent(e, () => known);
    expect(r.accept).toBe(accept);
    expect(r.evidence?.kind).toBe(evidence);
  });
});
