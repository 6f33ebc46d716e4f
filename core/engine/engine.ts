/**
 * The engine: the single entry point of inbound events. Each event is sequenced, appended to the
 * ledger, then applied — inventory, orders, PnL, risk — and finally published on the bus. The same
 * code runs live, in crash recovery (ledger tail on a virtual clock) and in tape replay.
 */
import type { Micros } from '../amounts.ts';
import type { Clock } from '../clock.ts';
import { errorMessage } from '../errors.ts';
import type { BookUpdated, FillStatus, InboundEvent, OrderSubmitted, Side, SourceKindName } from '../events.ts';
import { tradeKey } from '../inventory/fill-key.ts';
import type { Book } from '../market/book.ts';
import type { InventoryManager } from '../inventory/inventory-manager.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { withLogSeqCall, type Logger } from '../logger.ts';
import type { OrderTracker } from '../orders/order-tracker.ts';
import type { PnlTracker } from '../pnl/pnl-tracker.ts';
import type { RiskEngine } from '../risk/risk-engine.ts';
import type { SourceHealth } from '../sources/position-source.ts';
import { unstorableReason } from '../tape-codec.ts';
import type { Bus } from '../bus.ts';
import { inject, injectable } from 'tsyringe';
import { TOKENS } from '../tokens.ts';
import { OrderAdmission } from './admission.ts';
import { agedOutAlert, mergeNotSeenAlert } from './alerts.ts';
import { BookStore } from './books.ts';
import { Collateral } from './collateral.ts';
import { DispatchQueue } from './dispatch-queue.ts';
import { ExpectedMerges } from './expected-merges.ts';
import { FeedState } from './feed-state.ts';
import { GuardedLedger } from './guarded-ledger.ts';
import { EnginePublisher } from './publisher.ts';
import { riskInputs } from './risk-inputs.ts';
import { SizeMatchedWatch } from './size-matched-watch.ts';
import { SourceTracker } from './source-tracker.ts';
import { EngineStateCodec, exportEngineParts, importEngineParts, type EngineState, type EngineStateHolders } from './state.ts';
import { positionView, type PositionView } from './views.ts';

export interface EngineOptions {
  /** How long size_matched may run ahead of our fills before it counts as a feed gap. */
  readonly sizeMatchedGraceMs: number;
  /** Position limit per token (from conservative-limits), if any. */
  readonly limitFor: ((tokenId: string) => Micros) | undefined;
  /** The authoritative snapshot kind (the configured primary source); others count as fallback. */
  readonly primarySource?: SourceKindName | undefined;
}

@injectable()
export class Engine {
  private seq = 0;
  private readonly startedAt: number;
  private readonly sources: SourceTracker;
  private readonly feed = new FeedState();
  private readonly admission: OrderAdmission;
  private readonly books = new BookStore();
  /** Events raised while another is applied wait here and are applied after it, in ledger order. */
  private readonly queue = new DispatchQueue((event, seq) => this.applySafely(event, seq));
  /** Merges sent and not yet seen in a snapshot. */
  private readonly merges: ExpectedMerges;
  /** The funder's collateral (confirmed, pending, reserved). */
  private readonly cash: Collateral;
  private readonly sizeMatched: SizeMatchedWatch;
  /** Ledger writes; its first failure halts quoting. */
  private readonly ledgerWrites: GuardedLedger;
  /** Publishes on the bus; silent while the ledger is replayed. */
  private readonly out: EnginePublisher;
  private disposed = false;
  /** After a restart nothing is quoted until a fresh snapshot has been force-reconciled. */
  private awaitingStartupSnapshot = false;

