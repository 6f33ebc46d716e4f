/**
 * The order gateway: the only way anything submits or cancels.
 *
 * - Admission (risk sides, halts, limits, collateral) and the BUY reservation happen in one
 *   synchronous step (`Engine.submitOrder`), and the `submit` is ledgered before the request leaves.
 * - A venue rejection is ledgered as the terminal `order` REJECTED update it is.
 * - An unknown outcome (timeout, reset, lost answer) is resolved by looking the order up by its id,
 *   never by sending it again; the reservation stays until the lookup settles it.
 * - Cancel requests are ledgered and release nothing; a cancel the venue confirms is ledgered as
 *   the CANCELED update it is.
 */
import { formatMicros, MICROS_PER_UNIT, type Micros } from '../amounts.ts';
import type { Clock } from '../clock.ts';
import { errorMessage } from '../errors.ts';
import type { AlertRaised, Side } from '../events.ts';
import type { Logger } from '../logger.ts';
import type { Engine } from '../engine/engine.ts';
import type { OrderGateway, SubmitResult } from '../strategy/strategy.ts';
import type { CancelOutcome, OrderIntent, OrderStatusReport, PlaceOutcome, RateBudget, Venue } from '../venue/venue.ts';
import { sameDecision } from '../risk/decision.ts';
import { sizeOrder } from './sizing.ts';

export interface GatewayOptions {
  /** Waits before each lookup of an order whose outcome is unknown. */
  readonly lookupDelaysMs?: readonly number[];
  readonly alert?: (a: Omit<AlertRaised, 'type' | 'at'>) => void;
}

/** Counters by outcome and reason code (bounded: codes come from one catalog). */
export interface GatewayStats {
  submitted: number;
  refused: Map<string, number>;
  rejected: Map<string, number>;
  unknownOutcomes: number;
  unknownResolved: number;
  cancelsRequested: number;
  cancelsConfirmed: number;
}

const DEFAULT_LOOKUP_DELAYS = [250, 500, 1000, 2000, 4000];
/** The origin map is first swept of closed orders when it holds this many. */
const MIN_ORIGIN_SWEEP = 1024;

export class Gateway implements OrderGateway {
  readonly stats: GatewayStats = { submitted: 0, refused: new Map(), rejected: new Map(), unknownOutcomes: 0, unknownResolved: 0, cancelsRequested: 0, cancelsConfirmed: 0 };
  /**
   * Which strategy placed each order we still track, so a failed strategy's orders can be cancelled.
   * Only open orders need theirs: the ones closed by the feed (filled, expired, cancelled by the
   * venue) are swept out whenever the map has doubled since the last sweep (amortised O(1)).
   */
  private readonly origins = new Map<string, string>();
  private sweepOriginsAt = MIN_ORIGIN_SWEEP;
  private readonly lookupDelays: readonly number[];
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(
    private readonly engine: Engine,
    private readonly venue: Venue,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: GatewayOptions = {},
  ) {
    this.lookupDelays = options.lookupDelaysMs ?? DEFAULT_LOOKUP_DELAYS;
  }

  async submit(intent: OrderIntent): Promise<SubmitResult> {
    const pre = this.preflight(intent);
    if (pre) return this.refuse(pre.code, pre.reason, intent);
    let prepared;
    // The strategy sized the order under this decision; signing may yield to timers and I/O.
    const decided = this.engine.risk.decisionFor(intent.tokenId);
    try {
      prepared = await this.venue.prepare(intent);
    } catch (err) {
      return this.refuse('PREPARE_FAILED', errorMessage(err), intent);
    }
    // Admission re-checks sides, halts and limits, but not the size multiplier the order was sized
    // with: a decision that changed meanwhile (a degrade halving sizes) sends the strategy back to plan.
    if (!sameDecision(decided, this.engine.risk.decisionFor(intent.tokenId))) {
      return this.refuse('RISK_CHANGED', 'the risk decision for the token changed while the order was being signed; plan again', intent);
    }
    const admitted = this.engine.submitOrder({
      type: 'submit', at: this.clock.now(), orderId: prepared.orderId, tokenId: intent.tokenId, side: intent.side, price: intent.price, size: intent.size,
    });
    if (!admitted.admitted) return this.refuse(admitted.code, admitted.reason, intent);
    this.stats.submitted++;
    if (intent.origin) this.setOrigin(prepared.orderId, intent.origin);
    let outcome: PlaceOutcome;
    try {
      const answers = await this.track(this.venue.place([prepared]));
      outcome = answers[0] ?? { kind: 'unknown', orderId: prepared.orderId, error: 'the venue gave no answer for the order' };
    } catch (err) {
      outcome = { kind: 'unknown', orderId: prepared.orderId, error: errorMessage(err) };
    }
    if (outcome.orderId !== prepared.orderId) this.renamed(prepared.orderId, outcome.orderId, intent);
    return this.settle(outcome, intent);
  }

