/**
 * Inbound events: immutable facts the engine received, named in the past tense. Each one is
 * appended to the ledger before it changes any state, and each one has exactly one tape line form
 * (tape-format.md), so the ledger can be exported as a tape and replayed.
 */
import type { Micros } from './amounts.ts';

export type Side = 'BUY' | 'SELL';
export const SIDES: readonly Side[] = ['BUY', 'SELL'];

export type FillStatus = 'MATCHED' | 'MINED' | 'CONFIRMED' | 'RETRYING' | 'FAILED';
export type OrderStatus = 'LIVE' | 'MATCHED' | 'CANCELED' | 'EXPIRED' | 'REJECTED' | 'INVALID';
export const TERMINAL_ORDER_STATUSES: ReadonlySet<OrderStatus> = new Set(['MATCHED', 'CANCELED', 'EXPIRED', 'REJECTED', 'INVALID']);
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
  | BookUpdated;

export type InboundEventType = InboundEvent['type'];

/** The token an event concerns, for ledger indexing; undefined for multi-token or global events. */
export function eventTokenId(e: InboundEvent): string | undefined {
  switch (e.type) {
    case 'fill':
    case 'submit':
    case 'book':
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
