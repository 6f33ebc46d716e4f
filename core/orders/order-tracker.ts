/**
 * OrderTracker: our open orders and the BUY capacity they reserve.
 *
 * A BUY reserves its remaining size from the moment it is submitted; the reservation shrinks as it
 * fills and is released only on a confirmed terminal state (canceled, expired, rejected, invalid,
 * fully matched) — never when a cancel is merely requested. Only BUYs reserve, and only the
 * remaining size is ever released. All operations are O(1).
 */
import { formatMicros, maxMicros, MICROS_PER_UNIT, mulMicros, type Micros } from '../amounts.ts';
import { TERMINAL_ORDER_STATUSES, type OrderStatus, type OrderSubmitted, type OrderUpdated, type Side } from '../events.ts';
import type { Logger } from '../logger.ts';
import { inject, injectable } from 'tsyringe';
import { TOKENS } from '../tokens.ts';

export interface TrackedOrder {
  readonly orderId: string;
  readonly tokenId: string;
  readonly side: Side;
  readonly price: Micros | undefined;
  readonly originalSize: Micros;
  /** max(size matched per order updates, size of our non-failed fills on it). */
  readonly matched: Micros;
  readonly status: OrderStatus | 'SUBMITTED';
  readonly submittedAt: number;
  readonly cancelRequestedAt: number | undefined;
}

export type OrderUpdateOutcome =
  | { kind: 'updated'; order: TrackedOrder; released: Micros }
  | { kind: 'closed'; order: TrackedOrder; released: Micros }
  | { kind: 'adopted'; order: TrackedOrder }
  | { kind: 'unknown'; orderId: string }
  | { kind: 'late'; orderId: string };

type MutableOrder = { -readonly [K in keyof TrackedOrder]: TrackedOrder[K] } & { venueMatched: Micros };

@injectable()
export class OrderTracker {
  private readonly open = new Map<string, MutableOrder>();
  /** Recently closed orders, so a late update is recognised instead of looking unknown. */
  private readonly closed = new Map<string, number>();
  /** Terminal status of recently closed orders (in memory; after a restart a closed order reads CANCELED). */
  private readonly closedStatus = new Map<string, OrderStatus>();
  private readonly reserved = new Map<string, Micros>();
  private readonly fillMatched = new Map<string, Micros>();
  private readonly failedMatched = new Map<string, Micros>();
  /** Collateral reserved per open BUY order: price × remaining (an adopted order of unknown price at 1). */
  private readonly cashReserved = new Map<string, Micros>();
  private cashReservedTotal: Micros = 0n;

  private readonly closedMemory = 10_000;

  constructor(@inject(TOKENS.Logger) private readonly logger: Logger) {}

  /** Remaining size of open BUY orders on a token. */
  pendingOrderBuys(tokenId: string): Micros {
    return this.reserved.get(tokenId) ?? 0n;
  }

  /** Collateral reserved by all open BUY orders (price × remaining size). */
  get reservedCollateral(): Micros {
    return this.cashReservedTotal;
  }

  /** Open orders of one token. */
  openOrdersOf(tokenId: string): TrackedOrder[] {
    const out: TrackedOrder[] = [];
    for (const o of this.open.values()) if (o.tokenId === tokenId) out.push(view(o));
    return out;
  }

  get(orderId: string): TrackedOrder | undefined {
    const o = this.open.get(orderId);
    return o && view(o);
  }

  openOrders(): TrackedOrder[] {
    return [...this.open.values()].map(view);
  }

  /** We sent an order: a BUY reserves its whole size from now on. */
  submitted(e: OrderSubmitted): TrackedOrder {
    const known = this.open.get(e.orderId);
    if (known || this.closed.has(e.orderId)) {
      // The same submit seen again (a re-sent feed after restart) must not reserve twice.
      this.logger.debug({ orderId: e.orderId }, 'submit for a known order ignored');
      return known ? view(known) : { orderId: e.orderId, tokenId: e.tokenId, side: e.side, price: e.price, originalSize: e.size, matched: 0n, status: 'SUBMITTED', submittedAt: e.at, cancelRequestedAt: undefined };
    }
    const o: MutableOrder = {
      orderId: e.orderId, tokenId: e.tokenId, side: e.side, price: e.price, originalSize: e.size, matched: 0n, venueMatched: 0n,
      status: 'SUBMITTED', submittedAt: e.at, cancelRequestedAt: undefined,
    };
    this.open.set(e.orderId, o);
    this.reserve(o, remaining(o));
    this.refresh(o);
    return view(o);
  }

