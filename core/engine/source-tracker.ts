/**
 * What the engine knows of its position source: the health it reports (hard-halt and the status
 * page read it) and when an authoritative — primary, not degraded — snapshot last arrived.
 */
import type { BalanceSnapshotReceived, SourceFailed, SourceKindName } from '../events.ts';
import type { SourceHealth } from '../sources/position-source.ts';

export const NO_SOURCE: SourceHealth = { source: 'none', lastSuccessAt: undefined, lastAttemptAt: undefined, consecutiveFailures: 0, lastLatencyMs: undefined, lastError: undefined, servingFallback: false };

export class SourceTracker {
  health: SourceHealth = NO_SOURCE;
  lastAuthoritativeAt: number | undefined;

  /** The configured primary source's kind; snapshots of another kind count as fallback. */
  constructor(private readonly primarySource: SourceKindName | undefined) {}

  failed(e: SourceFailed): void {
    this.health = { ...this.health, lastAttemptAt: e.at, consecutiveFailures: this.health.consecutiveFailures + 1, lastError: e.error };
  }

  /** A snapshot arrived: whether it is degraded (fallback) and whether that changed. */
  snapshot(e: BalanceSnapshotReceived): { degraded: boolean; fellBack: boolean; restored: boolean } {
    const wasFallback = this.health.servingFallback;
    const degraded = e.degraded === true || (this.primarySource !== undefined && e.source !== this.primarySource);
    this.health = { ...this.health, source: e.source, lastSuccessAt: e.at, lastAttemptAt: e.at, consecutiveFailures: 0, lastError: undefined, servingFallback: degraded };
    if (!degraded) this.lastAuthoritativeAt = e.at;
    return { degraded, fellBack: degraded && !wasFallback, restored: !degraded && wasFallback };
  }
}
