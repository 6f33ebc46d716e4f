/** The Polymarket feeds: channel parsers, books, resilient websockets, REST reports and reconciliation. */
export { parseUserFrame, type UserFrameContext, type UserFrameResult, type OrderUpdateDetail } from './user-channel.ts';
export { parseMarketFrame, parseBookSnapshot, type MarketFrameResult, type MarketInfo, type BestQuotes } from './market-channel.ts';
export { normalizeOrderStatus, normalizeTradeStatus, type NormalizedOrderStatus, type NormalizedTradeStatus } from './statuses.ts';
export { BookState, type TokenBook, type BookApplyResult } from './book-state.ts';
export { WsConnection, DEFAULT_TIMING, type WsConnectionOptions, type WsConnectionStats, type WsTiming, type WsState } from './ws-connection.ts';
export { backoffDelay, seededRandom, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
export { UserFeed, type UserFeedOptions, type UserFeedStats, type ApiCredentials } from './user-feed.ts';
export { MarketFeed, type MarketFeedOptions, type MarketFeedStats } from './market-feed.ts';
export { parseOrderReport, parseTradeReports, type TradeIdentity } from './rest-reports.ts';
export {
  reconcile, screenFeedEvent, fillKeyOf, fillStatusMovesForward,
  type ReconcileInput, type ReconcileResult, type LocalOrder, type GapEvidence, type GapEvidenceKind, type KnownOrder, type ScreenResult,
} from '../../../../core/venue/reconcile.ts';
export type { FeedProblem } from './fields.ts';