  /** We asked to cancel: recorded, nothing released until the venue confirms. */
  cancelRequested(orderId: string, at: number): TrackedOrder | undefined {
    const o = this.open.get(orderId);
    if (o) o.cancelRequestedAt = at;
    return o && view(o);
  }

  /** A fill on one of our orders shrinks its reservation (FAILED fills give it back). */
  fillChanged(orderId: string | undefined, delta: Micros): void {
    // Only orders we track (open or recently closed) keep a matched size: memory follows open state.
    if (!orderId || (!this.open.has(orderId) && !this.closed.has(orderId))) return;
    this.fillMatched.set(orderId, maxMicros(0n, (this.fillMatched.get(orderId) ?? 0n) + delta));
    if (delta < 0n) {
      this.failedMatched.set(orderId, (this.failedMatched.get(orderId) ?? 0n) - delta);
      if (this.failedMatched.size > this.closedMemory) this.failedMatched.delete(this.failedMatched.keys().next().value!);
    }
    const o = this.open.get(orderId);
    // A failed trade puts its size back on the order. size_matched only ever ratchets up, so take the
    // trade out of it too: otherwise the reservation stays shrunk while the size is neither pending
    // nor reserved, and a later fill pushes exposure past the limit. Erring low here only over-reserves.
    if (o && delta < 0n) o.venueMatched = maxMicros(0n, o.venueMatched + delta);
    if (o) this.refresh(o);
  }

  /** Size of FAILED trades on the order: the venue's size_matched may still count them. */
  failedOn(orderId: string): Micros {
    return this.failedMatched.get(orderId) ?? 0n;
  }

  /** Size our fills on the order add up to. */
  filledByTrades(orderId: string): Micros {
    return this.fillMatched.get(orderId) ?? 0n;
  }

  /** An order update from the venue. */
  updated(e: OrderUpdated): OrderUpdateOutcome {
    let o = this.open.get(e.orderId);
    if (!o) {
      if (this.closed.has(e.orderId)) return { kind: 'late', orderId: e.orderId };
      if (!e.tokenId || !e.side || e.originalSize === undefined || TERMINAL_ORDER_STATUSES.has(e.status)) {
        return { kind: 'unknown', orderId: e.orderId };
      }
      o = {
        orderId: e.orderId, tokenId: e.tokenId, side: e.side, price: e.price, originalSize: e.originalSize,
        matched: 0n, venueMatched: e.sizeMatched ?? 0n, status: e.status, submittedAt: e.at, cancelRequestedAt: undefined,
      };
      this.open.set(e.orderId, o);
      this.reserve(o, remaining(o));
      this.refresh(o);
      this.logger.warn({ orderId: e.orderId, tokenId: e.tokenId }, 'order update for an order we never submitted: adopted');
      return { kind: 'adopted', order: view(o) };
    }
    const before = this.pendingOrderBuys(o.tokenId);
    if (e.originalSize !== undefined && e.originalSize !== o.originalSize) {
      this.reserve(o, -remaining(o));
      o.originalSize = e.originalSize;
      this.reserve(o, remaining(o));
    }
    if (e.sizeMatched !== undefined) o.venueMatched = maxMicros(o.venueMatched, e.sizeMatched);
    this.refresh(o);
    o.status = e.status;
    if (TERMINAL_ORDER_STATUSES.has(e.status)) {
      const rem = remaining(o);
      this.open.delete(o.orderId);
      this.reserve(o, -rem);
      this.rememberClosed(o.orderId, e.at, e.status);
      this.logger.info({ orderId: o.orderId, tokenId: o.tokenId, side: o.side, status: e.status, released: o.side === 'BUY' ? formatMicros(rem) : '0' }, 'order closed');
      return { kind: 'closed', order: view(o), released: before - this.pendingOrderBuys(o.tokenId) };
    }
    return { kind: 'updated', order: view(o), released: before - this.pendingOrderBuys(o.tokenId) };
  }

  exportState(): OrderState {
    return {
      open: [...this.open.values()].map((o) => ({ ...o, venueMatched: o.venueMatched.toString(), price: o.price?.toString() ?? null, originalSize: o.originalSize.toString(), matched: o.matched.toString(), cancelRequestedAt: o.cancelRequestedAt ?? null })),
      closed: [...this.closed],
      fillMatched: [...this.fillMatched].map(([k, v]) => [k, v.toString()] as [string, string]),
    };
  }

