/**
 * A venue test double that implements the venue contract (core/venue/venue.ts) in memory: ids are
 * assigned at prepare time, place answers are scripted per call, lookups answer from a table.
 * Every call is recorded so tests can assert that nothing was sent twice.
 */
import { createHash } from 'node:crypto';
import type { InboundEvent } from '../../core/events.ts';
import type {
  CancelOutcome, CancelTarget, FillReport, MarketInfo, OrderIntent, OrderStatusReport, PlaceOutcome, PreparedOrder, RateBudget, Venue, VenueHealth, VenueSink,
} from '../../core/venue/venue.ts';

export type PlaceScript = (order: PreparedOrder, n: number) => PlaceOutcome | Promise<PlaceOutcome> | 'throw';

export class VenueDouble implements Venue {
  readonly kind = 'double';
  sink: VenueSink | undefined;
  readonly prepared: PreparedOrder[] = [];
  readonly placed: PreparedOrder[] = [];
  readonly cancels: CancelTarget[] = [];
  readonly lookups: string[] = [];
  lookupTable = new Map<string, OrderStatusReport>();
  placeScript: PlaceScript = (o) => ({ kind: 'accepted', orderId: o.orderId, status: 'LIVE' });
  cancelScript: (ids: readonly string[]) => CancelOutcome | 'throw' = (ids) => ({ canceled: [...ids], notCanceled: {} });
  healthState: VenueHealth = { userFeed: 'connected', marketFeed: 'connected', heartbeatOk: true, reconnects: 0 };
  budget: RateBudget = { orders: { remaining: 100, capacity: 100 }, cancels: { remaining: 100, capacity: 100 } };
  private counter = 0;

  constructor(readonly marketList: readonly MarketInfo[] = []) {}

  async connect(sink: VenueSink): Promise<void> {
    this.sink = sink;
  }
  markets(): readonly MarketInfo[] {
    return this.marketList;
  }
  async prepare(intent: OrderIntent): Promise<PreparedOrder> {
    const orderId = `0x${createHash('sha256').update(`${intent.tokenId}:${intent.side}:${intent.price}:${intent.size}:${this.counter++}`).digest('hex')}`;
    const p = { orderId, intent, payload: { n: this.counter } };
    this.prepared.push(p);
    return p;
  }
  async place(orders: readonly PreparedOrder[]): Promise<readonly PlaceOutcome[]> {
    const out: PlaceOutcome[] = [];
    for (const o of orders) {
      this.placed.push(o);
      const r = await this.placeScript(o, this.placed.length);
      if (r === 'throw') throw new Error('socket hang up');
      out.push(r);
    }
    return out;
  }
  async cancel(target: CancelTarget): Promise<CancelOutcome> {
    this.cancels.push(target);
    const ids = 'orderIds' in target ? target.orderIds : [];
    const r = this.cancelScript(ids);
    if (r === 'throw') throw new Error('cancel request failed');
    return r;
  }
  async lookupOrder(orderId: string): Promise<OrderStatusReport | undefined> {
    this.lookups.push(orderId);
    return this.lookupTable.get(orderId);
  }
  async openOrders(): Promise<readonly OrderStatusReport[]> {
    return [...this.lookupTable.values()];
  }
  trades: FillReport[] = [];
  async recentTrades(): Promise<readonly FillReport[]> {
    return this.trades;
  }
  health(): VenueHealth {
    return this.healthState;
  }
  rateBudget(): RateBudget {
    return this.budget;
  }
  /** Pushes a feed event as the venue would. */
  emit(e: InboundEvent): void {
    this.sink?.(e);
  }
  async dispose(): Promise<void> {}
}
