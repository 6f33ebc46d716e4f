/**
 * Order admission: an order passes when the risk decision allows its side and the position limits
 * allow its size; a BUY also needs the collateral (when a source reads it) and a SELL the shares
 * not already promised to resting SELL orders. Blocked orders are logged with the full breakdown.
 * The checks are the pure functions of core/risk/limits.ts, the same ones the limits policy uses.
 */
import { formatMicros, mulMicros, type Micros } from '../amounts.ts';
import type { Side } from '../events.ts';
import type { Logger } from '../logger.ts';
import { adjustedSize, checkBuy, checkSell, describeCheck, type AdmissionCheck } from '../risk/limits.ts';
import type { RiskEngine } from '../risk/risk-engine.ts';
import type { PositionView } from './views.ts';

/** No configured limit: large enough never to bind. */
const UNLIMITED = 1n << 200n;

export interface AdmissionExtras {
  /** BUY size of submits admitted but not applied yet (queued behind the current event). */
  queuedBuys(tokenId: string): Micros;
  collateral(): { available: Micros; known: boolean };
  /** Remaining size of our resting SELL orders on a token. */
  restingSells?(tokenId: string): Micros;
}

export type OrderAdmissionResult =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly code: 'RISK_HALTED' | 'SIDE_NOT_ALLOWED' | 'LIMIT_EXCEEDED' | 'NOTHING_TO_SELL' | 'INSUFFICIENT_COLLATERAL' | 'INVALID_ORDER'; readonly reason: string };

export class OrderAdmission {
  constructor(
    private readonly position: (tokenId: string) => PositionView,
    private readonly risk: RiskEngine,
    private readonly limitFor: ((tokenId: string) => Micros) | undefined,
    private readonly logger: Logger,
    private readonly extras?: AdmissionExtras,
  ) {}

  /** Checks an order against the risk decision and the position limits. */
  admit(side: Side, tokenId: string, size: Micros, log = true): AdmissionCheck & { reason?: string } {
    const p = this.position(tokenId);
    const queued = this.extras?.queuedBuys(tokenId) ?? 0n;
    const resting = side === 'SELL' ? (this.extras?.restingSells?.(tokenId) ?? 0n) : 0n;
    const b = { confirmed: p.confirmed, pendingFillBuys: p.pendingBuys, pendingFillSells: p.pendingSells + resting, pendingOrderBuys: p.pendingOrderBuys + queued };
    const check = side === 'BUY' ? checkBuy(b, size, this.limitFor?.(tokenId) ?? UNLIMITED) : checkSell(b, size);
    const decision = this.risk.decisionFor(tokenId);
    const sideAllowed = decision.allowedSides.includes(side);
    const allowed = check.allowed && sideAllowed;
    if (!allowed && log) {
      this.logger.warn(
        { tokenId, side, size: formatMicros(size), mode: decision.mode, reasons: decision.reasons, breakdown: describeCheck(check) },
        `${side} blocked: ${sideAllowed ? describeCheck(check) : `risk ${decision.mode} allows ${decision.allowedSides.join('/') || 'no side'}`}`,
      );
    }
    return { ...check, allowed, ...(!sideAllowed && { reason: `risk:${decision.reasons.join(',')}` }) };
  }

  /** The gateway's admission of a concrete order (side, size and price), with a reason code. */
  admitOrder(side: Side, tokenId: string, size: Micros, price: Micros): OrderAdmissionResult {
    if (size <= 0n || price <= 0n || price >= 1_000_000n) {
      return { allowed: false, code: 'INVALID_ORDER', reason: `expected size > 0 and 0 < price < 1, got size ${formatMicros(size)} price ${formatMicros(price)}` };
    }
    const decision = this.risk.decisionFor(tokenId);
    if (decision.mode === 'halted') {
      return { allowed: false, code: 'RISK_HALTED', reason: `halted: ${decision.reasons.join(', ') || 'no reason'}` };
    }
    if (!decision.allowedSides.includes(side)) {
      return { allowed: false, code: 'SIDE_NOT_ALLOWED', reason: `risk ${decision.mode} (${decision.reasons.join(', ')}) allows ${decision.allowedSides.join('/') || 'no side'}` };
    }
    const check = this.admit(side, tokenId, size);
    if (!check.allowed) return { allowed: false, code: side === 'BUY' ? 'LIMIT_EXCEEDED' : 'NOTHING_TO_SELL', reason: describeCheck(check) };
    if (side === 'BUY' && this.extras) {
      const cash = this.extras.collateral();
      const cost = mulMicros(size, price);
      if (cash.known && cost > cash.available) {
        const reason = `cost ${formatMicros(cost)} > available collateral ${formatMicros(cash.available)}`;
        this.logger.warn({ tokenId, side, size: formatMicros(size), price: formatMicros(price) }, `BUY blocked: ${reason}`);
        return { allowed: false, code: 'INSUFFICIENT_COLLATERAL', reason };
      }
    }
    return { allowed: true };
  }

  /** Shrinks an order to what the limits and the risk decision allow (0 = do not send). */
  adjustedOrderSize(side: Side, tokenId: string, size: Micros): Micros {
    if (!this.risk.decisionFor(tokenId).allowedSides.includes(side)) return 0n;
    return adjustedSize(this.admit(side, tokenId, size, false));
  }
}
