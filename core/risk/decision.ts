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

/** A verdict that imposes nothing (every field missing). */
function imposesNothing(v: RiskVerdict): boolean {
  return v.mode === undefined && v.sizeMultiplier === undefined && v.allowedSides === undefined && v.extraTicks === undefined && (v.reasons === undefined || v.reasons.length === 0);
}

const BOTH: readonly Side[] = Object.freeze(['BUY', 'SELL']);
const ONLY_BUY: readonly Side[] = Object.freeze(['BUY']);
const ONLY_SELL: readonly Side[] = Object.freeze(['SELL']);
const NO_SIDE: readonly Side[] = Object.freeze([]);

/**
 * Combines verdicts, most restrictive wins. A halted decision allows no side. Plain loops over
 * small arrays, no sets: the risk engine combines on every event.
 */
export function combine(verdicts: readonly (RiskVerdict | undefined)[], start: RiskDecision = NORMAL): RiskDecision {
  let imposing = false;
  for (let i = 0; i < verdicts.length && !imposing; i++) {
    const v = verdicts[i];
    if (v !== undefined && !imposesNothing(v)) imposing = true;
  }
  if (!imposing) return start;
  let mode = start.mode;
  let sizeMultiplier = start.sizeMultiplier;
  let buy = start.allowedSides.includes('BUY');
  let sell = start.allowedSides.includes('SELL');
  let extraTicks = start.extraTicks;
  const reasons: string[] = [];
  for (const r of start.reasons) if (!reasons.includes(r)) reasons.push(r);
  for (let i = 0; i < verdicts.length; i++) {
    const v = verdicts[i];
    if (v === undefined) continue;
    if (v.mode && MODE_RANK[v.mode] > MODE_RANK[mode]) mode = v.mode;
    if (v.sizeMultiplier !== undefined) sizeMultiplier = Math.min(sizeMultiplier, v.sizeMultiplier);
    if (v.allowedSides) {
      if (!v.allowedSides.includes('BUY')) buy = false;
      if (!v.allowedSides.includes('SELL')) sell = false;
    }
    if (v.extraTicks !== undefined) extraTicks = Math.max(extraTicks, v.extraTicks);
    if (v.reasons) for (const r of v.reasons) if (!reasons.includes(r)) reasons.push(r);
  }
  if (mode === 'halted') {
    buy = sell = false;
    sizeMultiplier = 0;
  }
  return { mode, reasons: reasons.sort(), sizeMultiplier, allowedSides: buy ? (sell ? BOTH : ONLY_BUY) : sell ? ONLY_SELL : NO_SIDE, extraTicks };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Structural equality of two decisions. */
export function sameDecision(a: RiskDecision, b: RiskDecision): boolean {
  return a === b || (
    a.mode === b.mode && a.sizeMultiplier === b.sizeMultiplier && a.extraTicks === b.extraTicks &&
    sameList(a.allowedSides, b.allowedSides) && sameList(a.reasons, b.reasons)
  );
}
