/**
 * What the engine knows about its feeds: whether the user channel is up, and whether a reconnect
 * or gap is waiting for its forced snapshot (and how many snapshot attempts failed meanwhile).
 */
import type { ConnectionChanged } from '../events.ts';

export interface FeedStateData {
  userConnected: boolean;
  userWasDisconnected: boolean;
  forceNextSnapshot: boolean;
  gapOpenSince: number | null;
  failedReconcileAttempts: number;
}

export class FeedState {
  userConnected = true;
  private userWasDisconnected = false;
  /** The next snapshot is a force reconcile (after a reconnect, a gap, or a restart). */
  forceNextSnapshot = false;
  gapOpenSince: number | undefined;
  failedReconcileAttempts = 0;

  /** Returns true when the user channel came back after a disconnect (a gap to reconcile). */
  connection(e: ConnectionChanged): boolean {
    if (e.channel !== 'user') return false;
    if (e.state === 'disconnected') {
      this.userConnected = false;
      this.userWasDisconnected = true;
      return false;
    }
    this.userConnected = true;
    const reconnected = this.userWasDisconnected;
    this.userWasDisconnected = false;
    return reconnected;
  }

  gapOpened(at: number): void {
    this.forceNextSnapshot = true;
    this.gapOpenSince ??= at;
  }

  /** A snapshot attempt failed: counts toward feed-gap-halt while a forced snapshot is awaited. */
  snapshotFailed(): void {
    if (this.forceNextSnapshot) this.failedReconcileAttempts++;
  }

  /** The forced snapshot was applied: the gap is closed. */
  reconciled(): void {
    this.forceNextSnapshot = false;
    this.gapOpenSince = undefined;
    this.failedReconcileAttempts = 0;
  }

  export(): FeedStateData {
    return {
      userConnected: this.userConnected, userWasDisconnected: this.userWasDisconnected, forceNextSnapshot: this.forceNextSnapshot,
      gapOpenSince: this.gapOpenSince ?? null, failedReconcileAttempts: this.failedReconcileAttempts,
    };
  }

  import(s: FeedStateData): void {
    this.userConnected = s.userConnected;
    this.userWasDisconnected = s.userWasDisconnected;
    this.forceNextSnapshot = s.forceNextSnapshot;
    this.gapOpenSince = s.gapOpenSince ?? undefined;
    this.failedReconcileAttempts = s.failedReconcileAttempts;
  }
}
