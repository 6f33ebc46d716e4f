/**
 * Inbound events: immutable facts the engine received, named in the past tense. Each one is
 * appended to the ledger before it changes any state, and each one has exactly one tape line form
 * (tape-format.md), so the ledger can be exported as a tape and replayed.
 */
import type { Micros } from './amounts.ts';

export type Side = 'BUY' | 'SELL';
export const SIDES: readonly Side[] = ['BUY', 'SELL'];

export type FillStatus = 'MATCHED' | 'MINED' | 'CONFIRMED' | 'RETRYING' | 'FAILED';
/**
 * Normalised order statuses. DELAYED (the venue holds a marketable order briefly) is open;
 * UNMATCHED (a marketable order that found nothing and was not placed) is terminal. Venue statuses
 * with a reason suffix ("CANCELED_order couldn't be fully filled") or a cause
 * ("CANCELED_MARKET_RESOLVED") map onto these with the detail kept in `reason`.
 */
export type OrderStatus = 'LIVE' | 'DELAYED' | 'MATCHED' | 'CANCELED' | 'EXPIRED' | 'REJECTED' | 'INVALID' | 'UNMATCHED';
export const ORDER_STATUSES: readonly OrderStatus[] = ['LIVE', 'DELAYED', 'MATCHED', 'CANCELED', 'EXPIRED', 'REJECTED', 'INVALID', 'UNMATCHED'];
export const TERMINAL_ORDER_STATUSES: ReadonlySet<OrderStatus> = new Set(['MATCHED', 'CANCELED', 'EXPIRED', 'REJECTED', 'INVALID', 'UNMATCHED']);
export type Channel = 'user' | 'market';
export type SourceKindName = 'chain' | 'rest';

export interface FillReported {
  readonly type: 'fill';
  readonly at: number;
  readonly tradeId?: string;
  readonly orderId?: string;
  readonly tokenId: string;
  readonly side: Side;
  readonly size: Micros;
  readonly price: Micros;
  readonly status: FillStatus;
  /** The venue's own time of the event (epoch ms), when it gave one; `at` is when we received it. */
  readonly venueAt?: number;
}

export interface OrderSubmitted {
  readonly type: 'submit';
  readonly at: number;
  readonly orderId: string;
  readonly tokenId: string;
  readonly side: Side;
  readonly price: Micros;
  readonly size: Micros;
}

export interface OrderCancelRequested {
  readonly type: 'cancel';
  readonly at: number;
  readonly orderId: string;
}

export interface OrderUpdated {
  readonly type: 'order';
  readonly at: number;
  readonly orderId: string;
  readonly tokenId?: string;
  readonly side?: Side;
  readonly status: OrderStatus;
  readonly originalSize?: Micros;
  readonly sizeMatched?: Micros;
  readonly price?: Micros;
  /** Detail the venue gave with the status (a reason suffix, MARKET_RESOLVED, the reject code). */
  readonly reason?: string;
  readonly venueAt?: number;
}

export interface BalanceSnapshotReceived {
  readonly type: 'balance';
  readonly at: number;
  /** Which kind of source answered ('chain' or 'rest'). */
  readonly source: SourceKindName;
  /** tokenId → balance; a token missing here is not touched by this snapshot. */
  readonly balances: ReadonlyMap<string, Micros>;
  readonly block?: bigint;
  /** True when served by a fallback rather than the primary source. */
  readonly degraded?: boolean;
  /** The funder's collateral (pUSD) balance, when the source read it in the same round trip. */
  readonly collateral?: Micros;
}

export interface SourceFailed {
  readonly type: 'source_error';
  readonly at: number;
  readonly source: string;
  readonly error: string;
}

export interface ConnectionChanged {
  readonly type: 'connection';
  readonly at: number;
  readonly channel: Channel;
  readonly state: 'connected' | 'disconnected';
}

export interface FeedGapDetected {
  readonly type: 'gap';
  readonly at: number;
  readonly channel: Channel;
  readonly reason?: string;
}

export type BookLevel = readonly [price: Micros, size: Micros];

export interface BookUpdated {
  readonly type: 'book';
  readonly at: number;
  readonly tokenId: string;
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
  readonly tickSize?: Micros;
  readonly venueAt?: number;
}

/** One changed price level: `size` is the new aggregate at that price, 0 removes the level. */
export interface BookLevelChange {
  readonly side: Side;
  readonly price: Micros;
  readonly size: Micros;
}

/**
 * Book deltas (a market-channel price_change, or a tick-size change), ledgered as deltas rather than
 * full books. Applied to the last full `book` of the token; replay rebuilds the same books.
 */
export interface BookDeltaReceived {
  readonly type: 'book_delta';
  readonly at: number;
  readonly tokenId: string;
  readonly changes: readonly BookLevelChange[];
  /** A tick-size change re-grids the book. */
  readonly tickSize?: Micros;
  readonly venueAt?: number;
}

/**
 * Capital recycling: we merged `amount` of both outcome tokens of a market back into collateral
 * through the ConditionalTokens contract. `sent`: the transaction left — the inventory now expects
 * both balances to fall by `amount`, and a snapshot showing that fall is neither drift nor the
 * confirmation of pending SELL fills; `failed`: it did not happen, the expectation is dropped.
 */
export interface MergeRecorded {
  readonly type: 'merge';
  readonly at: number;
  readonly marketId: string;
  readonly tokens: readonly [string, string];
  readonly amount: Micros;
  readonly status: 'sent' | 'failed';
  readonly txHash?: string;
}

export type InboundEvent =
  | FillReported
  | OrderSubmitted
  | OrderCancelRequested
  | OrderUpdated
  | BalanceSnapshotReceived
  | SourceFailed
  | ConnectionChanged
  | FeedGapDetected
  | BookUpdated
  | BookDeltaReceived
  | MergeRecorded;

export type InboundEventType = InboundEvent['type'];

/** The token an event concerns, for ledger indexing; undefined for multi-token or global events. */
export function eventTokenId(e: InboundEvent): string | undefined {
  switch (e.type) {
    case 'fill':
    case 'submit':
    case 'book':
    case 'book_delta':
      return e.tokenId;
    case 'order':
      return e.tokenId;
    case 'balance':
      return e.balances.size === 1 ? e.balances.keys().next().value : undefined;
    default:
      return undefined;
  }
}

/** An event after the engine sequenced it. */
export interface SequencedEvent {
  readonly seq: number;
  readonly event: InboundEvent;
}

/** Alert severities, lowest first. */
export type AlertSeverity = 'info' | 'warning' | 'critical';

/** Something an operator should hear about (halt, recovery, fallback, ledger failure …). */
export interface AlertRaised {
  readonly type: 'alert';
  readonly at: number;
  readonly severity: AlertSeverity;
  readonly code: string;
  readonly message: string;
  readonly tokenId?: string;
  readonly reasons?: readonly string[];
}
