/**
 * Feed ↔ REST reconciliation, pure: bring what the engine knows in line with what the venue reports,
 * as the inbound events that stand for each difference. Used after a reconnect or a gap (the user
 * channel has no replay) and periodically as a safety net.
 *
 * Invariants:
 * - A fill is booked once per key (trade id, order id): an unseen one becomes a `fill`; a seen one
 *   only moves forward (MATCHED → RETRYING → MINED → CONFIRMED, or → FAILED); a terminal status is
 *   never changed (a conflict is evidence, not an event); a stale REST status never moves it back.
 * - Nothing resurrects a closed order: a trade for it still books the fill (the tokens moved) but no
 *   `order` event is made for it, and a venue report of it as open only asks for a lookup.
 * - An order open here but absent from the venue's open list is MATCHED only when the venue's trades
 *   for it add up to its size; otherwise it is looked up by id (never guessed canceled).
 * - A venue open order unknown here is adopted (an `order` event) and flagged.
 * Every difference is also listed as gap evidence: it means the feed missed something.
 */
import type { Micros } from '../amounts.ts';
import type { FillReported, FillStatus, OrderStatus, OrderUpdated, Side } from '../events.ts';
import { TERMINAL_ORDER_STATUSES } from '../events.ts';
import type { FillReport, OrderStatusReport } from './venue.ts';

/** An order as the engine holds it. */
export interface LocalOrder {
  readonly tokenId: string;
  readonly side: Side;
  readonly originalSize: Micros;
  readonly matched: Micros;
  readonly status: OrderStatus;
}

export interface ReconcileInput {
  /** Our receive time for the REST answers (the events' `at`). */
  readonly at: number;
  /** Orders the engine holds open. */
  readonly openOrders: ReadonlyMap<string, LocalOrder>;
  /** Orders the engine already closed, with their terminal status: nothing may reopen them. */
  readonly closedOrders?: ReadonlyMap<string, OrderStatus>;
  /** Fill keys already seen (`fillKeyOf`), with their last status. */
  readonly seenFills: ReadonlyMap<string, FillStatus>;
  /** The venue's open orders (GET /data/orders, all pages). */
  readonly venueOpenOrders: readonly OrderStatusReport[];
  /** The venue's recent trades of ours (GET /data/trades by market), attributed. */
  readonly venueTrades: readonly FillReport[];
}

export type GapEvidenceKind =
  | 'missed_fill' | 'fill_status_moved' | 'fill_status_conflict' | 'late_trade_after_terminal' | 'fill_for_unknown_order'
  | 'missed_order_update' | 'size_matched_moved' | 'open_order_missing' | 'adopted_open_order' | 'closed_order_reported_open'
  | 'update_after_terminal' | 'update_for_unknown_order';

export interface GapEvidence {
  readonly kind: GapEvidenceKind;
  readonly orderId?: string;
  readonly tradeId?: string;
  readonly detail: string;
}

export interface ReconcileResult {
  readonly events: (FillReported | OrderUpdated)[];
  /** Orders to resolve with `venue.lookupOrder` (absent from the open list, not explained by trades). */
  readonly toLookUp: string[];
  readonly evidence: GapEvidence[];
}

/** The dedup key of a fill, the same as core/inventory/fill-key.ts gives a fill with both ids. */
export function fillKeyOf(f: { readonly tradeId: string; readonly orderId?: string }): string {
  return f.orderId ? `${f.tradeId}:${f.orderId}` : f.tradeId;
}

const RANK: Readonly<Record<FillStatus, number>> = { MATCHED: 0, RETRYING: 1, MINED: 2, CONFIRMED: 3, FAILED: 3 };
const FILL_TERMINAL = (s: FillStatus) => s === 'CONFIRMED' || s === 'FAILED';

/** Whether a fill may move from `from` to `to`: forward only, never out of a terminal status. */
export function fillStatusMovesForward(from: FillStatus, to: FillStatus): boolean {
  if (from === to || FILL_TERMINAL(from)) return false;
  return to === 'FAILED' || RANK[to] > RANK[from];
}