  importState(s: OrderState): void {
    this.open.clear();
    this.reserved.clear();
    this.cashReserved.clear();
    this.cashReservedTotal = 0n;
    for (const o of s.open) {
      const m: MutableOrder = {
        orderId: o.orderId, tokenId: o.tokenId, side: o.side, price: o.price === null ? undefined : BigInt(o.price), originalSize: BigInt(o.originalSize),
        matched: BigInt(o.matched), venueMatched: BigInt(o.venueMatched), status: o.status, submittedAt: o.submittedAt, cancelRequestedAt: o.cancelRequestedAt ?? undefined,
      };
      this.open.set(m.orderId, m);
      this.reserve(m, remaining(m));
    }
    this.closed.clear();
    for (const [k, v] of s.closed) this.closed.set(k, v);
    this.fillMatched.clear();
    for (const [k, v] of s.fillMatched) this.fillMatched.set(k, BigInt(v));
  }

  /** matched = max(venue's size_matched, our fills on the order), capped at the order size. */
  private refresh(o: MutableOrder): void {
    const before = remaining(o);
    const m = maxMicros(o.venueMatched, this.fillMatched.get(o.orderId) ?? 0n);
    o.matched = m > o.originalSize ? o.originalSize : m;
    this.reserve(o, remaining(o) - before);
  }

  private reserve(o: MutableOrder, delta: Micros): void {
    if (o.side !== 'BUY') return;
    if (delta !== 0n) {
      const next = (this.reserved.get(o.tokenId) ?? 0n) + delta;
      if (next === 0n) this.reserved.delete(o.tokenId);
      else this.reserved.set(o.tokenId, next);
    }
    this.syncCash(o);
  }

  private syncCash(o: MutableOrder): void {
    // Cash per order from its own remaining size, so many partial fills never accumulate rounding.
    const open = this.open.has(o.orderId);
    const cash = open ? mulMicros(remaining(o), o.price ?? MICROS_PER_UNIT) : 0n;
    const prev = this.cashReserved.get(o.orderId) ?? 0n;
    this.cashReservedTotal += cash - prev;
    if (cash === 0n) this.cashReserved.delete(o.orderId);
    else this.cashReserved.set(o.orderId, cash);
  }

  private rememberClosed(orderId: string, at: number, status?: OrderStatus): void {
    this.closed.set(orderId, at);
    if (status) this.closedStatus.set(orderId, status);
    if (this.closed.size > this.closedMemory) {
      const evicted = this.closed.keys().next().value!;
      this.closed.delete(evicted);
      this.closedStatus.delete(evicted);
      this.fillMatched.delete(evicted);
      this.failedMatched.delete(evicted);
    }
  }

  /** Recently closed orders with their terminal status: nothing may reopen them. */
  closedOrders(): Map<string, OrderStatus> {
    const out = new Map<string, OrderStatus>();
    for (const id of this.closed.keys()) out.set(id, this.closedStatus.get(id) ?? 'CANCELED');
    return out;
  }

  /** How many entries each of the tracker's maps holds (all bounded by open orders or the closed memory). */
  retainedCounts(): { open: number; closed: number; fillMatched: number; failedMatched: number; cashReserved: number } {
    return { open: this.open.size, closed: this.closed.size, fillMatched: this.fillMatched.size, failedMatched: this.failedMatched.size, cashReserved: this.cashReserved.size };
  }

  /** Whether an order id is ours and recently closed. */
  isClosed(orderId: string): boolean {
    return this.closed.has(orderId);
  }
}

/** The order without its internal fields: a literal, not a rest copy (this runs for every open order a strategy looks at). */
function view(o: MutableOrder): TrackedOrder {
  return {
    orderId: o.orderId, tokenId: o.tokenId, side: o.side, price: o.price, originalSize: o.originalSize, matched: o.matched,
    status: o.status, submittedAt: o.submittedAt, cancelRequestedAt: o.cancelRequestedAt,
  };
}

function remaining(o: MutableOrder): Micros {
  const r = o.originalSize - o.matched;
  return r > 0n ? r : 0n;
}

export interface OrderState {
  open: (Omit<TrackedOrder, 'price' | 'originalSize' | 'matched' | 'cancelRequestedAt'> & { price: string | null; originalSize: string; matched: string; venueMatched: string; cancelRequestedAt: number | null })[];
  closed: [string, number][];
  fillMatched: [string, string][];
}
