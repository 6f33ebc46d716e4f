/**
 * What metrics and the status page read: a small, read-only surface over the running bot. The
 * adapter `appSource` (app-source.ts) feeds it from an `App`; the lead can later feed it from the
 * read-only market view instead without touching the metrics or the pages.
 *
 * Streams are hot (no replay) except `risk$` and `sourceHealth$`, which replay their latest value.
 */
import type { Observable } from 'rxjs';
import type { Micros } from '../../core/amounts.ts';
import type { RiskState } from '../../core/bus.ts';
import type { PositionView } from '../../core/engine/views.ts';
import type { AlertRaised, SequencedEvent, Side } from '../../core/events.ts';
import type { PnlView } from '../../core/pnl/pnl-tracker.ts';
import type { RiskDecision } from '../../core/risk/decision.ts';
import type { SourceHealth } from '../../core/sources/position-source.ts';
import type { RateBudget, VenueHealth } from '../../core/venue/venue.ts';

/** One of our resting orders, as the status page shows it (a quote). */
export interface QuoteView {
  readonly orderId: string;
  readonly tokenId: string;
  readonly side: Side;
  readonly price: Micros | undefined;
  readonly originalSize: Micros;
  readonly matched: Micros;
  readonly status: string;
  readonly submittedAt: number;
}

export interface TopOfBook {
  readonly bestBid: Micros | undefined;
  readonly bestAsk: Micros | undefined;
}

export interface MetricsSource {
  /** The bot's clock (virtual in replay and tests). */
  now(): number;
  /** Tracked tokens: configured ones and every token the engine has seen. */
  tokenIds(): readonly string[];
  position(tokenId: string): PositionView;
  /** The acted-on decision for a token, or the overall one when `tokenId` is undefined. */
  decision(tokenId?: string): RiskDecision;
  /** The position limit (conservative-limits), if one is configured. */
  limit(tokenId: string): Micros | undefined;
  pnl(tokenId: string): PnlView;
  sourceHealth(): SourceHealth;
  /** Names of the shadow (A/B) risk sets, never acted on. */
  shadowSets(): readonly string[];
  shadowDecision(name: string, tokenId?: string): RiskDecision | undefined;
  /** How many evaluations found the shadow set deciding differently from the live one. */
  shadowDivergences(name: string): number;
  lastSeq(): number;
  quotes(): readonly QuoteView[];
  book(tokenId: string): TopOfBook | undefined;
  /** Feed gaps still open (waiting for a force reconcile). */
  openGaps(): number;
  ledgerFailed(): boolean;
  /** The live bot's venue and strategies (absent in replay). */
  venueHealth?(): VenueHealth | undefined;
  rateBudget?(): RateBudget | undefined;
  strategyStates?(): readonly { readonly name: string; readonly state: string }[];
  readonly events$: Observable<SequencedEvent>;
  readonly positions$: Observable<PositionView>;
  readonly alerts$: Observable<AlertRaised>;
  readonly risk$: Observable<RiskState>;
  readonly sourceHealth$: Observable<SourceHealth>;
}

/** The status page reads the same surface. */
export type StatusSource = MetricsSource;