/** Reconciles local state with the venue's reports; see the invariants above. */
export function reconcile(input: ReconcileInput): ReconcileResult {
  const out: ReconcileResult = { events: [], toLookUp: [], evidence: [] };
  const closed = input.closedOrders ?? new Map<string, OrderStatus>();
  const venueOpen = new Map(input.venueOpenOrders.map((o) => [o.orderId, o]));

  // Trades first: a missed fill explains a missed MATCHED below.
  const trades = new Map<string, FillReport>();
  for (const t of input.venueTrades) {
    const k = fillKeyOf(t);
    const prev = trades.get(k);
    if (!prev || fillStatusMovesForward(prev.status, t.status)) trades.set(k, t);
  }
  for (const [key, t] of trades) {
    const seen = input.seenFills.get(key);
    const ids = { orderId: t.orderId, tradeId: t.tradeId };
    if (seen === undefined) {
      out.events.push(fillEvent(t, input.at));
      out.evidence.push({ kind: 'missed_fill', ...ids, detail: `trade ${t.tradeId} (${t.status}) was never seen on the feed` });
      if (closed.has(t.orderId)) {
        out.evidence.push({ kind: 'late_trade_after_terminal', ...ids, detail: `order already ${closed.get(t.orderId)}: fill booked, order stays closed` });
      } else if (!input.openOrders.has(t.orderId) && !venueOpen.has(t.orderId)) {
        out.evidence.push({ kind: 'fill_for_unknown_order', ...ids, detail: `order ${t.orderId} is not known here` });
      }
    } else if (fillStatusMovesForward(seen, t.status)) {
      out.events.push(fillEvent(t, input.at));
      out.evidence.push({ kind: 'fill_status_moved', ...ids, detail: `${seen} → ${t.status}` });
    } else if (FILL_TERMINAL(seen) && seen !== t.status) {
      out.evidence.push({ kind: 'fill_status_conflict', ...ids, detail: `seen ${seen}, venue reports ${t.status}` });
    }
  }

  for (const [orderId, local] of input.openOrders) {
    const v = venueOpen.get(orderId);
    if (v) {
      const moved = v.sizeMatched > local.matched;
      if (moved || v.status !== local.status) {
        out.events.push(orderEvent(v, input.at));
        out.evidence.push(moved
          ? { kind: 'size_matched_moved', orderId, detail: `size matched ${local.matched} → ${v.sizeMatched} (micros)` }
          : { kind: 'missed_order_update', orderId, detail: `status ${local.status} → ${v.status}` });
      }
      continue;
    }
    let filled = 0n;
    for (const t of trades.values()) if (t.orderId === orderId && t.status !== 'FAILED') filled += t.size;
    if (filled >= local.originalSize && local.originalSize > 0n) {
      out.events.push({ type: 'order', at: input.at, orderId, tokenId: local.tokenId, side: local.side, status: 'MATCHED', originalSize: local.originalSize, sizeMatched: local.originalSize });
      out.evidence.push({ kind: 'missed_order_update', orderId, detail: `not open at the venue and its trades fill it (${filled} of ${local.originalSize} micros): MATCHED` });
    } else {
      out.toLookUp.push(orderId);
      out.evidence.push({ kind: 'open_order_missing', orderId, detail: `open here, not in the venue's open orders; trades explain ${filled} of ${local.originalSize} micros` });
    }
  }

  for (const v of input.venueOpenOrders) {
    if (input.openOrders.has(v.orderId)) continue;
    const was = closed.get(v.orderId);
    if (was !== undefined) {
      out.toLookUp.push(v.orderId);
      out.evidence.push({ kind: 'closed_order_reported_open', orderId: v.orderId, detail: `closed here as ${was}, listed open by the venue: looking it up, not reopening` });
    } else {
      out.events.push(orderEvent(v, input.at));
      out.evidence.push({ kind: 'adopted_open_order', orderId: v.orderId, detail: `open at the venue (${v.status}, ${v.side} ${v.originalSize} micros of ${v.tokenId}), unknown here: adopted` });
    }
  }
  return out;
}

/** What the engine knows of an order id, for screening feed events. */
export type KnownOrder = { readonly state: 'open' } | { readonly state: 'closed'; readonly status: OrderStatus } | undefined;

export interface ScreenResult {
  /** False: the event must not reach the engine (it would reopen or invent an order). */
  readonly accept: boolean;
  readonly evidence?: GapEvidence;
}

/**
 * Screens one feed event against what the engine knows. A fill is always accepted (tokens moved)
 * but flagged when its order is closed or unknown; an order update for a closed order, or for an
 * order never known, is refused and flagged: only the REST open list adopts orders (`reconcile`).
 */
export function screenFeedEvent(e: FillReported | OrderUpdated, known: (orderId: string) => KnownOrder): ScreenResult {
  if (!e.orderId) return { accept: true };
  const k = known(e.orderId);
  const ids = { orderId: e.orderId, ...(e.type === 'fill' && e.tradeId ? { tradeId: e.tradeId } : {}) };
  if (e.type === 'fill') {
    if (k?.state === 'closed') return { accept: true, evidence: { kind: 'late_trade_after_terminal', ...ids, detail: `fill after the order was ${k.status}` } };
    if (k === undefined) return { accept: true, evidence: { kind: 'fill_for_unknown_order', ...ids, detail: 'fill for an order not known here' } };
    return { accept: true };
  }
  if (k?.state === 'open') return { accept: true };
  if (k?.state === 'closed') {
    if (k.status === e.status) return { accept: false };
    return { accept: false, evidence: { kind: 'update_after_terminal', ...ids, detail: `update ${e.status} after the order was ${k.status}: not reopened` } };
  }
  return {
    accept: false,
    evidence: { kind: 'update_for_unknown_order', ...ids, detail: `update ${e.status}${TERMINAL_ORDER_STATUSES.has(e.status) ? '' : ' (open)'} for an order not known here: reconcile over REST` },
  };
}

function fillEvent(t: FillReport, at: number): FillReported {
  return {
    type: 'fill', at, tradeId: t.tradeId, orderId: t.orderId, tokenId: t.tokenId, side: t.side, size: t.size, price: t.price, status: t.status,
    ...(t.venueAt !== undefined ? { venueAt: t.venueAt } : {}),
  };
}

function orderEvent(v: OrderStatusReport, at: number): OrderUpdated {
  return {
    type: 'order', at, orderId: v.orderId, tokenId: v.tokenId, side: v.side, status: v.status, originalSize: v.originalSize, sizeMatched: v.sizeMatched, price: v.price,
    ...(v.reason !== undefined ? { reason: v.reason } : {}), ...(v.venueAt !== undefined ? { venueAt: v.venueAt } : {}),
  };
}
