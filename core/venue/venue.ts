/**
 * The venue contract (plugin category `venue`). A venue connects the exchange's feeds and hands
 * the engine inbound events through one sink; it prepares orders (their id known before they are
 * posted — on Polymarket the EIP-712 hash), places and cancels them, and answers reconciliation
 * queries with reports. Only the OrderGateway calls `prepare`/`place`/`cancel`.
 *
 * Commands are imperative (`OrderIntent` → place), events are past tense (`InboundEvent`), venue
 * snapshots are reports (`OrderStatusReport`, `FillReport`) that reconciliation turns into events.
 */
import type { Micros } from '../amounts.ts';
import type { FillStatus, InboundEvent, OrderStatus, Side } from '../events.ts';

/** Static facts about one binary market, from the venue's metadata. */
export interface MarketInfo {
  /** Venue market id (Polymarket: the condition id, 0x-hex). */
  readonly marketId: string;
  /** The two outcome token ids (canonical uint256 decimals): [YES, NO]. */
  readonly tokens: readonly [string, string];
  readonly tickSize: Micros;
  readonly minOrderSize: Micros;
  readonly negRisk: boolean;
  /** Liquidity-reward parameters when the market pays them. */
  readonly rewards?: { readonly maxSpread: Micros; readonly minSize: Micros };
  /** Taker fee parameters (rate, exponent) when known. */
  readonly fees?: { readonly rate: number; readonly exponent: number };
}

export type OrderType = 'GTC' | 'GTD' | 'FOK' | 'FAK';

/** What a strategy wants placed. Sizes and prices are exact micro-units. */
export interface OrderIntent {
  readonly tokenId: string;
  readonly side: Side;
  readonly price: Micros;
  readonly size: Micros;
  readonly orderType: OrderType;
  readonly postOnly: boolean;
  /** GTD only: expiry, epoch ms. */
  readonly expiresAt?: number;
  /** Who asked (strategy name), for logs and metrics. */
  readonly origin?: string;
}

/** An order signed and ready to post; `orderId` is final (the venue's id for it). */
export interface PreparedOrder {
  readonly orderId: string;
  readonly intent: OrderIntent;
  /** The venue-specific signed body; opaque to the core. */
  readonly payload: unknown;
}

export type PlaceOutcome =
  /** The venue took it; `status` is what it answered (live, matched, delayed, unmatched). */
  | { readonly kind: 'accepted'; readonly orderId: string; readonly status: OrderStatus; readonly tradeIds?: readonly string[] }
  /** The venue refused it: a terminal REJECTED with the venue's reason code. */
  | { readonly kind: 'rejected'; readonly orderId: string; readonly code: string; readonly reason: string; readonly retryable: boolean }
  /** Nobody knows whether it arrived (timeout, reset, lost answer): resolve with `lookupOrder`, never re-send. */
  | { readonly kind: 'unknown'; readonly orderId: string; readonly error: string };

export type CancelTarget =
  | { readonly orderIds: readonly string[] }
  | { readonly marketId: string; readonly tokenId?: string }
  | { readonly all: true };

export interface CancelOutcome {
  readonly canceled: readonly string[];
  /** orderId → the venue's reason. */
  readonly notCanceled: Readonly<Record<string, string>>;
}

/** An order as the venue reports it (REST open orders or a lookup). */
export interface OrderStatusReport {
  readonly orderId: string;
  readonly marketId?: string;
  readonly tokenId: string;
  readonly side: Side;
  readonly price: Micros;
  readonly originalSize: Micros;
  readonly sizeMatched: Micros;
  readonly status: OrderStatus;
  /** Reason suffix or detail the venue gave with the status. */
  readonly reason?: string;
  /** Venue time of the report, epoch ms, when given. */
  readonly venueAt?: number;
}

/** One of our fills as the venue reports it (REST trades), already attributed to us. */
export interface FillReport {
  readonly tradeId: string;
  readonly orderId: string;
  readonly marketId?: string;
  readonly tokenId: string;
  readonly side: Side;
  readonly size: Micros;
  readonly price: Micros;
  readonly status: FillStatus;
  readonly role: 'MAKER' | 'TAKER';
  readonly venueAt?: number;
}

export interface VenueHealth {
  readonly userFeed: 'connected' | 'connecting' | 'disconnected';
  readonly marketFeed: 'connected' | 'connecting' | 'disconnected';
  /** Dead-man switch: false once heartbeats fail; submits are refused until they succeed again. */
  readonly heartbeatOk: boolean;
  /** While set, the venue accepts only post-only orders (after a matching-engine restart), epoch ms. */
  readonly postOnlyUntil?: number;
  /** While set, the venue asked us to back off (429/425/503), epoch ms. */
  readonly backoffUntil?: number;
  readonly lastError?: string;
  readonly reconnects: number;
}

export interface RateBucket {
  readonly remaining: number;
  readonly capacity: number;
  /** Epoch ms when the bucket is full again. */
  readonly refillAt?: number;
}

export interface RateBudget {
  readonly orders: RateBucket;
  readonly cancels: RateBucket;
}

/** The venue hands every inbound event to this sink (the engine's ingest, queued). */
export type VenueSink = (event: InboundEvent) => void;

export interface VenueConnectOptions {
  /** Tokens whose books to follow and whose fills and orders are ours to track. */
  readonly tokenIds: readonly string[];
  /** Our known open order ids (after a restart), for attribution of maker fills. */
  readonly knownOrderIds: () => Iterable<string>;
  /** Whether an order id is ours (open, or recently closed): maker-fill attribution asks this per trade. */
  readonly isOurOrder: (orderId: string) => boolean;
}

export interface Venue {
  readonly kind: string;
  /** Loads market metadata, connects feeds and starts heartbeats; resolves once the feeds are up. */
  connect(sink: VenueSink, options: VenueConnectOptions): Promise<void>;
  /** Market metadata (loaded by `connect`). */
  markets(): readonly MarketInfo[];
  /** Signs an order; the returned id is final. Rejects with a PolyquoteError on an invalid intent. */
  prepare(intent: OrderIntent): Promise<PreparedOrder>;
  /** Posts prepared orders (one request for a batch where the venue allows it); one outcome each, in order. */
  place(orders: readonly PreparedOrder[]): Promise<readonly PlaceOutcome[]>;
  cancel(target: CancelTarget): Promise<CancelOutcome>;
  /** Looks an order up by id: the way an unknown outcome is resolved. Undefined = the venue does not know it. */
  lookupOrder(orderId: string): Promise<OrderStatusReport | undefined>;
  openOrders(filter?: { readonly marketId?: string }): Promise<readonly OrderStatusReport[]>;
  /** Our recent trades by market (never by asset: that filters by the taker's token). */
  recentTrades(filter: { readonly marketId?: string; readonly afterMs?: number }): Promise<readonly FillReport[]>;
  health(): VenueHealth;
  rateBudget(): RateBudget;
  dispose(): Promise<void>;
}
