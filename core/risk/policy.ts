/**
 * The risk-policy plugin contract. A policy maps inputs to a partial verdict per token and/or
 * overall; it may keep state (a drift timer) that it exports into checkpoints.
 */
import type { PositionView } from '../engine/views.ts';
import type { SourceHealth } from '../sources/position-source.ts';
import type { RiskVerdict } from './decision.ts';

/** What a policy sees about one token: the engine's position view, the time, and whether a snapshot covered it. */
export type TokenRiskInput = Pick<
  PositionView,
  'tokenId' | 'confirmed' | 'pendingBuys' | 'pendingSells' | 'effective' | 'pendingOrderBuys' | 'conservativeExposure' | 'availableToSell' | 'discrepancies'
> & {
  readonly now: number;
  /** Whether any authoritative snapshot has covered this token yet. */
  readonly hasSnapshot: boolean;
};

/** What a policy sees about the whole engine. */
export interface GlobalRiskInput {
  readonly now: number;
  readonly startedAt: number;
  readonly health: SourceHealth;
  /** Last snapshot from the primary (non-degraded) source. */
  readonly lastAuthoritativeAt: number | undefined;
  readonly userFeedConnected: boolean;
  /** A reconnect or gap is waiting for its forced snapshot since this time. */
  readonly gapOpenSince: number | undefined;
  /** Snapshot attempts that failed while a gap was open. */
  readonly failedReconcileAttempts: number;
}

export interface PolicyResult {
  readonly verdict?: RiskVerdict;
  /** Ask to be evaluated again at this time even if nothing else happens. */
  readonly recheckAt?: number;
  /** Ask the engine to fetch a fresh snapshot now (a recovery attempt). */
  readonly requestSnapshot?: string;
}

/** A capability a policy may declare: position limits that admission and sizing use. */
export interface PositionLimits {
  /** Position limit of a token in micro-shares. */
  limitFor(tokenId: string): bigint;
}

export interface RiskPolicy {
  readonly kind: string;
  /** Declared when the policy imposes position limits (admission and sizing read them here). */
  readonly limits?: PositionLimits;
  evaluateToken?(input: TokenRiskInput): PolicyResult;
  evaluateGlobal?(input: GlobalRiskInput): PolicyResult;
  exportState?(): unknown;
  importState?(state: unknown): void;
}