  /**
   * The venue made us re-sign (`order_version_mismatch`): the order that went out has a new id.
   * The old id never existed at the venue (REJECTED, releasing its reservation) and the new one is
   * recorded in its place — the one case where a submit is ledgered after its request left.
   */
  private renamed(oldId: string, newId: string, intent: OrderIntent): void {
    this.engine.ingest({ type: 'order', at: this.clock.now(), orderId: oldId, tokenId: intent.tokenId, side: intent.side, originalSize: intent.size, price: intent.price, status: 'REJECTED', reason: 'RESIGNED_AS_NEW_ID' });
    this.engine.ingest({ type: 'submit', at: this.clock.now(), orderId: newId, tokenId: intent.tokenId, side: intent.side, price: intent.price, size: intent.size });
    this.origins.delete(oldId);
    if (intent.origin) this.setOrigin(newId, intent.origin);
    this.logger.warn({ oldId, newId }, 'order re-signed for the venue\'s version: recorded under its new id');
  }

  async cancel(orderIds: readonly string[]): Promise<CancelOutcome> {
    const ids = orderIds.filter((id) => this.engine.orders.get(id) !== undefined);
    if (ids.length === 0) return { canceled: [], notCanceled: {} };
    for (const id of ids) this.engine.ingest({ type: 'cancel', at: this.clock.now(), orderId: id });
    this.stats.cancelsRequested += ids.length;
    let out: CancelOutcome;
    try {
      out = await this.track(this.venue.cancel({ orderIds: ids }));
    } catch (err) {
      // Nothing is released: the reservation stays until the venue confirms (feed or reconciliation).
      this.logger.warn({ orders: ids.length, err: errorMessage(err) }, 'cancel request failed; orders stay reserved until the venue confirms');
      return { canceled: [], notCanceled: Object.fromEntries(ids.map((id) => [id, errorMessage(err)])) };
    }
    this.confirmCanceled(out.canceled);
    return out;
  }

  async cancelAll(origin?: string): Promise<CancelOutcome> {
    const open = this.engine.orders.openOrders().filter((o) => origin === undefined || (this.origins.get(o.orderId) ?? origin) === origin);
    return this.cancel(open.map((o) => o.orderId));
  }

  sizeFor(side: Side, tokenId: string, wanted: Micros, price?: Micros): Micros {
    const decision = this.engine.risk.decisionFor(tokenId);
    if (decision.mode === 'halted' || !decision.allowedSides.includes(side)) return 0n;
    let room = this.engine.adjustedOrderSize(side, tokenId, wanted);
    if (side === 'BUY' && price !== undefined && price > 0n) {
      const cash = this.engine.collateral();
      if (cash.known) {
        const affordable = cash.available > 0n ? (cash.available * MICROS_PER_UNIT) / price : 0n;
        if (affordable < room) room = affordable;
      }
    }
    const market = this.venue.markets().find((m) => m.tokens.includes(tokenId));
    return sizeOrder({ wanted, multiplier: decision.sizeMultiplier, room, minSize: market?.minOrderSize ?? 0n });
  }

  /** How many orders the gateway remembers the origin of (open ones, plus closed ones until the next sweep). */
  get trackedOrigins(): number {
    return this.origins.size;
  }

  rateBudget(): RateBudget {
    return this.venue.rateBudget();
  }

