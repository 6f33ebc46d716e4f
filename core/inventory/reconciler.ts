/** The reconciler plugin contract: how pending fills are absorbed by an authoritative snapshot. */
import type { Micros } from '../amounts.ts';
import type { PendingTotals, ReconcileResult } from './reconcile.ts';
import type { PendingFill } from './tracked-position.ts';

export interface Reconciler {
  readonly kind: string;
  /** Pending fills first seen longer ago than this are aged out. */
  readonly pendingFillTtlMs: number;
  /** Moves and mismatches below this are noise. */
  readonly tolerance: Micros;
  /** `totals` are the pending sizes summed by side, as the position keeps them (a reconciler may use or ignore them). */
  reconcile(oldConfirmed: Micros, newConfirmed: Micros, pending: readonly PendingFill[], totals?: PendingTotals): ReconcileResult;
}
