/**
 * Reconciliation with the venue over REST (seed 002 phase 4): on connect, on every user-feed
 * reconnect or gap, and periodically, the venue's open orders and our recent trades (by market —
 * never by asset, which filters by the taker's token) are compared with what the engine holds,
 * and each difference is ingested as the order or fill event it stands for; orders the venue no
 * longer lists are looked up by id; a fresh balance snapshot is asked for. The comparison is the
 * pure `reconcile` (./reconcile.ts); this is the thin stateful shell around it.
 */
import type { Subscription } from 'rxjs';
import type { Bus } from '../bus.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import type { Engine } from '../engine/engine.ts';
import { errorMessage } from '../errors.ts';
import type { FillStatus, OrderStatus } from '../events.ts';
import type { Logger } from '../logger.ts';
import { fillKeyOf, reconcile, type GapEvidence, type LocalOrder } from './reconcile.ts';
import type { FillReport, OrderStatusReport, Venue } from './venue.ts';

export interface VenueReconcilerOptions {
  /** Periodic reconciliation (default 60 s); 0 disables the timer. */
  readonly everyMs?: number;
  /** How far back to ask for trades (default 1 h). */
  readonly tradesLookbackMs?: number;
}

export interface ReconcileRun {
  readonly at: number;
  readonly reason: string;
  readonly events: number;
  readonly lookups: number;
  readonly evidence: readonly GapEvidence[];
}

export class VenueReconciler {
  private timer: TimerHandle | undefined;
  private sub: Subscription | undefined;
  private running: Promise<ReconcileRun | undefined> | undefined;
  private again: string | undefined;
  readonly runs: ReconcileRun[] = [];
  failures = 0;
  private stopped = false;

  constructor(
    private readonly engine: Engine,
    private readonly venue: Venue,
    private readonly bus: Bus,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: VenueReconcilerOptions = {},
  ) {}

  /** Starts the periodic run and the run after every user-feed reconnect or gap. */
  start(): void {
    const every = this.options.everyMs ?? 60_000;
    if (every > 0) this.timer = this.clock.every(every, () => void this.run('periodic'));
    this.sub = this.bus.events$.subscribe(({ event: e }) => {
      if ((e.type === 'connection' && e.channel === 'user' && e.state === 'connected') || (e.type === 'gap' && e.channel === 'user')) {
        // After the current event: reconciliation ingests events of its own.
        queueMicrotask(() => void this.run(e.type === 'gap' ? 'user feed gap' : 'user feed connected'));
      }
    });
  }

  stop(): void {
    this.timer?.cancel();
    this.sub?.unsubscribe();
    this.stopped = true;
  }

  /** Resolves once no run is in flight (shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
  }

  /** One reconciliation; concurrent requests coalesce into one more run after the current one. */
  run(reason: string): Promise<ReconcileRun | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    if (this.running) {
      this.again = reason;
      return this.running;
    }
    this.running = this.once(reason).finally(() => {
      this.running = undefined;
      const next = this.again;
      this.again = undefined;
      if (next) void this.run(next);
    });
    return this.running;
  }

  private async once(reason: string): Promise<ReconcileRun | undefined> {
    const at = this.clock.now();
    let venueOpen: readonly OrderStatusReport[];
    const trades: FillReport[] = [];
    try {
      venueOpen = await this.venue.openOrders();
      const afterMs = at - (this.options.tradesLookbackMs ?? 3_600_000);
      for (const m of this.venue.markets()) trades.push(...(await this.venue.recentTrades({ marketId: m.marketId, afterMs })));
    } catch (err) {
      this.failures++;
      this.logger.warn({ reason, err: errorMessage(err) }, 'venue reconciliation failed; will try again');
      return undefined;
    }
    const openOrders = new Map<string, LocalOrder>();
    for (const o of this.engine.orders.openOrders()) {
      openOrders.set(o.orderId, { tokenId: o.tokenId, side: o.side, originalSize: o.originalSize, matched: o.matched, status: o.status === 'SUBMITTED' ? 'LIVE' : o.status });
    }
    const seenFills = new Map<string, FillStatus>();
    for (const t of trades) {
      const s = this.engine.knownFillStatus(t.tradeId, t.orderId);
      if (s !== undefined) seenFills.set(fillKeyOf(t), s);
    }
    const closed: Map<string, OrderStatus> = this.engine.orders.closedOrders();
    const result = reconcile({ at: this.clock.now(), openOrders, closedOrders: closed, seenFills, venueOpenOrders: venueOpen, venueTrades: trades });
    for (const e of result.events) this.engine.ingest(e);
    let lookups = 0;
    for (const id of result.toLookUp) {
      lookups++;
      try {
        const r = await this.venue.lookupOrder(id);
        const local = this.engine.orders.get(id);
        if (!local) continue;
        if (r) {
          if (r.status !== local.status || r.sizeMatched > local.matched) {
            this.engine.ingest({ type: 'order', at: this.clock.now(), orderId: id, tokenId: r.tokenId, side: r.side, status: r.status, originalSize: r.originalSize, sizeMatched: r.sizeMatched, ...(r.reason !== undefined && { reason: r.reason }) });
          }
        } else if (local.status !== 'SUBMITTED') {
          // Open here, unknown to the venue and not explained by trades: it is gone (cancelled while we were away).
          this.engine.ingest({ type: 'order', at: this.clock.now(), orderId: id, tokenId: local.tokenId, side: local.side, status: 'CANCELED', reason: 'NOT_AT_VENUE' });
        }
      } catch (err) {
        this.logger.warn({ orderId: id, err: errorMessage(err) }, 'order lookup during reconciliation failed');
      }
    }
    const missed = result.evidence.filter((x) => x.kind === 'missed_fill').length;
    if (missed > 0) {
      // Fills the feed never delivered may already be in the chain's balances: a snapshot taken
      // before they were ingested would count them twice. That is a gap in the user feed: the
      // engine force-reconciles on a fresh snapshot taken after them (architecture, step 6).
      this.logger.warn({ reason, missed, events: result.events.length, evidence: result.evidence.slice(0, 20) }, 'venue reconciliation found fills the feed missed');
      this.engine.ingest({ type: 'gap', at: this.clock.now(), channel: 'user', reason: `venue reconciliation (${reason}) found ${missed} fill(s) the feed missed` });
    } else if (result.events.length > 0 || result.evidence.length > 0) {
      this.logger.info({ reason, events: result.events.length, lookups, evidence: result.evidence.slice(0, 20) }, 'venue reconciliation found differences');
      this.bus.requestSnapshot(`venue reconciliation (${reason}) found ${result.events.length} difference(s)`);
    } else if (reason !== 'periodic') {
      this.bus.requestSnapshot(`venue reconciliation after ${reason}`);
    }
    const run: ReconcileRun = { at, reason, events: result.events.length, lookups, evidence: result.evidence };
    this.runs.push(run);
    if (this.runs.length > 100) this.runs.shift();
    return run;
  }
}