  /** Waits for every request still in flight (shutdown). */
  async drain(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  private preflight(intent: OrderIntent): { code: string; reason: string } | undefined {
    const h = this.venue.health();
    const now = this.clock.now();
    if (!h.heartbeatOk) return { code: 'HEARTBEAT_FAILED', reason: 'venue heartbeats are failing: submits refused until they succeed again' };
    if (h.backoffUntil !== undefined && h.backoffUntil > now) return { code: 'VENUE_BACKOFF', reason: `venue asked to back off until ${new Date(h.backoffUntil).toISOString()}` };
    if (h.postOnlyUntil !== undefined && h.postOnlyUntil > now && !intent.postOnly) {
      return { code: 'POST_ONLY_WINDOW', reason: 'after a matching-engine restart only post-only orders are accepted' };
    }
    if (this.venue.rateBudget().orders.remaining < 1) return { code: 'RATE_LIMITED', reason: 'order rate budget exhausted' };
    return undefined;
  }

  private refuse(code: string, reason: string, intent: OrderIntent): SubmitResult {
    this.stats.refused.set(code, (this.stats.refused.get(code) ?? 0) + 1);
    this.logger.debug({ code, tokenId: intent.tokenId, side: intent.side, size: formatMicros(intent.size), price: formatMicros(intent.price) }, `order refused: ${reason}`);
    return { kind: 'refused', code, reason };
  }

  private async settle(outcome: PlaceOutcome, intent: OrderIntent): Promise<SubmitResult> {
    const { orderId } = outcome;
    const base = { orderId, tokenId: intent.tokenId, side: intent.side, originalSize: intent.size, price: intent.price } as const;
    switch (outcome.kind) {
      case 'accepted':
        // A matched answer is followed by trades and order updates on the feed; live/delayed are booked now.
        if (outcome.status !== 'MATCHED') this.engine.ingest({ type: 'order', at: this.clock.now(), ...base, status: outcome.status });
        return { kind: 'submitted', orderId, status: outcome.status };
      case 'rejected':
        this.stats.rejected.set(outcome.code, (this.stats.rejected.get(outcome.code) ?? 0) + 1);
        this.engine.ingest({ type: 'order', at: this.clock.now(), ...base, status: 'REJECTED', reason: outcome.code });
        this.origins.delete(orderId);
        this.logger.warn({ orderId, code: outcome.code, reason: outcome.reason }, 'order rejected by the venue');
        return { kind: 'rejected', orderId, code: outcome.code, reason: outcome.reason };
      case 'unknown': {
        this.stats.unknownOutcomes++;
        this.logger.warn({ orderId, err: outcome.error }, 'order outcome unknown: resolving by lookup, never by re-sending');
        const report = await this.track(this.resolveUnknown(orderId));
        if (report) {
          this.stats.unknownResolved++;
          this.engine.ingest({
            type: 'order', at: this.clock.now(), ...base, status: report.status, sizeMatched: report.sizeMatched,
            ...(report.reason !== undefined && { reason: report.reason }),
          });
          return { kind: 'submitted', orderId, status: report.status };
        }
        const tracked = this.engine.orders.get(orderId);
        if (tracked && tracked.status !== 'SUBMITTED') return { kind: 'submitted', orderId, status: tracked.status };
        if (!tracked) return { kind: 'submitted', orderId, status: 'CLOSED' };
        // The venue does not know it after every lookup: it never arrived. Release it as REJECTED.
        this.engine.ingest({ type: 'order', at: this.clock.now(), ...base, status: 'REJECTED', reason: 'UNKNOWN_OUTCOME_NOT_FOUND' });
        this.options.alert?.({ severity: 'warning', code: 'ORDER_OUTCOME_UNKNOWN', tokenId: intent.tokenId, message: `order ${orderId} outcome unknown (${outcome.error}); not found by ${this.lookupDelays.length} lookups: released as never placed` });
        return { kind: 'rejected', orderId, code: 'UNKNOWN_OUTCOME_NOT_FOUND', reason: outcome.error };
      }
    }
  }

  private async resolveUnknown(orderId: string): Promise<OrderStatusReport | undefined> {
    for (const delay of this.lookupDelays) {
      await new Promise<void>((resolve) => this.clock.scheduleAt(this.clock.now() + delay, resolve));
      // The feed may have settled it meanwhile (PLACEMENT, a trade, a cancellation).
      const tracked = this.engine.orders.get(orderId);
      if (!tracked || tracked.status !== 'SUBMITTED') return undefined;
      try {
        const r = await this.venue.lookupOrder(orderId);
        if (r) return r;
      } catch (err) {
        this.logger.warn({ orderId, err: errorMessage(err) }, 'order lookup failed; trying again');
      }
    }
    return undefined;
  }

  private confirmCanceled(ids: readonly string[]): void {
    for (const id of ids) {
      const o = this.engine.orders.get(id);
      if (!o) continue;
      this.engine.ingest({ type: 'order', at: this.clock.now(), orderId: id, tokenId: o.tokenId, side: o.side, status: 'CANCELED', reason: 'CANCEL_CONFIRMED' });
      this.origins.delete(id);
      this.stats.cancelsConfirmed++;
    }
  }

  private setOrigin(orderId: string, origin: string): void {
    this.origins.set(orderId, origin);
    if (this.origins.size < this.sweepOriginsAt) return;
    for (const id of this.origins.keys()) if (id !== orderId && this.engine.orders.get(id) === undefined) this.origins.delete(id);
    this.sweepOriginsAt = Math.max(MIN_ORIGIN_SWEEP, 2 * this.origins.size);
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inflight.add(p);
    const done = () => this.inflight.delete(p);
    p.then(done, done);
    return p;
  }
}
