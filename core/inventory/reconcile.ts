/**
 * Reconciliation as pure functions: bring pending fills into line with an authoritative balance.
 *
 * Invariants (architecture.md, "Reconciliation semantics"):
 *  - the amount absorbed is exactly min(|newConfirmed − oldConfirmed|, same-direction pending);
 *  - a rise absorbs pending BUYs, a fall pending SELLs, oldest first, the boundary fill reduced
 *    partially and kept under its key;
 *  - so a snapshot that only confirms pending fills leaves the effective size unchanged;
 *  - a move larger than same-direction pending, or against it, is reported as a discrepancy.
 */
import { absMicros, type Micros } from '../amounts.ts';
import { withSize, type PendingFill } from './tracked-position.ts';

export type ReconcileOutcome = 'unchanged' | 'all-confirmed' | 'absorbed' | 'discrepancy';

export interface ReconcileResult {
  readonly outcome: ReconcileOutcome;
  /** newConfirmed − oldConfirmed. */
  readonly moved: Micros;
  /** Amount of pending fills absorbed (always ≥ 0). */
  readonly absorbed: Micros;
  /** Part of the move no pending fill explains (signed); 0 unless outcome is 'discrepancy'. */
  readonly unexplained: Micros;
  /** Pending fills after reconciliation, oldest first. */
  readonly pending: readonly PendingFill[];
  /** Keys fully absorbed, and the key partially reduced if any. */
  readonly absorbedKeys: readonly string[];
  readonly reducedKey: string | undefined;
}

/** The sums of a token's pending BUY and SELL sizes. */
export interface PendingTotals {
  readonly buys: Micros;
  readonly sells: Micros;
}

/** Sums pending sizes by side. */
export function pendingTotals(pending: readonly PendingFill[]): PendingTotals {
  let buys = 0n;
  let sells = 0n;
  for (const f of pending) f.side === 'BUY' ? (buys += f.size) : (sells += f.size);
  return { buys, sells };
}

/**
 * Applies one authoritative snapshot to a token's pending fills. `totals`, when the caller keeps
 * them (TrackedPosition does), must be `pendingTotals(pending)`; given, the fills past the absorbed
 * ones are not read at all, which is what keeps a snapshot over many pending fills cheap.
 */
export function reconcilePending(
  oldConfirmed: Micros,
  newConfirmed: Micros,
  pending: readonly PendingFill[],
  tolerance: Micros,
  totals: PendingTotals = pendingTotals(pending),
): ReconcileResult {
  const moved = newConfirmed - oldConfirmed;
  const { buys, sells } = totals;
  const base = { moved, absorbedKeys: [] as string[], reducedKey: undefined };
  // "Within tolerance": strictly below it, or exactly zero when the tolerance is zero.
  const within = (x: Micros) => (tolerance === 0n ? x === 0n : absMicros(x) < tolerance);

  if (within(moved)) {
    return { ...base, outcome: 'unchanged', absorbed: 0n, unexplained: 0n, pending };
  }
  if (pending.length > 0 && within(newConfirmed - (oldConfirmed + buys - sells))) {
    return { ...base, outcome: 'all-confirmed', absorbed: buys + sells, unexplained: 0n, pending: [], absorbedKeys: pending.map((f) => f.key) };
  }

  const side = moved > 0n ? 'BUY' : 'SELL';
  const sameDirection = side === 'BUY' ? buys : sells;
  const toAbsorb = absMicros(moved) < sameDirection ? absMicros(moved) : sameDirection;
  let left = toAbsorb;
  const out: PendingFill[] = [];
  const absorbedKeys: string[] = [];
  let reducedKey: string | undefined;
  for (const f of pending) {
    // Once all is absorbed, the rest is kept without reading it.
    if (left === 0n || f.side !== side) {
      out.push(f);
      continue;
    }
    if (f.size <= left) {
      left -= f.size;
      absorbedKeys.push(f.key);
    } else {
      out.push(withSize(f, f.size - left));
      reducedKey = f.key;
      left = 0n;
    }
  }
  const excess = absMicros(moved) - toAbsorb;
  const unexplained = excess === 0n ? 0n : moved > 0n ? excess : -excess;
  return {
    outcome: excess > 0n && !within(excess) ? 'discrepancy' : 'absorbed',
    moved,
    absorbed: toAbsorb,
    unexplained,
    pending: out,
    absorbedKeys,
    reducedKey,
  };
}

/** Splits pending fills into those first seen at or before `cutoff` (aged out) and the rest. */
export function agePending(pending: readonly PendingFill[], cutoff: number): { aged: PendingFill[]; kept: PendingFill[]; netDelta: Micros } {
  const aged: PendingFill[] = [];
  const kept: PendingFill[] = [];
  let netDelta = 0n;
  for (const f of pending) {
    if (f.firstSeenAt <= cutoff) {
      aged.push(f);
      netDelta += f.side === 'BUY' ? f.size : -f.size;
    } else kept.push(f);
  }
  return { aged, kept, netDelta };
}