  constructor(
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.Bus) private readonly bus: Bus,
    @inject(TOKENS.Ledger) ledger: Ledger,
    @inject(TOKENS.InventoryManager) readonly inventory: InventoryManager,
    @inject(TOKENS.OrderTracker) readonly orders: OrderTracker,
    @inject(TOKENS.RiskEngine) readonly risk: RiskEngine,
    @inject(TOKENS.PnlTracker) readonly pnl: PnlTracker,
    @inject(TOKENS.EngineOptions) options: EngineOptions,
  ) {
    this.startedAt = clock.now();
    this.out = new EnginePublisher(bus, clock, logger, risk);
    this.merges = new ExpectedMerges(inventory, logger, inventory.pendingFillTtlMs);
    this.sources = new SourceTracker(options.primarySource);
    this.cash = new Collateral(inventory, orders, this.queue);
    this.sizeMatched = new SizeMatchedWatch(clock, options.sizeMatchedGraceMs, (id) => this.orders.filledByTrades(id) + this.orders.failedOn(id), (reason, at, seq) => this.openGap('user', reason, at, seq));
    this.admission = new OrderAdmission((t) => this.position(t), risk, options.limitFor, logger, {
      queuedBuys: (t) => this.queue.queuedBuys(t), collateral: () => this.collateral(),
      restingSells: (t) => this.orders.openOrdersOf(t).reduce((sum, o) => (o.side === 'SELL' ? sum + (o.originalSize - o.matched) : sum), this.merges.pending(t)),
    });
    inventory.hooks = {
      onAgedOut: (tokenId, aged, netDelta) => {
        for (const f of aged) this.pnl.settled(f.key);
        this.out.alert(agedOutAlert(tokenId, aged, netDelta));
        this.afterTokenChange(tokenId);
      },
    };
    risk.connect(riskInputs({
      clock, startedAt: this.startedAt, inventory, orders, sources: this.sources, feed: this.feed,
      ledgerFailed: () => this.ledgerWrites.failed !== undefined, awaitingStartupSnapshot: () => this.awaitingStartupSnapshot,
      alert: (a) => this.out.alert(a), requestSnapshot: (reason) => this.bus.requestSnapshot(reason),
    }));
    this.ledgerWrites = new GuardedLedger(ledger, (err) => this.onLedgerFailure(err));
  }

  get lastSeq(): number {
    return this.seq;
  }

  get sourceHealth(): SourceHealth {
    return this.sources.health;
  }

  /**
   * Receives one inbound event: ledger first, then state, then the bus. Never throws on bad data.
   * An event raised while another is being applied or published (a strategy reacting to a fill)
   * is ledgered at once and applied right after the current one: subscribers see ledger order.
   */
  ingest(event: InboundEvent): number {
    if (this.disposed) {
      // The ledger is closed: nothing can be recorded any more, so nothing is applied either.
      this.logger.warn({ type: event.type }, 'event after shutdown: not recorded, not applied');
      return 0;
    }
    const bad = unstorableReason(event);
    if (bad) return this.reject(event, bad);
    const seq = ++this.seq;
    this.ledgerWrites.append(seq, event);
    this.queue.dispatch(event, seq);
    return seq;
  }

  /**
   * The gateway's submit: admission (risk sides, halts, limits, collateral) and the BUY reservation
   * in one synchronous step, then the `submit` is ledgered — before any request leaves.
   */
  submitOrder(e: OrderSubmitted): { readonly admitted: true; readonly seq: number } | { readonly admitted: false; readonly code: string; readonly reason: string } {
    const check = this.admission.admitOrder(e.side, e.tokenId, e.size, e.price);
    if (!check.allowed) return { admitted: false, code: check.code, reason: check.reason };
    return { admitted: true, seq: this.ingest(e) };
  }

  /** The funder's collateral: confirmed, moved by pending fills, reserved by open BUY orders. */
  collateral(): { confirmed: Micros; pendingDelta: Micros; reserved: Micros; available: Micros; known: boolean } {
    return this.cash.state();
  }

  /** The last status of one of our fills as the engine saw it (undefined: never seen). */
  knownFillStatus(tradeId: string, orderId: string | undefined): FillStatus | undefined {
    return this.inventory.seenStatus(tradeKey(tradeId, orderId)) ?? (orderId !== undefined ? this.inventory.seenStatus(tradeKey(tradeId, undefined)) : undefined);
  }

  /** Whether an event is being applied or published right now (re-entrant ingests are queued). */
  get busy(): boolean {
    return this.queue.busy;
  }

  /** Re-applies a ledgered event during recovery (it is already in the ledger). */
  reapply(event: InboundEvent, seq: number): void {
    this.out.replaying = true;
    try {
      this.seq = seq;
      this.applySafely(event, seq);
    } finally {
      this.out.replaying = false;
    }
  }

  /** A token's full position view. */
  position(tokenId: string): PositionView {
    return positionView(this.inventory, this.orders, tokenId);
  }

  tokenIds(): string[] {
    return this.inventory.tokenIds();
  }

  book(tokenId: string): BookUpdated | undefined {
    return this.books.view(tokenId);
  }

  /** The sorted book of a token (levels best first). */
  sortedBook(tokenId: string): Book | undefined {
    return this.books.sorted(tokenId);
  }

  /** Would a BUY of `size` be admitted now? Logs the full breakdown when it is not. */
  canBuy(tokenId: string, size: Micros): boolean {
    return this.admission.admit('BUY', tokenId, size).allowed;
  }

  canSell(tokenId: string, size: Micros): boolean {
    return this.admission.admit('SELL', tokenId, size).allowed;
  }

  /** Shrinks an order to what the limits and the risk decision allow (0 = do not send). */
  adjustedOrderSize(side: Side, tokenId: string, size: Micros): Micros {
    return this.admission.adjustedOrderSize(side, tokenId, size);
  }

  /** Engine state for a checkpoint. */
  exportState(): EngineState {
    return EngineStateCodec.export(this.seq, this.clock.now(), exportEngineParts(this.stateHolders(), this.cash.confirmed));
  }

  /** Restores a checkpoint (then the ledger tail is re-applied with `reapply`). */
  importState(state: EngineState): void {
    const s = EngineStateCodec.import(state);
    this.seq = s.seq;
    this.cash.confirmed = importEngineParts(this.stateHolders(), s);
  }

  /** Re-evaluates every decision (after a restore, before quoting). */
  evaluateAll(): void {
    for (const t of this.inventory.tokenIds()) this.risk.evaluateToken(t);
    this.risk.evaluateGlobal();
    this.out.publishRisk();
  }

  /** Asks for a fresh snapshot and makes it a force reconcile (start-up after a restart). */
  requireFreshSnapshot(reason: string): void {
    this.feed.forceNextSnapshot = true;
    this.awaitingStartupSnapshot = true;
    this.risk.evaluateGlobal();
    this.out.publishRisk();
    this.bus.requestSnapshot(reason);
  }

  get ledgerFailure(): Error | undefined {
    return this.ledgerWrites.failed;
  }

  dispose(): void {
    this.disposed = true;
    this.sizeMatched.dispose();
    this.inventory.dispose();
    this.risk.dispose();
  }

  private stateHolders(): EngineStateHolders {
    return { inventory: this.inventory, orders: this.orders, pnl: this.pnl, risk: this.risk, sources: this.sources, feed: this.feed, merges: this.merges };
  }

  private applySafely(event: InboundEvent, seq: number): void {
    // Every line logged while the event is applied and published carries its seq.
    withLogSeqCall(seq, this, this.applyAndPublish, event, seq);
  }

  private applyAndPublish(event: InboundEvent, seq: number): void {
    try {
      this.apply(event, seq);
    } catch (err) {
      // A bug or bad datum in one event must not take the engine down; it is logged with its seq.
      this.logger.error({ seq, type: event.type, err: errorMessage(err) }, 'event could not be applied');
      this.out.alert({ severity: 'warning', code: 'EVENT_APPLY_FAILED', message: `event #${seq} (${event.type}) could not be applied: ${errorMessage(err)}` });
    }
    this.out.publishEvent(seq, event);
  }

  private apply(e: InboundEvent, seq: number): void {
    switch (e.type) {
      case 'fill': {
        const r = this.inventory.applyFill(e, seq);
        if (r.action === 'added') {
          this.pnl.fill(e.tokenId, r.key, e.side, e.size, e.price);
          this.orders.fillChanged(e.orderId, e.size);
        } else if (r.action === 'removed-failed' && r.fill) {
          this.pnl.failed(e.tokenId, r.key, r.fill.side, r.fill.size, r.fill.price);
          this.orders.fillChanged(e.orderId, -r.fill.originalSize);
        }
        this.afterTokenChange(e.tokenId);
        return;
      }
      case 'submit':
        this.orders.submitted(e);
        this.afterTokenChange(e.tokenId);
        return;
      case 'cancel':
        this.orders.cancelRequested(e.orderId, e.at);
        return;
      case 'order': {
        const r = this.orders.updated(e);
        if (r.kind === 'unknown' || r.kind === 'adopted') this.openGap('user', `order update for unknown order ${e.orderId}`, e.at, seq);
        if (r.kind === 'updated' || r.kind === 'closed' || r.kind === 'adopted') {
          this.sizeMatched.watch(e.orderId, r.order.tokenId, e.sizeMatched, e.at, seq);
          this.afterTokenChange(r.order.tokenId);
        }
        return;
      }
      case 'balance':
        return this.applyBalance(e, seq);
      case 'merge':
        for (const t of this.merges.apply(e)) this.afterTokenChange(t);
        return;
      case 'source_error':
        this.sources.failed(e);
        this.feed.snapshotFailed();
        this.logger.warn({ source: e.source, error: e.error, consecutiveFailures: this.sources.health.consecutiveFailures }, 'position source failed');
        this.risk.evaluateGlobal();
        this.out.publishRisk();
        return;
      case 'connection':
        if (this.feed.connection(e)) this.openGap('user', 'user feed reconnected', e.at, seq);
        this.risk.evaluateGlobal();
        this.out.publishRisk();
        return;
      case 'gap':
        this.openGap(e.channel, e.reason ?? 'gap reported by the connector', e.at, seq);
        return;
      case 'book':
      case 'book_delta': {
        const mid = this.books.apply(e);
        if (mid !== undefined) this.pnl.mark(e.tokenId, mid);
        return;
      }
    }
  }

  private applyBalance(e: Extract<InboundEvent, { type: 'balance' }>, seq: number): void {
    const { degraded, fellBack, restored } = this.sources.snapshot(e);
    if (fellBack) this.out.alert({ severity: 'warning', code: 'SOURCE_FALLBACK', message: `balances now served by the ${e.source} fallback; quoting tightened` });
    if (restored) this.out.alert({ severity: 'info', code: 'SOURCE_PRIMARY_RESTORED', message: `primary ${e.source} source answering again` });
    if (e.collateral !== undefined && !degraded) this.cash.confirmed = e.collateral;
    const force = this.feed.forceNextSnapshot;
    for (const m of this.merges.consume(e)) this.out.alert(mergeNotSeenAlert(m));
    const results = this.inventory.applySnapshot(e, force);
    // A snapshot from an older block (ignored for some token) is not the fresh one a gap waits for.
    if (force && results.every((r) => r.applied)) {
      this.feed.reconciled();
      this.awaitingStartupSnapshot = false;
      if (!this.out.replaying) this.ledgerWrites.resolveGaps({ resolvedAt: e.at, resolvedBySeq: seq, resolution: `force reconcile by ${e.source} snapshot` });
    }
    for (const r of results) {
      if (!r.applied) continue;
      // Fills that left pending can no longer FAIL: PnL forgets how to undo them.
      for (const k of r.settledKeys) this.pnl.settled(k);
      this.afterTokenChange(r.tokenId, false);
    }
    this.risk.evaluateGlobal();
    this.out.publishRisk();
  }

  /** Shares of a token promised to merges not yet seen on chain (not available to sell). */
  pendingMerge(tokenId: string): Micros {
    return this.merges.pending(tokenId);
  }

  private openGap(channel: 'user' | 'market', reason: string, at: number, seq: number): void {
    this.feed.gapOpened(at);
    this.logger.warn({ channel, reason, seq }, 'feed gap: forcing a fresh snapshot');
    if (!this.out.replaying) {
      this.ledgerWrites.recordGap({ channel, reason, detectedAt: at, detectedSeq: seq });
      this.bus.requestSnapshot(reason);
    }
    this.risk.evaluateGlobal();
    this.out.publishRisk();
  }

  private afterTokenChange(tokenId: string, evaluateGlobal = true): void {
    this.pnl.syncQuantity(tokenId, this.inventory.position(tokenId).effective);
    this.risk.evaluateToken(tokenId);
    if (this.out.wantsPositions) this.bus.publishPosition(this.position(tokenId));
    if (evaluateGlobal) this.out.publishRisk();
  }

  /** Bad data, not a ledger failure: refused before it is sequenced or ledgered (returns 0). */
  private reject(event: InboundEvent, why: string): number {
    this.logger.warn({ type: event.type, why }, 'inbound event refused');
    this.out.alert({ severity: 'warning', code: 'EVENT_REJECTED', message: `${event.type} event refused: ${why}` });
    return 0;
  }

  private onLedgerFailure(err: Error): void {
    this.logger.fatal({ err: errorMessage(err) }, 'ledger write failed: quoting stops');
    this.risk.evaluateGlobal();
    this.out.alert({ severity: 'critical', code: 'LEDGER_FAILED', message: `ledger write failed, quoting stopped: ${errorMessage(err)}`, reasons: ['LEDGER_FAILED'] });
    this.out.publishRisk();
  }
}
