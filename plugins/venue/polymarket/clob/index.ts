/**
 * The Polymarket CLOB V2 trading client (REST side of the `polymarket` venue). Public API:
 * - `ClobClient` — metadata, API keys, prepare/place/cancel/lookupOrder/openOrders/recentTrades,
 *   balances, heartbeats, health and rate budget, in the venue contract's types;
 * - `OrderSigner`, `orderPayload`, `seededSalt` — V2 EIP-712 order signing and the POST body;
 * - `orderAmounts`, `roundingFor`, `tickSizeOf` — exact maker/taker amounts;
 * - `l1Headers`, `l2Headers`, `hmacSignature` — auth headers;
 * - `attributeTrade`, `parseTradeStatus`, `identityFromIds` — pure trade attribution (REST and feed);
 * - `Heartbeats`, `TradingGuard`, `RateLimiter`, `TokenBucket` — the stateful pieces, injectable clock.
 */
export { orderAmounts, roundingFor, tickSizeOf, isOnTick, ROUNDING, TICK_SIZES, ORACLE_AGREEMENT_MAX_SIZE, type TickSize, type OrderAmounts } from './amounts.ts';
export { attributeTrade, identityFromIds, parseTradeStatus, type Identity } from './attribution.ts';
export { hmacSignature, l1Headers, l2Headers, CLOB_AUTH_MESSAGE, type ApiCreds, type L1Headers, type L2Headers } from './auth.ts';
export { ClobError } from './clob-http.ts';
export { TradingGuard, POST_ONLY_WINDOW_MS } from './guard.ts';
export { Heartbeats, type HeartbeatSend } from './heartbeats.ts';
export { END_CURSOR, INITIAL_CURSOR } from './pagination.ts';
export { errorCode, placeOutcomes } from './placement.ts';
export { RateLimiter, TokenBucket, ENDPOINT_LIMITS_PER_10S, type RateLimitConfig } from './rate-limit.ts';
export { balanceReport, bookEvent, marketInfo, orderReport, parseOrderStatus, parseSide, parseVenueTime, reportFromFills } from './reports.ts';
export { ClobClient, type ClobClientOptions, type ClobPayload } from './rest-client.ts';
export { tradeSchema, openOrderSchema, type Trade, type OpenOrder } from './schemas.ts';
export {
  OrderSigner, orderPayload, seededSalt, canonicalTokenId, domainSeparator, EXCHANGES, EXCHANGE_V3, SIGNATURE_TYPES,
  type OrderFields, type OrderSignerOptions, type SignatureType, type SignedOrder, type SignedOrderV2, type PostOrderType,
} from './signing.ts';
export { clobConfigSchema, clobClientFromConfig, TIERS, type ClobConfig } from './config.ts';
