/**
 * What a snapshot did to one token, read off two successive position views (before and after).
 * Pure: the metrics and the incident report both count reconciliations this way, from the
 * engine's public views, without reaching into the inventory.
 *
 *  - a view whose `confirmedAt` moved is a reconciliation (the first one is the baseline);
 *  - absorbed = size that left pending fills (per side, by key; a partly absorbed fill counts its
 *    reduction);
 *  - unexplained = the confirmed move minus what absorption explains (buys − sells);
 *  - a discrepancy is the engine's discrepancy counter going up.
 */
import type { Micros } from '../../core/amounts.ts';
import type { PositionView } from '../../core/engine/views.ts';

export type ReconcileOutcome = 'baseline' | 'unchanged' | 'absorbed' | 'discrepancy';

export interface ReconcileDelta {
  readonly tokenId: string;
  readonly outcome: ReconcileOutcome;
  readonly absorbedBuys: Micros;
  readonly absorbedSells: Micros;
  /** Signed part of the confirmed move no absorbed fill explains. */
  readonly unexplained: Micros;
  /** New discrepancies the engine counted (0 or more). */
  readonly discrepancies: number;
  readonly confirmedBefore: Micros;
  readonly confirmedAfter: Micros;
}

export type PositionLike = Pick<PositionView, 'tokenId' | 'confirmed' | 'confirmedAt' | 'pendingFills' | 'discrepancies'>;

/** Undefined when `next` is not the result of a snapshot (no change of `confirmedAt`). */
export function diffPositions(prev: PositionLike | undefined, next: PositionLike): ReconcileDelta | undefined {
  if (next.confirmedAt === undefined || next.confirmedAt === prev?.confirmedAt) return undefined;
  const base = { tokenId: next.tokenId, confirmedBefore: prev?.confirmed ?? 0n, confirmedAfter: next.confirmed };
  if (!prev || prev.confirmedAt === undefined) {
    return { ...base, outcome: 'baseline', absorbedBuys: 0n, absorbedSells: 0n, unexplained: 0n, discrepancies: Math.max(0, next.discrepancies - (prev?.discrepancies ?? 0)) };
  }
  const after = new Map(next.pendingFills.map((f) => [f.key, f.size]));
  let absorbedBuys = 0n;
  let absorbedSells = 0n;
  for (const f of prev.pendingFills) {
    const left = f.size - (after.get(f.key) ?? 0n);
    if (left <= 0n) continue;
    if (f.side === 'BUY') absorbedBuys += left;
    else absorbedSells += left;
  }
  const moved = next.confirmed - prev.confirmed;
  const unexplained = moved - (absorbedBuys - absorbedSells);
  const discrepancies = Math.max(0, next.discrepancies - prev.discrepancies);
  const outcome: ReconcileOutcome = discrepancies > 0 ? 'discrepancy' : absorbedBuys + absorbedSells > 0n ? 'absorbed' : 'unchanged';
  return { ...base, outcome, absorbedBuys, absorbedSells, unexplained, discrepancies };
}
