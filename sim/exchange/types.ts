/**
 * The simulator's own vocabulary. Amounts are bigint micro-units (6 decimals); token ids are
 * canonical uint256 decimal strings; addresses are lowercase 0x-hex inside the exchange.
 */
import type { Micros } from '../../core/amounts.ts';

export type Side = 'BUY' | 'SELL';
export type OrderType = 'GTC' | 'GTD' | 'FOK' | 'FAK';

/** One binary market as the exchange lists it. */
export interface SimMarket {
  readonly conditionId: string;
  readonly question: string;
  /** [YES, NO] token ids. */
  readonly tokens: readonly [string, string];
  readonly tickSize: Micros;
  readonly minOrderSize: Micros;
  readonly negRisk: boolean;
  /** Liquidity rewards: max spread in cents (micros of a cent count), min size in shares. */
  readonly rewardsMaxSpread: Micros;
  readonly rewardsMinSize: Micros;
  readonly rewardsDailyRate: Micros;
}

/** A validated order ready for the book (signature already checked by the caller). */
export interface OrderInput {
  /** EIP-712 order hash (0x-hex, lowercase). */
  readonly id: string;
  /** API key of the submitter ("owner" on the wire). */
  readonly owner: string;
  /** Funder address (the order's maker), lowercase. */
  readonly maker: string;
  /** Signer EOA, lowercase. */
  readonly signer: string;
  readonly tokenId: string;
  readonly side: Side;
  /** Limit price in the order's own token. */
  readonly price: Micros;
  /** Size in shares. */
  readonly size: Micros;
  readonly orderType: OrderType;
  readonly postOnly: boolean;
  /** Unix seconds, 0 = none (GTD only). */
  readonly expiration: number;
}

export type OrderStatus = 'LIVE' | 'MATCHED' | 'CANCELED' | 'CANCELED_MARKET_RESOLVED' | 'INVALID';

/** An order the exchange has accepted (resting or done). */
export interface BookOrder extends OrderInput {
  readonly conditionId: string;
  readonly outcome: 'Yes' | 'No';
  readonly createdAtMs: number;
  /** Arrival sequence: time priority. */
  readonly seq: number;
  matched: Micros;
  status: OrderStatus;
  readonly associateTrades: string[];
}

export type TradeStatus = 'MATCHED' | 'MINED' | 'CONFIRMED' | 'RETRYING' | 'FAILED';
export type MatchKind = 'transfer' | 'mint' | 'merge';

/** One maker order's part of a trade. Price and side are in the maker's own token. */
export interface MakerFill {
  readonly orderId: string;
  readonly owner: string;
  readonly maker: string;
  readonly tokenId: string;
  readonly outcome: 'Yes' | 'No';
  readonly side: Side;
  readonly price: Micros;
  readonly shares: Micros;
  readonly kind: MatchKind;
}

/** One taker match with every maker order it hit. */
export interface SimTrade {
  readonly id: string;
  readonly conditionId: string;
  readonly takerOrderId: string;
  readonly takerOwner: string;
  readonly taker: string;
  readonly tokenId: string;
  readonly outcome: 'Yes' | 'No';
  readonly side: Side;
  /** Total taker shares. */
  readonly size: Micros;
  /** Volume-weighted execution price in the taker's token (rounded to micros). */
  readonly price: Micros;
  /** Exact collateral the taker pays (BUY) or receives (SELL). */
  readonly takerCollateral: Micros;
  readonly makers: readonly MakerFill[];
  readonly matchTimeMs: number;
  status: TradeStatus;
  lastUpdateMs: number;
  transactionHash: string;
  /** Decided at match time from the fates stream: whether this trade will fail, and retries first. */
  readonly fate: { readonly fails: boolean; readonly retries: number };
}

/** Order event kinds as the user channel names them. */
export type OrderEventType = 'PLACEMENT' | 'UPDATE' | 'CANCELLATION';

/** Book level in a token's own terms. */
export interface Level {
  readonly price: Micros;
  readonly size: Micros;
}

export interface TokenBook {
  readonly tokenId: string;
  /** Best first. */
  readonly bids: readonly Level[];
  readonly asks: readonly Level[];
}

/** An aggregate level change for one token (size 0 removes the level). */
export interface LevelChange {
  readonly tokenId: string;
  readonly side: Side;
  readonly price: Micros;
  readonly size: Micros;
}
