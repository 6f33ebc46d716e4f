/** The engine state as tape-format.md's output line (numbers for display; exact values stay inside). */
import { microsToNumber } from '../amounts.ts';
import type { RiskDecision } from '../risk/decision.ts';
import type { Engine } from './engine.ts';

export interface StateLine {
  at: string;
  positions: Record<string, unknown>;
  risk: Record<string, unknown>;
  shadow?: Record<string, unknown>;
  fills?: Record<string, number>;
  answer?: Record<string, boolean>;
}

const n = microsToNumber;

function decisionJson(d: RiskDecision) {
  return { mode: d.mode, reasons: [...d.reasons], sizeMultiplier: d.sizeMultiplier, allowedSides: [...d.allowedSides], extraTicks: d.extraTicks };
}

/** Builds one output line; `tokenId` limits positions to that token. */
export function stateLine(engine: Engine, at: number, opts: { tokenId?: string; answer?: Record<string, boolean> } = {}): StateLine {
  const tokens = opts.tokenId ? [opts.tokenId] : engine.tokenIds().sort();
  const positions: Record<string, unknown> = {};
  for (const t of tokens) {
    const p = engine.position(t);
    const pnl = engine.pnl.view(t);
    positions[t] = {
      confirmed: n(p.confirmed), pendingBuys: n(p.pendingBuys), pendingSells: n(p.pendingSells), effective: n(p.effective),
      pendingOrderBuys: n(p.pendingOrderBuys), conservativeExposure: n(p.conservativeExposure), availableToSell: n(p.availableToSell),
      pendingFills: p.pendingFills.map((f) => ({ key: f.key, side: f.side, size: n(f.size) })),
      discrepancies: p.discrepancies,
      pnl: { realized: n(pnl.realized), unrealized: n(pnl.unrealized), avgCost: n(pnl.avgCost) },
    };
  }
  const byToken: Record<string, unknown> = {};
  for (const t of engine.risk.evaluatedTokens().sort()) if (!opts.tokenId || t === opts.tokenId) {
    const variant = engine.risk.variantOf(t);
    byToken[t] = { ...decisionJson(engine.risk.decisionFor(t)), ...(variant !== undefined && { variant }) };
  }
  const line: StateLine = { at: new Date(at).toISOString(), positions, risk: { ...decisionJson(engine.risk.global), byToken } };
  if (engine.risk.shadowSets.length) {
    line.shadow = {};
    for (const s of engine.risk.shadowSets) {
      const sb: Record<string, unknown> = {};
      for (const t of engine.risk.evaluatedTokens().sort()) if (!opts.tokenId || t === opts.tokenId) sb[t] = decisionJson(engine.risk.shadowDecision(s.name, t)!);
      line.shadow[s.name] = { ...decisionJson(engine.risk.shadowDecision(s.name)!), byToken: sb, divergences: engine.risk.divergenceCount(s.name) };
    }
  }
  line.fills = { ...engine.inventory.counters };
  if (opts.answer) line.answer = opts.answer;
  return line;
}
