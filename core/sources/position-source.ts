/**
 * Position sources: where confirmed balances come from (chain first, REST as fallback).
 * A source answers one snapshot per call; the SourceRunner polls it on the clock and turns each
 * answer into a `balance` event (or a `source_error` event) that the engine ledgers and applies.
 */
import type { Micros } from '../amounts.ts';
import type { SourceKindName } from '../events.ts';

export interface BalanceReport {
  /** Kind of the source that actually answered ('chain' or 'rest'). */
  readonly source: SourceKindName;
  /** Name of the configured source that answered (e.g. "chain", "rest", "fallback>rest"). */
  readonly sourceName: string;
  /** tokenId → balance in micro-shares for every requested token the answer covers. */
  readonly balances: ReadonlyMap<string, Micros>;
  /** Block the balances were read at (chain sources). */
  readonly block?: bigint;
  /** The funder's collateral (pUSD) read in the same round trip, when the source reads it. */
  readonly collateral?: bigint;
  /** True when the answer covers every requested token (absent token = zero). */
  readonly complete: boolean;
  /** True when a fallback served it instead of the primary. */
  readonly degraded: boolean;
  /** Round trips made to produce it (1 for balanceOfBatch / multicall). */
  readonly roundTrips: number;
  readonly latencyMs: number;
}

export interface PositionSource {
  /** Name shown in logs, health and errors. */
  readonly name: string;
  /** How often the SourceRunner polls it. */
  readonly pollIntervalMs: number;
  /** Per-fetch deadline; the runner aborts the signal it passed when it expires. */
  readonly timeoutMs: number;
  /** Fetches balances of the funder for these token ids. Rejects with a SourceError on failure. */
  fetchBalances(tokenIds: readonly string[], signal?: AbortSignal): Promise<BalanceReport>;
  /**
   * Optional push channel (chain-events): calls `onReport` with balances of tokens whose balance
   * changed, as soon as the change is seen. Returns an unsubscribe function.
   */
  watch?(tokenIds: () => readonly string[], onReport: (r: BalanceReport) => void, onError: (e: Error) => void): () => void;
  /** Releases sockets and timers. */
  dispose(): Promise<void>;
}

/** Health of the authoritative source as the engine sees it. */
export interface SourceHealth {
  readonly source: string;
  readonly lastSuccessAt: number | undefined;
  readonly lastAttemptAt: number | undefined;
  readonly consecutiveFailures: number;
  readonly lastLatencyMs: number | undefined;
  readonly lastError: string | undefined;
  /** The last snapshot came from a fallback. */
  readonly servingFallback: boolean;
}
