/**
 * The strategy contract (plugin category `strategy`; strategies live in the top-level
 * `strategies/` folder). A strategy is started with a context: the clock, a logger, the order
 * gateway (the only way to submit or cancel) and a read-only market view. It never sees the
 * engine's managers. It reacts to events in ledger order; a strategy that throws is stopped, its
 * orders are cancelled, and the engine goes on.
 */
import type { Micros } from '../amounts.ts';
import type { Clock } from '../clock.ts';
import type { BookUpdated, SequencedEvent, Side } from '../events.ts';
import type { Logger } from '../logger.ts';
import type { RiskDecision } from '../risk/decision.ts';
import type { PositionView } from '../engine/views.ts';
import type { CancelOutcome, MarketInfo, OrderIntent, RateBudget } from '../venue/venue.ts';

/** One of our open orders as the engine knows it (never the strategy's own memory). */
export interface OpenOrderView {
  readonly orderId: string;
  readonly tokenId: string;
  readonly side: Side;
  readonly price: Micros | undefined;
  readonly originalSize: Micros;
  readonly matched: Micros;
  readonly remaining: Micros;
  readonly status: string;
  readonly submittedAt: number;
  readonly cancelRequestedAt: number | undefined;
}

/** The funder's collateral (pUSD) as the engine tracks it. */
export interface CollateralView {
  readonly confirmed: Micros;
  /** BUY fills spend, SELL fills earn, until a snapshot absorbs them. */
  readonly pendingDelta: Micros;
  /** price × remaining size of open BUY orders. */
  readonly reserved: Micros;
  /** confirmed + pendingDelta − reserved: what a new BUY may spend. */
  readonly available: Micros;
  readonly known: boolean;
}

/** Best prices of a book (levels sorted by the engine). */
export interface TopOfBook {
  readonly bestBid: Micros | undefined;
  readonly bestAsk: Micros | undefined;
  readonly tickSize: Micros | undefined;
}

/** What a strategy may read. Every call answers from the engine's current state. */
export interface MarketView {
  position(tokenId: string): PositionView;
  book(tokenId: string): BookUpdated | undefined;
  top(tokenId: string): TopOfBook;
  decision(tokenId: string): RiskDecision;
  openOrders(tokenId: string): readonly OpenOrderView[];
  collateral(): CollateralView;
  market(tokenId: string): MarketInfo | undefined;
  markets(): readonly MarketInfo[];
  /** Position limit of a token from the risk policies that declare one; undefined = none. */
  limit(tokenId: string): Micros | undefined;
  /** Average cost of the effective position (micro-units per share), when held. */
  averageCost(tokenId: string): Micros | undefined;
}

export type SubmitResult =
  /** The venue took it (live, delayed or matched); fills and updates follow on the feed. */
  | { readonly kind: 'submitted'; readonly orderId: string; readonly status: string }
  /** Refused before anything left: admission (limits, sides, halt, collateral), heartbeat, rate budget. */
  | { readonly kind: 'refused'; readonly code: string; readonly reason: string }
  /** The venue refused it (ledgered as the terminal REJECTED update it is). */
  | { readonly kind: 'rejected'; readonly orderId: string; readonly code: string; readonly reason: string };

/** The only way anything submits or cancels orders. */
export interface OrderGateway {
  /**
   * Admits, reserves, ledgers `submit` and posts. Admission and the BUY reservation happen in one
   * synchronous step; resolves once the venue answered (or the unknown outcome was resolved).
   */
  submit(intent: OrderIntent): Promise<SubmitResult>;
  /** Ledgers `cancel` requests and asks the venue; releases nothing until the venue confirms. */
  cancel(orderIds: readonly string[]): Promise<CancelOutcome>;
  /** Cancels every order of this origin (or all of ours). */
  cancelAll(origin?: string): Promise<CancelOutcome>;
  /**
   * Exact size after the risk multiplier, the limits (and, for a BUY at `price`, the collateral),
   * the size grid and the market minimum (0 = send nothing).
   */
  sizeFor(side: Side, tokenId: string, wanted: Micros, price?: Micros): Micros;
  rateBudget(): RateBudget;
}

export interface StrategyContext {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly gateway: OrderGateway;
  readonly market: MarketView;
  /** Name of this strategy instance (its `origin` on orders). */
  readonly name: string;
}

export interface Strategy {
  readonly kind: string;
  /** Called once, after recovery and the first fresh snapshot. */
  start(ctx: StrategyContext): void | Promise<void>;
  /** Every event, in ledger order, after the engine applied it. Must not block. */
  onEvent?(event: SequencedEvent): void;
  /** Periodic tick (the runner's `tickMs`), for age-based replacement. */
  onTick?(now: number): void;
  /** Stops quoting; the runner cancels the strategy's orders after this. */
  stop(): void | Promise<void>;
}
