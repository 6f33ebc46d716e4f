/**
 * Risk decisions and their combination: most restrictive wins. Pure.
 *   mode = worst of normal < degraded < halted; sizeMultiplier = min; allowedSides = intersection;
 *   extraTicks = max; reasons = union (sorted, so equal decisions compare equal).
 */
import type { Side } from '../events.ts';

export type RiskMode = 'normal' | 'degraded' | 'halted';
const MODE_RANK: Record<RiskMode, number> = { normal: 0, degraded: 1, halted: 2 };

export interface RiskDecision {
  readonly mode: RiskMode;
  readonly reasons: readonly string[];
  readonly sizeMultiplier: number;
  readonly allowedSides: readonly Side[];
  readonly extraTicks: number;
}

/** What one policy says; missing fields impose nothing. */
export interface RiskVerdict {
  readonly mode?: RiskMode;
  readonly reasons?: readonly string[];
  readonly sizeMultiplier?: number;
  readonly allowedSides?: readonly Side[];
  readonly extraTicks?: number;
}

export const NORMAL: RiskDecision = Object.freeze({
  mode: 'normal', reasons: Object.freeze([]) as readonly string[], sizeMultiplier: 1,
  allowedSides: Object.freeze(['BUY', 'SELL']) as readonly Side[], extraTicks: 0,
});

/** Combines verdicts, most restrictive wins. A halted decision allows no side. */
function isEmpty(v: object): boolean {
  for (const _ in v) return false;
  return true;
}

export function combine(verdicts: readonly (RiskVerdict | undefined)[], start: RiskDecision = NORMAL): RiskDecision {
  // Fast path for the common case: nothing imposed (no verdict, or only empty ones).
  let present: RiskVerdict[] | undefined;
  for (const v of verdicts) if (v !== undefined && !isEmpty(v)) (present ??= []).push(v);
  if (present === undefined) return start;
  let mode = start.mode;
  let sizeMultiplier = start.sizeMultiplier;
  let sides = new Set(start.allowedSides);
  let extraTicks = start.extraTicks;
  const reasons = new Set(start.reasons);
  for (const v of present) {
    if (v.mode && MODE_RANK[v.mode] > MODE_RANK[mode]) mode = v.mode;
    if (v.sizeMultiplier !== undefined) sizeMultiplier = Math.min(sizeMultiplier, v.sizeMultiplier);
    if (v.allowedSides) {
      const allowed = new Set(v.allowedSides);
      sides = new Set([...sides].filter((s) => allowed.has(s)));
    }
    if (v.extraTicks !== undefined) extraTicks = Math.max(extraTicks, v.extraTicks);
    for (const r of v.reasons ?? []) reasons.add(r);
  }
  if (mode === 'halted') {
    sides = new Set();
    sizeMultiplier = 0;
  }
  return {
    mode,
    reasons: [...reasons].sort(),
    sizeMultiplier,
    allowedSides: (['BUY', 'SELL'] as const).filter((s) => sides.has(s)),
    extraTicks,
  };
}

/** Structural equality of two decisions. */
export function sameDecision(a: RiskDecision, b: RiskDecision): boolean {
  return (
    a.mode === b.mode && a.sizeMultiplier === b.sizeMultiplier && a.extraTicks === b.extraTicks &&
    a.allowedSides.join() === b.allowedSides.join() && a.reasons.join() === b.reasons.join()
  );
}
